import { afterAll, beforeAll, expect, it } from 'vitest';
import { newLicence } from '../../../functions/domain/licence';
import type { Title } from '../../../functions/domain/title';
import { bearer, createPatron, json } from '../../helpers/auth';
import { opdsValidator } from '../../helpers/opds-schemas';
import { createTestStack, type TestStack } from '../../helpers/stack';
import { createTitle } from './fixtures';
import { expectProblem } from '../../helpers/problem';
import { describeWithFixtures, seedFixtures } from '../../helpers/fixtures';

/**
 * The OPDS 2.0 catalogue validates against the OPDS JSON Schemas in ../shared/schemas, and every link in it
 * resolves: each href is requested through the app and answers 2xx, a redirect, or (for what needs signing in)
 * a 401 that points at the Authentication Document.
 */

type Link = { href: string; rel?: string | string[]; type?: string; templated?: boolean };
type Feed = {
  metadata: { title: string };
  links: Link[];
  navigation?: Link[];
  publications?: { metadata: { title: string }; links: Link[]; images?: Link[] }[];
};

let stack: TestStack;
let partnerTitle: Title;
const validate = opdsValidator();

beforeAll(async () => {
  stack = await createTestStack();
  await seedFixtures(stack);
  partnerTitle = await createTitle(stack);
}, 120_000);

afterAll(async () => {
  await stack?.destroy();
});

const get = (href: string, headers: Record<string, string> = {}) => stack.app.request(href, { headers });
const rels = (link: Link) => (Array.isArray(link.rel) ? link.rel : link.rel ? [link.rel] : []);
const expand = (link: Link) => (link.templated ? link.href.replace('{?query}', '?query=moby') : link.href);

async function getJson<T>(href: string, type: string): Promise<T> {
  const response = await get(href);
  expect(response.status, href).toBe(200);
  expect(response.headers.get('content-type')).toBe(type);
  return (await response.json()) as T;
}

async function getJsonAs<T>(href: string, headers: Record<string, string>): Promise<T> {
  const response = await get(href, headers);
  expect(response.status, href).toBe(200);
  return (await response.json()) as T;
}

/** Every link of a feed and of its publications. */
function linksOf(feed: Feed): Link[] {
  return [
    ...feed.links,
    ...(feed.navigation ?? []),
    ...(feed.publications ?? []).flatMap((p) => [...p.links, ...(p.images ?? [])]),
  ];
}

async function expectResolves(link: Link) {
  const href = expand(link);
  const response = await get(href);
  const ok = response.status === 200 || response.status === 302 || response.status === 401;
  expect(ok, `${href} answered ${response.status}`).toBe(true);
  if (response.status === 401) {
    expect(response.headers.get('link')).toContain(
      '/opds/authentication>; rel="http://opds-spec.org/auth/document"',
    );
  }
  if (response.status === 302) expect(response.headers.get('location')).toMatch(/^https?:\/\//);
}

describeWithFixtures('OPDS 2.0 catalogue', () => {
  it('checks with a validator that does refuse what the schemas refuse', () => {
    expect(
      validate('feed', { metadata: { title: 'x' }, links: [{ href: '/opds', rel: 'self' }] }),
    ).not.toEqual([]);
    expect(validate('authentication', { title: 'x', id: 'not a uri', authentication: [] })).not.toEqual([]);
  });

  it('serves a navigation feed that validates and whose links all resolve', async () => {
    // Act
    const feed = await getJson<Feed>('/opds', 'application/opds+json');
    // Assess
    expect(validate('feed', feed)).toEqual([]);
    for (const link of linksOf(feed)) await expectResolves(link);
    expect(feed.links).toContainEqual(
      expect.objectContaining({ rel: 'search', href: '/opds/publications{?query}', templated: true }),
    );
  });

  it('pages through every publication; each page validates and every link on it resolves', async () => {
    // Prepare
    const seen: string[] = [];
    let href: string | undefined = '/opds/publications?limit=3';
    let pages = 0;
    // Act
    while (href) {
      const feed: Feed = await getJson<Feed>(href, 'application/opds+json');
      // Assess
      expect(validate('feed', feed), href).toEqual([]);
      for (const link of linksOf(feed)) await expectResolves(link);
      seen.push(...(feed.publications ?? []).map((p) => p.metadata.title));
      href = feed.links.find((l) => rels(l).includes('next'))?.href;
      pages += 1;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain('Moby-Dick');
    expect(seen).toContain(partnerTitle.title);
  });

  it('each publication validates on its own, with the acquisition link its access mode calls for', async () => {
    // Prepare
    const feed = await getJson<Feed>('/opds/publications', 'application/opds+json');
    const byAccess = new Map<string, string>();
    // Act
    for (const entry of feed.publications ?? []) {
      const self = entry.links.find((l) => rels(l).includes('self'))!;
      const publication = await getJson<Feed['publications'] & object>(
        self.href,
        'application/opds-publication+json',
      );
      // Assess
      expect(validate('publication', publication), self.href).toEqual([]);
      const title = (await stack.deps.titles.get(decodeURIComponent(self.href.split('/').pop()!)))!;
      const acquisition = (
        publication as unknown as { links: (Link & { properties?: unknown })[] }
      ).links.find((l) => rels(l).some((r) => r.startsWith('http://opds-spec.org/acquisition')))!;
      byAccess.set(title.access, rels(acquisition)[0]!);
      expect(acquisition.properties).toMatchObject({ availability: { state: expect.any(String) } });
      if (title.access === 'licensed') {
        const availability = (await (await get(`/titles/${title.id}`)).json()) as {
          availability: { copies: number | null; available: number | null; holds: number };
        };
        expect(acquisition.properties).toMatchObject({ holds: { total: availability.availability.holds } });
        if (availability.availability.copies !== null) {
          expect(acquisition.properties).toMatchObject({
            copies: {
              total: availability.availability.copies,
              available: availability.availability.available,
            },
          });
        }
      }
    }
    expect(byAccess.get('open')).toBe('http://opds-spec.org/acquisition/open-access');
    expect(byAccess.get('licensed')).toBe('http://opds-spec.org/acquisition/borrow');
    expect(byAccess.get('partner')).toBe('http://opds-spec.org/acquisition');
  });

  it('links covers that resolve to the image', async () => {
    const feed = await getJson<Feed>('/opds/publications', 'application/opds+json');
    const withCover = (feed.publications ?? []).filter((p) => p.images?.length);
    expect(withCover.length).toBeGreaterThan(0);
    for (const p of withCover) {
      const response = await get(p.images![0]!.href);
      expect(response.status).toBe(302);
    }
  });

  it('searches with the OpenSearch-style template, and a search with no results still validates', async () => {
    // Act
    const found = await getJson<Feed>('/opds/publications?query=moby', 'application/opds+json');
    const none = await getJson<Feed>('/opds/publications?query=zzzzqqq', 'application/opds+json');
    // Assess
    expect(validate('feed', found)).toEqual([]);
    expect(found.publications?.map((p) => p.metadata.title)).toEqual(['Moby-Dick']);
    expect(validate('feed', none)).toEqual([]);
    expect(none.publications).toBeUndefined();
  });

  it('serves the Authentication for OPDS document, which validates and whose links resolve', async () => {
    // Act
    const doc = await getJson<{
      id: string;
      authentication: { type: string; links?: Link[] }[];
      links: Link[];
    }>('/opds/authentication', 'application/opds-authentication+json');
    // Assess
    expect(validate('authentication', doc)).toEqual([]);
    expect(doc.authentication.map((a) => a.type)).toEqual([
      'http://opds-spec.org/auth/oauth/password',
      'http://opds-spec.org/auth/basic',
    ]);
    for (const link of doc.links) await expectResolves(link);
    // The OAuth links are the form-encoded token endpoint: it exists (an empty form is a 400, not a 404).
    for (const link of doc.authentication.flatMap((a) => a.links ?? [])) {
      const response = await stack.app.request(link.href, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      expect(response.status, link.href).toBe(400);
    }
  });

  it('answers an OPDS client’s 401 with the Authentication Document itself', async () => {
    // Prepare
    const licensed = (await stack.deps.titles.list({ limit: 100 })).data.find(
      (t) => t.access === 'licensed',
    )!;
    // Act
    const response = await get(`/opds/publications/${licensed.id}/content`, {
      Accept: 'application/opds+json',
    });
    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/opds-authentication+json');
    expect(response.headers.get('link')).toContain('rel="http://opds-spec.org/auth/document"');
    expect(validate('authentication', await response.json())).toEqual([]);
  });

  it('sends a signed-in patron without a loan of a licensed title to borrowing first', async () => {
    const licensed = (await stack.deps.titles.list({ limit: 100 })).data.find(
      (t) => t.access === 'licensed',
    )!;
    const { accessToken } = await createPatron(stack);
    const response = await get(`/opds/publications/${licensed.id}/content`, bearer(accessToken));
    await expectProblem(response, 403, 'NO_ACTIVE_LOAN');
  });

  it('shows a licensed title whose copies are all out as unavailable', async () => {
    // Prepare: a licensed title with one concurrent copy, borrowed.
    const single = await createTitle(stack, { access: 'licensed', title: 'Single Copy Atlas' });
    await stack.deps.lending.addLicence(
      newLicence(
        'l-single',
        single.id,
        { concurrency: 1, checkouts: null, expires: null, loanLength: null },
        new Date(),
      ),
    );
    const { accessToken } = await createPatron(stack);
    const loan = await stack.app.request('/loans', json('POST', { titleId: single.id }, bearer(accessToken)));
    expect(loan.status).toBe(201);
    // Act
    const publication = await getJson<{ links: (Link & { properties?: unknown })[] }>(
      `/opds/publications/${single.id}`,
      'application/opds-publication+json',
    );
    // Assess
    expect(validate('publication', publication)).toEqual([]);
    const borrow = publication.links.find((l) =>
      rels(l).includes('http://opds-spec.org/acquisition/borrow'),
    )!;
    expect(borrow.properties).toMatchObject({
      availability: { state: 'unavailable' },
      copies: { total: 1, available: 0 },
    });
    // The borrower sees the acquisition link instead, and reads through it.
    const own = await getJsonAs<{ links: Link[] }>(`/opds/publications/${single.id}`, bearer(accessToken));
    const acquisition = own.links.find((l) => rels(l).includes('http://opds-spec.org/acquisition'))!;
    const read = await get(acquisition.href, bearer(accessToken));
    expect(read.status).toBe(302);
  });

  it('answers an unknown publication with a 404 problem', async () => {
    const response = await get('/opds/publications/t-nope');
    await expectProblem(response, 404, 'TITLE_NOT_FOUND');
  });
});
