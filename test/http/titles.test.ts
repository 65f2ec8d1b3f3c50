import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeedReport } from '../../functions/local/seed';
import { sortTitleOf } from '../../functions/domain/title';
import { createTestStack, type TestStack } from '../helpers/stack';
import { describeWithFixtures, seedFixtures } from '../helpers/fixtures';
import { patronKeys } from '../../functions/adapters/keys';

interface TitleBody {
  id: string;
  title: string;
  authors: string[];
  format: string;
  contentKey?: string;
}

let stack: TestStack;
let seed: SeedReport;

beforeAll(async () => {
  stack = await createTestStack();
  seed = await seedFixtures(stack);
});
afterAll(() => stack.destroy());

async function allPages(limit: number): Promise<{ titles: TitleBody[]; pages: number }> {
  const titles: TitleBody[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response = await stack.app.request(`/titles?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: TitleBody[]; cursor: string | null };
    titles.push(...body.data);
    cursor = body.cursor;
    pages += 1;
  } while (cursor);
  return { titles, pages };
}

describeWithFixtures('GET /titles', () => {
  it('lists every seeded fixture with the title and authors read from the file', async () => {
    // Prepare: the seed ran in beforeAll over ../shared/fixtures.
    // Act
    const { titles } = await allPages(100);
    // Assess
    expect(titles).toHaveLength(seed.titles.created.length);
    const moby = titles.find((t) => t.title === 'Moby-Dick');
    expect(moby?.authors).toEqual(['Herman Melville']);
    expect(moby?.format).toBe('epub');
    expect(titles.filter((t) => t.format === 'pdf').length).toBeGreaterThanOrEqual(2);
    expect(titles.every((t) => t.contentKey === undefined)).toBe(true);
  });

  it('pages through the catalogue with a cursor, each title once, in catalogue order', async () => {
    // Act
    const { titles, pages } = await allPages(3);
    // Assess
    const ids = titles.map((t) => t.id);
    expect(new Set(ids).size).toBe(seed.titles.created.length);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(seed.titles.created.length / 3));
    const sortKeys = titles.map((t) => sortTitleOf(t.title));
    expect(sortKeys).toEqual([...sortKeys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=101', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from(JSON.stringify(patronKeys.item('x'))).toString('base64url')}`, 'cursor'],
  ])('refuses %s with 400 VALIDATION_FAILED', async (query, field) => {
    // Act
    const response = await stack.app.request(`/titles?${query}`);
    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = (await response.json()) as { code: string; status: number; detail: string };
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(JSON.stringify(body)).toContain(field);
  });
});

describeWithFixtures('GET /titles/{id}', () => {
  it('returns one title', async () => {
    // Prepare
    const { titles } = await allPages(100);
    const wasteland = titles.find((t) => t.title === 'The Waste Land')!;
    // Act
    const response = await stack.app.request(`/titles/${wasteland.id}`);
    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: wasteland.id,
      title: 'The Waste Land',
      authors: ['T.S. Eliot'],
    });
  });

  it('answers an unknown id with a 404 problem', async () => {
    // Act
    const response = await stack.app.request('/titles/t-does-not-exist');
    // Assess
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({
      status: 404,
      code: 'TITLE_NOT_FOUND',
      instance: '/titles/t-does-not-exist',
    });
  });
});

describe('contract', () => {
  it('publishes the OpenAPI document generated from the route schemas', async () => {
    // Act
    const response = await stack.app.request('/openapi.json');
    // Assess
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/titles', '/titles/{id}', '/health']));
  });

  it('answers an unknown route with a 404 problem, not HTML', async () => {
    const response = await stack.app.request('/no/such/route');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });
});
