import { describe, expect, it } from 'vitest';
import { bytesByteSource, inspectPublication } from '../../../functions/domain/publication';
import { chapter, containerXml, zip } from './builders';

const png = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 1, 2, 3,
]);

/** An EPUB 2 package with prefixed OPF elements, as older tools write them. */
const epub2Opf = `<?xml version="1.0" encoding="UTF-8"?>
<opf:package xmlns:opf="http://www.idpf.org/2007/opf" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <opf:metadata>
    <dc:title>Ayat-Ayat Cinta</dc:title>
    <dc:creator opf:role="aut">Habiburrahman El Shirazy</dc:creator>
    <dc:creator opf:role="aut">Penulis Kedua</dc:creator>
    <dc:language>id</dc:language>
    <dc:publisher>Penerbit Republika</dc:publisher>
    <dc:date opf:event="modification">2010-01-01</dc:date>
    <dc:date opf:event="publication">2004-12-01</dc:date>
    <dc:description>&lt;p&gt;Kisah &lt;b&gt;cinta&lt;/b&gt; di Kairo &amp;amp; sekitarnya.&lt;/p&gt;</dc:description>
    <dc:subject>Fiksi</dc:subject>
    <dc:subject>Religi</dc:subject>
    <dc:identifier opf:scheme="ISBN">979-3604-02-0</dc:identifier>
    <dc:identifier>urn:isbn:978-602-8997-71-3</dc:identifier>
    <dc:identifier>doi:10.1234/pustaka.42</dc:identifier>
    <dc:identifier>https://doi.org/10.5555/12345678</dc:identifier>
    <dc:identifier>0317-8471</dc:identifier>
    <dc:identifier>urn:uuid:0b3f7c2e-1111-4a4a-9999-123456789abc</dc:identifier>
    <opf:meta name="cover" content="sampul"/>
  </opf:metadata>
  <opf:manifest>
    <opf:item id="bab1" href="teks/bab%201.xhtml" media-type="application/xhtml+xml"/>
    <opf:item id="sampul" href="../gambar/sampul%20depan.png" media-type="image/png"/>
  </opf:manifest>
  <opf:spine page-progression-direction="rtl"><opf:itemref idref="bab1"/></opf:spine>
</opf:package>`;

describe('reading EPUB metadata', () => {
  it('reads an EPUB 2 package with opf: prefixes, percent-encoded hrefs and a <meta name="cover">', async () => {
    // Prepare
    const book = zip({
      mimetype: 'application/epub+zip',
      'META-INF/container.xml': containerXml('OPS/isi/paket.opf'),
      'OPS/isi/paket.opf': epub2Opf,
      'OPS/isi/teks/bab 1.xhtml': chapter,
      'OPS/gambar/sampul depan.png': png,
    });

    // Act
    const { metadata, cover } = await inspectPublication(bytesByteSource(book), {
      declaredName: 'ayat.epub',
    });

    // Assess
    expect(metadata).toEqual({
      title: 'Ayat-Ayat Cinta',
      authors: ['Habiburrahman El Shirazy', 'Penulis Kedua'],
      language: 'id',
      publisher: 'Penerbit Republika',
      published: '2004-12-01',
      description: 'Kisah cinta di Kairo & sekitarnya.',
      subjects: ['Fiksi', 'Religi'],
      identifiers: {
        isbn: ['9793604020', '9786028997713'],
        doi: ['10.1234/pustaka.42', '10.5555/12345678'],
        issn: ['0317-8471'],
        other: ['urn:uuid:0b3f7c2e-1111-4a4a-9999-123456789abc'],
      },
      direction: 'rtl',
      spineLength: 1,
    });
    expect(cover).toEqual({ bytes: png, contentType: 'image/png' });
  });

  it('takes the cover type from its bytes and leaves out a cover that is not a raster image', async () => {
    // Prepare
    const opf = (href: string) =>
      `<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">` +
      `<dc:title>Sampul</dc:title></metadata><manifest>` +
      `<item id="c" href="c.xhtml" media-type="application/xhtml+xml"/>` +
      `<item id="img" href="${href}" media-type="image/jpeg" properties="cover-image"/>` +
      `</manifest><spine><itemref idref="c"/></spine></package>`;
    const build = (href: string, image: Uint8Array | string) =>
      zip({
        mimetype: 'application/epub+zip',
        'META-INF/container.xml': containerXml('content.opf'),
        'content.opf': opf(href),
        'c.xhtml': chapter,
        [href]: image,
      });

    // Act
    const mislabelled = await inspectPublication(bytesByteSource(build('cover.jpg', png)));
    const svg = await inspectPublication(
      bytesByteSource(build('cover.svg', '<svg><script>alert(1)</script></svg>')),
    );

    // Assess
    expect(mislabelled.cover?.contentType).toBe('image/png');
    expect(svg.cover).toBeUndefined();
  });

  it('uses the declared file name when the package has no title, and reports left-to-right', async () => {
    // Prepare
    const opf =
      `<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata/>` +
      `<manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest>` +
      `<spine page-progression-direction="ltr"><itemref idref="c"/></spine></package>`;
    const book = zip({
      mimetype: 'application/epub+zip',
      'META-INF/container.xml': containerXml('content.opf'),
      'content.opf': opf,
      'c.xhtml': chapter,
    });

    // Act
    const { metadata } = await inspectPublication(bytesByteSource(book), {
      declaredName: 'Tanpa Judul.epub',
    });

    // Assess
    expect(metadata).toEqual({
      title: 'Tanpa Judul',
      authors: [],
      subjects: [],
      identifiers: {},
      direction: 'ltr',
      spineLength: 1,
    });
  });

  it('warns EPUB_SCRIPTED when the manifest marks an item scripted, and only then', async () => {
    // Prepare: the same book twice, once with a scripted chapter
    const book = (properties: string) =>
      zip({
        mimetype: 'application/epub+zip',
        'META-INF/container.xml': containerXml('content.opf'),
        'content.opf':
          `<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata/><manifest>` +
          `<item id="c" href="c.xhtml" media-type="application/xhtml+xml"${properties}/>` +
          `<item id="d" href="d.xhtml" media-type="application/xhtml+xml"/></manifest>` +
          `<spine><itemref idref="c"/><itemref idref="d"/></spine></package>`,
        'c.xhtml': chapter,
        'd.xhtml': chapter,
      });

    // Act
    const scripted = await inspectPublication(bytesByteSource(book(' properties="svg scripted"')));
    const plain = await inspectPublication(bytesByteSource(book(' properties="svg"')));

    // Assess
    expect(scripted.metadata.warnings).toEqual(['EPUB_SCRIPTED']);
    expect(plain.metadata.warnings).toBeUndefined();
  });
});
