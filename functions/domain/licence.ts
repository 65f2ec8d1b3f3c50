/**
 * Lending licences after ODL 1.0 (`terms`): each null means "unlimited" (concurrency, checkouts),
 * "perpetual" (expires) or "the library's default" (loanLength).
 */
export interface LicenceTerms {
  /** Concurrent loans allowed; null = unlimited. */
  concurrency: number | null;
  /** Checkouts allowed over the licence's life; null = unlimited. */
  checkouts: number | null;
  /** ISO 8601 instant after which nothing may be lent; null = perpetual. */
  expires: string | null;
  /** Longest single loan, seconds; null = the library's default periods only. */
  loanLength: number | null;
}

export interface Licence {
  id: string;
  titleId: string;
  terms: LicenceTerms;
  /** Checkouts still allowed; null when the terms allow unlimited checkouts. Never negative. */
  checkoutsLeft: number | null;
  /**
   * Free concurrent slots; null when concurrency is unlimited. A slot is either free, held by an active
   * loan, or held by a reserved hold: loans + reserved holds + available = concurrency.
   */
  available: number | null;
  createdAt: string;
  /** The supplier's own identifier for this licence (ODL `identifier`), as the librarian entered it. */
  supplierLicenceId?: string;
  /** A librarian's note (order number, conditions, who to call). */
  note?: string;
  /** Patron id of the librarian who added it (absent for seeded licences). */
  createdBy?: string;
  /**
   * Set while a librarian has deactivated the licence: nothing new is lent from it (no checkout, renewal or
   * reservation), while loans already out run to their end and reservations already made are honoured.
   */
  deactivatedAt?: string;
}

/** How a licence stands, for librarians: only an `active` one lends. */
export type LicenceState = 'active' | 'inactive' | 'expired' | 'exhausted';

export function newLicence(id: string, titleId: string, terms: LicenceTerms, createdAt: Date): Licence {
  return {
    id,
    titleId,
    terms,
    checkoutsLeft: terms.checkouts,
    available: terms.concurrency,
    createdAt: createdAt.toISOString(),
  };
}

export function isExpired(licence: Licence, now: Date): boolean {
  return licence.terms.expires !== null && Date.parse(licence.terms.expires) <= now.getTime();
}

export function isActive(licence: Licence): boolean {
  return licence.deactivatedAt === undefined;
}

/** Its terms still allow a loan: not expired and checkouts left (slots and deactivation aside). */
export function isWithinTerms(licence: Licence, now: Date): boolean {
  return !isExpired(licence, now) && (licence.checkoutsLeft === null || licence.checkoutsLeft > 0);
}

/** Usable for a new loan, a renewal or a new reservation: active and within its terms (slots aside). */
export function isUsable(licence: Licence, now: Date): boolean {
  return isActive(licence) && isWithinTerms(licence, now);
}

export function licenceState(licence: Licence, now: Date): LicenceState {
  if (!isActive(licence)) return 'inactive';
  if (isExpired(licence, now)) return 'expired';
  return isWithinTerms(licence, now) ? 'active' : 'exhausted';
}

/** Why terms a librarian gives cannot be a licence, or undefined when they can. */
export function termsProblem(terms: LicenceTerms, now: Date): { field: string; message: string } | undefined {
  if (terms.expires !== null && Date.parse(terms.expires) <= now.getTime()) {
    return { field: 'terms.expires', message: 'A new licence must expire in the future.' };
  }
  return undefined;
}

export function hasFreeSlot(licence: Licence): boolean {
  return licence.available === null || licence.available > 0;
}

/** Rank of a licence in the order of use: lower first. */
function group(licence: Licence): number {
  if (licence.terms.expires !== null) return 0; // soonest-expiring first
  if (licence.checkoutsLeft === null) return 1; // then perpetual
  return 2; // then checkout-limited, most checkouts left first
}

/**
 * The order a pool is drawn from: licences that expire, soonest first (use them before they are lost); then
 * perpetual ones with unlimited checkouts; then checkout-limited ones with the most checkouts left.
 * Ties break on the licence id so the order is total and stable.
 */
export function compareLicences(a: Licence, b: Licence): number {
  const ga = group(a);
  const gb = group(b);
  if (ga !== gb) return ga - gb;
  if (ga === 0) {
    const byExpiry = Date.parse(a.terms.expires!) - Date.parse(b.terms.expires!);
    if (byExpiry !== 0) return byExpiry;
  }
  if (ga === 2) {
    const byLeft = b.checkoutsLeft! - a.checkoutsLeft!;
    if (byLeft !== 0) return byLeft;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The licence a new loan is drawn from, or undefined when none is usable with a free slot. */
export function chooseLicence(pool: readonly Licence[], now: Date): Licence | undefined {
  return [...pool].filter((l) => isUsable(l, now) && hasFreeSlot(l)).sort(compareLicences)[0];
}

export interface PoolSummary {
  /** Concurrent copies across usable licences; null when one of them is unlimited. */
  copies: number | null;
  /** Free copies across usable licences; null when unlimited. */
  available: number | null;
}

export function summarisePool(pool: readonly Licence[], now: Date): PoolSummary {
  let copies: number | null = 0;
  let available: number | null = 0;
  for (const licence of pool) {
    if (!isUsable(licence, now)) continue;
    copies =
      copies === null || licence.terms.concurrency === null ? null : copies + licence.terms.concurrency;
    available = available === null || licence.available === null ? null : available + licence.available;
  }
  return { copies, available };
}
