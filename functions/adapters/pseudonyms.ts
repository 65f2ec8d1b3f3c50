import { createHmac } from 'node:crypto';
import type { Pseudonyms } from '../domain/federation';

/**
 * A partner member's id at the gateway: HMAC-SHA256 over (issuer, subject) with a server secret. Stable (the
 * same member gets the same id at every sign-in, so reading positions and bookmarks follow them), not
 * reversible without the secret, and unlinkable across partners.
 */
export function hmacPseudonyms(secret: string): Pseudonyms {
  if (secret.length < 32) throw new TypeError('hmacPseudonyms: the secret must be at least 32 characters');
  return {
    subjectFor(issuer: string, sub: string): string {
      const digest = createHmac('sha256', secret)
        .update(issuer)
        .update('\u0000')
        .update(sub)
        .digest('base64url');
      return `fm-${digest.slice(0, 32)}`;
    },
  };
}
