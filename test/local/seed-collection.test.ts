import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeShippedSamples } from '../../functions/local/shipped-samples';
import { featuredCollectionId, seedSampleLibrary } from '../../functions/local/seed';
import { requireFixtures } from '../helpers/fixtures';
import { createTestStack, fixturesDir, type TestStack } from '../helpers/stack';

/**
 * The demo's featured collection on first start, with the shared fixtures and with only the samples the project
 * ships: on the catalogue home (GET /collections) and in the OPDS root, with every Indonesian title in it.
 */

interface Shelf {
  id: string;
  name: { id: string; en: string };
  titleCount: number;
  titles: { id: string; language?: string }[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function firstStart(sourceDir: string): Promise<{ stack: TestStack; shelves: Shelf[] }> {
  const stack = await createTestStack();
  cleanups.push(() => stack.destroy());
  const seed = {
    titles: stack.deps.titles,
    patrons: stack.deps.patrons,
    content: stack.content,
    clock: stack.deps.clock,
    lending: stack.deps.lending,
    collections: stack.deps.collections,
  };
  const first = await seedSampleLibrary(seed, sourceDir);
  expect(first.collection).toMatchObject({ id: featuredCollectionId, created: true });
  // A second start creates nothing more.
  const again = await seedSampleLibrary(seed, sourceDir);
  expect(again.collection).toMatchObject({ id: featuredCollectionId, created: false });
  const response = await stack.app.request('/collections');
  expect(response.status).toBe(200);
  return { stack, shelves: ((await response.json()) as { data: Shelf[] }).data };
}

async function indonesianTitleIds(stack: TestStack): Promise<string[]> {
  const response = await stack.app.request('/titles?lang=id&limit=100');
  return ((await response.json()) as { data: { id: string }[] }).data.map((t) => t.id);
}

describe('the featured collection on first start', () => {
  it('is there without ../shared, over the samples the project ships', async () => {
    // Prepare
    const dir = writeShippedSamples(mkdtempSync(join(tmpdir(), 'pustaka-shipped-')));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // Act
    const { stack, shelves } = await firstStart(dir);
    // Assess
    expect(shelves.map((s) => s.name)).toEqual([{ id: 'Pilihan Pustakawan', en: "Librarians' picks" }]);
    const shelf = shelves[0]!;
    // The project ships five books, four of them in Indonesian: all four first, then the one other.
    const indonesian = await indonesianTitleIds(stack);
    expect(indonesian).toHaveLength(4);
    expect(shelf.titleCount).toBe(5);
    expect(shelf.titles.slice(0, 4).map((t) => t.id)).toEqual(expect.arrayContaining(indonesian));
    expect(shelf.titles.map((t) => t.id)).toEqual(expect.arrayContaining(indonesian));
    const opds = (await (await stack.app.request('/opds')).json()) as { navigation: { href: string }[] };
    expect(opds.navigation.map((n) => n.href)).toContain(`/opds/collections/${featuredCollectionId}`);
  });

  it.skipIf(!requireFixtures('the featured collection over the fixtures'))(
    'is there with ../shared: every Indonesian title first, then a few others',
    async () => {
      // Act
      const { stack, shelves } = await firstStart(fixturesDir);
      // Assess
      const shelf = shelves.find((s) => s.id === featuredCollectionId)!;
      const indonesian = await indonesianTitleIds(stack);
      expect(shelf.titleCount).toBe(indonesian.length + 4);
      expect(shelf.titles.slice(0, indonesian.length).map((t) => t.id)).toEqual(
        expect.arrayContaining(indonesian),
      );
    },
  );
});
