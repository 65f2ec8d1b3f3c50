import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, type Session } from '../../web/src/api/client';

/** localStorage stand-in. */
class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });

const patron = { id: 'p-1', cardNumber: '20000001', name: 'Siti', roles: ['patron'] };

function signedInClient(fetcher: typeof fetch, now: () => number, session: Partial<Session> = {}) {
  const storage = new MemoryStorage();
  storage.setItem(
    'pustaka.session',
    JSON.stringify({
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      accessExpiresAt: now() + 600_000,
      patron,
      ...session,
    }),
  );
  return { client: new ApiClient({ storage, fetch: fetcher, now }), storage };
}

describe('API client', () => {
  it('refreshes an expiring access token once for many concurrent requests, then uses the new one', async () => {
    // Prepare: the stored token expires in 10 s (inside the refresh margin); three requests start together
    const calls: string[] = [];
    const now = () => 1_000_000;
    const fetcher: typeof fetch = async (input, init) => {
      const url = String(input);
      calls.push(`${init?.method} ${url} ${new Headers(init?.headers).get('Authorization') ?? ''}`);
      if (url === '/auth/refresh') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return json(200, { accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 900, patron });
      }
      return json(200, { data: [] });
    };
    const { client } = signedInClient(fetcher, now, { accessExpiresAt: now() + 10_000 });
    // Act
    await Promise.all([client.loans(), client.holds(), client.bookmarks('t-1')]);
    // Assess
    expect(calls.filter((c) => c.startsWith('POST /auth/refresh'))).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('GET')).every((c) => c.endsWith('Bearer access-2'))).toBe(true);
    expect(client.session?.refreshToken).toBe('refresh-2');
  });

  it('refreshes after a 401 and retries the request once', async () => {
    // Prepare
    let first = true;
    const fetcher: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url === '/auth/refresh') {
        return json(200, { accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 900, patron });
      }
      const auth = new Headers(init?.headers).get('Authorization');
      if (first && auth === 'Bearer access-1') {
        first = false;
        return json(401, { status: 401, code: 'INVALID_TOKEN', detail: 'expired' });
      }
      return json(200, { data: [{ id: 'l-1', titleId: 't-1', status: 'active', expiresAt: 'x' }] });
    };
    const { client } = signedInClient(fetcher, () => 1_000_000);
    // Act
    const loans = await client.loans();
    // Assess
    expect(loans.map((l) => l.id)).toEqual(['l-1']);
  });

  it('signs out when the refresh family is revoked', async () => {
    // Prepare
    const fetcher: typeof fetch = async (input) =>
      String(input) === '/auth/refresh'
        ? json(401, { status: 401, code: 'REFRESH_TOKEN_REUSED', detail: 'revoked' })
        : json(401, { status: 401, code: 'INVALID_TOKEN', detail: 'expired' });
    const { client } = signedInClient(fetcher, () => 1_000_000);
    const reasons: (string | undefined)[] = [];
    client.onSessionChange((session, reason) => reasons.push(session ? 'in' : reason));
    // Act
    const failure = await client.loans().catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(401);
    expect(client.session).toBeUndefined();
    expect(reasons).toEqual(['revoked']);
  });

  it('turns a problem+json refusal into an ApiError with its stable code', async () => {
    const fetcher: typeof fetch = async () =>
      json(409, { status: 409, code: 'NO_COPY_AVAILABLE', detail: 'No copy is free.' });
    const { client } = signedInClient(fetcher, () => 1_000_000);
    const failure = (await client.borrow('t-1', 14, 'k-1').catch((e: unknown) => e)) as ApiError;
    expect(failure.code).toBe('NO_COPY_AVAILABLE');
    expect(failure.status).toBe(409);
  });
});
