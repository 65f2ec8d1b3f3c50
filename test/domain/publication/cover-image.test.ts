import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { bytesByteSource, inspectPublication } from '../../../functions/domain/publication';
import { writeShippedSamples } from '../../../functions/local/shipped-samples';
import { chapter, containerXml, zip } from './builders';

/**
 * What catalogues show of a publication: the EPUB's cover with its real size, and for a PDF without one, its
 * first page drawn as the image (pdfjs onto @napi-rs/canvas).
 */

describe('the image of a publication', () => {
  it('keeps an EPUB cover as it is, with its real width and height', async () => {
    // Prepare
    const png = new Uint8Array(
      await sharp({ create: { width: 320, height: 480, channels: 3, background: '#884422' } })
        .png()
        .toBuffer(),
    );
    const opf =
      `<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">` +
      `<dc:title>Sampul</dc:title></metadata><manifest>` +
      `<item id="c" href="c.xhtml" media-type="application/xhtml+xml"/>` +
      `<item id="img" href="cover.png" media-type="image/png" properties="cover-image"/>` +
      `</manifest><spine><itemref idref="c"/></spine></package>`;
    const book = zip({
      mimetype: 'application/epub+zip',
      'META-INF/container.xml': containerXml('content.opf'),
      'content.opf': opf,
      'c.xhtml': chapter,
      'cover.png': png,
    });
    // Act
    const { cover } = await inspectPublication(bytesByteSource(book));
    // Assess
    expect(cover).toEqual({ bytes: png, contentType: 'image/png', width: 320, height: 480 });
  });

  it('draws a PDF’s first page as its image: a JPEG of the page’s proportions', async () => {
    // Prepare: the shipped sample, one A4 page (595×842 points) of text.
    const dir = writeShippedSamples(mkdtempSync(join(tmpdir(), 'pustaka-cover-')));
    const pdf = new Uint8Array(readFileSync(join(dir, 'pdf', 'library-never-sleeps.pdf')));
    rmSync(dir, { recursive: true, force: true });
    // Act
    const { cover } = await inspectPublication(bytesByteSource(pdf));
    // Assess
    expect(cover).toMatchObject({ contentType: 'image/jpeg', width: 600, height: 849 });
    const decoded = await sharp(cover!.bytes).metadata();
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['jpeg', 600, 849]);
    // A white page with its text drawn: mostly white, with dark glyphs in the top part only.
    const { channels } = await sharp(cover!.bytes).stats();
    expect(channels[0]!.mean).toBeGreaterThan(230);
    expect(channels[0]!.min).toBeLessThan(80);
    const lower = await sharp(cover!.bytes)
      .extract({ left: 0, top: 400, width: 600, height: 449 })
      .greyscale()
      .raw()
      .toBuffer();
    expect(lower.reduce((min, v) => Math.min(min, v), 255)).toBeGreaterThan(240);
  });
});
