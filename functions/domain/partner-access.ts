import type { Caller } from './caller';
import { entitlementOpens } from './entitlements';
import { UnauthorizedError, type PustakaError } from './errors';
import type { DenialMetric } from './lending';
import { lendingErrors } from './lending-errors';
import { summarisePool, type Licence } from './licence';
import type { Partner } from './partner';

/**
 * The access decision for titles with `partner` access: the caller must hold an entitlement (from a federated
 * sign-in or a campus range) that the caller's partner grants for this title. There is no loan, but the title's
 * licences still cap how many read at once when they have a concurrency: the caller then needs one of that many
 * reading slots (a short lease, see ReadingSlots). Denials are lending's errors, so they are counted the same way
 * (`denialMetricOf`): NOT_ENTITLED and "no active licence" → No_License, every slot taken → Limit_Exceeded.
 */

/** How many may read at once: null = unlimited; 0 = no usable licence. */
export type ReadingCapacity = number | null;

/**
 * A title without any licence is not capacity-limited (the partner's own content, or a licence with no terms to
 * count); with licences, only usable ones count (not expired, checkouts left), and one unlimited one lifts the cap.
 */
export function readingCapacityOf(licences: readonly Licence[], now: Date): ReadingCapacity {
  if (licences.length === 0) return null;
  return summarisePool(licences, now).copies;
}

export interface PartnerAccessInput {
  title: { id: string; status: 'active' | 'withdrawn'; collections: readonly string[] };
  caller: Caller | undefined;
  /** The caller's partner, read by `caller.partnerId`. */
  partner: Pick<Partner, 'id' | 'status' | 'grants'> | undefined;
  licences: readonly Licence[];
  now: Date;
}

export type PartnerAccessDecision =
  /** Allowed; `slots` > 0 means a reading slot out of that many must be claimed first. */
  | { allowed: true; slots: number | null }
  | { allowed: false; metric: DenialMetric | undefined; error: PustakaError };

export function decidePartnerAccess(input: PartnerAccessInput): PartnerAccessDecision {
  const { title, caller, partner } = input;
  if (title.status === 'withdrawn') {
    return { allowed: false, metric: undefined, error: lendingErrors.titleWithdrawn(title.id) };
  }
  if (!caller) {
    return {
      allowed: false,
      metric: undefined,
      error: new UnauthorizedError({
        code: 'UNAUTHORIZED',
        detail: 'Sign in through your university, or connect from its network.',
      }),
    };
  }
  const entitled =
    partner !== undefined &&
    partner.status === 'active' &&
    caller.partnerId === partner.id &&
    entitlementOpens(partner, caller.entitlements ?? [], title);
  if (!entitled) return { allowed: false, metric: 'No_License', error: lendingErrors.notEntitled(title.id) };
  const capacity = readingCapacityOf(input.licences, input.now);
  if (capacity === 0) {
    return {
      allowed: false,
      metric: 'No_License',
      error: lendingErrors.noCopyAvailable(title.id, 'no-active-licence'),
    };
  }
  return { allowed: true, slots: capacity };
}

/** Every reading slot of a concurrency-limited partner title is taken. */
export const partnerLimitExceeded = (titleId: string) =>
  lendingErrors.noCopyAvailable(titleId, 'no-free-copy');

/**
 * Port: reading slots of concurrency-limited partner titles. A slot is a lease until `until` (the signed link's
 * end); the same holder asking again (a reader refreshing an expired link) renews its own slot.
 */
export interface ReadingSlots {
  claim(request: {
    titleId: string;
    holder: string;
    slots: number;
    now: Date;
    until: Date;
  }): Promise<boolean>;
}
