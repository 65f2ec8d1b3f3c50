import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createPatron } from '../helpers/auth';
import { createTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
/** Every /admin operation the app documents, with `{param}` filled in. */
let operations: [string, string][];

beforeAll(async () => {
  stack = await createTestStack();
  const doc = (await (await stack.app.request('/openapi.json')).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  operations = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/admin'))
    .flatMap(([path, methods]) =>
      Object.keys(methods).map((method): [string, string] => [
        method.toUpperCase(),
        path.replace(/\{[^}]+\}/g, 'u-00000000000000000000000000000000'),
      ]),
    );
});
afterAll(() => stack.destroy());

describe('every documented /admin route is librarian-only', () => {
  it('covers the content, licence, patron and audit routes', () => {
    expect(operations).toEqual(
      expect.arrayContaining([
        ['POST', '/admin/uploads'],
        ['POST', '/admin/uploads/u-00000000000000000000000000000000/complete'],
        ['POST', '/admin/uploads/u-00000000000000000000000000000000/parts'],
        ['DELETE', '/admin/uploads/u-00000000000000000000000000000000'],
        ['POST', '/admin/titles'],
        ['PATCH', '/admin/titles/u-00000000000000000000000000000000'],
        ['DELETE', '/admin/titles/u-00000000000000000000000000000000'],
        ['GET', '/admin/titles/u-00000000000000000000000000000000/licences'],
        ['POST', '/admin/titles/u-00000000000000000000000000000000/licences'],
        [
          'PATCH',
          '/admin/titles/u-00000000000000000000000000000000/licences/u-00000000000000000000000000000000',
        ],
        ['GET', '/admin/patrons'],
        ['POST', '/admin/patrons'],
        ['PATCH', '/admin/patrons/u-00000000000000000000000000000000'],
        ['POST', '/admin/patrons/import'],
        ['GET', '/admin/audit'],
      ]),
    );
  });

  it('answers no token with 401 and a patron with 403, and records nothing', async () => {
    // Prepare
    const { accessToken } = await createPatron(stack);
    for (const [method, path] of operations) {
      const init = (headers: Record<string, string>) => ({
        method,
        headers: { ...headers, 'Content-Type': 'application/json' },
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
      });
      // Act
      const anonymous = await stack.app.request(path, init({}));
      const patron = await stack.app.request(path, init(bearer(accessToken)));
      // Assess
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(patron.status, `${method} ${path}`).toBe(403);
    }
    expect((await stack.deps.audit.list({}, { limit: 10 })).data).toEqual([]);
  });
});
