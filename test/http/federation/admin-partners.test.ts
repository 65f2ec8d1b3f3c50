import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../functions/config';
import { partnerPolicy } from '../../../functions/http/routes/partners';
import { bearer, createLibrarian, createPatron, json } from '../../helpers/auth';
import { createTestStack, type TestStack } from '../../helpers/stack';
import { partnerInput, registerPartner } from './fixtures';
import { expectProblem } from '../../helpers/problem';

/** GET|POST|PATCH /admin/partners: librarian-only partner registry. */

let stack: TestStack;
let librarian: string;

const idp = (n: string) => ({
  issuer: `https://idp.${n}.ac.id`,
  jwksUri: `https://idp.${n}.ac.id/jwks.json`,
  audience: 'pustaka',
});

beforeAll(async () => {
  stack = await createTestStack();
  librarian = (await createLibrarian(stack)).accessToken;
});

afterAll(async () => {
  await stack?.destroy();
});

describe('/admin/partners', () => {
  it('registers, lists, reads and changes a partner', async () => {
    // Prepare / Act
    await registerPartner(stack, librarian, partnerInput(idp('alpha'), { id: 'alpha' }));
    const list = await stack.app.request('/admin/partners', { headers: bearer(librarian) });
    const patch = await stack.app.request(
      '/admin/partners/alpha',
      json('PATCH', { issuer: 'https://idp2.alpha.ac.id', ipRanges: ['198.51.100.0/24'] }, bearer(librarian)),
    );
    // Assess
    expect(list.status).toBe(200);
    expect(((await list.json()) as { data: { id: string }[] }).data.map((p) => p.id)).toContain('alpha');
    expect(patch.status).toBe(200);
    expect(await patch.json()).toMatchObject({
      issuer: 'https://idp2.alpha.ac.id',
      ipRanges: ['198.51.100.0/24'],
    });
    expect(await stack.deps.partners.getByIssuer('https://idp2.alpha.ac.id')).toMatchObject({ id: 'alpha' });
    expect(await stack.deps.partners.getByIssuer('https://idp.alpha.ac.id')).toBeUndefined();
  });

  it('changes only the fields a PATCH names: suspending keeps the campus ranges and databases', async () => {
    // Prepare
    await registerPartner(
      stack,
      librarian,
      partnerInput(idp('kappa'), {
        id: 'kappa',
        ipRanges: ['203.0.113.0/24'],
        databases: [{ name: 'Jurnal', host: 'jurnal.kappa.ac.id', startUrl: 'https://jurnal.kappa.ac.id/' }],
      }),
    );
    // Act
    const suspended = await stack.app.request(
      '/admin/partners/kappa',
      json('PATCH', { status: 'suspended' }, bearer(librarian)),
    );
    // Assess
    expect(suspended.status).toBe(200);
    const stored = await stack.deps.partners.get('kappa');
    expect(stored).toMatchObject({
      status: 'suspended',
      ipRanges: ['203.0.113.0/24'],
      databases: [{ name: 'Jurnal', host: 'jurnal.kappa.ac.id', startUrl: 'https://jurnal.kappa.ac.id/' }],
    });
  });

  it('refuses a second partner with the same id or issuer', async () => {
    await registerPartner(stack, librarian, partnerInput(idp('beta'), { id: 'beta' }));
    const sameIssuer = await stack.app.request(
      '/admin/partners',
      json('POST', partnerInput(idp('beta'), { id: 'beta-2' }), bearer(librarian)),
    );
    await expectProblem(sameIssuer, 409, 'PARTNER_EXISTS');
    const sameId = await stack.app.request(
      '/admin/partners',
      json('POST', partnerInput(idp('gamma'), { id: 'beta' }), bearer(librarian)),
    );
    await expectProblem(sameId, 409, 'PARTNER_EXISTS');
  });

  it.each([
    ['a symmetric algorithm', { algorithms: ['HS256'] }],
    ['a /0 range', { ipRanges: ['0.0.0.0/0'] }],
    ['a JWKS over plain http to another host', { jwksUri: 'http://idp.delta.ac.id/jwks.json' }],
    [
      'a database start URL off its host',
      { databases: [{ name: 'x', host: 'db.example', startUrl: 'https://evil.example/' }] },
    ],
  ])('refuses %s with 400', async (_case, overrides) => {
    const response = await stack.app.request(
      '/admin/partners',
      json('POST', { ...partnerInput(idp('delta')), ...overrides }, bearer(librarian)),
    );
    await expectProblem(response, 400, 'VALIDATION_FAILED');
  });

  it('is librarian-only', async () => {
    const { accessToken } = await createPatron(stack);
    await expectProblem(await stack.app.request('/admin/partners'), 401, 'UNAUTHORIZED');
    await expectProblem(
      await stack.app.request('/admin/partners', { headers: bearer(accessToken) }),
      403,
      'FORBIDDEN',
    );
  });

  it('answers an unknown partner with 404', async () => {
    await expectProblem(
      await stack.app.request('/admin/partners/nope', { headers: bearer(librarian) }),
      404,
      'PARTNER_NOT_FOUND',
    );
  });
});

describe('plain-http JWKS on loopback', () => {
  it('is allowed in local mode only (explicitly), never on AWS', () => {
    const local = loadConfig({ MODE: 'local' });
    const aws = loadConfig({
      MODE: 'aws',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      TABLE_NAME: 'Library',
      CONTENT_BUCKET: 'library-content',
      SIGNING_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:keys',
      TOKEN_ISSUER: 'https://api.library.example',
      TOKEN_AUDIENCE: 'library-api',
      WEB_ORIGIN: 'https://reader.library.example',
      PUBLIC_API_URL: 'https://api.library.example',
    });
    expect(partnerPolicy(local)).toEqual({ allowLoopbackHttpJwks: true });
    expect(partnerPolicy(aws)).toEqual({ allowLoopbackHttpJwks: false });
  });
});
