import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnprocessableError } from '../../../functions/domain/errors';
import { bytesByteSource, inspectPublication, type ByteSource } from '../../../functions/domain/publication';
import {
  chapter,
  compressedSizeOf,
  containerXml,
  epub,
  handWrittenPdf,
  lieAboutUncompressedSize,
  packageOpf,
  zip,
} from './builders';
import { fixturesDir, requireFixtures } from '../../helpers/fixtures';

const hasFixtures = requireFixtures('refusing cut and renamed real files');
const load = (path: string) => new Uint8Array(readFileSync(resolve(fixturesDir, path)));

/** Runs the inspector and returns the refusal it throws (failing the test if it accepts the file). */
async function refusalOf(bytes: Uint8Array | ByteSource, declaredName?: string, limits = {}) {
  const source = bytes instanceof Uint8Array ? bytesByteSource(bytes) : bytes;
  const error = await inspectPublication(source, { declaredName, limits }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the file should have been refused').toBeInstanceOf(UnprocessableError);
  const refusal = error as UnprocessableError;
  expect(refusal.status).toBe(422);
  return refusal;
}

describe('refusing files that are not publications', () => {
  it('refuses an empty file', async () => {
    expect((await refusalOf(new Uint8Array(0))).code).toBe('EMPTY_FILE');
  });

  it('refuses random bytes', async () => {
    // Prepare
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251);

    // Act / Assess
    expect((await refusalOf(random)).code).toBe('UNSUPPORTED_FORMAT');
  });

  it('refuses a file over the size limit without reading it', async () => {
    // Prepare
    let reads = 0;
    const huge: ByteSource = { size: 3 * 1024 ** 3, read: async () => (reads++, new Uint8Array(0)) };

    // Act
    const refusal = await refusalOf(huge);

    // Assess
    expect(refusal.code).toBe('FILE_TOO_LARGE');
    expect(reads).toBe(0);
  });

  it('honours an overridden size limit', async () => {
    expect((await refusalOf(epub(), 'book.epub', { maxFileBytes: 100 })).code).toBe('FILE_TOO_LARGE');
  });

  it('refuses a PDF named .epub and an EPUB named .pdf', async () => {
    // Act
    const pdfAsEpub = await refusalOf(handWrittenPdf(), 'novel.epub');
    const epubAsPdf = await refusalOf(epub(), 'novel.PDF');

    // Assess
    expect(pdfAsEpub.code).toBe('FORMAT_MISMATCH');
    expect(pdfAsEpub.context).toMatchObject({ detected: 'pdf' });
    expect(epubAsPdf.code).toBe('FORMAT_MISMATCH');
  });
});

describe('refusing hostile or broken EPUBs', () => {
  it('accepts the hand-made baseline EPUB', async () => {
    // Act
    const { metadata } = await inspectPublication(bytesByteSource(epub()), { declaredName: 'laskar.epub' });

    // Assess
    expect(metadata).toMatchObject({ title: 'Laskar Pelangi', authors: ['Andrea Hirata'], language: 'id' });
  });

  it('refuses an honest zip bomb: a small file declaring a huge, highly compressible entry', async () => {
    // Prepare
    const bomb = epub({ 'OEBPS/padding.txt': new Uint8Array(30 * 1024 * 1024) });

    // Act
    const refusal = await refusalOf(bomb);

    // Assess
    expect(bomb.byteLength).toBeLessThan(100_000);
    expect(refusal.code).toBe('EPUB_ZIP_BOMB');
    expect(refusal.context).toMatchObject({ fileBytes: bomb.byteLength });
  });

  it('refuses an EPUB whose total exceeds an overridden absolute limit', async () => {
    // Prepare: random-ish content so the ratio stays honest and only the absolute cap applies
    const noise = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24);
    const book = epub({ 'OEBPS/noise.bin': [noise, { level: 0 }] });

    // Act
    const refusal = await refusalOf(book, undefined, { maxUncompressedBytes: 100_000 });

    // Assess
    expect(refusal.code).toBe('EPUB_ZIP_BOMB');
  });

  it('refuses a zip bomb that lies about its sizes, while inflating it', async () => {
    // Prepare: a package document padded with 20 MB of spaces, declaring barely more than its compressed size
    const padded = packageOpf().replace('</package>', `${' '.repeat(20 * 1024 * 1024)}</package>`);
    const honest = epub({ 'OEBPS/content.opf': padded });
    const liar = lieAboutUncompressedSize(
      honest,
      'OEBPS/content.opf',
      compressedSizeOf(honest, 'OEBPS/content.opf') + 10,
    );

    // Act
    const refusal = await refusalOf(liar);

    // Assess
    expect(refusal.code).toBe('EPUB_ZIP_BOMB');
    expect(refusal.message).toMatch(/inflates to more than its declared size/);
  });

  it('refuses a zip whose entry sizes are inconsistent with its compressed data', async () => {
    // Prepare
    const liar = lieAboutUncompressedSize(epub(), 'OEBPS/content.opf', 1);

    // Act / Assess
    expect((await refusalOf(liar)).code).toBe('EPUB_ZIP_BOMB');
  });

  it.each([
    ['a parent-directory segment', 'OEBPS/../../evil.xhtml'],
    ['a leading parent directory', '../evil.xhtml'],
    ['an absolute path', '/etc/cron.d/evil'],
    ['a backslash', 'OEBPS\\..\\evil.xhtml'],
    ['a drive letter', 'C:/Windows/evil.dll'],
  ])('refuses an entry with %s', async (_what, name) => {
    // Prepare
    const book = epub({ [name]: chapter });

    // Act
    const refusal = await refusalOf(book);

    // Assess
    expect(refusal.code).toBe('EPUB_UNSAFE_PATH');
    expect(refusal.context).toEqual({ entry: name });
  });

  it('refuses an entry whose local header names another file than the central directory', async () => {
    // Prepare: rename the package document in its local header only
    const book = epub();
    const latin1 = new TextDecoder('latin1').decode(book);
    const at = latin1.indexOf('OEBPS/content.opf');
    const tampered = book.slice();
    tampered.set(new TextEncoder().encode('OEBPS/content.xyz'), at);

    // Act
    const refusal = await refusalOf(tampered);

    // Assess
    expect(refusal.code).toBe('EPUB_CONTAINER_INVALID');
    expect(refusal.context).toEqual({ entry: 'OEBPS/content.opf', localName: 'OEBPS/content.xyz' });
  });

  it('refuses a mimetype with the wrong content', async () => {
    expect((await refusalOf(epub({ mimetype: 'application/zip' }))).code).toBe('EPUB_MIMETYPE_INVALID');
  });

  it('refuses a zip whose first entry is not mimetype', async () => {
    // Prepare
    const book = zip({
      'META-INF/container.xml': containerXml(),
      mimetype: 'application/epub+zip',
      'OEBPS/content.opf': packageOpf(),
      'OEBPS/chapter1.xhtml': chapter,
    });

    // Act / Assess
    expect((await refusalOf(book)).code).toBe('EPUB_MIMETYPE_INVALID');
  });

  it('refuses a plain zip without mimetype', async () => {
    expect((await refusalOf(zip({ 'readme.txt': 'hello' }))).code).toBe('EPUB_MIMETYPE_INVALID');
  });

  it('refuses an EPUB without META-INF/container.xml', async () => {
    expect((await refusalOf(epub({ 'META-INF/container.xml': undefined }))).code).toBe(
      'EPUB_CONTAINER_INVALID',
    );
  });

  it('refuses a container.xml pointing to a missing package document', async () => {
    // Prepare
    const book = epub({ 'META-INF/container.xml': containerXml('OEBPS/missing.opf') });

    // Act / Assess
    expect((await refusalOf(book)).code).toBe('EPUB_CONTAINER_INVALID');
  });

  it('refuses a package document that is not XML', async () => {
    expect((await refusalOf(epub({ 'OEBPS/content.opf': '<package><metadata>' }))).code).toBe(
      'EPUB_CONTAINER_INVALID',
    );
  });

  it('refuses a package document over the XML size limit', async () => {
    // Act
    const refusal = await refusalOf(epub(), undefined, { maxXmlBytes: 200 });

    // Assess
    expect(refusal.code).toBe('EPUB_CONTAINER_INVALID');
  });

  it('refuses an empty spine, and a spine whose items are missing', async () => {
    // Prepare
    const empty = epub({ 'OEBPS/content.opf': packageOpf({ spine: '' }) });
    const dangling = epub({ 'OEBPS/content.opf': packageOpf({ spine: '<itemref idref="nope"/>' }) });
    const missingFile = epub({ 'OEBPS/chapter1.xhtml': undefined });

    // Act / Assess
    expect((await refusalOf(empty)).code).toBe('EPUB_SPINE_EMPTY');
    expect((await refusalOf(dangling)).code).toBe('EPUB_SPINE_EMPTY');
    expect((await refusalOf(missingFile)).code).toBe('EPUB_SPINE_EMPTY');
  });

  it('refuses an EPUB whose content is encrypted with AES', async () => {
    // Prepare
    const encryption =
      '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">' +
      '<enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>' +
      '<enc:CipherData><enc:CipherReference URI="OEBPS/chapter1.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>';
    const book = epub({ 'META-INF/encryption.xml': encryption });

    // Act
    const refusal = await refusalOf(book);

    // Assess
    expect(refusal.code).toBe('EPUB_ENCRYPTED');
    expect(refusal.context).toEqual({
      algorithm: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
      resource: 'OEBPS/chapter1.xhtml',
    });
  });

  it('accepts font obfuscation, which is not encryption of the content', async () => {
    // Prepare
    const encryption =
      '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">' +
      '<enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>' +
      '<enc:CipherData><enc:CipherReference URI="OEBPS/font.otf"/></enc:CipherData></enc:EncryptedData>' +
      '<enc:EncryptedData><enc:EncryptionMethod Algorithm="http://ns.adobe.com/pdf/enc#RC"/>' +
      '<enc:CipherData><enc:CipherReference URI="OEBPS/font2.otf"/></enc:CipherData></enc:EncryptedData></encryption>';

    // Act
    const inspection = await inspectPublication(
      bytesByteSource(epub({ 'META-INF/encryption.xml': encryption })),
    );

    // Assess
    expect(inspection.metadata.title).toBe('Laskar Pelangi');
  });

  it('refuses an EPUB carrying DRM rights', async () => {
    expect((await refusalOf(epub({ 'META-INF/rights.xml': '<rights/>' }))).code).toBe('EPUB_ENCRYPTED');
  });

  it('refuses an EPUB cut off before its central directory', async () => {
    // Prepare
    const book = epub({ 'OEBPS/noise.bin': Uint8Array.from({ length: 50_000 }, (_, i) => (i * 31) % 256) });

    // Act / Assess
    expect((await refusalOf(book.subarray(0, book.byteLength / 2))).code).toBe('TRUNCATED_FILE');
  });

  it('refuses, never expands, entities declared in a DOCTYPE (billion laughs)', async () => {
    // Prepare
    const entities = Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`,
    ).join('');
    const opf = packageOpf({ metadata: '<dc:title>&lol9;</dc:title>' }).replace(
      '<package',
      `<!DOCTYPE package [<!ENTITY lol0 "lol">${entities}]><package`,
    );

    // Act
    const outcome = await inspectPublication(bytesByteSource(epub({ 'OEBPS/content.opf': opf }))).then(
      (inspection) => inspection.metadata.title,
      (error: unknown) => (error as UnprocessableError).code,
    );

    // Assess: refused like an external entity, instead of published with "&lol9;" as its title
    expect(outcome).toBe('EPUB_CONTAINER_INVALID');
  });
});

describe('refusing hostile or broken PDFs', () => {
  it('accepts the hand-made baseline PDF and reads its Info dictionary', async () => {
    // Prepare
    const pdf = handWrittenPdf({
      info:
        '/Title (Bumi Manusia) /Author (Pramoedya Ananta Toer; Max Lane) /Subject (Novel sejarah) ' +
        "/Keywords (fiksi, sejarah; Hindia Belanda) /CreationDate (D:19800825093000+07'00')",
    });

    // Act
    const { metadata } = await inspectPublication(bytesByteSource(pdf), { declaredName: 'bumi.pdf' });

    // Assess
    expect(metadata).toEqual({
      title: 'Bumi Manusia',
      authors: ['Pramoedya Ananta Toer', 'Max Lane'],
      description: 'Novel sejarah',
      subjects: ['fiksi', 'sejarah', 'Hindia Belanda'],
      identifiers: {},
      pageCount: 1,
      published: '1980-08-25',
    });
  });

  it('falls back to the declared name, then to "Untitled", when the PDF has no title', async () => {
    // Act
    const named = await inspectPublication(bytesByteSource(handWrittenPdf()), {
      declaredName: 'uploads/Ronggeng Dukuh Paruk.pdf',
    });
    const unnamed = await inspectPublication(bytesByteSource(handWrittenPdf()));

    // Assess
    expect(named.metadata.title).toBe('Ronggeng Dukuh Paruk');
    expect(unnamed.metadata.title).toBe('Untitled');
  });

  it('refuses a PDF whose trailer declares /Encrypt', async () => {
    // Prepare
    const pdf = handWrittenPdf({
      trailerExtra: '/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>',
    });

    // Act / Assess
    expect((await refusalOf(pdf)).code).toBe('PDF_ENCRYPTED');
  });

  it('refuses a PDF without %%EOF or with a startxref outside the file', async () => {
    // Prepare
    const pdf = handWrittenPdf();
    const text = new TextDecoder('latin1').decode(pdf);
    const beyond = Uint8Array.from(text.replace(/startxref\n\d+/, 'startxref\n99999999'), (c) =>
      c.charCodeAt(0),
    );
    const atGarbage = Uint8Array.from(text.replace(/startxref\n\d+/, 'startxref\n3'), (c) => c.charCodeAt(0));

    // Act / Assess
    expect((await refusalOf(pdf.subarray(0, pdf.byteLength - 10))).code).toBe('TRUNCATED_FILE');
    expect((await refusalOf(beyond)).code).toBe('TRUNCATED_FILE');
    expect((await refusalOf(atGarbage)).code).toBe('TRUNCATED_FILE');
  });

  it('refuses a PDF whose catalogue is missing', async () => {
    expect((await refusalOf(handWrittenPdf({ root: '9 0 R' }))).code).toBe('PDF_INVALID');
  });

  it.skipIf(!hasFixtures)('refuses the first half of gnuplot.pdf instead of repairing it', async () => {
    // Prepare
    const bytes = load('pdf/gnuplot.pdf');

    // Act / Assess
    expect((await refusalOf(bytes.subarray(0, bytes.byteLength / 2), 'gnuplot.pdf')).code).toBe(
      'TRUNCATED_FILE',
    );
  });

  it.skipIf(!hasFixtures)('refuses a PDF renamed .epub', async () => {
    expect((await refusalOf(load('pdf/R-intro.pdf'), 'R-intro.epub')).code).toBe('FORMAT_MISMATCH');
  });
});
