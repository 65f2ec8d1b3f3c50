import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../web/src/api/client';

/** The web client's side of campus sign-in: the hand-off becomes a session, and a refresh keeps its profile. */

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
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('campus sign-in in the API client', () => {
  it('redeems the one-time code by POST and keeps the institution as the profile across a refresh', async () => {
    // Prepare: the API as it answers a member (no patron profile in either answer)
    const calls: string[] = [];
    let now = 1_000_000;
    const fetcher: typeof fetch = async (input, init) => {
      const url = String(input);
      calls.push(`${init?.method} ${url} ${String(init?.body ?? '')}`);
      if (url === '/auth/oidc/session') {
        return json(200, {
          accessToken: 'member-1',
          refreshToken: 'r-1',
          expiresIn: 900,
          partnerId: 'universitas-contoh',
          partnerName: 'Universitas Contoh',
          entitlements: ['contoh-member'],
          returnPath: '#/titles/t-1',
        });
      }
      if (url === '/auth/refresh') {
        return json(200, {
          accessToken: 'member-2',
          refreshToken: 'r-2',
          expiresIn: 900,
          partnerId: 'universitas-contoh',
          entitlements: ['contoh-member'],
        });
      }
      return json(200, { data: [] });
    };
    const client = new ApiClient({ storage: new MemoryStorage(), fetch: fetcher, now: () => now });
    // Act
    const { session, returnPath } = await client.redeemCampusSignIn('code-1');
    now += 890_000;
    await client.loans();
    // Assess
    expect(calls[0]).toBe('POST /auth/oidc/session {"handoff":"code-1"}');
    expect(returnPath).toBe('#/titles/t-1');
    expect(session.patron).toMatchObject({ name: 'Universitas Contoh', roles: [] });
    expect(client.session).toMatchObject({ accessToken: 'member-2', patron: { name: 'Universitas Contoh' } });
    expect(client.campusStartUrl('universitas-contoh', '#/titles/t-1')).toBe(
      '/auth/oidc/universitas-contoh/start?return=%23%2Ftitles%2Ft-1',
    );
  });
});
