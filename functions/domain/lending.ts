import type { Caller } from './caller';
import { UnauthorizedError, ValidationError } from './errors';
import {
  holdsInLine,
  isHoldLive,
  isReservationOpen,
  isSuspended,
  reservationHours,
  type Hold,
  type HoldQueue,
  type SuspensionDays,
} from './hold';
import { lendingErrors } from './lending-errors';
import { chooseLicence, isUsable, isWithinTerms, summarisePool, termsProblem, type Licence } from './licence';
import { defaultLoanDays, isLoanCurrent, loanEndOf, type Loan, type LoanDays } from './loan';
import type { PatronStatus } from './patron';
import type { AccessMode, TitleStatus } from './title';

/**
 * The lending decisions, as pure functions over a snapshot of the state and an instant. Each returns what
 * should change (or throws the refusal); the repository writes the change in one transaction whose
 * conditions hold exactly the facts the decision relied on, so a decision made on a stale snapshot is never
 * written: it is made again on fresh state.
 */

/** What lending needs to know about a title. */
export interface TitleLending {
  titleId: string;
  access: AccessMode;
  status: TitleStatus;
  licences: Licence[];
  queue: HoldQueue;
}

/** What lending needs to know about a patron, for one title. */
export interface PatronLending {
  patronId: string;
  status: PatronStatus;
  loanLimit: number;
  holdLimit: number;
  /** Active loans (by the counter kept with every loan change). */
  loans: number;
  /** Live holds (waiting or reserved). */
  holds: number;
  /** The patron's active loan of this title, if any. */
  loanOfTitle?: Loan;
  /** The patron's live hold on this title, if any. */
  holdOfTitle?: Hold;
}

/** A denial worth counting, COUNTER-style. */
export type DenialMetric = 'Limit_Exceeded' | 'No_License';

export interface CheckoutDecision {
  loan: Loan;
  /** The licence as read; its slot and checkouts are what the write is conditioned on. */
  licence: Licence;
  /** True when a free slot is taken; false when the loan takes up the slot kept for the patron's hold. */
  takesSlot: boolean;
  usesCheckout: boolean;
  /** The patron's hold this loan fulfils: reserved for them, or (suspended) waiting. */
  consumesHold?: Hold;
}

function assertLendable(title: TitleLending): void {
  if (title.status === 'withdrawn') throw lendingErrors.titleWithdrawn(title.titleId);
  if (title.access !== 'licensed') throw lendingErrors.notLendable(title.titleId);
}

export function decideCheckout(input: {
  title: TitleLending;
  patron: PatronLending;
  days?: LoanDays;
  now: Date;
  loanId: string;
}): CheckoutDecision {
  const { title, patron, now } = input;
  const days = input.days ?? defaultLoanDays;
  assertLendable(title);
  if (patron.status !== 'active') throw lendingErrors.patronBlocked();
  if (patron.loanOfTitle) throw lendingErrors.alreadyOnLoan(title.titleId);
  if (patron.loans >= patron.loanLimit) throw lendingErrors.loanLimitReached(patron.loanLimit);

  const newLoan = (licence: Licence): Loan => ({
    id: input.loanId,
    patronId: patron.patronId,
    titleId: title.titleId,
    licenceId: licence.id,
    status: 'active',
    days,
    checkedOutAt: now.toISOString(),
    expiresAt: loanEndOf(now, now, days, licence).toISOString(),
    renewals: 0,
  });

  const hold = patron.holdOfTitle;
  if (hold && isReservationOpen(hold, now)) {
    const licence = title.licences.find((l) => l.id === hold.licenceId);
    // A reservation already made is honoured even if a librarian has since deactivated its licence.
    if (!licence || !isWithinTerms(licence, now))
      throw lendingErrors.noCopyAvailable(title.titleId, 'no-active-licence');
    return {
      loan: newLoan(licence),
      licence,
      takesSlot: false,
      usesCheckout: licence.checkoutsLeft !== null,
      consumesHold: hold,
    };
  }

  if (!title.licences.some((l) => isUsable(l, now))) {
    throw lendingErrors.noCopyAvailable(title.titleId, 'no-active-licence');
  }
  // Patrons in the queue come first: a copy freed while holds wait is kept for the first of them. Suspended
  // holds let copies pass, so with only those in the queue a free copy goes to whoever asks.
  if (holdsInLine(title.queue) > 0) throw lendingErrors.noCopyAvailable(title.titleId, 'holds-waiting');
  const licence = chooseLicence(title.licences, now);
  if (!licence) throw lendingErrors.noCopyAvailable(title.titleId, 'no-free-copy');
  return {
    loan: newLoan(licence),
    licence,
    takesSlot: licence.available !== null,
    usesCheckout: licence.checkoutsLeft !== null,
    // A patron whose own hold is suspended may still take a copy nobody in line wants: the loan fulfils it.
    ...(hold?.status === 'waiting' ? { consumesHold: hold } : {}),
  };
}

/** Which statistic a checkout refusal counts as, if any. */
export function denialMetricOf(error: unknown): DenialMetric | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, context } = error as { code?: string; context?: { reason?: string } };
  if (code === 'NO_COPY_AVAILABLE')
    return context?.reason === 'no-active-licence' ? 'No_License' : 'Limit_Exceeded';
  if (code === 'NOT_ENTITLED') return 'No_License';
  return undefined;
}

/** What happens to a slot that a loan or a reservation gives back. */
export type Release =
  /**
   * Kept for the first waiting hold that is not suspended, which becomes reserved. `endsSuspension` is the
   * end of a suspension the hold is still stored with (run out, not yet resumed by a write).
   */
  | { kind: 'reserve'; hold: Hold; endsSuspension?: string }
  /** Back to the licence's free slots (or, for unlimited concurrency, nothing to count). */
  | { kind: 'free' };

export function decideRelease(input: {
  licence: Licence | undefined;
  firstWaiting: Hold | undefined;
  now: Date;
}): Release {
  const { licence, firstWaiting, now } = input;
  if (
    licence &&
    firstWaiting &&
    !isSuspended(firstWaiting, now) &&
    licence.available !== null &&
    isUsable(licence, now)
  ) {
    return {
      kind: 'reserve',
      hold: reservationOf(firstWaiting, licence, now),
      ...(firstWaiting.suspendedUntil ? { endsSuspension: firstWaiting.suspendedUntil } : {}),
    };
  }
  return { kind: 'free' };
}

/** A waiting hold becomes reserved on a licence's slot for 72 hours. */
function reservationOf(hold: Hold, licence: Licence, now: Date): Hold {
  const { suspendedUntil: _ended, ...unsuspended } = hold;
  return {
    ...unsuspended,
    status: 'reserved',
    reservedAt: now.toISOString(),
    reservedUntil: new Date(now.getTime() + reservationHours * 3_600_000).toISOString(),
    licenceId: licence.id,
  };
}

/** One waiting hold reserved on a slot the pool has free. */
export interface Reservation {
  hold: Hold;
  licence: Licence;
  endsSuspension?: string;
}

/**
 * Slots that become free other than by a return (a licence added or reactivated) go to the queue just as a
 * returned copy does: each waiting hold, first in line first, is reserved on the licence a loan would be
 * drawn from, while one has a free slot. `waiting` is the head of the queue, in order. On an unlimited
 * licence every waiting hold is reserved (nobody need wait, but the queue goes first).
 */
export function decideAdvance(input: {
  title: TitleLending;
  waiting: readonly Hold[];
  now: Date;
}): Reservation[] {
  const { title, now } = input;
  if (title.status === 'withdrawn' || title.access !== 'licensed') return [];
  const pool = title.licences.map((l) => ({ ...l }));
  const reservations: Reservation[] = [];
  for (const hold of input.waiting) {
    if (hold.status !== 'waiting' || isSuspended(hold, now)) continue;
    const licence = chooseLicence(pool, now);
    if (!licence) break;
    const release = decideRelease({ licence, firstWaiting: hold, now });
    const reserved = release.kind === 'reserve' ? release.hold : reservationOf(hold, licence, now);
    if (licence.available !== null) licence.available -= 1;
    reservations.push({
      hold: reserved,
      licence: title.licences.find((l) => l.id === licence.id)!,
      ...(hold.suspendedUntil ? { endsSuspension: hold.suspendedUntil } : {}),
    });
  }
  return reservations;
}

/** A librarian adds a licence to a title's pool. */
export function decideAddLicence(input: { title: TitleLending; licence: Licence; now: Date }): Licence {
  const { title, licence, now } = input;
  if (title.status === 'withdrawn') throw lendingErrors.titleWithdrawn(title.titleId);
  const problem = termsProblem(licence.terms, now);
  if (problem) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: 'The licence terms are not valid.',
      context: { errors: [{ in: 'json', ...problem }] },
    });
  }
  const supplierId = licence.supplierLicenceId;
  if (supplierId !== undefined && title.licences.some((l) => l.supplierLicenceId === supplierId)) {
    throw lendingErrors.licenceExists(title.titleId, supplierId);
  }
  return licence;
}

export interface EndLoanDecision {
  loan: Loan;
  release: Release;
}

function endLoan(
  loan: Loan,
  status: 'returned' | 'expired',
  endedAt: Date,
  context: { licence: Licence | undefined; firstWaiting: Hold | undefined; now: Date },
): EndLoanDecision {
  return {
    loan: { ...loan, status, endedAt: endedAt.toISOString() },
    release: decideRelease(context),
  };
}

/** Return early. A loan already past its end is recorded as expired (it ended then), not as returned. */
export function decideReturn(input: {
  loan: Loan | undefined;
  loanId: string;
  patronId: string;
  licence: Licence | undefined;
  firstWaiting: Hold | undefined;
  now: Date;
}): EndLoanDecision {
  const { loan, now } = input;
  if (!loan || loan.patronId !== input.patronId) throw lendingErrors.loanNotFound(input.loanId);
  if (loan.status !== 'active') throw lendingErrors.loanEnded(loan.id);
  return isLoanCurrent(loan, now)
    ? endLoan(loan, 'returned', now, input)
    : endLoan(loan, 'expired', new Date(loan.expiresAt), input);
}

/** The sweeper's (or a lazy reader's) decision about a loan: ended at `expiresAt`, or nothing to do. */
export function decideExpiry(input: {
  loan: Loan;
  licence: Licence | undefined;
  firstWaiting: Hold | undefined;
  now: Date;
}): EndLoanDecision | undefined {
  const { loan, now } = input;
  if (loan.status !== 'active' || isLoanCurrent(loan, now)) return undefined;
  return endLoan(loan, 'expired', new Date(loan.expiresAt), input);
}

export interface RenewDecision {
  loan: Loan;
  licence: Licence;
  usesCheckout: boolean;
}

export function decideRenew(input: {
  loan: Loan | undefined;
  loanId: string;
  patronId: string;
  licence: Licence | undefined;
  queue: HoldQueue;
  days?: LoanDays;
  now: Date;
}): RenewDecision {
  const { loan, licence, now } = input;
  if (!loan || loan.patronId !== input.patronId) throw lendingErrors.loanNotFound(input.loanId);
  if (loan.status !== 'active') throw lendingErrors.loanEnded(loan.id);
  if (!isLoanCurrent(loan, now)) throw lendingErrors.loanExpired(loan.titleId);
  if (input.queue.waiting > 0) throw lendingErrors.holdsWaiting(loan.id);
  if (!licence || !isUsable(licence, now)) throw lendingErrors.licenceExhausted(loan.id);
  const days = input.days ?? loan.days;
  const current = new Date(loan.expiresAt);
  const expiresAt = loanEndOf(current, now, days, licence);
  if (expiresAt.getTime() <= current.getTime()) throw lendingErrors.licenceExhausted(loan.id);
  return {
    loan: { ...loan, days, expiresAt: expiresAt.toISOString(), renewals: loan.renewals + 1 },
    licence,
    usesCheckout: licence.checkoutsLeft !== null,
  };
}

export function decidePlaceHold(input: {
  title: TitleLending;
  patron: PatronLending;
  now: Date;
  holdId: string;
}): Hold {
  const { title, patron, now } = input;
  assertLendable(title);
  if (patron.status !== 'active') throw lendingErrors.patronBlocked();
  if (patron.loanOfTitle) throw lendingErrors.alreadyOnLoan(title.titleId);
  if (patron.holdOfTitle) throw lendingErrors.alreadyOnHold(title.titleId);
  // Without a licence whose terms still allow a loan no copy would ever come to the queue: refused. A licence
  // a librarian has deactivated still counts: reactivated, its copies go to the queue first.
  if (!title.licences.some((l) => isWithinTerms(l, now))) throw lendingErrors.noLicence(title.titleId);
  if (patron.holds >= patron.holdLimit) throw lendingErrors.holdLimitReached(patron.holdLimit);
  if (holdsInLine(title.queue) === 0 && chooseLicence(title.licences, now)) {
    throw lendingErrors.copyAvailable(title.titleId);
  }
  return {
    id: input.holdId,
    patronId: patron.patronId,
    titleId: title.titleId,
    status: 'waiting',
    seq: title.queue.lastSeq + 1,
    placedAt: now.toISOString(),
  };
}

/**
 * "Deliver later": a waiting hold is suspended for 7, 14 or 28 days from now, keeping its place in the queue;
 * suspending again sets a new end. A reserved hold is not suspended (its copy is ready: borrow or cancel).
 */
export function decideSuspendHold(input: {
  hold: Hold | undefined;
  holdId: string;
  patronId: string;
  days: SuspensionDays;
  now: Date;
}): Hold {
  const { hold, now } = input;
  if (!hold || hold.patronId !== input.patronId) throw lendingErrors.holdNotFound(input.holdId);
  if (hold.status === 'reserved') throw lendingErrors.holdReserved(hold.id);
  if (hold.status !== 'waiting') throw lendingErrors.holdNotFound(input.holdId);
  return { ...hold, suspendedUntil: new Date(now.getTime() + input.days * dayMs).toISOString() };
}

/**
 * Ends a suspension: the patron's early resume, or the stored suspension meeting its end (the sweeper, or a
 * decision that finds it over). Undefined when there is nothing to resume (already in line).
 */
export function decideResumeHold(input: {
  hold: Hold | undefined;
  holdId: string;
  /** The patron asking; absent when the suspension has run out and the system resumes it. */
  patronId?: string;
  now: Date;
}): Hold | undefined {
  const { hold, now } = input;
  if (!hold || (input.patronId !== undefined && hold.patronId !== input.patronId))
    throw lendingErrors.holdNotFound(input.holdId);
  if (input.patronId !== undefined && !isHoldLive(hold)) throw lendingErrors.holdNotFound(input.holdId);
  if (hold.status !== 'waiting' || hold.suspendedUntil === undefined) return undefined;
  if (input.patronId === undefined && isSuspended(hold, now)) return undefined;
  const { suspendedUntil: _resumed, ...resumed } = hold;
  return resumed;
}

export interface EndHoldDecision {
  hold: Hold;
  /** Set when the hold was reserved: where its kept slot goes. */
  release?: Release;
}

export function decideCancelHold(input: {
  hold: Hold | undefined;
  holdId: string;
  patronId: string;
  licence: Licence | undefined;
  firstWaiting: Hold | undefined;
  now: Date;
}): EndHoldDecision {
  const { hold, now } = input;
  if (!hold || hold.patronId !== input.patronId) throw lendingErrors.holdNotFound(input.holdId);
  if (hold.status !== 'waiting' && hold.status !== 'reserved') throw lendingErrors.holdNotFound(input.holdId);
  const ended: Hold = { ...hold, status: 'cancelled', endedAt: now.toISOString() };
  return hold.status === 'reserved' ? { hold: ended, release: decideRelease(input) } : { hold: ended };
}

/** A reservation not taken up in time lapses and its copy passes to the next in line. */
export function decideLapse(input: {
  hold: Hold;
  licence: Licence | undefined;
  firstWaiting: Hold | undefined;
  now: Date;
}): EndHoldDecision | undefined {
  const { hold, now } = input;
  if (hold.status !== 'reserved' || isReservationOpen(hold, now)) return undefined;
  return {
    hold: { ...hold, status: 'lapsed', endedAt: hold.reservedUntil ?? now.toISOString() },
    release: decideRelease(input),
  };
}

export interface AccessDecision {
  /** Seconds the signed link may live: the configured lifetime, never past the loan's end. */
  expiresIn: number;
}

/**
 * A coarse first check only: the routes decide `partner` titles with `decidePartnerAccess`
 * (functions/domain/partner-access.ts), which matches the entitlement against what the caller's partner grants
 * for the title and applies the licences' concurrency.
 */
export function isEntitled(caller: Caller | undefined): boolean {
  return (caller?.entitlements?.length ?? 0) > 0;
}

export function decideAccess(input: {
  title: { id: string; access: AccessMode; status: TitleStatus };
  caller: Caller | undefined;
  /** The caller's active loan of this title, if any. */
  loan: Loan | undefined;
  linkTtlSeconds: number;
  now: Date;
}): AccessDecision {
  const { title, caller, loan, now, linkTtlSeconds } = input;
  if (title.access === 'open') {
    if (title.status === 'withdrawn') throw lendingErrors.titleWithdrawn(title.id);
    return { expiresIn: linkTtlSeconds };
  }
  if (!caller) throw new UnauthorizedError({ code: 'UNAUTHORIZED', detail: 'Sign in to read this title.' });
  if (title.access === 'partner') {
    if (title.status === 'withdrawn') throw lendingErrors.titleWithdrawn(title.id);
    if (!isEntitled(caller)) throw lendingErrors.notEntitled(title.id);
    return { expiresIn: linkTtlSeconds };
  }
  // A withdrawn title stays readable to patrons who have it on loan until their loan ends.
  if (!loan || loan.patronId !== caller.patronId || loan.status !== 'active') {
    throw lendingErrors.noActiveLoan(title.id);
  }
  const left = Math.floor((Date.parse(loan.expiresAt) - now.getTime()) / 1000);
  if (left < 1) throw lendingErrors.loanExpired(title.id);
  return { expiresIn: Math.min(linkTtlSeconds, left) };
}

export interface Availability {
  /** Concurrent copies under usable licences; null = unlimited. */
  copies: number | null;
  /** Copies a patron could borrow now; null = unlimited. */
  available: number | null;
  /** Holds waiting or reserved. */
  holds: number;
  access: AccessMode;
}

export function availabilityOf(title: TitleLending, now: Date): Availability {
  const holds = title.queue.waiting + title.queue.reserved;
  if (title.access !== 'licensed') return { copies: null, available: null, holds: 0, access: title.access };
  const pool = summarisePool(title.licences, now);
  const available = title.status === 'withdrawn' || holdsInLine(title.queue) > 0 ? 0 : pool.available;
  return { copies: pool.copies, available, holds, access: title.access };
}

/** What a hold's wait depends on: the title's pool as it stands now. */
export interface WaitPicture {
  /** Copies the usable licences lend at once (summarisePool); null when unlimited. */
  copies: number | null;
  /** When the running loans on usable licences end (ISO instants, any order). */
  loanEnds: readonly string[];
  /** Copies reserved for holds further ahead: each goes out on a loan before it comes back. */
  reserved: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Days until a waiting hold at `position` (1 = next in line) can expect a copy. Each copy comes free when its
 * running loan ends (a reserved one after the loan its holder is about to take, a free one now), then serves
 * the next in line for a default loan, and so on down the queue: so the wait follows the actual due dates,
 * not just the number of copies. Early returns make it shorter, renewals longer; it is an estimate.
 */
export function estimatedWaitDays(position: number, picture: WaitPicture, now: Date): number {
  if (position <= 0 || picture.copies === null) return 0;
  // No usable licence at all: nothing comes back until the library buys one; a rough guess meanwhile.
  if (picture.copies === 0) return position * defaultLoanDays;
  const start = now.getTime();
  const loan = defaultLoanDays * dayMs;
  const free = picture.loanEnds
    .map((end) => Math.max(Date.parse(end), start))
    .sort((a, b) => a - b)
    .slice(0, picture.copies);
  for (let i = 0; i < picture.reserved && free.length < picture.copies; i++) free.push(start + loan);
  while (free.length < picture.copies) free.push(start);
  let servedAt = start;
  for (let served = 0; served < position; served++) {
    // The copy free soonest serves the next in line, and is out again for one loan.
    let soonest = 0;
    for (let i = 1; i < free.length; i++) if (free[i]! < free[soonest]!) soonest = i;
    servedAt = free[soonest]!;
    free[soonest] = servedAt + loan;
  }
  return Math.ceil((servedAt - start) / dayMs);
}
