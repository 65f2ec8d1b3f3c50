import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Title } from '../../functions/domain/title';
import { createApp } from '../../functions/http/app';
import { bearer, createPatron, json, type CreatedPatron } from '../helpers/auth';
import { addLicence, addTitle, FakeClock } from '../helpers/lending';
import { opdsValidator } from '../helpers/opds-schemas';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * Reading apps sign in and borrow as Palace and Thorium do: the Authentication for OPDS document, the OAuth
 * password form or HTTP Basic, borrow links that answer the publication, the shelf with revoke links, the
 * profile and OPDS Progression, everything validated against ../shared/schemas.
 */

type Link = {
  href: string;
  rel?: string | string[];
  type?: string;
  width?: number;
  height?: number;
  properties?: Record<string, unknown> & {
    availability?: { state: string; since?: string; until?: string };
    holds?: { total?: number; position?: number };
    copies?: { total?: number; available?: number };
    indirectAcquisition?: { type: string }[];
  };
};
type Publication = { metadata: { title: string }; links: Link[] };
type Feed = { metadata: { title: string }; links: Link[]; publications?: Publication[]; navigation?: Link[] };
type AuthDocument = {
  id: string;
  links: Link[];
  authentication: { type: string; links?: Link[]; labels?: Record<string, string> }[];
};

const base = 'https://library.example/api';
// Real time to start with: the S3 emulator checks a signed link's expiry against the wall clock.
const clock = new FakeClock(new Date());
const validate = opdsValidator();
let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack({ env: { PUBLIC_API_URL: `${base}/` }, deps: { clock } });
}, 60_000);

afterAll(async () => {
  await stack?.destroy();
});

const rels = (link: Link) => (Array.isArray(link.rel) ? link.rel : link.rel ? [link.rel] : []);
const linkWith = (links: Link[], rel: string) => links.find((l) => rels(l).includes(rel));
const borrowRel = 'http://opds-spec.org/acquisition/borrow';
const acquisitionRel = 'http://opds-spec.org/acquisition';
const revokeRel = 'http://librarysimplified.org/terms/rel/revoke';
const shelfRel = 'http://opds-spec.org/shelf';
const progressionRel = 'http://opds-spec.org/progression';
const opdsAccept = { Accept: 'application/opds+json, application/opds-publication+json' };

/** An href of a document as a request to the app (absolute ones must start at the configured base). */
function pathOf(href: string): string {
  if (href.startsWith('/')) return href;
  expect(href.startsWith(`${base}/`), href).toBe(true);
  return href.slice(base.length);
}

const request = async (href: string, init: RequestInit = {}): Promise<Response> =>
  stack.app.request(pathOf(href), init);

/** A request whose Host is an attacker's: on Lambda the adapter builds the request's URL from that header. */
const fromEvil = async (href: string, init: RequestInit = {}, app = stack.app): Promise<Response> =>
  app.request(`http://evil.example${pathOf(href)}`, {
    ...init,
    headers: {
      ...(init.headers as Record<string, string>),
      Host: 'evil.example',
      'X-Forwarded-Host': 'evil.example',
    },
  });

async function opds<T>(response: Response, status: number, type: string): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toBe(type);
  return JSON.parse(text) as T;
}

const basic = (card: string, pin: string) => ({
  Authorization: `Basic ${Buffer.from(`${card}:${pin}`).toString('base64')}`,
});

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/** A licensed EPUB whose file is really in the bucket, with `copies` concurrent copies. */
async function lendableTitle(copies: number, overrides: Partial<Title> = {}): Promise<Title> {
  const title = await addTitle(stack, { title: 'Hikayat Bayan Budiman', ...overrides });
  await stack.content.put(
    title.contentKey,
    new TextEncoder().encode(`content of ${title.id}`),
    title.contentType,
  );
  if (copies > 0) await addLicence(stack, title.id, { concurrency: copies });
  return title;
}

async function borrowAs(headers: Record<string, string>, title: Title, method = 'POST') {
  const publication = await opds<Publication>(
    await request(`/opds/publications/${title.id}`, { headers: { ...opdsAccept, ...headers } }),
    200,
    'application/opds-publication+json',
  );
  const borrow = linkWith(publication.links, borrowRel)!;
  return request(borrow.href, { method, headers: { ...opdsAccept, ...headers } });
}

async function publicationAs(headers: Record<string, string>, title: Title): Promise<Publication> {
  const publication = await opds<Publication>(
    await request(`/opds/publications/${title.id}`, { headers: { ...opdsAccept, ...headers } }),
    200,
    'application/opds-publication+json',
  );
  expect(validate('publication', publication)).toEqual([]);
  return publication;
}

/** The whole path from the loan's publication: content opens, the shelf lists it, revoke returns it. */
async function readShelveAndReturn(headers: Record<string, string>, title: Title, borrowed: Publication) {
  // The acquisition link opens the content through a short signed link.
  const acquisition = linkWith(borrowed.links, acquisitionRel)!;
  expect(acquisition.type).toBe('application/epub+zip');
  const content = await request(acquisition.href, { headers });
  expect(content.status).toBe(302);
  const file = await fetch(content.headers.get('location')!);
  expect(file.status).toBe(200);
  expect(await file.text()).toBe(`content of ${title.id}`);

  // The shelf (from the Authentication Document) lists the loan with its revoke link.
  const doc = await opds<AuthDocument>(
    await request('/opds/authentication'),
    200,
    'application/opds-authentication+json',
  );
  const shelfHref = linkWith(doc.links, shelfRel)!.href;
  const shelf = await opds<Feed>(await request(shelfHref, { headers }), 200, 'application/opds+json');
  expect(validate('feed', shelf)).toEqual([]);
  const onShelf = shelf.publications?.find((p) =>
    p.links.some((l) => l.href === `${base}/opds/publications/${title.id}`),
  );
  expect(onShelf, JSON.stringify(shelf)).toBeDefined();
  const revoke = linkWith(onShelf!.links, revokeRel)!;

  // Revoke returns it: the publication offers borrowing again and the loan is gone.
  const returned = await opds<Publication>(
    await request(revoke.href, { method: 'PUT', headers }),
    200,
    'application/opds-publication+json',
  );
  expect(validate('publication', returned)).toEqual([]);
  expect(linkWith(returned.links, borrowRel)?.properties?.availability?.state).toBe('available');
  expect(linkWith(returned.links, acquisitionRel)).toBeUndefined();
  const after = await opds<Feed>(await request(shelfHref, { headers }), 200, 'application/opds+json');
  expect(validate('feed', after)).toEqual([]);
  expect(after.publications ?? []).toEqual([]);
}

describe('an OPDS client’s whole path', () => {
  it('root feed → Authentication Document → password form → access_token → borrow → read → shelf → return', async () => {
    // Prepare
    const title = await lendableTitle(1);
    const { patron, pin } = await createPatron(stack);

    // Act + Assess: the root feed points at the Authentication Document and the shelf.
    const root = await opds<Feed>(
      await fromEvil('/opds', { headers: opdsAccept }),
      200,
      'application/opds+json',
    );
    expect(validate('feed', root)).toEqual([]);
    expect(JSON.stringify(root)).not.toContain('evil.example');
    expect(linkWith(root.links, shelfRel)?.href).toBe(`${base}/opds/shelf`);
    const authHref = linkWith(root.links, 'http://opds-spec.org/auth/document')!.href;

    const docResponse = await fromEvil(authHref);
    const docText = await docResponse.clone().text();
    const doc = await opds<AuthDocument>(docResponse, 200, 'application/opds-authentication+json');
    expect(validate('authentication', doc)).toEqual([]);
    expect(docText).not.toContain('evil.example');
    expect(doc.id).toBe(`${base}/opds/authentication`);
    const password = doc.authentication.find((a) => a.type === 'http://opds-spec.org/auth/oauth/password')!;
    const tokenHref = linkWith(password.links!, 'authenticate')!.href;

    // The password form, as OPDS clients send it.
    const tokenResponse = await request(
      tokenHref,
      form({ grant_type: 'password', username: patron.cardNumber, password: pin }),
    );
    expect(tokenResponse.status).toBe(200);
    expect(tokenResponse.headers.get('cache-control')).toBe('no-store');
    const token = (await tokenResponse.json()) as Record<string, unknown>;
    expect(token).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: expect.any(String),
    });
    const headers = bearer(token.access_token as string);

    // The borrow link answers the publication, with the content and a revoke link.
    const before = await publicationAs(headers, title);
    const borrowLink = linkWith(before.links, borrowRel)!;
    expect(borrowLink.type).toBe('application/opds-publication+json');
    expect(borrowLink.properties).toMatchObject({
      availability: { state: 'available' },
      copies: { total: 1, available: 1 },
      indirectAcquisition: [{ type: 'application/epub+zip' }],
    });
    const borrowed = await opds<Publication>(
      await request(borrowLink.href, { method: 'GET', headers }),
      201,
      'application/opds-publication+json',
    );
    expect(validate('publication', borrowed)).toEqual([]);
    const loan = (await stack.deps.lending.loansOf(patron.id))[0]!;
    expect(linkWith(borrowed.links, acquisitionRel)?.properties?.availability).toEqual({
      state: 'available',
      since: loan.checkedOutAt,
      until: loan.expiresAt,
    });
    expect(linkWith(borrowed.links, revokeRel)).toBeDefined();
    expect(linkWith(borrowed.links, borrowRel)).toBeUndefined();
    // Following the borrow link again is not a second loan.
    const again = await request(borrowLink.href, { method: 'POST', headers });
    expect(again.status).toBe(200);
    expect(await stack.deps.lending.loansOf(patron.id)).toHaveLength(1);

    await readShelveAndReturn(headers, title, borrowed);

    // The refresh grant rotates; the old refresh token is refused in RFC 6749's words.
    const refreshed = await request(
      tokenHref,
      form({ grant_type: 'refresh_token', refresh_token: token.refresh_token as string }),
    );
    expect(refreshed.status).toBe(200);
    expect(await refreshed.json()).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
    const reused = await request(
      tokenHref,
      form({ grant_type: 'refresh_token', refresh_token: token.refresh_token as string }),
    );
    expect(await expectProblem(reused, 400, 'INVALID_GRANT')).toMatchObject({ error: 'invalid_grant' });
  });

  it('does the same with HTTP Basic (card:PIN) on every request', async () => {
    // Prepare
    const title = await lendableTitle(1);
    const { patron, pin } = await createPatron(stack);
    const headers = basic(patron.cardNumber, pin);
    // Act
    const response = await borrowAs(headers, title, 'PUT');
    // Assess
    const borrowed = await opds<Publication>(response, 201, 'application/opds-publication+json');
    expect(validate('publication', borrowed)).toEqual([]);
    expect(await stack.deps.lending.loansOf(patron.id)).toHaveLength(1);
    await readShelveAndReturn(headers, title, borrowed);
  });

  it('places a hold when no copy is free, shown as reserved with the place in line on the shelf', async () => {
    // Prepare: the only copy is out.
    const title = await lendableTitle(1);
    const first = await createPatron(stack);
    expect((await borrowAs(bearer(first.accessToken), title)).status).toBe(201);
    const second = await createPatron(stack);
    const headers = bearer(second.accessToken);
    // Act
    const held = await opds<Publication>(
      await borrowAs(headers, title),
      201,
      'application/opds-publication+json',
    );
    // Assess
    expect(validate('publication', held)).toEqual([]);
    const holds = await stack.deps.lending.holdsOf(second.patron.id);
    expect(holds).toMatchObject([{ titleId: title.id, status: 'waiting', position: 1 }]);
    expect(await stack.deps.lending.loansOf(second.patron.id)).toEqual([]);
    const shelf = await opds<Feed>(await request('/opds/shelf', { headers }), 200, 'application/opds+json');
    expect(validate('feed', shelf)).toEqual([]);
    expect(shelf.publications).toHaveLength(1);
    const link = linkWith(shelf.publications![0]!.links, borrowRel)!;
    expect(link.properties).toMatchObject({
      availability: { state: 'reserved', since: holds[0]!.placedAt },
      holds: { total: 1, position: 1 },
      copies: { total: 1, available: 0 },
      cancellable: true,
    });
    expect(link.properties!.availability!.until).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Cancel through the revoke link (DELETE on the borrow link does the same).
    const cancel = linkWith(shelf.publications![0]!.links, revokeRel)!;
    const cancelled = await request(cancel.href, { method: 'DELETE', headers });
    expect(cancelled.status).toBe(200);
    expect(await stack.deps.lending.holdsOf(second.patron.id)).toEqual([]);
    await expectProblem(
      await request(cancel.href, { method: 'PUT', headers: { ...headers, Accept: 'application/json' } }),
      404,
      'NO_LOAN_OR_HOLD',
    );
  });

  it('shows each caller their own availability: borrower, waiting hold, reserved hold, stranger', async () => {
    // Prepare: two copies, both out; one comes back and is reserved for the first in line.
    const title = await lendableTitle(2);
    const [borrower, other, reserved, waiting, signedInStranger] = await Promise.all(
      Array.from({ length: 5 }, () => createPatron(stack)),
    );
    const as = (p: CreatedPatron) => bearer(p!.accessToken);
    expect((await borrowAs(as(borrower!), title)).status).toBe(201);
    expect((await borrowAs(as(other!), title)).status).toBe(201);
    expect((await borrowAs(as(reserved!), title)).status).toBe(201); // a hold
    const otherLoan = (await stack.deps.lending.loansOf(other!.patron.id))[0]!;
    await stack.deps.lending.returnLoan({ patronId: other!.patron.id, loanId: otherLoan.id });
    expect((await borrowAs(as(waiting!), title)).status).toBe(201); // a hold behind the reserved one
    const loan = (await stack.deps.lending.loansOf(borrower!.patron.id))[0]!;
    const reservation = (await stack.deps.lending.holdsOf(reserved!.patron.id))[0]!;
    expect(reservation.status).toBe('reserved');

    // Act
    const seen = async (headers: Record<string, string>) => (await publicationAs(headers, title)).links;
    const [byBorrower, byReserved, byWaiting, byStranger, bySignedInStranger] = await Promise.all([
      seen(as(borrower!)),
      seen(as(reserved!)),
      seen(as(waiting!)),
      seen({}),
      seen(as(signedInStranger!)),
    ]);

    // Assess
    expect(linkWith(byBorrower, acquisitionRel)?.properties?.availability).toEqual({
      state: 'available',
      since: loan.checkedOutAt,
      until: loan.expiresAt,
    });
    expect(linkWith(byBorrower, progressionRel)?.type).toBe('application/opds-progression+json');
    expect(linkWith(byReserved, borrowRel)?.properties).toMatchObject({
      availability: { state: 'ready', since: reservation.reservedAt, until: reservation.reservedUntil },
    });
    expect(linkWith(byWaiting, borrowRel)?.properties).toMatchObject({
      availability: { state: 'reserved' },
      holds: { total: 2, position: 1 },
    });
    for (const links of [byStranger, bySignedInStranger]) {
      expect(linkWith(links, borrowRel)?.properties).toMatchObject({
        availability: { state: 'unavailable' },
        copies: { total: 2, available: 0 },
        holds: { total: 2 },
      });
      expect(linkWith(links, acquisitionRel)).toBeUndefined();
      expect(linkWith(links, revokeRel)).toBeUndefined();
    }
    expect(linkWith(byStranger, progressionRel)).toBeUndefined();

    // The reserved patron's borrow takes the kept copy.
    const taken = await opds<Publication>(
      await borrowAs(as(reserved!), title),
      201,
      'application/opds-publication+json',
    );
    expect(linkWith(taken.links, acquisitionRel)?.properties?.availability?.state).toBe('available');
  });
});

describe('borrow refusals', () => {
  it('answers limits, titles that do not lend and unknown titles with problems, and writes nothing', async () => {
    // Prepare
    const me = await createPatron(stack, { loanLimit: 1 });
    const headers = { ...bearer(me.accessToken), Accept: 'application/json' };
    const first = await lendableTitle(1);
    const second = await lendableTitle(1);
    const open = await addTitle(stack, { access: 'open' });
    expect((await borrowAs(bearer(me.accessToken), first)).status).toBe(201);
    // Act + Assess
    await expectProblem(
      await request(`/opds/publications/${second.id}/borrow`, { method: 'POST', headers }),
      403,
      'LOAN_LIMIT_REACHED',
    );
    await expectProblem(
      await request(`/opds/publications/${open.id}/borrow`, { method: 'POST', headers }),
      409,
      'NOT_LENDABLE',
    );
    await expectProblem(
      await request('/opds/publications/t-nope/borrow', { method: 'POST', headers }),
      404,
      'TITLE_NOT_FOUND',
    );
    expect((await stack.deps.lending.loansOf(me.patron.id)).map((l) => l.titleId)).toEqual([first.id]);
    expect(await stack.deps.lending.holdsOf(me.patron.id)).toEqual([]);
  });
});

describe('HTTP Basic under /opds', () => {
  it('locks a card after 5 wrong PINs, as signing in does, and the lock holds for the token endpoint too', async () => {
    // Prepare
    const { patron, pin } = await createPatron(stack);
    const wrong = basic(patron.cardNumber, '0000');
    // Act
    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push(await request('/opds/shelf', { headers: { ...wrong, ...opdsAccept } }));
    // Assess: wrong PINs are 401s that carry the document; the fifth locks.
    for (const answer of answers.slice(0, 4)) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toBe('application/opds-authentication+json');
    }
    await expectProblem(answers[4]!, 429, 'ACCOUNT_LOCKED');
    await expectProblem(
      await request('/opds/shelf', { headers: basic(patron.cardNumber, pin) }),
      429,
      'ACCOUNT_LOCKED',
    );
    const token = await request(
      '/auth/token',
      form({ grant_type: 'password', username: patron.cardNumber, password: pin }),
    );
    expect(await expectProblem(token, 429, 'ACCOUNT_LOCKED')).toMatchObject({ error: 'invalid_grant' });
    expect(token.headers.get('retry-after')).toMatch(/^\d+$/);
    // The lock ends with its window.
    clock.advance(16 * 60 * 1000);
    expect((await request('/opds/shelf', { headers: basic(patron.cardNumber, pin) })).status).toBe(200);
  });

  it('lets an app fetch many things at once with the right card and PIN without locking the card', async () => {
    // Prepare
    const { patron, pin } = await createPatron(stack);
    const headers = basic(patron.cardNumber, pin);
    // Act: a feed, the profile and the shelf, eight at once, twice over.
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => request(i % 2 ? '/opds/shelf' : '/opds/profile', { headers })),
      );
      // Assess
      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 8 }, () => 200));
    }
  });

  it('applies a block at the next request even for remembered credentials', async () => {
    const { patron, pin } = await createPatron(stack);
    const headers = basic(patron.cardNumber, pin);
    expect((await request('/opds/shelf', { headers })).status).toBe(200);
    await stack.deps.patrons.update(patron.id, { status: 'blocked' }, clock.now());
    await expectProblem(await request('/opds/shelf', { headers }), 403, 'ACCOUNT_BLOCKED');
  });
});

describe('401 under /opds', () => {
  const challenged = async (response: Response) => {
    const text = await response.text();
    expect(response.status, text).toBe(401);
    expect(response.headers.get('link')).toBe(
      `<${base}/opds/authentication>; rel="http://opds-spec.org/auth/document"; type="application/opds-authentication+json"`,
    );
    expect(text).not.toContain('evil.example');
    return text;
  };

  it('carries the Authentication Document and its Link for missing, invalid and expired tokens alike', async () => {
    // Prepare
    const { accessToken } = await createPatron(stack);
    const later = new FakeClock(clock.now());
    later.advance(16 * 60 * 1000);
    // The same stores, fifteen minutes and more after the token was issued.
    const expiredApp = createApp({ ...stack.deps, clock: later });
    const cases: [string, Promise<Response>][] = [
      ['missing', fromEvil('/opds/shelf')],
      ['invalid', fromEvil('/opds/shelf', { headers: bearer('not-a-token') })],
      ['bad basic', fromEvil('/opds/shelf', { headers: { Authorization: 'Basic bm9jb2xvbg==' } })],
      ['expired', fromEvil('/opds/profile', { headers: bearer(accessToken) }, expiredApp)],
      ['borrow', fromEvil('/opds/publications/t-any/borrow')],
    ];
    for (const [name, pending] of cases) {
      // Act
      const response = await pending;
      // Assess
      expect(response.headers.get('content-type'), name).toBe('application/opds-authentication+json');
      const doc = JSON.parse(await challenged(response)) as AuthDocument;
      expect(validate('authentication', doc), name).toEqual([]);
      expect(doc.id).toBe(`${base}/opds/authentication`);
    }
  });

  it('keeps problem+json (with the Link) for clients that ask for JSON problems', async () => {
    const response = await request('/opds/shelf', {
      headers: { ...bearer('not-a-token'), Accept: 'application/problem+json' },
    });
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.parse(await challenged(response))).toMatchObject({ code: 'INVALID_TOKEN' });
  });
});

describe('the Authentication Document and what it links', () => {
  it('links a real image logo, help, the shelf and the profile, all absolute on the configured base', async () => {
    const doc = await opds<AuthDocument>(
      await fromEvil('/opds/authentication'),
      200,
      'application/opds-authentication+json',
    );
    expect(validate('authentication', doc)).toEqual([]);
    for (const link of [...doc.links, ...doc.authentication.flatMap((a) => a.links ?? [])])
      expect(link.href.startsWith(base), link.href).toBe(true);
    const logo = linkWith(doc.links, 'logo')!;
    const image = await request(logo.href);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await image.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([logo.width, logo.height]);
    // A stale token does not keep an app from the document it needs to sign in again.
    const stale = await request('/opds/authentication', { headers: bearer('expired-or-garbage') });
    expect(stale.status).toBe(200);
    const help = await request(linkWith(doc.links, 'help')!.href);
    expect(help.status).toBe(200);
    expect(help.headers.get('content-type')).toContain('text/html');
    expect(await help.text()).toContain(`${base}/opds`);
    expect(linkWith(doc.links, shelfRel)).toMatchObject({
      href: `${base}/opds/shelf`,
      type: 'application/opds+json',
    });
    expect(linkWith(doc.links, 'profile')).toMatchObject({
      href: `${base}/opds/profile`,
      type: 'application/opds-profile+json',
    });
  });

  it('serves the patron’s profile: name, loans and holds allowed and left, an edit link', async () => {
    // Prepare
    const title = await lendableTitle(1);
    const me = await createPatron(stack, { name: 'Siti Rahma', loanLimit: 3, holdLimit: 2 });
    expect((await borrowAs(bearer(me.accessToken), title)).status).toBe(201);
    // Act
    const profile = await opds<Record<string, unknown>>(
      await request('/opds/profile', { headers: bearer(me.accessToken) }),
      200,
      'application/opds-profile+json',
    );
    // Assess
    expect(validate('profile', profile)).toEqual([]);
    expect(profile).toMatchObject({
      name: 'Siti Rahma',
      loans: { total: 3, available: 2 },
      holds: { total: 2, available: 2 },
      links: [{ rel: 'edit', type: 'text/html' }],
    });
  });
});

describe('the token endpoint', () => {
  it('answers a wrong PIN, an unknown grant and a JSON body in RFC 6749’s and the problem’s words', async () => {
    const { patron } = await createPatron(stack);
    const wrong = await request(
      '/auth/token',
      form({ grant_type: 'password', username: patron.cardNumber, password: '9999' }),
    );
    expect(await expectProblem(wrong, 400, 'INVALID_GRANT')).toMatchObject({ error: 'invalid_grant' });
    const unknown = await request('/auth/token', form({ grant_type: 'client_credentials' }));
    expect(await expectProblem(unknown, 400, 'UNSUPPORTED_GRANT_TYPE')).toMatchObject({
      error: 'unsupported_grant_type',
    });
    const missing = await request(
      '/auth/token',
      form({ grant_type: 'password', username: patron.cardNumber }),
    );
    expect(await expectProblem(missing, 400, 'VALIDATION_FAILED')).toMatchObject({
      error: 'invalid_request',
    });
    const asJson = await request('/auth/token', json('POST', { grant_type: 'password' }));
    expect(asJson.status).toBe(415);
    expect(asJson.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('OPDS Progression', () => {
  it('shares one position with the web reader: an app’s PUT moves it, a web save is what the app GETs, stale is 409', async () => {
    // Prepare: a borrowed PDF of 100 pages.
    const title = await lendableTitle(1, {
      format: 'pdf',
      contentType: 'application/pdf',
      pageCount: 100,
      title: 'Atlas Kota Nusantara',
    });
    const me = await createPatron(stack);
    const headers = bearer(me.accessToken);
    const borrowed = await opds<Publication>(
      await borrowAs(headers, title),
      201,
      'application/opds-publication+json',
    );
    const progressionHref = linkWith(borrowed.links, progressionRel)!.href;
    expect(await request(progressionHref, { headers })).toHaveProperty('status', 204);

    // Act: the app saves page 26.
    const fromApp = {
      modified: '2026-06-01T09:00:00Z',
      device: { id: 'urn:uuid:019c0047-cc8d-7ec4-a3c3-938ccadc020a', name: 'Thorium (laptop)' },
      progression: 0.25,
      references: ['#page=26'],
    };
    const put = await request(progressionHref, {
      method: 'PUT',
      headers: { ...headers, 'Content-Type': 'application/opds-progression+json' },
      body: JSON.stringify(fromApp),
    });
    // Assess: the web reader's stored position is there.
    const saved = await opds<Record<string, unknown>>(put, 200, 'application/opds-progression+json');
    expect(validate('progression', saved)).toEqual([]);
    const web = await stack.app.request(`/me/progress/${title.id}`, { headers });
    expect(await web.json()).toMatchObject({
      modified: '2026-06-01T09:00:00.000Z',
      device: 'Thorium (laptop)',
      locator: { type: 'application/pdf', locations: { page: 26, totalProgression: 0.25 } },
    });

    // Act: the web reader moves on to page 40; the app asks.
    const webSave = await stack.app.request(
      `/me/progress/${title.id}`,
      json(
        'PUT',
        {
          locator: {
            href: `/titles/${title.id}/publication.pdf`,
            type: 'application/pdf',
            locations: { page: 40, position: 40, progression: 0, totalProgression: 0.4 },
          },
          modified: '2026-06-01T10:00:00.000Z',
          device: 'Web (phone)',
        },
        headers,
      ),
    );
    expect(webSave.status).toBe(200);
    const got = await opds<Record<string, unknown>>(
      await request(progressionHref, { headers }),
      200,
      'application/opds-progression+json',
    );
    // Assess
    expect(validate('progression', got)).toEqual([]);
    expect(got).toMatchObject({
      modified: '2026-06-01T10:00:00.000Z',
      progression: 0.4,
      references: ['#page=40'],
      device: { name: 'Web (phone)' },
    });

    // A stale update from the app is refused and changes nothing.
    const stale = await request(progressionHref, {
      method: 'PUT',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...fromApp, modified: '2026-06-01T09:30:00Z', references: ['#page=30'] }),
    });
    const problem = await expectProblem(stale, 409, 'STALE_PROGRESS');
    expect(problem.current).toMatchObject({ progression: 0.4 });
    const unchanged = (await (await stack.app.request(`/me/progress/${title.id}`, { headers })).json()) as {
      locator: { locations: { page: number } };
    };
    expect(unchanged.locator.locations.page).toBe(40);
  });

  it('keeps an EPUB reference as the resource and refuses a progression outside 0..1', async () => {
    const title = await lendableTitle(1);
    const me = await createPatron(stack);
    const headers = { ...bearer(me.accessToken), 'Content-Type': 'application/opds-progression+json' };
    const href = `/opds/publications/${title.id}/progression`;
    const doc = {
      title: 'Bab 2',
      modified: '2026-06-01T09:00:00Z',
      device: { id: 'urn:uuid:1', name: 'Palace (phone)' },
      progression: 0.31,
      references: ['EPUB/chapter2.xhtml#par26'],
    };
    const put = await request(href, { method: 'PUT', headers, body: JSON.stringify(doc) });
    expect(put.status).toBe(200);
    const web = (await (await stack.app.request(`/me/progress/${title.id}`, { headers })).json()) as Record<
      string,
      unknown
    >;
    expect(web).toMatchObject({
      locator: { href: 'EPUB/chapter2.xhtml', title: 'Bab 2', locations: { totalProgression: 0.31 } },
    });
    const got = (await (await request(href, { headers })).json()) as Record<string, unknown>;
    expect(got).toMatchObject({ progression: 0.31, device: { id: 'urn:uuid:1', name: 'Palace (phone)' } });
    await expectProblem(
      await request(href, { method: 'PUT', headers, body: JSON.stringify({ ...doc, progression: 1.5 }) }),
      400,
      'VALIDATION_FAILED',
    );
    expect(await stack.deps.reading.getProgress(me.patron.id, title.id)).toMatchObject({
      locator: { locations: { totalProgression: 0.31 } },
    });
  });
});
