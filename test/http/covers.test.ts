import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLibrarian } from '../helpers/auth';
import { describeWithFixtures, fixturesDir, seedFixtures } from '../helpers/fixtures';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';
import { createTitle } from './federation/fixtures';
import { objectKeysUnder, publish, uploadFile } from './admin-content.helpers';

interface CoverSize {
  width: number;
  height: number;
  type: string;
  url: string;
}
interface TitleBody {
  id: string;
  title: string;
  cover?: string;
  coverSizes?: CoverSize[];
}

let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack();
  await seedFixtures(stack);
});
afterAll(() => stack.destroy());

async function catalogue(): Promise<TitleBody[]> {
  const response = await stack.app.request('/titles?limit=100');
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: TitleBody[] }).data;
}

/** Follows the cover redirect and returns the image's bytes, its type and the object key it came from. */
async function coverImage(url: string): Promise<{ bytes: Buffer; type: string | null; key: string }> {
  const redirect = await stack.app.request(url);
  expect(redirect.status).toBe(302);
  const location = redirect.headers.get('location')!;
  const image = await fetch(location);
  expect(image.status).toBe(200);
  return {
    bytes: Buffer.from(await image.arrayBuffer()),
    type: image.headers.get('content-type'),
    key: decodeURIComponent(new URL(location).pathname),
  };
}

describeWithFixtures('cover renditions', () => {
  it('gives each seeded title with a cover 160 and 320 px WebP sizes, the 160 px one within 25 KB', async () => {
    // Prepare
    const covered = (await catalogue()).filter((t) => t.cover);
    expect(covered.length).toBeGreaterThan(3);
    for (const title of covered) {
      // Act
      const sizes = title.coverSizes ?? [];
      // Assess
      expect(
        sizes.map((s) => s.width),
        title.title,
      ).toEqual([160, 320]);
      const small = await coverImage(sizes[0]!.url);
      expect(small.type).toBe('image/webp');
      expect(small.key).toMatch(/\/cover-160w\.webp$/);
      expect(small.bytes.byteLength, title.title).toBeLessThanOrEqual(25 * 1024);
      const meta = await sharp(small.bytes).metadata();
      expect([meta.width, meta.height]).toEqual([160, sizes[0]!.height]);
    }
  });

  it('sends the narrowest size at least as wide as asked for, and the original beyond the largest', async () => {
    // Prepare
    const moby = (await catalogue()).find((t) => t.title === 'Moby-Dick')!;
    // Act
    const [narrow, middle, wide, plain] = await Promise.all([
      coverImage(`${moby.cover}?width=80`),
      coverImage(`${moby.cover}?width=200`),
      coverImage(`${moby.cover}?width=1000`),
      coverImage(moby.cover!),
    ]);
    // Assess
    expect(narrow.key).toMatch(/cover-160w\.webp$/);
    expect(middle.key).toMatch(/cover-320w\.webp$/);
    expect(wide.key).toMatch(/\/cover\.(jpg|png|gif|webp)$/);
    expect(plain.key).toBe(wide.key);
    expect(plain.bytes.byteLength).toBeGreaterThan(narrow.bytes.byteLength);
  });

  it('falls back to the original for a title published before renditions existed', async () => {
    // Prepare
    const moby = (await catalogue()).find((t) => t.title === 'Moby-Dick')!;
    const original = await coverImage(moby.cover!);
    const older = await createTitle(stack, {
      access: 'open',
      coverKey: original.key.replace(/^\/[^/]+\//, ''),
      coverType: original.type!,
    });
    // Act
    const view = (await (await stack.app.request(`/titles/${older.id}`)).json()) as TitleBody;
    const image = await coverImage(`/titles/${older.id}/cover?width=160`);
    // Assess
    expect(view.coverSizes).toBeUndefined();
    expect(image.bytes.equals(original.bytes)).toBe(true);
  });

  it('refuses a width that is not a positive whole number', async () => {
    const moby = (await catalogue()).find((t) => t.title === 'Moby-Dick')!;
    for (const width of ['0', '-5', 'wide', '1.5']) {
      await expectProblem(await stack.app.request(`${moby.cover}?width=${width}`), 400, 'VALIDATION_FAILED');
    }
  });

  it('makes the sizes when a librarian publishes an upload, beside the original under the title', async () => {
    // Prepare
    const librarian = (await createLibrarian(stack)).accessToken;
    const bytes = readFileSync(join(fixturesDir, 'epub/wasteland.epub'));
    const { upload } = await uploadFile(stack, librarian, 'wasteland.epub', bytes);
    // Act
    // The seeded library has this file already: a second title, on purpose.
    const created = await publish(stack, librarian, {
      uploadId: upload.id,
      access: 'open',
      allowDuplicate: true,
    });
    // Assess
    expect(created.status, await created.clone().text()).toBe(201);
    const title = (await created.json()) as TitleBody;
    expect(title.coverSizes?.map((s) => s.width)).toEqual([160, 320]);
    const keys = await objectKeysUnder(stack, `content/${title.id}/`);
    const coverKeys = keys.filter((k) => /cover/.test(k));
    expect(coverKeys).toHaveLength(3);
    expect(coverKeys).toEqual(
      expect.arrayContaining([
        `content/${title.id}/cover-160w.webp`,
        `content/${title.id}/cover-320w.webp`,
        expect.stringMatching(new RegExp(`^content/${title.id}/cover\\.\\w+$`)),
      ]),
    );
  });
});
