import type { GatewaySessionIssuer } from '../domain/federation';
import { startMemberSession } from '../domain/sign-in';
import type { AppDeps } from './deps';

/**
 * Gateway tokens for a partner member, from identity's sessions and token service: an access token carrying the
 * partner and the entitlements (subject = the member's pseudonym, no roles) and a refresh token whose family
 * keeps them, so POST /auth/refresh rotates it without a patron record (see functions/domain/sign-in.ts).
 */
export function memberSessions(deps: Pick<AppDeps, 'tokens' | 'sessions'>): GatewaySessionIssuer {
  return {
    issue: (member, now) => startMemberSession(deps, member, now),
  };
}
