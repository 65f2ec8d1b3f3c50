import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createLibrarian, json } from '../../helpers/auth';
import {
  campusPartnerInput,
  signInAtIdp,
  startTestCampusIdp,
  type TestCampusIdp,
} from '../../helpers/campus-idp';
import { expectProblem } from '../../helpers/problem';
import { createTestStack, type TestStack } from '../../helpers/stack';

/**
 * A partner's OIDC client secret is write-only: kept in the secret store (DATA_DIR here), never in the
 * record, never in an API answer, never in a log line (the logger at DEBUG, every line written captured).
 */

const publicUrl = 'https://pustaka.test';
const redirectUri = `${publicUrl}/auth/oidc/callback`;

let stack: TestStack;
let librarian: string;
let idp: TestCampusIdp;
const written: string[] = [];
const originals = { stdout: process.stdout.write, stderr: process.stderr.write };

function capture(stream: 'stdout' | 'stderr') {
  const original = originals[stream];
  process[stream].write = ((chunk: unknown, ...rest: unknown[]) => {
    written.push(String(chunk));
    return (original as (...args: unknown[]) => boolean).call(process[stream], chunk, ...rest);
  }) as typeof process.stdout.write;
}

beforeAll(async () => {
  capture('stdout');
  capture('stderr');
  stack = await createTestStack({ env: { PUBLIC_API_URL: publicUrl, LOG_LEVEL: 'DEBUG' } });
  librarian = (await createLibrarian(stack)).accessToken;
  idp = await startTestCampusIdp({ redirectUri });
});

afterAll(async () => {
  process.stdout.write = originals.stdout;
  process.stderr.write = originals.stderr;
  await idp?.close();
  await stack?.destroy();
});

describe('the OIDC client secret', () => {
  it('is never in an API answer or a log line, and sign-in uses it', async () => {
    // Act: register, read, list, change, sign a member in, and fail once at the token endpoint
    const answers: string[] = [];
    const keep = async (response: Response) => {
      answers.push(await response.clone().text());
      return response;
    };
    const created = await keep(
      await stack.app.request(
        '/admin/partners',
        json('POST', campusPartnerInput(idp, 'sekret'), bearer(librarian)),
      ),
    );
    expect(created.status).toBe(201);
    await keep(await stack.app.request('/admin/partners/sekret', { headers: bearer(librarian) }));
    await keep(await stack.app.request('/admin/partners', { headers: bearer(librarian) }));
    const renamed = await keep(
      await stack.app.request(
        '/admin/partners/sekret',
        json('PATCH', { name: 'Renamed' }, bearer(librarian)),
      ),
    );
    const start = await keep(await stack.app.request('/auth/oidc/sekret/start'));
    const cookie = /pustaka_campus_flow=([^;]+)/.exec(start.headers.get('set-cookie') ?? '')![1]!;
    const callbackUrl = new URL(
      await signInAtIdp(start.headers.get('location')!, idp, { username: 'dosen', password: 'kampus-dosen' }),
    );
    const back = await keep(
      await stack.app.request(`/auth/oidc/callback${callbackUrl.search}`, {
        headers: { cookie: `pustaka_campus_flow=${cookie}` },
      }),
    );
    const replay = await keep(
      await stack.app.request(`/auth/oidc/callback${callbackUrl.search}`, {
        headers: { cookie: `pustaka_campus_flow=${cookie}` },
      }),
    );
    // …and once more with the provider gone between the start and the code exchange (a 503, logged with its cause)
    const lastStart = await keep(await stack.app.request('/auth/oidc/sekret/start'));
    const lastCookie = /pustaka_campus_flow=([^;]+)/.exec(lastStart.headers.get('set-cookie') ?? '')![1]!;
    const lastCallback = new URL(
      await signInAtIdp(lastStart.headers.get('location')!, idp, {
        username: 'dosen',
        password: 'kampus-dosen',
      }),
    );
    await idp.close();
    const unavailable = await keep(
      await stack.app.request(`/auth/oidc/callback${lastCallback.search}`, {
        headers: { cookie: `pustaka_campus_flow=${lastCookie}` },
      }),
    );
    await expectProblem(unavailable, 503, 'PARTNER_UNAVAILABLE');
    // Assess: the member got in (so the secret was used), the record says only that a secret is set
    expect(back.status).toBe(303);
    await expectProblem(replay, 400, 'CAMPUS_CODE_REPLAYED');
    expect(await renamed.json()).toMatchObject({ oidc: { clientId: idp.clientId, clientSecretSet: true } });
    expect(JSON.stringify(await stack.deps.partners.get('sekret'))).not.toContain(idp.clientSecret);
    expect(await stack.deps.partnerSecrets!.get('sekret')).toBe(idp.clientSecret);
    for (const answer of answers) expect(answer).not.toContain(idp.clientSecret);
    const logged = written.join('');
    expect(logged).toContain('"path":"/auth/oidc/callback"');
    expect(logged).toContain('PARTNER_UNAVAILABLE');
    expect(logged).not.toContain(idp.clientSecret);
  });

  it('refuses settings that cannot work, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ clientId: 'pustaka', scopes: ['profile'] }, 'oidc.scopes'],
      [{ clientId: 'with space' }, 'oidc.clientId'],
      [{ clientId: 'pustaka', clientSecret: 'short' }, 'oidc.clientSecret'],
      [{ clientId: 'pustaka', scopes: ['open"id'] }, 'oidc.scopes'],
    ];
    for (const [oidc, field] of cases) {
      const response = await stack.app.request(
        '/admin/partners',
        json(
          'POST',
          { ...campusPartnerInput(idp, 'invalid-oidc'), issuer: 'https://idp.invalid.ac.id', oidc },
          bearer(librarian),
        ),
      );
      const problem = await expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(problem), JSON.stringify(oidc)).toContain(field);
    }
    expect(await stack.deps.partners.get('invalid-oidc')).toBeUndefined();
    // null takes campus sign-in away
    const removed = await stack.app.request(
      '/admin/partners/sekret',
      json('PATCH', { oidc: null }, bearer(librarian)),
    );
    expect(await removed.json()).not.toHaveProperty('oidc');
    await expectProblem(
      await stack.app.request('/auth/oidc/sekret/start'),
      404,
      'CAMPUS_SIGN_IN_NOT_OFFERED',
    );
  });
});
