import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibrarian } from '../helpers/auth';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';
import { epub, packageOpf } from '../domain/publication/builders';
import { objectKeysUnder, publish, uploadFile } from './admin-content.helpers';

/**
 * Duplicate detection at publication (issue 17 item 6), through the HTTP API on the emulators: the same file
 * again is refused naming the title it already is, unless the librarian asks for a second title; the same
 * ISBN on another file is published with a warning naming the other title.
 */

let stack: TestStack;
let librarian: string;

beforeAll(async () => {
  stack = await createTestStack();
  librarian = (await createLibrarian(stack)).accessToken;
});
afterAll(() => stack.destroy());

function book(title: string, identifier = ''): Uint8Array {
  return epub({
    'OEBPS/content.opf': packageOpf({
      metadata:
        `<dc:title>${title}</dc:title><dc:creator>Penulis Uji</dc:creator><dc:language>id</dc:language>` +
        identifier,
    }),
  });
}

const isbn = (value: string) => `<dc:identifier id="uid">urn:isbn:${value}</dc:identifier>`;

async function uploaded(name: string, bytes: Uint8Array): Promise<string> {
  const { upload, complete } = await uploadFile(stack, librarian, name, bytes);
  expect(complete.status).toBe(200);
  return upload.id;
}

interface TitleBody {
  id: string;
  title: string;
  warnings?: string[];
  sameIsbnAs?: { id: string; title: string }[];
}

async function titleIds(): Promise<string[]> {
  const response = await stack.app.request('/titles?limit=100');
  return ((await response.json()) as { data: { id: string }[] }).data.map((t) => t.id);
}

describe('the same file published again', () => {
  it('is refused with 409 DUPLICATE_PUBLICATION naming the existing title, and nothing is added', async () => {
    // Prepare
    const bytes = book('Hujan Bulan Juni');
    const first = await publish(stack, librarian, { uploadId: await uploaded('hujan.epub', bytes) });
    expect(first.status).toBe(201);
    const existing = (await first.json()) as TitleBody;
    const before = await titleIds();
    const contentBefore = await objectKeysUnder(stack, 'content/');
    const again = await uploaded('hujan-lagi.epub', bytes);

    // Act
    const refused = await publish(stack, librarian, { uploadId: again });

    // Assess
    const problem = await expectProblem(refused, 409, 'DUPLICATE_PUBLICATION');
    expect(problem.existingTitle).toEqual({ id: existing.id, title: 'Hujan Bulan Juni' });
    expect(problem.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(problem.detail).toContain('Hujan Bulan Juni');
    expect(await titleIds()).toEqual(before);
    expect(await objectKeysUnder(stack, 'content/')).toEqual(contentBefore);
    // The upload waits, to be published anyway if that is what the librarian meant.
    expect((await stack.deps.uploads.get(again))?.state).toBe('uploaded');
    const audit = await stack.deps.audit.list({}, { limit: 100 });
    expect(audit.data.some((e) => e.code === 'DUPLICATE_PUBLICATION' && e.outcome === 'refused')).toBe(true);
  });

  it('is published as a second title when the librarian says allowDuplicate', async () => {
    // Prepare
    const bytes = book('Orang-Orang Biasa');
    const first = (await (
      await publish(stack, librarian, { uploadId: await uploaded('biasa.epub', bytes) })
    ).json()) as TitleBody;
    const again = await uploaded('biasa-2.epub', bytes);
    await expectProblem(await publish(stack, librarian, { uploadId: again }), 409, 'DUPLICATE_PUBLICATION');

    // Act
    const second = await publish(stack, librarian, { uploadId: again, allowDuplicate: true });

    // Assess
    expect(second.status, await second.clone().text()).toBe(201);
    const title = (await second.json()) as TitleBody;
    expect(title.id).not.toBe(first.id);
    expect(await titleIds()).toEqual(expect.arrayContaining([first.id, title.id]));
    expect((await stack.deps.titles.get(title.id))?.sha256).toBe(
      (await stack.deps.titles.get(first.id))?.sha256,
    );
    // A third upload of the file is refused again, naming the newest title.
    const third = await publish(stack, librarian, { uploadId: await uploaded('biasa-3.epub', bytes) });
    const problem = await expectProblem(third, 409, 'DUPLICATE_PUBLICATION');
    expect(problem.existingTitle).toEqual({ id: title.id, title: 'Orang-Orang Biasa' });
  });

  it('lets only one of two simultaneous publications of the same file through', async () => {
    // Prepare
    const bytes = book('Kembar');
    const [a, b] = [await uploaded('kembar-a.epub', bytes), await uploaded('kembar-b.epub', bytes)];

    // Act
    const answers = await Promise.all([
      publish(stack, librarian, { uploadId: a }),
      publish(stack, librarian, { uploadId: b }),
    ]);

    // Assess
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const refused = answers.find((r) => r.status === 409)!;
    const winner = (await answers.find((r) => r.status === 201)!.json()) as TitleBody;
    const problem = await expectProblem(refused, 409, 'DUPLICATE_PUBLICATION');
    expect(problem.existingTitle).toEqual({ id: winner.id, title: 'Kembar' });
  });
});

describe('the same ISBN on another file', () => {
  it('is published with ISBN_IN_CATALOGUE naming the other title, in ISBN-10 or ISBN-13 form', async () => {
    // Prepare
    const first = (await (
      await publish(stack, librarian, {
        uploadId: await uploaded('laut.epub', book('Laut Bercerita', isbn('978-602-03-3123-2'))),
      })
    ).json()) as TitleBody;
    expect(first.warnings).toBeUndefined();

    // Act: another edition's file, its ISBN given in the ten-digit form
    const response = await publish(stack, librarian, {
      uploadId: await uploaded('laut-2.epub', book('Laut Bercerita (cetakan ulang)', isbn('6020331237'))),
    });

    // Assess
    expect(response.status).toBe(201);
    const second = (await response.json()) as TitleBody;
    expect(second.warnings).toEqual(['ISBN_IN_CATALOGUE']);
    expect(second.sameIsbnAs).toEqual([{ id: first.id, title: 'Laut Bercerita' }]);
    const read = (await (await stack.app.request(`/titles/${second.id}`)).json()) as TitleBody;
    expect(read.warnings).toEqual(['ISBN_IN_CATALOGUE']);
    expect(read.sameIsbnAs).toEqual([{ id: first.id, title: 'Laut Bercerita' }]);
  });

  it('gives no warning for a file with an ISBN no other title has', async () => {
    // Act
    const response = await publish(stack, librarian, {
      uploadId: await uploaded('lain.epub', book('Buku Lain', isbn('9789794330011'))),
    });
    // Assess
    expect(response.status).toBe(201);
    const title = (await response.json()) as TitleBody;
    expect(title.warnings).toBeUndefined();
    expect(title.sameIsbnAs).toBeUndefined();
  });
});
