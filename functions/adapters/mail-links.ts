import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { MailLinkSigner } from '../domain/notification';
import type { Clock } from '../domain/ports';

/**
 * Signed links in the library's mails (unsubscribe, verify an address): the claims and an expiry, with an
 * HMAC-SHA256 over them. The key is derived (HKDF, its own label) from the server secret the gateway already
 * keeps (the pseudonym secret), so no new secret is deployed and the derived key is useless for pseudonyms.
 */
export function hmacMailLinks(source: () => Promise<string>, clock: Clock): MailLinkSigner {
  let key: Promise<Buffer> | undefined;
  const keyOf = () => {
    key ??= source()
      .then((secret) => Buffer.from(hkdfSync('sha256', secret.trim(), 'pustaka', 'mail-links v1', 32)))
      .catch((error: unknown) => {
        key = undefined;
        throw error;
      });
    return key;
  };
  const mac = async (payload: string) =>
    createHmac('sha256', await keyOf())
      .update(payload)
      .digest();
  return {
    async sign(claims) {
      const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
      return `${payload}.${(await mac(payload)).toString('base64url')}`;
    },
    async verify(token) {
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(payload + signature))
        return undefined;
      const expected = await mac(payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      let claims: unknown;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return undefined;
      }
      if (typeof claims !== 'object' || claims === null) return undefined;
      const record = claims as Record<string, string>;
      if (record.exp !== undefined && Date.parse(record.exp) <= clock.now().getTime()) return undefined;
      return record;
    },
  };
}
