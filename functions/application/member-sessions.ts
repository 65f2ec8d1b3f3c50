import type { GatewaySessionIssuer } from '../domain/federation';
import { startMemberSession, type SignInPorts } from '../domain/sign-in';

/**
 * Gateway tokens for a partner member, from identity's sessions and token service: an access token carrying the
 * partner and the entitlements (subject = the member's pseudonym, no roles) and a refresh token whose family
 * keeps them, so POST /auth/refresh rotates it without a patron record (see functions/domain/sign-in.ts).
 */
export function memberSessions(deps: Pick<SignInPorts, 'tokens' | 'sessions'>): GatewaySessionIssuer {
  return {
    issue: (member, now) => startMemberSession(deps, member, now),
  };
}
