import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibrarian } from '../helpers/auth';
import { createTestStack, type TestStack } from '../helpers/stack';
import {
  encryptedPdf,
  epub,
  lyingBombEpub,
  mathTextbookEpub,
  packageOpf,
  storedEntry,
} from '../domain/publication/builders';
import { objectKeysUnder, publish, uploadFile } from './admin-content.helpers';

/**
 * The publication pipeline's answers to files that lie about themselves, through the librarian's routes on the
 * emulators: POST /admin/uploads, PUT to the signed link(s), complete, POST /admin/titles.
 */

let stack: TestStack;
let librarian: string;

beforeAll(async () => {
  stack = await createTestStack();
  librarian = (await createLibrarian(stack)).accessToken;
});
afterAll(() => stack.destroy());

const keysUnder = (prefix: string) => objectKeysUnder(stack, prefix);

const billionLaughsOpf = packageOpf({ metadata: '<dc:title>&lol9;</dc:title>' }).replace(
  '<package',
  '<!DOCTYPE package [<!ENTITY lol0 "lol">' +
    Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('') +
    ']><package',
);

describe('refusals that leave nothing behind', () => {
  const cases: [string, string, () => Uint8Array, string, Record<string, unknown>][] = [
    [
      'a lying-header bomb (declares 400 KB, really inflates to 300 MiB, past the 256 MiB entry cap)',
      'bohong.epub',
      () => lyingBombEpub({ realMiB: 300, declaredBytes: 400_000 }),
      'EPUB_ZIP_BOMB',
      { entry: 'OEBPS/chapter2.xhtml', declaredBytes: 400_000 },
    ],
    [
      'a lying-header bomb after 65 MiB of images (copied to content/ in parts meanwhile)',
      'atlas-bohong.epub',
      () =>
        lyingBombEpub({
          realMiB: 40,
          declaredBytes: 64 * 1024,
          before: [storedEntry('OEBPS/images/scan.bin', randomBytes(65 * 1024 * 1024))],
        }),
      'EPUB_ZIP_BOMB',
      { entry: 'OEBPS/chapter2.xhtml', declaredBytes: 64 * 1024 },
    ],
    [
      'an OPF with a billion laughs',
      'tawa.epub',
      () => epub({ 'OEBPS/content.opf': billionLaughsOpf }),
      'EPUB_CONTAINER_INVALID',
      { path: 'OEBPS/content.opf' },
    ],
    [
      'a PDF that needs a password to open',
      'terkunci.pdf',
      () => encryptedPdf({ userPassword: 'baca', cipher: 'aes' }),
      'PDF_ENCRYPTED',
      {},
    ],
    [
      'a PDF with only a permissions (owner) password',
      'terbatas.pdf',
      () => encryptedPdf({ userPassword: '', cipher: 'rc4' }),
      'PDF_RESTRICTED',
      {},
    ],
  ];

  it.each(cases)(
    'refuses %s with its code',
    async (_what, name, build, code, context) => {
      // Prepare
      const bytes = build();
      const contentBefore = await keysUnder('content/');
      const { upload, complete } = await uploadFile(stack, librarian, name, bytes);
      expect(complete.status).toBe(200);

      // Act
      const refused = await publish(stack, librarian, { uploadId: upload.id });

      // Assess
      expect(refused.status).toBe(422);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await refused.json()) as Record<string, unknown>;
      expect(problem).toMatchObject({ code, status: 422, ...context });
      expect(await keysUnder('incoming/')).toEqual([]);
      expect(await keysUnder('content/')).toEqual(contentBefore);
      expect(await stack.deps.uploads.get(upload.id)).toMatchObject({ state: 'rejected', rejection: code });
    },
    90_000,
  ); // the 65 MiB case uploads in parts and copies in parts: slow on a busy machine

  it('counts the real bytes of a lying bomb: the refusal says how far inflating got', async () => {
    // Prepare
    const bytes = lyingBombEpub({ realMiB: 300, declaredBytes: 400_000 });
    const { upload } = await uploadFile(stack, librarian, 'bohong.epub', bytes);

    // Act
    const refused = await publish(stack, librarian, { uploadId: upload.id });

    // Assess
    const problem = (await refused.json()) as {
      inflatedBytes: number;
      declaredBytes: number;
      detail: string;
    };
    expect(problem.detail).toMatch(/inflates to more than its declared size/);
    expect(problem.inflatedBytes).toBeGreaterThan(problem.declaredBytes);
    expect(bytes.byteLength).toBeLessThan(400_000);
  });

  it('tells the librarian how to lift a permissions password', async () => {
    // Prepare
    const { upload } = await uploadFile(stack, librarian, 'terbatas.pdf', encryptedPdf({ cipher: 'aes' }));

    // Act
    const refused = await publish(stack, librarian, { uploadId: upload.id });

    // Assess
    expect(await refused.json()).toMatchObject({
      code: 'PDF_RESTRICTED',
      detail: expect.stringMatching(/Remove the permissions password .* and upload it again/),
    });
  });
});

describe('compressible books are published', () => {
  it('publishes a ~1 MB MathML textbook that inflates about 27:1', async () => {
    // Prepare
    const bytes = mathTextbookEpub();
    const { upload } = await uploadFile(stack, librarian, 'matematika-diskrit.epub', bytes);

    // Act
    const created = await publish(stack, librarian, { uploadId: upload.id });

    // Assess
    expect(created.status, await created.clone().text()).toBe(201);
    const title = (await created.json()) as { id: string; title: string; size: number };
    expect(title).toMatchObject({ title: 'Matematika Diskrit', size: bytes.byteLength });
    const stored = await stack.deps.titles.get(title.id);
    expect(stored?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await keysUnder(`content/${title.id}/`)).toContain(stored!.contentKey);
    expect(await keysUnder('incoming/')).toEqual([]);
  });
});
