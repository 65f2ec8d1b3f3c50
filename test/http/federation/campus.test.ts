import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { usageKeys } from '../../../functions/adapters/keys';
import type { Title } from '../../../functions/domain/title';
import { createApp } from '../../../functions/http/app';
import { bearer, createLibrarian, createPatron, json } from '../../helpers/auth';
import { createTestStack, type TestStack } from '../../helpers/stack';
import { createTitle, partnerInput, registerPartner } from './fixtures';
import { expectProblem } from '../../helpers/problem';

/**
 * Campus access: requests from a partner's ranges read its `partner` titles without signing in. The address
 * comes from API Gateway's request context (passed as the Lambda event in `app.request`'s env) or the socket.
 */

let stack: TestStack;
let title: Title;
let librarian: string;

const fromGateway = (sourceIp: string) => ({ event: { requestContext: { http: { sourceIp } } } });
const fromSocket = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });
// A machine client that asks for JSON problems (a reading app gets the Authentication Document on a 401).
const read = (env: unknown, headers: Record<string, string> = {}, app = stack.app) =>
  app.request(
    `/opds/publications/${title.id}/content`,
    { headers: { Accept: 'application/problem+json', ...headers } },
    env,
  );

const idp = {
  issuer: 'https://idp.campus.edu',
  jwksUri: 'https://idp.campus.edu/jwks.json',
  audience: 'pustaka',
};

beforeAll(async () => {
  stack = await createTestStack();
  librarian = (await createLibrarian(stack)).accessToken;
  title = await createTitle(stack);
  await registerPartner(
    stack,
    librarian,
    partnerInput(idp, { id: 'campus-u', ipRanges: ['192.0.2.0/24', '2001:db8:10::/48'] }),
  );
});

afterAll(async () => {
  await stack?.destroy();
});

describe('campus IP ranges', () => {
  it.each([
    ['an IPv4 address in range (API Gateway)', fromGateway('192.0.2.77')],
    ['an IPv6 address in range (API Gateway)', fromGateway('2001:db8:10:42::7')],
    ['an ::ffff:-mapped IPv4 address (dual-stack socket)', fromSocket('::ffff:192.0.2.77')],
    ['an IPv4 address on the socket', fromSocket('192.0.2.1')],
  ])('%s reads a partner title without signing in', async (_case, env) => {
    // Act
    const response = await read(env);
    // Assess
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toContain(title.contentKey);
  });

  it.each([
    ['an address outside every range', fromGateway('203.0.113.9')],
    ['an IPv6 address outside', fromGateway('2001:db8:11::1')],
    ['no network address at all', undefined],
  ])('%s gets 401 with a link to the OPDS authentication document', async (_case, env) => {
    const response = await read(env);
    await expectProblem(response, 401, 'UNAUTHORIZED');
    expect(response.headers.get('link')).toContain('rel="http://opds-spec.org/auth/document"');
  });

  it('a spoofed X-Forwarded-For gives nothing', async () => {
    for (const xff of ['192.0.2.77', '192.0.2.77, 203.0.113.9', '2001:db8:10::1']) {
      await expectProblem(
        await read(fromGateway('203.0.113.9'), { 'X-Forwarded-For': xff }),
        401,
        'UNAUTHORIZED',
      );
    }
  });

  it('X-Forwarded-For counts only behind a configured trusted proxy', async () => {
    // Prepare: an app whose configuration trusts the proxies in 10.0.0.0/8.
    const behindProxy = createApp({
      ...stack.deps,
      config: { ...stack.deps.config, TRUSTED_PROXY_CIDRS: ['10.0.0.0/8'] },
    });
    // Act / Assess
    expect(
      (await read(fromGateway('10.1.2.3'), { 'X-Forwarded-For': '192.0.2.77' }, behindProxy)).status,
    ).toBe(302);
    await expectProblem(
      await read(fromGateway('203.0.113.9'), { 'X-Forwarded-For': '192.0.2.77' }, behindProxy),
      401,
      'UNAUTHORIZED',
    );
    await expectProblem(
      await read(fromGateway('10.1.2.3'), { 'X-Forwarded-For': '192.0.2.77, 203.0.113.9' }, behindProxy),
      401,
      'UNAUTHORIZED',
    );
  });

  it('a campus caller is not entitled to titles the partner does not grant, and the denial is counted', async () => {
    // Prepare
    const other = await createTitle(stack, { subjects: ['Somewhere Else'] });
    // Act
    const response = await stack.app.request(
      `/opds/publications/${other.id}/content`,
      {},
      fromGateway('192.0.2.77'),
    );
    // Assess
    await expectProblem(response, 403, 'NOT_ENTITLED');
    const day = stack.deps.clock.now().toISOString().slice(0, 10);
    const { Item } = await stack.clients.documents.send(
      new GetCommand({
        TableName: stack.config.TABLE_NAME,
        Key: usageKeys.counter(other.id, day, 'No_License'),
      }),
    );
    expect(Item?.count).toBe(1);
  });

  it('a sent token is checked, never replaced by campus access', async () => {
    await expectProblem(
      await read(fromGateway('192.0.2.77'), { Authorization: 'Bearer not-a-token' }),
      401,
      'INVALID_TOKEN',
    );
  });

  it('a library patron (no partner entitlement) off campus is refused', async () => {
    const { accessToken } = await createPatron(stack);
    await expectProblem(await read(fromGateway('203.0.113.9'), bearer(accessToken)), 403, 'NOT_ENTITLED');
  });
});

describe('campus access over a real socket (npm start)', () => {
  it('reads the ::ffff:-mapped peer address of a dual-stack listener', async () => {
    // Prepare: a campus range for loopback, and the app served by @hono/node-server on [::] (dual stack).
    await registerPartner(
      stack,
      librarian,
      partnerInput(
        { ...idp, issuer: 'https://idp.loopback.edu' },
        { id: 'loopback-u', ipRanges: ['127.0.0.0/8'] },
      ),
    );
    const server = await new Promise<ServerType>((ready) => {
      const s = serve({ fetch: stack.app.fetch, port: 0, hostname: '::' }, () => ready(s));
    });
    const { port } = server.address() as AddressInfo;
    try {
      // Act: IPv4 client → the socket reports ::ffff:127.0.0.1
      const response = await fetch(`http://127.0.0.1:${port}/opds/publications/${title.id}/content`, {
        redirect: 'manual',
      });
      // Assess
      expect(response.status).toBe(302);
      const spoofed = await fetch(`http://127.0.0.1:${port}/opds/publications/${title.id}/content`, {
        redirect: 'manual',
        headers: { 'X-Forwarded-For': '203.0.113.9' },
      });
      expect(spoofed.status).toBe(302);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});

describe('saving ranges', () => {
  it.each(['0.0.0.0/0', '::/0'])('refuses %s when the partner is saved', async (range) => {
    // Act
    const response = await stack.app.request(
      '/admin/partners',
      json(
        'POST',
        partnerInput({ ...idp, issuer: `https://x-${range.length}.example` }, { ipRanges: [range] }),
        bearer(librarian),
      ),
    );
    // Assess
    const body = await expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(body.detail).toContain('/0');
  });

  it('refuses a /0 range in a change too, and keeps the partner as it was', async () => {
    const response = await stack.app.request(
      '/admin/partners/campus-u',
      json('PATCH', { ipRanges: ['0.0.0.0/0'] }, bearer(librarian)),
    );
    await expectProblem(response, 400, 'VALIDATION_FAILED');
    const stored = await stack.app.request('/admin/partners/campus-u', { headers: bearer(librarian) });
    expect(((await stored.json()) as { ipRanges: string[] }).ipRanges).toEqual([
      '192.0.2.0/24',
      '2001:db8:10::/48',
    ]);
  });
});
