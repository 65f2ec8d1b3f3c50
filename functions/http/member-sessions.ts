import type { GatewaySessionIssuer } from '../domain/federation';
import type { AppDeps } from './deps';

/**
 * Gateway tokens for a partner member, from identity's token service: an access token carrying the partner and
 * the entitlements (subject = the member's pseudonym, no roles). No refresh token: identity's refresh reads the
 * patron record, which partner members do not have, so a member signs in through the partner again instead.
 */
export function memberSessions(deps: Pick<AppDeps, 'tokens'>): GatewaySessionIssuer {
  return {
    async issue(member, now) {
      const access = await deps.tokens.issue(member, { now });
      return { accessToken: access.token, expiresIn: access.expiresIn };
    },
  };
}
