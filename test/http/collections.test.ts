import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Title } from '../../functions/domain/title';
import { bearer, createLibrarian, createPatron, json } from '../helpers/auth';
import { FakeClock } from '../helpers/clock';
import { addTitle, day } from '../helpers/lending';
import { opdsValidator } from '../helpers/opds-schemas';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * Collections end to end over the real app, DynamoDB Local and the S3 emulator: a librarian creates one, puts
 * its titles in order, features it for some days; patrons (and reading apps) see it only inside that window,
 * with its titles in order and without withdrawn ones.
 */

interface AdminCollection {
  id: string;
  version: number;
  titleIds: string[];
  titles: { id: string; status: string }[];
  featured: boolean;
  cover?: { kind: string; titleId?: string; url?: string };
}
interface PublicCollection {
  id: string;
  name: { id: string; en: string };
  titleCount: number;
  titles: { id: string; title: string }[];
  cover?: string;
}

const clock = new FakeClock('2026-03-01T09:00:00.000Z');
let stack: TestStack;
let librarian = '';
let titles: Title[];

/** A librarian's token, issued again once the fake clock has moved past the last one's lifetime. */
let issuedAt = 0;
async function librarianToken(): Promise<string> {
  if (!librarian || Math.abs(clock.now().getTime() - issuedAt) > 10 * 60_000) {
    librarian = (await createLibrarian(stack)).accessToken;
    issuedAt = clock.now().getTime();
  }
  return librarian;
}

async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  const headers = bearer(await librarianToken());
  return stack.app.request(path, body === undefined ? { method, headers } : json(method, body, headers));
}

async function created(body: unknown): Promise<AdminCollection> {
  const response = await admin('POST', '/admin/collections', body);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as AdminCollection;
}

async function publicOne(id: string): Promise<PublicCollection> {
  const response = await stack.app.request(`/collections/${id}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as PublicCollection;
}

async function featuredIds(): Promise<string[]> {
  const response = await stack.app.request('/collections');
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: PublicCollection[] }).data.map((c) => c.id);
}

const names = { name: { id: 'Pilihan Pustakawan', en: "Librarians' picks" } };

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  titles = [];
  for (const [i, name] of ['Laskar Pelangi', 'Bumi Manusia', 'Ronggeng Dukuh Paruk', 'Moby-Dick'].entries())
    titles.push(
      await addTitle(stack, { title: name, id: `t-coll-${i}`, coverKey: `content/t-coll-${i}/cover.jpg` }),
    );
});
afterAll(() => stack.destroy());

describe('creating a collection', () => {
  it('stores names in both languages and the titles in the order given, and records it in the audit trail', async () => {
    // Act
    const collection = await created({
      ...names,
      description: { id: 'Bacaan pilihan', en: 'Chosen reading' },
      titleIds: [titles[2]!.id, titles[0]!.id],
    });
    // Assess
    expect(collection.titleIds).toEqual([titles[2]!.id, titles[0]!.id]);
    expect(collection.version).toBe(1);
    const stored = await admin('GET', `/admin/collections/${collection.id}`);
    expect(((await stored.json()) as AdminCollection).titleIds).toEqual(collection.titleIds);
    const trail = await admin('GET', `/admin/audit?targetType=collection&targetId=${collection.id}`);
    const entries = ((await trail.json()) as { data: { action: string; outcome: string }[] }).data;
    expect(entries).toEqual([expect.objectContaining({ action: 'collection.create', outcome: 'succeeded' })]);
  });

  it('refuses bad input with 400 VALIDATION_FAILED, unknown titles with 422, and patrons with 403', async () => {
    await expectProblem(
      await admin('POST', '/admin/collections', { name: { id: '', en: 'x' } }),
      400,
      'VALIDATION_FAILED',
    );
    await expectProblem(
      await admin('POST', '/admin/collections', {
        ...names,
        featuredFrom: '2026-03-10T00:00:00Z',
        featuredUntil: '2026-03-05T00:00:00Z',
      }),
      400,
      'VALIDATION_FAILED',
    );
    const unknown = await expectProblem(
      await admin('POST', '/admin/collections', { ...names, titleIds: [titles[0]!.id, 't-nope'] }),
      422,
      'COLLECTION_TITLE_UNKNOWN',
    );
    expect(unknown.titleIds).toEqual(['t-nope']);
    const patron = await createPatron(stack);
    await expectProblem(
      await stack.app.request('/admin/collections', json('POST', names, bearer(patron.accessToken))),
      403,
      'FORBIDDEN',
    );
    await expectProblem(await stack.app.request('/collections/c-missing'), 404, 'COLLECTION_NOT_FOUND');
  });
});

describe('ordering titles', () => {
  it('adds at a position, reorders, removes, and the public page follows the order', async () => {
    // Prepare
    const collection = await created({ ...names, titleIds: [titles[0]!.id, titles[1]!.id] });
    // Act: add the third at the front, then swap, then remove one
    const added = await admin('POST', `/admin/collections/${collection.id}/titles`, {
      titleIds: [titles[2]!.id],
      position: 0,
    });
    expect(((await added.json()) as AdminCollection).titleIds).toEqual([
      titles[2]!.id,
      titles[0]!.id,
      titles[1]!.id,
    ]);
    const reordered = await admin('PUT', `/admin/collections/${collection.id}/titles`, {
      titleIds: [titles[1]!.id, titles[2]!.id, titles[0]!.id],
    });
    expect(reordered.status).toBe(200);
    const removed = await admin('DELETE', `/admin/collections/${collection.id}/titles/${titles[2]!.id}`);
    expect(removed.status).toBe(200);
    // Assess
    const shown = await publicOne(collection.id);
    expect(shown.titles.map((t) => t.title)).toEqual([titles[1]!.title, titles[0]!.title]);
    expect(shown.titleCount).toBe(2);
  });

  it('answers conflicts and mismatches with their codes, and writes nothing', async () => {
    // Prepare
    const collection = await created({ ...names, titleIds: [titles[0]!.id, titles[1]!.id] });
    // Act + Assess
    await expectProblem(
      await admin('POST', `/admin/collections/${collection.id}/titles`, { titleIds: [titles[0]!.id] }),
      409,
      'COLLECTION_TITLE_PRESENT',
    );
    await expectProblem(
      await admin('PUT', `/admin/collections/${collection.id}/titles`, { titleIds: [titles[0]!.id] }),
      422,
      'COLLECTION_ORDER_MISMATCH',
    );
    await expectProblem(
      await admin('DELETE', `/admin/collections/${collection.id}/titles/${titles[3]!.id}`),
      404,
      'COLLECTION_TITLE_NOT_FOUND',
    );
    // A colleague's edit moves the version; an edit made against the old one is refused.
    await admin('PATCH', `/admin/collections/${collection.id}`, {
      name: { id: 'Baru', en: 'New' },
      version: 1,
    });
    await expectProblem(
      await admin('PUT', `/admin/collections/${collection.id}/titles`, {
        titleIds: [titles[1]!.id, titles[0]!.id],
        version: 1,
      }),
      409,
      'COLLECTION_CHANGED',
    );
    const now = (await (await admin('GET', `/admin/collections/${collection.id}`)).json()) as AdminCollection;
    expect(now.titleIds).toEqual([titles[0]!.id, titles[1]!.id]);
    expect(now.version).toBe(2);
  });
});

describe('featuring with dates', () => {
  it('lists a collection on GET /collections only inside its window (the fake clock moves)', async () => {
    // Prepare: featured from tomorrow for a week
    const from = new Date(clock.now().getTime() + day);
    const until = new Date(from.getTime() + 7 * day);
    const collection = await created({
      ...names,
      titleIds: [titles[0]!.id],
      featuredFrom: from.toISOString(),
      featuredUntil: until.toISOString(),
    });
    {
      // Act + Assess: before, inside (at its first instant and later), at its end
      expect(await featuredIds()).not.toContain(collection.id);
      clock.set(from);
      expect(await featuredIds()).toContain(collection.id);
      clock.set(new Date(until.getTime() - 1));
      expect(await featuredIds()).toContain(collection.id);
      clock.set(until);
      expect(await featuredIds()).not.toContain(collection.id);
      // Its page stays reachable by link outside the window.
      expect((await publicOne(collection.id)).titleCount).toBe(1);
    }
  });

  it('features with no end date from its start on, and stops when the dates are cleared', async () => {
    const collection = await created({
      ...names,
      titleIds: [titles[1]!.id],
      featuredFrom: clock.now().toISOString(),
    });
    expect(await featuredIds()).toContain(collection.id);
    // The clock only moves forward in this file: the catalogue index keeps its own times.
    clock.advance(400 * day);
    expect(await featuredIds()).toContain(collection.id);
    await admin('PATCH', `/admin/collections/${collection.id}`, { featuredFrom: null });
    expect(await featuredIds()).not.toContain(collection.id);
  });
});

describe('a withdrawn title', () => {
  it('leaves the public page, the shelf and the OPDS feed, and is marked in the librarians’ view', async () => {
    // Prepare
    const doomed = await addTitle(stack, { title: 'Akan Ditarik' });
    const collection = await created({
      ...names,
      titleIds: [titles[0]!.id, doomed.id, titles[1]!.id],
      featuredFrom: clock.now().toISOString(),
    });
    clock.advance(10_000); // the catalogue index looks for changes every few seconds
    expect((await publicOne(collection.id)).titles.map((t) => t.id)).toContain(doomed.id);
    // Act
    expect((await admin('DELETE', `/admin/titles/${doomed.id}`)).status).toBe(200);
    clock.advance(10_000); // the catalogue index looks for changes every few seconds
    // Assess
    const shown = await publicOne(collection.id);
    expect(shown.titles.map((t) => t.id)).toEqual([titles[0]!.id, titles[1]!.id]);
    expect(shown.titleCount).toBe(2);
    const shelves = (await (await stack.app.request('/collections')).json()) as { data: PublicCollection[] };
    expect(shelves.data.find((c) => c.id === collection.id)?.titles.map((t) => t.id)).toEqual([
      titles[0]!.id,
      titles[1]!.id,
    ]);
    const feed = (await (await stack.app.request(`/opds/collections/${collection.id}`)).json()) as {
      publications: { metadata: { identifier?: string; title: string } }[];
    };
    expect(feed.publications.map((p) => p.metadata.title)).toEqual([titles[0]!.title, titles[1]!.title]);
    const view = (await (
      await admin('GET', `/admin/collections/${collection.id}`)
    ).json()) as AdminCollection;
    expect(view.titles.find((t) => t.id === doomed.id)?.status).toBe('withdrawn');
  });
});

describe('OPDS', () => {
  const validate = opdsValidator();

  it('shows featured collections as groups and navigation of the root feed, each with its own valid feed', async () => {
    // Prepare
    const collection = await created({
      name: { id: 'Sastra Nusantara', en: 'Literature of the archipelago' },
      titleIds: [titles[2]!.id, titles[1]!.id],
      featuredFrom: clock.now().toISOString(),
    });
    // Act
    const root = (await (await stack.app.request('/opds')).json()) as {
      navigation: { href: string; title: string }[];
      groups: { metadata: { title: string }; links: { href: string }[]; publications: unknown[] }[];
    };
    const href = `/opds/collections/${collection.id}`;
    const response = await stack.app.request(href);
    const feed = (await response.json()) as {
      metadata: { numberOfItems: number };
      publications: { metadata: { title: string } }[];
    };
    // Assess
    expect(validate('feed', root)).toEqual([]);
    expect(root.navigation).toContainEqual(
      expect.objectContaining({ href, title: 'Literature of the archipelago' }),
    );
    const group = root.groups.find((g) => g.links[0]?.href === href);
    expect(group?.publications).toHaveLength(2);
    expect(response.headers.get('content-type')).toBe('application/opds+json');
    expect(validate('feed', feed)).toEqual([]);
    expect(feed.metadata.numberOfItems).toBe(2);
    expect(feed.publications.map((p) => p.metadata.title)).toEqual([titles[2]!.title, titles[1]!.title]);
    await expectProblem(await stack.app.request('/opds/collections/c-missing'), 404, 'COLLECTION_NOT_FOUND');
  });
});

describe('the cover', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);

  it('takes an uploaded image checked by its bytes, served by a signed link', async () => {
    const collection = await created({ ...names, titleIds: [titles[0]!.id] });
    // Act
    const response = await stack.app.request(`/admin/collections/${collection.id}/cover`, {
      method: 'PUT',
      headers: bearer(await librarianToken(), { 'Content-Type': 'image/png' }),
      body: png,
    });
    // Assess
    expect(response.status, await response.clone().text()).toBe(200);
    const shown = await publicOne(collection.id);
    expect(shown.cover).toMatch(new RegExp(`^/collections/${collection.id}/cover\\?v=`));
    const cover = await stack.app.request(shown.cover!);
    expect(cover.status).toBe(302);
    // The emulator checks a link's expiry against the real time, not the fake clock: read the object it names.
    const link = new URL(cover.headers.get('location')!);
    expect(link.searchParams.get('response-content-type')).toBe('image/png');
    const key = decodeURIComponent(link.pathname.split('/').slice(2).join('/'));
    const stored = await stack.clients.s3.send(
      new GetObjectCommand({ Bucket: stack.config.CONTENT_BUCKET, Key: key }),
    );
    expect(new Uint8Array(await stored.Body!.transformToByteArray())).toEqual(png);
  });

  it('refuses a body that is not the image type sent, other types, and images over 2 MB', async () => {
    const collection = await created({ ...names, titleIds: [titles[0]!.id] });
    const token = await librarianToken();
    const put = (type: string, body: Uint8Array<ArrayBuffer>) =>
      stack.app.request(`/admin/collections/${collection.id}/cover`, {
        method: 'PUT',
        headers: bearer(token, { 'Content-Type': type }),
        body,
      });
    await expectProblem(await put('image/jpeg', png), 422, 'COLLECTION_COVER_INVALID');
    await expectProblem(
      await put('image/png', new TextEncoder().encode('<svg onload=alert(1)>')),
      422,
      'COLLECTION_COVER_INVALID',
    );
    await expectProblem(await put('image/svg+xml', png), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const big = new Uint8Array(2 * 1024 * 1024 + 1);
    big.set(png);
    await expectProblem(await put('image/png', big), 413, 'BODY_TOO_LARGE');
    const view = (await (
      await admin('GET', `/admin/collections/${collection.id}`)
    ).json()) as AdminCollection;
    expect(view.cover).toBeUndefined();
  });

  it('can be a member title’s cover, and not a title outside the collection', async () => {
    const collection = await created({ ...names, titleIds: [titles[0]!.id, titles[1]!.id] });
    await expectProblem(
      await admin('PATCH', `/admin/collections/${collection.id}`, { coverTitleId: titles[3]!.id }),
      400,
      'VALIDATION_FAILED',
    );
    const chosen = await admin('PATCH', `/admin/collections/${collection.id}`, {
      coverTitleId: titles[1]!.id,
    });
    expect(chosen.status).toBe(200);
    expect((await publicOne(collection.id)).cover).toBe(`/titles/${titles[1]!.id}/cover`);
  });
});
