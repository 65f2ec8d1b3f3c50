import type { Caller } from './caller';
import { entitlementOpens } from './entitlements';
import { ForbiddenError, UnauthorizedError } from './errors';
import type { Partner } from './partner';

/**
 * The access decision for titles with `partner` access: the caller must hold an entitlement (from a federated
 * sign-in or a campus range) that the caller's partner grants for this title, and the title's licences still
 * cap how many read at once when they have a concurrency. Denials name their COUNTER metric so they can be
 * counted: `No_License` (no entitlement, or no usable licence) and `Limit_Exceeded` (every slot in use).
 */

export type PartnerDenialMetric = 'Limit_Exceeded' | 'No_License';

export interface PartnerAccessInput {
  title: { id: string; access: 'partner'; status: 'active' | 'withdrawn'; collections: readonly string[] };
  caller: Caller | undefined;
  /** The caller's partner, read by `caller.partnerId`. */
  partner: Pick<Partner, 'id' | 'status' | 'grants'> | undefined;
  /**
   * Concurrent readers the title's usable licences allow: null = unlimited; 0 = no usable licence.
   * Undefined when the title has no licence at all (partner titles need none unless limited).
   */
  concurrency: number | null | undefined;
  /** Readers holding a slot right now. */
  inUse: number;
}

export type PartnerAccessDecision =
  | { allowed: true }
  | { allowed: false; metric: PartnerDenialMetric; error: ForbiddenError | UnauthorizedError };

export function decidePartnerAccess(input: PartnerAccessInput): PartnerAccessDecision {
  const { title, caller, partner } = input;
  if (!caller) {
    return {
      allowed: false,
      metric: 'No_License',
      error: new UnauthorizedError('Sign in through your university, or connect from its network.'),
    };
  }
  const entitlements = caller.entitlements ?? [];
  const entitled =
    title.status === 'active' &&
    partner !== undefined &&
    partner.status === 'active' &&
    caller.partnerId === partner.id &&
    entitlementOpens(partner, entitlements, title);
  if (!entitled) {
    return {
      allowed: false,
      metric: 'No_License',
      error: new ForbiddenError('Your account is not entitled to this resource.', 'NOT_ENTITLED', {
        titleId: title.id,
      }),
    };
  }
  if (input.concurrency === 0) {
    return {
      allowed: false,
      metric: 'No_License',
      error: new ForbiddenError('The library has no usable licence for this title.', 'NO_LICENSE', {
        titleId: title.id,
      }),
    };
  }
  if (typeof input.concurrency === 'number' && input.inUse >= input.concurrency) {
    return {
      allowed: false,
      metric: 'Limit_Exceeded',
      error: new ForbiddenError(
        'Every licensed copy is in use right now. Try again later.',
        'LIMIT_EXCEEDED',
        {
          titleId: title.id,
          concurrency: input.concurrency,
        },
      ),
    };
  }
  return { allowed: true };
}
