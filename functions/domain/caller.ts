import type { Role } from './patron';

/**
 * Who is making a request, as established by the auth middleware from a verified token (or, for campus
 * access, from the network). Routes read it from the context; the domain decides with it.
 */
export interface Caller {
  /** The patron id, or a stable pseudonymous id for a partner member. */
  patronId: string;
  roles: Role[];
  /** Set for partner members and campus access. */
  partnerId?: string;
  /** Entitlements granted by a partner (federated login or campus IP range). */
  entitlements?: string[];
  /**
   * Set when the caller is known only by a campus network address (no token): good for `partner` titles,
   * never a signed-in patron (no loans, no /go, nothing under /me).
   */
  campus?: true;
}

/** The caller as a signed-in patron or member: campus access does not count. */
export function signedIn(caller: Caller | undefined): Caller | undefined {
  return caller?.campus ? undefined : caller;
}
