import { afterAll, beforeAll, expect, it } from 'vitest';
import { sortTitleOf, type Title } from '../../functions/domain/title';
import { createTestStack, type TestStack } from '../helpers/stack';
import { describeWithFixtures, seedFixtures } from '../helpers/fixtures';

interface TitleBody {
  id: string;
  title: string;
  format: string;
  access: string;
  language?: string;
  cover?: string;
}
interface PageBody {
  data: TitleBody[];
  cursor: string | null;
}

let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack();
  await seedFixtures(stack);
});
afterAll(() => stack.destroy());

async function search(query: string): Promise<PageBody> {
  const response = await stack.app.request(`/titles?${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as PageBody;
}

describeWithFixtures('GET /titles?q=', () => {
  it('finds Moby-Dick by a lower-case word of its title', async () => {
    // Act
    const { data } = await search('q=moby');
    // Assess
    expect(data[0]?.title).toBe('Moby-Dick');
  });

  it('finds by author, ignoring case', async () => {
    const { data } = await search('q=MELVILLE');
    expect(data.map((t) => t.title)).toContain('Moby-Dick');
  });

  it('filters by format and access without text', async () => {
    const pdfs = await search('format=pdf&limit=100');
    expect(pdfs.data.length).toBeGreaterThanOrEqual(2);
    expect(pdfs.data.every((t) => t.format === 'pdf')).toBe(true);
    const open = await search('access=open');
    expect(open.data.every((t) => t.access === 'open')).toBe(true);
    expect(open.data.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps only titles that can be read or borrowed right now with available=true', async () => {
    // Act
    const { data } = await search('available=true&limit=100');
    // Assess: each is open, or its title page says a copy is free
    expect(data.length).toBeGreaterThanOrEqual(1);
    for (const title of data) {
      if (title.access === 'open') continue;
      const detail = (await (await stack.app.request(`/titles/${title.id}`)).json()) as {
        availability: { available: number | null };
      };
      expect(detail.availability.available === null || detail.availability.available > 0).toBe(true);
    }
  });

  it('pages through search results with an offset cursor bound to the query', async () => {
    // Prepare
    const all = await search('format=epub&limit=100');
    // Act
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: PageBody = await search(`format=epub&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((t) => t.id));
      cursor = page.cursor;
    } while (cursor);
    // Assess
    expect(seen).toEqual(all.data.map((t) => t.id));
    const first = await search('format=epub&limit=2');
    const reused = await stack.app.request(`/titles?format=pdf&limit=2&cursor=${first.cursor}`);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it.each(['format=mobi', 'access=free', 'lang=english!', 'available=maybe', `q=${'x'.repeat(201)}`])(
    'refuses %s with 400',
    async (query) => {
      const response = await stack.app.request(`/titles?${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    },
  );

  it('sees a title created after the index was built, once the catalogue marker moves', async () => {
    // Prepare: warm the index, then add a title through the repository (which bumps the marker).
    await search('q=moby');
    const now = new Date().toISOString();
    const added: Title = {
      id: 't-laskar',
      title: 'Laskar Pelangi',
      sortTitle: sortTitleOf('Laskar Pelangi'),
      authors: ['Andrea Hirata'],
      subjects: ['Pendidikan'],
      identifiers: {},
      language: 'id',
      format: 'epub',
      access: 'licensed',
      status: 'active',
      contentKey: 'content/t-laskar/publication.epub',
      contentType: 'application/epub+zip',
      size: 1,
      sha256: 'x',
      createdAt: now,
      updatedAt: now,
    };
    expect(await stack.deps.titles.create(added)).toBe(true);
    // Act: the holder checks the marker at most every few seconds; poll like a patron retrying.
    let found: TitleBody[] = [];
    await expect
      .poll(
        async () => {
          found = (await search('q=pelangi')).data;
          return found.map((t) => t.id);
        },
        { timeout: 10_000, interval: 500 },
      )
      .toEqual(['t-laskar']);
  });
});

describeWithFixtures('GET /titles/{id}/cover', () => {
  it('redirects to a signed link that stays the same within the hour, with the redirect cacheable', async () => {
    // Prepare
    const { data } = await search('q=moby');
    const cover = data[0]!.cover!;
    // Act
    const first = await stack.app.request(cover);
    const second = await stack.app.request(cover);
    // Assess
    expect(first.status).toBe(302);
    const location = first.headers.get('location')!;
    expect(location).toContain('X-Amz-Signature=');
    expect(second.headers.get('location')).toBe(location);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const image = await fetch(location);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\//);
    expect((await image.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  it('answers 404 for an unknown title', async () => {
    const response = await stack.app.request('/titles/t-nope/cover');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'COVER_NOT_FOUND' });
  });
});
