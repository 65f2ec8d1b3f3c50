import { describe, expect, it } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { UnprocessableError } from '../../../functions/domain/errors';
import {
  bytesByteSource,
  defaultInspectionLimits,
  inspectPublication,
  maxInflatedTotal,
  type InspectionLimits,
} from '../../../functions/domain/publication';
import { readZipDirectory } from '../../../functions/domain/publication/zip';
import { zipInflationMeter } from '../../../functions/domain/publication/zip-stream';
import {
  chapter,
  containerXml,
  encryptedPdf,
  epub,
  lyingBombEpub,
  mathTextbookEpub,
  packageOpf,
  rawZip,
  repeatedDeflate,
  storedEntry,
  deflatedEntry,
  type RawZipEntry,
} from './builders';

const MiB = 1024 * 1024;

/**
 * What the pipeline does with a file: inspect it by ranges, then stream every byte through the check the
 * inspection asks for (the pipeline does it on the read that hashes the file). Resolves to the inspection, or
 * rejects with the refusal.
 */
async function inspectWhole(
  bytes: Uint8Array,
  { chunkBytes = 16 * MiB, limits = {} as Partial<InspectionLimits> } = {},
) {
  const inspection = await inspectPublication(bytesByteSource(bytes), { limits });
  const check = inspection.streamCheck?.();
  for (let p = 0; p < bytes.byteLength; p += chunkBytes) check?.push(bytes.subarray(p, p + chunkBytes));
  check?.end();
  return inspection;
}

async function refusalOf(outcome: Promise<unknown>): Promise<UnprocessableError> {
  const error = await outcome.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the file should have been refused').toBeInstanceOf(UnprocessableError);
  return error as UnprocessableError;
}

const stored = storedEntry;
const deflated = deflatedEntry;
/** The baseline book, zipped by hand, with a second chapter the test makes as it wants. */
const bookWith = (chapter2: RawZipEntry, after: RawZipEntry[] = []) =>
  rawZip([
    stored('mimetype', 'application/epub+zip'),
    deflated('META-INF/container.xml', containerXml()),
    deflated(
      'OEBPS/content.opf',
      packageOpf({
        manifest:
          '<item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>' +
          '<item id="c2" href="chapter2.xhtml" media-type="application/xhtml+xml"/>',
        spine: '<itemref idref="c1"/><itemref idref="c2"/>',
      }),
    ),
    deflated('OEBPS/chapter1.xhtml', chapter),
    chapter2,
    ...after,
  ]);

describe('zip bombs are measured by what inflating yields', () => {
  it.each(['both', 'central'] as const)(
    'refuses a chapter declared at 64 KB that really inflates to 40 MB (lie in %s headers), counting real bytes',
    async (lieIn) => {
      // Prepare
      const bomb = lyingBombEpub({ realMiB: 40, declaredBytes: 64 * 1024, lieIn });
      const byRangesOnly = await inspectPublication(bytesByteSource(bomb));

      // Act
      const refusal = await refusalOf(inspectWhole(bomb));

      // Assess: the ranged inspection alone saw nothing wrong; the stream did
      expect(bomb.byteLength).toBeLessThan(100_000);
      expect(byRangesOnly.metadata.title).toBe('Laskar Pelangi');
      expect(refusal.code).toBe('EPUB_ZIP_BOMB');
      expect(refusal.message).toMatch(/inflates to more than its declared size/);
      expect(refusal.context).toMatchObject({ entry: 'OEBPS/chapter2.xhtml', declaredBytes: 64 * 1024 });
      expect(refusal.context.inflatedBytes).toBeGreaterThan(64 * 1024);
    },
  );

  it('refuses a chapter whose local header lies but whose central directory tells the truth, before inflating', async () => {
    // Prepare
    const bomb = lyingBombEpub({ realMiB: 40, declaredBytes: 64 * 1024, lieIn: 'local' });

    // Act
    const refusal = await refusalOf(inspectPublication(bytesByteSource(bomb)));

    // Assess
    expect(refusal.code).toBe('EPUB_ZIP_BOMB');
    expect(refusal.context).toMatchObject({
      uncompressedBytes: expect.any(Number),
      fileBytes: bomb.byteLength,
    });
  });

  it('refuses a lying bomb far beyond the caps (300 MiB real) after inflating little more than it declared', async () => {
    // Prepare
    const bomb = lyingBombEpub({ realMiB: 300, declaredBytes: 400_000 });

    // Act
    const refusal = await refusalOf(inspectWhole(bomb));

    // Assess: stopped within one inflate step (at most ~16 MiB) past what it declared
    expect(refusal.code).toBe('EPUB_ZIP_BOMB');
    expect(refusal.context.inflatedBytes).toBeGreaterThan(400_000);
    expect(refusal.context.inflatedBytes).toBeLessThan(400_000 + 17 * MiB);
  });

  it.each([1, 7, 4096, 16 * MiB])(
    'gives the same answers whatever the chunks (%i bytes)',
    async (chunkBytes) => {
      // Prepare
      const noise = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24);
      const honest = epub({ 'OEBPS/extra.bin': [noise, { level: 9 }] });
      const bomb = lyingBombEpub({ realMiB: 2, declaredBytes: 4096 });

      // Act
      const accepted = await inspectWhole(honest, { chunkBytes });
      const refusal = await refusalOf(inspectWhole(bomb, { chunkBytes }));

      // Assess
      expect(accepted.metadata.title).toBe('Laskar Pelangi');
      expect(refusal.code).toBe('EPUB_ZIP_BOMB');
    },
  );

  it('counts real bytes against the per-entry and the total caps, whatever the headers declare', async () => {
    // Prepare: an honest book with a 5 MiB chapter and 3 × 1 MiB of others
    const pad = (n: number) => `<html><body>${' '.repeat(n * MiB)}</body></html>`;
    const book = bookWith(deflated('OEBPS/chapter2.xhtml', pad(5)), [
      deflated('OEBPS/a.xhtml', pad(1)),
      deflated('OEBPS/b.xhtml', pad(1)),
      deflated('OEBPS/c.xhtml', pad(1)),
    ]);
    const directory = await readZipDirectory(bytesByteSource(book), 1 * MiB);
    const run = (caps: { maxEntryBytes: number; maxTotalBytes: number }) =>
      refusalOf(
        (async () => {
          const meter = zipInflationMeter(directory, caps);
          meter.push(book);
          meter.end();
        })(),
      );

    // Act
    const perEntry = await run({ maxEntryBytes: 2 * MiB, maxTotalBytes: 100 * MiB });
    const inTotal = await run({ maxEntryBytes: 100 * MiB, maxTotalBytes: 7 * MiB });

    // Assess
    expect(perEntry.code).toBe('EPUB_ZIP_BOMB');
    expect(perEntry.message).toMatch(/more than an entry may/);
    expect(perEntry.context).toMatchObject({ entry: 'OEBPS/chapter2.xhtml', maxEntryBytes: 2 * MiB });
    expect(perEntry.context.inflatedBytes).toBeGreaterThan(2 * MiB);
    expect(inTotal.code).toBe('EPUB_ZIP_BOMB');
    expect(inTotal.message).toMatch(/more than a publication may/);
    expect(inTotal.context.inflatedTotalBytes).toBeGreaterThan(7 * MiB);
  });

  it('refuses entries that share compressed bytes (an overlapping zip bomb)', async () => {
    // Prepare: chapter 2 claims compressed bytes that run over the next entry's header
    const next = deflated('OEBPS/chapter3.xhtml', chapter);
    const honest = deflated('OEBPS/chapter2.xhtml', chapter);
    const overlapping = bookWith(honest, [next]);
    const view = new DataView(overlapping.buffer);
    const cdOffset = view.getUint32(overlapping.byteLength - 22 + 16, true);
    for (let p = cdOffset; p < overlapping.byteLength - 22;) {
      const nameLength = view.getUint16(p + 28, true);
      const name = new TextDecoder().decode(overlapping.subarray(p + 46, p + 46 + nameLength));
      if (name === 'OEBPS/chapter2.xhtml') view.setUint32(p + 20, honest.data.length + 40, true);
      p += 46 + nameLength;
    }

    // Act
    const refusal = await refusalOf(inspectWhole(overlapping));

    // Assess
    expect(refusal.code).toBe('EPUB_ZIP_BOMB');
    expect(refusal.context).toEqual({ entry: 'OEBPS/chapter2.xhtml', overlaps: 'OEBPS/chapter3.xhtml' });
  });

  it.each([
    ['garbage instead of deflate data', Uint8Array.from({ length: 200 }, () => 0xff), 1000],
    [
      'a deflate stream cut short',
      deflateRawSync(new TextEncoder().encode(chapter.repeat(50))).subarray(0, 40),
      chapter.length * 50,
    ],
    [
      'a stream that inflates to less than declared',
      deflateRawSync(new TextEncoder().encode(chapter)),
      chapter.length + 10,
    ],
  ])('refuses %s as corrupt (EPUB_CONTAINER_INVALID)', async (_what, data, declared) => {
    // Prepare
    const book = bookWith({ name: 'OEBPS/chapter2.xhtml', data, method: 8, centralSize: declared });

    // Act
    const refusal = await refusalOf(inspectWhole(book));

    // Assess
    expect(refusal.code).toBe('EPUB_CONTAINER_INVALID');
    expect(refusal.context).toMatchObject({ entry: 'OEBPS/chapter2.xhtml' });
  });

  it('accepts entries whose sizes follow their data (data descriptors, as streaming zippers write)', async () => {
    // Prepare
    const book = bookWith(
      { ...deflated('OEBPS/chapter2.xhtml', chapter.repeat(100)), dataDescriptor: true },
      [{ ...deflated('OEBPS/style.css', 'p { margin: 0 }'.repeat(50)), dataDescriptor: true }],
    );

    // Act
    const inspection = await inspectWhole(book, { chunkBytes: 5 });

    // Assess
    expect(inspection.metadata.title).toBe('Laskar Pelangi');
  });

  it('stays refused: a pushed chunk after a refusal gets the same refusal', async () => {
    // Prepare
    const bomb = lyingBombEpub({ realMiB: 2, declaredBytes: 4096 });
    const check = (await inspectPublication(bytesByteSource(bomb))).streamCheck!();

    // Act
    const first = (() => {
      try {
        check.push(bomb);
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(first).toMatchObject({ code: 'EPUB_ZIP_BOMB' });
    expect(() => check.end()).toThrow(first as Error);
  });
});

describe('the ratio rule only matters for large totals', () => {
  it('publishes a ~1 MB MathML textbook that inflates about 27:1 (refused by the old 20x rule)', async () => {
    // Prepare
    const book = mathTextbookEpub();
    const inflated = 25 * 1024 * 1024;

    // Act
    const inspection = await inspectWhole(book);

    // Assess
    expect(book.byteLength).toBeGreaterThan(900_000);
    expect(book.byteLength).toBeLessThan(1_000_000);
    expect(inflated / book.byteLength).toBeGreaterThan(25);
    expect(inspection.metadata.title).toBe('Matematika Diskrit');
  });

  it('allows 100:1 up to 128 MiB, 20:1 above, 1 GiB at most', () => {
    const limits = { ...defaultInspectionLimits };
    expect(maxInflatedTotal(955_000, limits)).toBe(95_500_000);
    expect(maxInflatedTotal(30_000, limits)).toBe(3_000_000);
    expect(maxInflatedTotal(2 * MiB, limits)).toBe(128 * MiB);
    expect(maxInflatedTotal(10 * MiB, limits)).toBe(200 * MiB);
    expect(maxInflatedTotal(1024 * MiB, limits)).toBe(1024 * MiB);
  });

  it('still refuses degenerate data: 30 MiB of zeros in a few KB', async () => {
    // Prepare
    const book = epub({ 'OEBPS/padding.txt': new Uint8Array(30 * MiB) });

    // Act
    const refusal = await refusalOf(inspectPublication(bytesByteSource(book)));

    // Assess
    expect(refusal.code).toBe('EPUB_ZIP_BOMB');
    expect(refusal.context).toMatchObject({
      fileBytes: book.byteLength,
      maxUncompressedBytes: book.byteLength * 100,
    });
  });

  it('refuses one entry declared larger than an entry may be (256 MiB)', async () => {
    // Prepare: an honest declaration (300 MiB of "A" really are in there)
    const data = repeatedDeflate(new Uint8Array(MiB).fill(0x41), 300);
    const book = bookWith({ name: 'OEBPS/chapter2.xhtml', data, method: 8, centralSize: 300 * MiB });

    // Act
    const refusal = await refusalOf(inspectPublication(bytesByteSource(book)));

    // Assess
    expect(refusal.code).toBe('EPUB_ZIP_BOMB');
    expect(refusal.context).toMatchObject({ entry: 'OEBPS/chapter2.xhtml', maxEntryBytes: 256 * MiB });
  });
});

describe('XML that declares entities is refused, never expanded', () => {
  const billionLaughs = (root: string) =>
    `<!DOCTYPE ${root} [<!ENTITY lol0 "lol">` +
    Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('') +
    ']>';

  it.each([
    [
      'an OPF with a billion laughs',
      {
        'OEBPS/content.opf': packageOpf({ metadata: '<dc:title>&lol9;</dc:title>' }).replace(
          '<package',
          `${billionLaughs('package')}<package`,
        ),
      },
    ],
    [
      'an OPF declaring one harmless entity',
      {
        'OEBPS/content.opf': packageOpf({ metadata: '<dc:title>&judul;</dc:title>' }).replace(
          '<package',
          '<!DOCTYPE package [ <!ENTITY judul "Laskar Pelangi"> ]><package',
        ),
      },
    ],
    [
      'an OPF with an external entity',
      {
        'OEBPS/content.opf': packageOpf({ metadata: '<dc:title>&xxe;</dc:title>' }).replace(
          '<package',
          '<!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><package',
        ),
      },
    ],
    [
      'a container.xml with an internal subset',
      {
        'META-INF/container.xml': containerXml().replace(
          '<container',
          `${billionLaughs('container')}<container`,
        ),
      },
    ],
    [
      'an encryption.xml with an internal subset',
      {
        'META-INF/encryption.xml':
          '<!DOCTYPE encryption [<!ENTITY a "b">]><encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"/>',
      },
    ],
  ])('refuses %s with EPUB_CONTAINER_INVALID', async (_what, overrides) => {
    // Act
    const refusal = await refusalOf(inspectPublication(bytesByteSource(epub(overrides))));

    // Assess
    expect(refusal.code).toBe('EPUB_CONTAINER_INVALID');
  });

  it('says why: the document declares entities', async () => {
    // Prepare
    const opf = packageOpf().replace('<package', `${billionLaughs('package')}<package`);

    // Act
    const refusal = await refusalOf(inspectPublication(bytesByteSource(epub({ 'OEBPS/content.opf': opf }))));

    // Assess
    expect(refusal.message).toMatch(/declares entities/);
    expect(refusal.context).toEqual({ path: 'OEBPS/content.opf' });
  });

  it('accepts a DOCTYPE that only names an external DTD (OEB-era packages), which is never fetched', async () => {
    // Prepare
    const opf = packageOpf().replace(
      '<package',
      '<!DOCTYPE package PUBLIC "+//ISBN 0-9673008-1-9//DTD OEB 1.2 Package//EN" "http://openebook.org/dtds/oeb-1.2/oebpkg12.dtd"><package',
    );

    // Act
    const inspection = await inspectWhole(epub({ 'OEBPS/content.opf': opf }));

    // Assess
    expect(inspection.metadata.title).toBe('Laskar Pelangi');
  });
});

describe('encrypted PDFs: locked, or only restricted', () => {
  it.each(['rc4', 'aes'] as const)(
    'refuses a PDF with only a permissions (owner) password (%s) as PDF_RESTRICTED, with advice',
    async (cipher) => {
      // Prepare: it opens without a password
      const pdf = encryptedPdf({ userPassword: '', ownerPassword: 'pemilik-rahasia', cipher });

      // Act
      const refusal = await refusalOf(
        inspectPublication(bytesByteSource(pdf), { declaredName: 'terbatas.pdf' }),
      );

      // Assess
      expect(refusal.code).toBe('PDF_RESTRICTED');
      expect(refusal.status).toBe(422);
      expect(refusal.message).toMatch(/remove the permissions password/i);
      expect(refusal.message).toMatch(/upload it again/);
    },
  );

  it.each(['rc4', 'aes'] as const)(
    'refuses a PDF that needs a password to open (%s) as PDF_ENCRYPTED',
    async (cipher) => {
      // Prepare
      const pdf = encryptedPdf({ userPassword: 'baca', ownerPassword: 'pemilik-rahasia', cipher });

      // Act
      const refusal = await refusalOf(
        inspectPublication(bytesByteSource(pdf), { declaredName: 'terkunci.pdf' }),
      );

      // Assess
      expect(refusal.code).toBe('PDF_ENCRYPTED');
    },
  );
});
