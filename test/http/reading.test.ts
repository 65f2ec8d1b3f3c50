import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortTitleOf, type Title } from '../../functions/domain/title';
import { bearer, createPatron, json, type CreatedPatron } from '../helpers/auth';
import { createTestStack, type TestStack } from '../helpers/stack';
import { expectProblem } from '../helpers/problem';

let stack: TestStack;
let siti: CreatedPatron;
let budi: CreatedPatron;
const titleId = 't-reading-test';

beforeAll(async () => {
  stack = await createTestStack();
  [siti, budi] = await Promise.all([createPatron(stack), createPatron(stack)]);
  const now = new Date().toISOString();
  const title: Title = {
    id: titleId,
    title: 'Ronggeng Dukuh Paruk',
    sortTitle: sortTitleOf('Ronggeng Dukuh Paruk'),
    authors: ['Ahmad Tohari'],
    subjects: [],
    identifiers: {},
    format: 'epub',
    access: 'licensed',
    status: 'active',
    contentKey: `content/${titleId}/publication.epub`,
    contentType: 'application/epub+zip',
    size: 1,
    sha256: 'x',
    createdAt: now,
    updatedAt: now,
  };
  await stack.deps.titles.create(title);
});
afterAll(() => stack.destroy());

/** Each save newer than any other test's (they reach 2030), so the newest-wins rule never refuses it. */
let savedAt = Date.parse('2031-01-01T00:00:00Z');
const nextModified = () => new Date((savedAt += 60_000)).toISOString();

const locator = (cfi: string, totalProgression: number) => ({
  href: 'OEBPS/chapter-2.xhtml',
  type: 'application/xhtml+xml',
  title: 'Bab 2',
  locations: { cfi, totalProgression, position: 2 },
});

describe('GET|PUT /me/progress/{titleId}', () => {
  it('saves a position and gives it back to the same patron on another device', async () => {
    // Prepare
    const body = {
      locator: locator('epubcfi(/6/4!/4/2/1:0)', 0.12),
      modified: new Date().toISOString(),
      device: 'phone',
    };
    // Act
    const put = await stack.app.request(
      `/me/progress/${titleId}`,
      json('PUT', body, bearer(siti.accessToken)),
    );
    const get = await stack.app.request(`/me/progress/${titleId}`, { headers: bearer(siti.accessToken) });
    // Assess
    expect(put.status).toBe(200);
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ titleId, locator: body.locator, device: 'phone' });
  });

  it("never shows one patron's position to another", async () => {
    const response = await stack.app.request(`/me/progress/${titleId}`, {
      headers: bearer(budi.accessToken),
    });
    expect(response.status).toBe(204);
  });

  it('refuses an older save with 409 STALE_PROGRESS and keeps the newer position', async () => {
    // Prepare
    const newer = { locator: locator('epubcfi(/6/8!/4/2/1:0)', 0.5), modified: '2030-01-01T10:00:00+07:00' };
    const older = { locator: locator('epubcfi(/6/2!/4/2/1:0)', 0.01), modified: '2030-01-01T02:00:00Z' };
    await stack.app.request(`/me/progress/${titleId}`, json('PUT', newer, bearer(budi.accessToken)));
    // Act
    const response = await stack.app.request(
      `/me/progress/${titleId}`,
      json('PUT', older, bearer(budi.accessToken)),
    );
    // Assess
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      code: 'STALE_PROGRESS',
      current: { locator: { locations: { totalProgression: 0.5 } }, modified: '2030-01-01T03:00:00.000Z' },
    });
  });

  it.each([
    ['no locator', { modified: new Date().toISOString() }],
    ['progression above 1', { locator: locator('epubcfi(/6/4)', 1.5), modified: new Date().toISOString() }],
    [
      'a CFI that is not one',
      { locator: locator('javascript:alert(1)', 0.1), modified: new Date().toISOString() },
    ],
    [
      'fragments that are not strings',
      {
        locator: { ...locator('epubcfi(/6/4)', 0.1), locations: { fragments: [3] } },
        modified: new Date().toISOString(),
      },
    ],
    ['a bad date', { locator: locator('epubcfi(/6/4)', 0.1), modified: 'yesterday' }],
  ])('refuses %s with 400 VALIDATION_FAILED', async (_name, body) => {
    const response = await stack.app.request(
      `/me/progress/${titleId}`,
      json('PUT', body, bearer(siti.accessToken)),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it.each([
    [
      'Readium Kotlin/Swift, an EPUB resource with partialCfi, cssSelector and fragments',
      {
        href: 'EPUB/text/chapter-2.xhtml',
        type: 'application/xhtml+xml',
        title: 'Bab 2',
        locations: {
          progression: 0.25,
          totalProgression: 0.31,
          position: 42,
          fragments: ['sec2'],
          partialCfi: '/4/2[sec2]/6,/1:0,/1:20',
          cssSelector: '#sec2 > p:nth-child(3)',
        },
        text: { before: 'Di tepi ', highlight: 'sungai', after: ' yang' },
      },
    ],
    [
      'a progression-only locator (what Thorium sends for a resource it only scrolled)',
      { href: 'EPUB/text/chapter-3.xhtml', type: 'application/xhtml+xml', locations: { progression: 0.5 } },
    ],
    [
      'a PDF locator with a page fragment',
      {
        href: '/opds/publications/t-reading-test/content',
        type: 'application/pdf',
        locations: { fragments: ['page=12'], position: 12, progression: 0.11, totalProgression: 0.11 },
      },
    ],
    [
      'a locator with a domRange and fields this gateway does not know',
      {
        href: 'EPUB/text/chapter-4.xhtml',
        type: 'application/xhtml+xml',
        locations: {
          progression: 0.1,
          domRange: { start: { cssSelector: 'p', textNodeIndex: 0, charOffset: 3 } },
          otherLocations: { 'x-app': 7 },
        },
        'x-thorium': { highlight: 'yellow' },
      },
    ],
  ])('accepts %s and gives it back unchanged', async (_shape, sent) => {
    // Prepare
    const modified = nextModified();
    // Act
    const put = await stack.app.request(
      `/me/progress/${titleId}`,
      json('PUT', { locator: sent, modified }, bearer(budi.accessToken)),
    );
    const get = await stack.app.request(`/me/progress/${titleId}`, { headers: bearer(budi.accessToken) });
    // Assess
    expect(put.status, await put.clone().text()).toBe(200);
    expect(((await get.json()) as { locator: unknown }).locator).toEqual(sent);
  });

  it('keeps serving a position stored before Readium shapes (OPF-relative href, page)', async () => {
    // Prepare: what the web reader stored before: href relative to the OPF, a PDF page in `page`.
    const old = {
      href: 'chapter-2.xhtml',
      type: 'application/xhtml+xml',
      locations: { cfi: 'epubcfi(/6/4!/4/2/1:0)', position: 2, page: 3, progression: 0 },
    };
    const modified = nextModified();
    // Act
    const put = await stack.app.request(
      `/me/progress/${titleId}`,
      json('PUT', { locator: old, modified }, bearer(budi.accessToken)),
    );
    const get = await stack.app.request(`/me/progress/${titleId}`, { headers: bearer(budi.accessToken) });
    // Assess
    expect(put.status).toBe(200);
    expect(((await get.json()) as { locator: unknown }).locator).toEqual(old);
  });

  it('answers 404 for an unknown title and 401 without a token', async () => {
    const body = { locator: locator('epubcfi(/6/4)', 0.1), modified: new Date().toISOString() };
    const unknown = await stack.app.request(
      '/me/progress/t-none',
      json('PUT', body, bearer(siti.accessToken)),
    );
    const anonymous = await stack.app.request(`/me/progress/${titleId}`);
    await expectProblem(unknown, 404, 'TITLE_NOT_FOUND');
    await expectProblem(anonymous, 401, 'UNAUTHORIZED');
  });
});

describe('GET|POST|DELETE /me/bookmarks/{titleId}[/{id}]', () => {
  it('adds, lists and removes bookmarks of the caller only', async () => {
    // Prepare
    const add = (label: string) =>
      stack.app.request(
        `/me/bookmarks/${titleId}`,
        json('POST', { locator: locator('epubcfi(/6/4!/4/2/1:0)', 0.1), label }, bearer(siti.accessToken)),
      );
    // Act
    const first = await add('Srintil menari');
    const second = await add('Dukuh Paruk terbakar');
    const created = (await first.json()) as { id: string };
    const byOther = await stack.app.request(`/me/bookmarks/${titleId}/${created.id}`, {
      method: 'DELETE',
      headers: bearer(budi.accessToken),
    });
    const removed = await stack.app.request(`/me/bookmarks/${titleId}/${created.id}`, {
      method: 'DELETE',
      headers: bearer(siti.accessToken),
    });
    const list = await stack.app.request(`/me/bookmarks/${titleId}`, { headers: bearer(siti.accessToken) });
    const othersList = await stack.app.request(`/me/bookmarks/${titleId}`, {
      headers: bearer(budi.accessToken),
    });
    // Assess
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/me/bookmarks/${titleId}/${created.id}`);
    expect(second.status).toBe(201);
    await expectProblem(byOther, 404, 'BOOKMARK_NOT_FOUND');
    expect(removed.status).toBe(204);
    expect(((await list.json()) as { data: { label: string }[] }).data.map((b) => b.label)).toEqual([
      'Dukuh Paruk terbakar',
    ]);
    expect(await othersList.json()).toEqual({ data: [] });
  });

  it('refuses a bookmark id that is not one', async () => {
    const response = await stack.app.request(`/me/bookmarks/${titleId}/..%2F..%2Fx`, {
      method: 'DELETE',
      headers: bearer(siti.accessToken),
    });
    await expectProblem(response, 400, 'VALIDATION_FAILED');
  });
});
