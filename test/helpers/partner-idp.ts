import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/**
 * A partner university's identity provider for tests: jose-generated keys, a JWKS served over HTTP on
 * 127.0.0.1 (a free port), and member tokens signed with them.
 *
 *   const idp = await startPartnerIdp({ issuer: 'https://idp.partner.edu' });
 *   const token = await idp.sign({ eduperson_entitlement: ['urn:mace:dir:entitlement:common-lib-terms'] });
 *   idp.mode = 'slow';     // answers after `slowMs` (longer than the gateway's timeout)
 *   idp.mode = 'down';     // answers 503
 *   await idp.rotate();    // a new key with a new kid; the old one is no longer published
 *   idp.hits('/jwks.json') // how often a path was fetched (also any other path, e.g. a `jku` target)
 */

export interface IdpKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface PartnerIdp {
  issuer: string;
  audience: string;
  /** http://127.0.0.1:<port>/jwks.json */
  jwksUri: string;
  origin: string;
  mode: 'normal' | 'slow' | 'down';
  slowMs: number;
  current: IdpKey;
  /** Signs a member token with the current key (or `options.key`); standard claims filled in unless overridden. */
  sign(claims?: JWTPayload, options?: SignOptions): Promise<string>;
  rotate(): Promise<IdpKey>;
  hits(path: string): number;
  close(): Promise<void>;
}

export interface SignOptions {
  key?: IdpKey;
  header?: Record<string, unknown>;
  /** The signing time (iat); default now. */
  now?: Date;
  expiresInSeconds?: number;
}

export async function newKey(alg = 'ES256'): Promise<IdpKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `k-${randomUUID().slice(0, 8)}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

export async function signWith(
  key: IdpKey,
  payload: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

export async function startPartnerIdp(
  options: { issuer?: string; audience?: string; alg?: string; now?: () => Date } = {},
): Promise<PartnerIdp> {
  const hits = new Map<string, number>();
  let published: IdpKey[] = [await newKey(options.alg)];
  const pending = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    if (idp.mode === 'down') {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('down for maintenance');
      return;
    }
    const send = () =>
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ keys: published.map((k) => k.publicJwk) }));
    if (idp.mode === 'slow') {
      const timer = setTimeout(() => {
        pending.delete(timer);
        if (!res.destroyed) send();
      }, idp.slowMs);
      pending.add(timer);
    } else {
      send();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const now = options.now ?? (() => new Date());

  const idp: PartnerIdp = {
    issuer: options.issuer ?? 'https://idp.partner.edu',
    audience: options.audience ?? 'https://pustaka.example/federation',
    jwksUri: `${origin}/jwks.json`,
    origin,
    mode: 'normal',
    slowMs: 5_000,
    current: published[0]!,
    async sign(claims = {}, signOptions = {}) {
      const iat = Math.floor((signOptions.now ?? now()).getTime() / 1000);
      const payload: JWTPayload = {
        iss: idp.issuer,
        aud: idp.audience,
        sub: 'member-42',
        iat,
        exp: iat + (signOptions.expiresInSeconds ?? 120),
        jti: randomUUID(),
        ...claims,
      };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return signWith(signOptions.key ?? idp.current, payload, signOptions.header);
    },
    async rotate() {
      const next = await newKey(idp.current.alg);
      published = [next];
      idp.current = next;
      return next;
    },
    hits: (path) => hits.get(path) ?? 0,
    async close() {
      for (const timer of pending) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return idp;
}
