import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createPatron, json } from '../helpers/auth';
import { createTestStack, type TestStack } from '../helpers/stack';
import { createTitle } from './federation/fixtures';

/** Every answer of the API tells browsers not to sniff its body into another type, whatever produced it. */

let stack: TestStack;
let patronToken: string;
let coveredTitleId: string;

beforeAll(async () => {
  stack = await createTestStack();
  patronToken = (await createPatron(stack)).accessToken;
  const title = await createTitle(stack, {
    access: 'open',
    coverKey: 'content/covered/cover.jpg',
    coverType: 'image/jpeg',
  });
  coveredTitleId = title.id;
});

afterAll(async () => {
  await stack?.destroy();
});

describe('X-Content-Type-Options: nosniff', () => {
  it.each([
    ['JSON', () => stack.app.request('/health'), 200, 'application/json'],
    [
      'a patron’s JSON',
      () => stack.app.request('/me/loans', { headers: bearer(patronToken) }),
      200,
      'application/json',
    ],
    ['the OpenAPI document', () => stack.app.request('/openapi.json'), 200, 'application/json'],
    ['an OPDS feed', () => stack.app.request('/opds'), 200, 'application/opds+json'],
    ['a redirect (the cover)', () => stack.app.request(`/titles/${coveredTitleId}/cover`), 302, null],
    [
      'a problem from a route',
      () => stack.app.request('/titles/does-not-exist'),
      404,
      'application/problem+json',
    ],
    [
      'a 404 for a path no route serves',
      () => stack.app.request('/no/such/path'),
      404,
      'application/problem+json',
    ],
    [
      'a 401 from the admin guard, before any route',
      () => stack.app.request('/admin/patrons'),
      401,
      'application/problem+json',
    ],
    [
      'a 413 from the body limit, before any route',
      () => stack.app.request('/auth/login', json('POST', { cardNumber: '1', pin: 'x'.repeat(20_000) })),
      413,
      'application/problem+json',
    ],
    [
      'a 400 for a body that is not JSON',
      () =>
        stack.app.request('/auth/login', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"cardNumber":',
        }),
      400,
      'application/problem+json',
    ],
    [
      'a CORS preflight',
      () =>
        stack.app.request('/titles', {
          method: 'OPTIONS',
          headers: { Origin: 'https://x.example', 'Access-Control-Request-Method': 'GET' },
        }),
      204,
      null,
    ],
  ] as const)('is on %s', async (_case, send, status, type) => {
    // Act
    const response = await send();
    // Assess
    expect(response.status).toBe(status);
    if (type) expect(response.headers.get('content-type')).toContain(type);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
