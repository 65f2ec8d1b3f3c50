import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDatabaseUsage } from '../../../functions/adapters/database-usage';
import { bearer, createLibrarian, createPatron } from '../../helpers/auth';
import { createTestStack, type TestStack } from '../../helpers/stack';
import { partnerInput, registerPartner } from './fixtures';
import { expectProblem } from '../../helpers/problem';

/** GET /go?url=…: redirects to allow-listed partner databases only; everything else is a 400, never a redirect. */

let stack: TestStack;
let patron: { id: string; token: string };

const go = (query: string, headers: Record<string, string> = bearer(patron.token)) =>
  stack.app.request(`/go?${query}`, { headers });
const goTo = (url: string) => go(`url=${encodeURIComponent(url)}`);

beforeAll(async () => {
  stack = await createTestStack();
  const librarian = (await createLibrarian(stack)).accessToken;
  const created = await createPatron(stack);
  patron = { id: created.patron.id, token: created.accessToken };
  await registerPartner(
    stack,
    librarian,
    partnerInput(
      {
        issuer: 'https://idp.lic-partner.edu',
        jwksUri: 'https://idp.lic-partner.edu/jwks',
        audience: 'pustaka',
      },
      {
        id: 'lic-partner',
        databases: [
          { name: 'LIC Journals', domain: 'lic.com', startUrl: 'https://www.lic.com/' },
          { name: 'Stats', host: 'stats.example.org', startUrl: 'https://stats.example.org/' },
        ],
      },
    ),
  );
});

afterAll(async () => {
  await stack?.destroy();
});

describe('GET /go', () => {
  it.each([
    'https://lic.com/',
    'https://lic.com/journal/42?issue=3',
    'https://www.lic.com/search?q=ocean',
    'https://a.b.lic.com/x',
    'https://stats.example.org/table/7',
  ])('redirects a signed-in patron to %s', async (url) => {
    // Act
    const response = await goTo(url);
    // Assess
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(url);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('counts each use per partner, host and day', async () => {
    // Prepare
    const usage = new DynamoDatabaseUsage(stack.clients.documents, stack.config.TABLE_NAME);
    const day = stack.deps.clock.now().toISOString().slice(0, 10);
    const before = await usage.count('lic-partner', 'journals.lic.com', day);
    // Act
    await goTo('https://journals.lic.com/a');
    await goTo('https://journals.lic.com/b');
    // Assess
    expect(await usage.count('lic-partner', 'journals.lic.com', day)).toBe(before + 2);
  });

  it.each([
    ['protocol-relative', '//evil.com'],
    ['credentials', 'https://lic.com@evil.com'],
    ['allowed name as a prefix', 'https://lic.com.evil.com'],
    ['backslash trick', 'https:/\\evil.com'],
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['data:', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
    ['percent-encoded slashes', 'https://lic.com%2F%2Fevil.com'],
    ['percent-encoded slashes in the path', 'https://lic.com/%2F%2Fevil.com'],
    ['CRLF', 'https://lic.com/\r\nLocation: https://evil.com'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['IDN look-alike', 'https://lіc.com/'],
    ['IDN look-alike in punycode', 'https://xn--lc-hoc.com/'],
    ['plain http', 'http://lic.com/'],
    ['not allow-listed', 'https://evil.com/'],
  ])('refuses %s with a 400 problem, never a redirect', async (_case, url) => {
    await expectProblem(await goTo(url), 400, 'GO_TARGET_REFUSED');
  });

  it('refuses raw CRLF in the query string', async () => {
    await expectProblem(await go('url=https://lic.com/%0d%0aSet-Cookie:x=y'), 400, 'GO_TARGET_REFUSED');
  });

  it.each([
    ['an allowed and a refused target', 'https://lic.com/', 'https://evil.com/'],
    ['the same allowed target twice', 'https://lic.com/', 'https://lic.com/'],
  ])('refuses the parameter given twice (%s) with GO_TARGET_REFUSED', async (_case, first, second) => {
    // Act
    const response = await go(`url=${encodeURIComponent(first)}&url=${encodeURIComponent(second)}`);
    // Assess
    const problem = await expectProblem(response, 400, 'GO_TARGET_REFUSED');
    expect(problem).toMatchObject({ field: 'url' });
  });

  it('refuses a target over the length limit with GO_TARGET_REFUSED', async () => {
    await expectProblem(await goTo(`https://lic.com/${'a'.repeat(2048)}`), 400, 'GO_TARGET_REFUSED');
  });

  it.each([
    ['a missing url', ''],
    ['an empty url', 'url='],
  ])('refuses %s with GO_TARGET_REFUSED', async (_case, query) => {
    await expectProblem(await go(query), 400, 'GO_TARGET_REFUSED');
  });

  it('redirects a partner member signed in through their university', async () => {
    // Prepare: a gateway token as /auth/federated issues it.
    const { token } = await stack.deps.tokens.issue(
      { patronId: 'fm-member', roles: [], partnerId: 'lic-partner', entitlements: ['library'] },
      { now: stack.deps.clock.now() },
    );
    // Act
    const response = await go(`url=${encodeURIComponent('https://lic.com/')}`, bearer(token));
    // Assess
    expect(response.status).toBe(302);
  });

  it('needs a signed-in caller', async () => {
    await expectProblem(await go(`url=${encodeURIComponent('https://lic.com/')}`, {}), 401, 'UNAUTHORIZED');
  });
});
