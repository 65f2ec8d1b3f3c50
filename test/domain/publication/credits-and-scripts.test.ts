import { describe, expect, it } from 'vitest';
import { bytesByteSource, inspectPublication } from '../../../functions/domain/publication';
import { epub, packageOpf, textPdf, xmpPacket } from './builders';

const inspect = (bytes: Uint8Array, declaredName: string) =>
  inspectPublication(bytesByteSource(bytes), { declaredName });

describe('contributors by role', () => {
  it('records an EPUB 3 translator and editor (marc:relators refinements) as such, not as authors', async () => {
    // Prepare
    const book = epub({
      'OEBPS/content.opf': packageOpf({
        metadata:
          '<dc:title>Kisah Genji</dc:title><dc:language>id</dc:language>' +
          '<dc:creator id="a1">Murasaki Shikibu</dc:creator>' +
          '<meta refines="#a1" property="role" scheme="marc:relators">aut</meta>' +
          '<dc:creator id="t1">Ratna Sari</dc:creator>' +
          '<meta refines="#t1" property="role" scheme="marc:relators">trl</meta>' +
          '<dc:contributor id="e1">Agus Wibowo</dc:contributor>' +
          '<meta refines="#e1" property="role" scheme="marc:relators">edt</meta>',
      }),
    });
    // Act
    const { metadata } = await inspect(book, 'genji.epub');
    // Assess
    expect(metadata.authors).toEqual(['Murasaki Shikibu']);
    expect(metadata.contributors).toEqual([
      { name: 'Ratna Sari', role: 'translator' },
      { name: 'Agus Wibowo', role: 'editor' },
    ]);
  });

  it('reads EPUB 2 opf:role the same way, and an unroled dc:contributor as a contributor', async () => {
    // Prepare
    const book = epub({
      'OEBPS/content.opf':
        `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" xmlns:opf="http://www.idpf.org/2007/opf" version="2.0">` +
        `<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Hikayat</dc:title>` +
        `<dc:creator opf:role="aut">Penulis Satu</dc:creator><dc:creator opf:role="trl">Penerjemah Dua</dc:creator>` +
        `<dc:contributor opf:role="edt">Penyunting Tiga</dc:contributor><dc:contributor>Pembantu Empat</dc:contributor>` +
        `</metadata><manifest><item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/></manifest>` +
        `<spine><itemref idref="c1"/></spine></package>`,
    });
    // Act
    const { metadata } = await inspect(book, 'hikayat.epub');
    // Assess
    expect(metadata.authors).toEqual(['Penulis Satu']);
    expect(metadata.contributors).toEqual([
      { name: 'Penerjemah Dua', role: 'translator' },
      { name: 'Penyunting Tiga', role: 'editor' },
      { name: 'Pembantu Empat', role: 'contributor' },
    ]);
  });
});

describe('alternate scripts', () => {
  it('keeps an alternate-script title and name, and another dc:title in another language', async () => {
    // Prepare
    const book = epub({
      'OEBPS/content.opf': packageOpf({
        metadata:
          '<dc:title id="t" xml:lang="hi">महाभारत</dc:title>' +
          '<meta refines="#t" property="alternate-script" xml:lang="en">Mahabharata</meta>' +
          '<dc:title xml:lang="id">Mahabarata: Wiracarita India</dc:title>' +
          '<dc:creator id="c">वेदव्यास</dc:creator>' +
          '<meta refines="#c" property="alternate-script" xml:lang="en">Vyasa</meta>' +
          '<dc:language>hi</dc:language>',
      }),
    });
    // Act
    const { metadata } = await inspect(book, 'epic.epub');
    // Assess
    expect(metadata.title).toBe('महाभारत');
    expect(metadata.alternateTitles).toEqual(['Mahabharata', 'Mahabarata: Wiracarita India']);
    expect(metadata.authors).toEqual(['वेदव्यास']);
    expect(metadata.alternateNames).toEqual(['Vyasa']);
  });
});

describe('reading direction and spine length', () => {
  it('records an rtl page progression and the number of readable spine items', async () => {
    // Prepare
    const chapter = (n: number) =>
      `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml" lang="ar"><body><p>${n}</p></body></html>`;
    const book = epub({
      'OEBPS/content.opf': packageOpf({
        metadata: '<dc:title>كليلة ودمنة</dc:title><dc:language>ar</dc:language>',
        manifest: [1, 2, 3]
          .map((n) => `<item id="c${n}" href="c${n}.xhtml" media-type="application/xhtml+xml"/>`)
          .join(''),
        spine: '<itemref idref="c1"/><itemref idref="c2"/><itemref idref="c3"/>',
        spineAttributes: ' page-progression-direction="rtl"',
      }),
      'OEBPS/chapter1.xhtml': undefined,
      'OEBPS/c1.xhtml': chapter(1),
      'OEBPS/c2.xhtml': chapter(2),
      'OEBPS/c3.xhtml': chapter(3),
    });
    // Act
    const { metadata } = await inspect(book, 'kalila.epub');
    // Assess
    expect(metadata.direction).toBe('rtl');
    expect(metadata.spineLength).toBe(3);
  });
});

describe('the title of a PDF without an Info title', () => {
  it('takes the XMP dc:title (its x-default) and creators', async () => {
    // Prepare
    const pdf = textPdf({
      lines: [{ text: 'Words on the page', size: 30 }],
      info: '/Producer (hand)',
      xmp: xmpPacket({
        title: 'Panduan Perpustakaan Digital',
        otherLanguages: { en: 'A Guide to the Digital Library' },
        creators: ['Tim Pustaka'],
      }),
    });
    // Act
    const { metadata } = await inspect(pdf, 'scan-0042.pdf');
    // Assess
    expect(metadata.title).toBe('Panduan Perpustakaan Digital');
    expect(metadata.authors).toEqual(['Tim Pustaka']);
  });

  it('without XMP either, takes the largest text on the first page over the file name', async () => {
    // Prepare: a running header, the title in two lines of large type, then body text
    const pdf = textPdf({
      lines: [
        { text: 'Laporan Tahunan', size: 9 },
        { text: 'Perpustakaan Kota', size: 28 },
        { text: 'Nusantara 2026', size: 28 },
        { text: 'Isi laporan ini disusun oleh staf perpustakaan.', size: 11 },
      ],
    });
    // Act
    const { metadata } = await inspect(pdf, 'scan-0043.pdf');
    // Assess
    expect(metadata.title).toBe('Perpustakaan Kota Nusantara 2026');
  });

  it('keeps the Info title when there is one, and falls back to the file name for a page without text', async () => {
    // Prepare
    const titled = textPdf({
      lines: [{ text: 'Big Words', size: 40 }],
      info: '/Title (Judul dari Info)',
      xmp: xmpPacket({ title: 'Judul dari XMP' }),
    });
    const blank = textPdf({ lines: [] });
    // Act
    const [fromInfo, fromName] = await Promise.all([inspect(titled, 'a.pdf'), inspect(blank, 'Kosong.pdf')]);
    // Assess
    expect(fromInfo.metadata.title).toBe('Judul dari Info');
    expect(fromName.metadata.title).toBe('Kosong');
  });
});
