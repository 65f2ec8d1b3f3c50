import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalGateway } from '../../functions/local/gateway';
import { indonesianBooks } from '../../functions/local/sample-books';
import { seedSampleLibrary } from '../../functions/local/seed';
import { createTestStack, fixturesDir, type TestStack } from '../helpers/stack';
import { requireFixtures } from '../helpers/fixtures';

interface TitleBody {
  id: string;
  title: string;
  language?: string;
  authors: string[];
  subjects: string[];
  description?: string;
  cover?: string;
  contributors?: { name: string; role: string }[];
}

const noFixtures = join(tmpdir(), 'pustaka-no-fixtures-here');
const stacks: TestStack[] = [];
afterAll(async () => {
  await Promise.all(stacks.map((s) => s.destroy()));
});

async function list(
  request: (path: string) => Response | Promise<Response>,
  query: string,
): Promise<TitleBody[]> {
  const response = await request(`/titles?${query}&limit=100`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: TitleBody[] }).data;
}

describe.each([
  { library: 'with ../shared', dir: fixturesDir, needsFixtures: true },
  { library: 'without ../shared', dir: noFixtures, needsFixtures: false },
])('Indonesian books in the sample library $library', ({ dir, needsFixtures }) => {
  it.skipIf(needsFixtures && !requireFixtures('seeding beside the fixtures'))(
    'seeds at least three Indonesian titles with cover, author, subject and description, found by "buku" and by language, once',
    async () => {
      // Prepare
      const stack = await createTestStack();
      stacks.push(stack);
      const deps = {
        titles: stack.deps.titles,
        patrons: stack.deps.patrons,
        content: stack.content,
        clock: stack.deps.clock,
        lending: stack.deps.lending,
      };
      // Act
      const first = await seedSampleLibrary(deps, dir);
      const again = await seedSampleLibrary(deps, dir);
      const request = (path: string) => stack.app.request(path);
      const indonesian = await list(request, 'lang=id');
      const byWord = await list(request, 'q=buku');
      const children = await list(request, 'q=sastra%20anak&lang=id');
      // Assess
      expect(indonesian.length).toBeGreaterThanOrEqual(3);
      for (const book of indonesianBooks) {
        const title = indonesian.find((t) => t.title === book.title);
        expect(title, book.title).toBeDefined();
        expect(title).toMatchObject({
          language: 'id',
          authors: ['Tim Pustaka'],
          subjects: book.subjects,
          description: book.description,
        });
        expect(title?.cover).toMatch(/\/cover$/);
        expect(byWord.map((t) => t.id)).toContain(title!.id);
        expect(first.titleIds[book.fileName]).toBe(title!.id);
      }
      expect(indonesian.find((t) => t.title.startsWith('Panduan'))?.contributors).toEqual([
        { name: 'Pustakawan Utama', role: 'editor' },
      ]);
      expect(children.map((t) => t.title)).toEqual(
        expect.arrayContaining(['Kancil dan Buaya', 'Penyu Kecil Mencari Laut']),
      );
      // Built afresh on every seed, the same bytes: the second seed finds every title already there
      expect(again.titles.created).toEqual([]);
      expect(again.titleIds).toEqual(first.titleIds);
    },
    120_000,
  );
});

describe('npm start without ../shared', () => {
  it('serves the Indonesian books on its first start', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'pustaka-id-books-'));
    const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'SILENT' };
    // Act
    const gateway = await startLocalGateway({ env, fixturesDir: noFixtures });
    try {
      const request = (path: string) => fetch(`${gateway.url}${path}`);
      const indonesian = await list(request, 'lang=id');
      const byWord = await list(request, 'q=buku');
      // Assess
      expect(gateway.seed?.titles.created.length).toBeGreaterThanOrEqual(indonesianBooks.length);
      expect(indonesian.length).toBeGreaterThanOrEqual(3);
      expect(byWord.map((t) => t.title)).toEqual(expect.arrayContaining(indonesianBooks.map((b) => b.title)));
    } finally {
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
