import type { Hold, SuspensionDays } from './hold';
import type { DenialMetric, TitleLending } from './lending';
import type { Licence } from './licence';
import type { Loan, LoanDays } from './loan';

/** Ports of the lending engine; the DynamoDB adapter implements them (functions/adapters/lending/). */

export interface CheckoutRequest {
  patronId: string;
  titleId: string;
  days?: LoanDays;
  /** The client's Idempotency-Key: a retry with the same key and body returns the same loan. */
  idempotencyKey?: string;
}

export interface CheckoutResult {
  loan: Loan;
  /** True when this is a retry answered from the idempotency record. */
  replayed: boolean;
}

export interface HoldView extends Hold {
  /** 1 = next in line; 0 once reserved. */
  position: number;
  estimatedWaitDays: number;
}

export interface SweepReport {
  loansExpired: number;
  reservationsLapsed: number;
  /** Holds whose suspension ran out, back in line (and reserved when a copy was free). */
  suspensionsEnded: number;
  daysScanned: number;
}

export interface LendingRepository {
  /**
   * Adds a licence to a title's pool, its slots reserved for waiting holds first; false when a licence with
   * that id exists (idempotent seeding).
   */
  addLicence(licence: Licence): Promise<boolean>;
  /** Deactivates (nothing new lent from it) or reactivates (free slots to the queue first) a licence. */
  setLicenceActive(request: { titleId: string; licenceId: string; active: boolean }): Promise<Licence>;
  /** Reserves free slots for waiting holds, first in line first; answers how many were reserved. */
  advanceQueue(titleId: string): Promise<number>;
  /** Cancels every waiting and reserved hold of a withdrawn title (reserved slots freed); answers how many. */
  endHoldsOfWithdrawnTitle(titleId: string): Promise<number>;
  /** The title's lending state (title, licence pool, hold queue), read consistently; undefined if no title. */
  titleLending(titleId: string): Promise<TitleLending | undefined>;
  checkout(request: CheckoutRequest): Promise<CheckoutResult>;
  returnLoan(request: { patronId: string; loanId: string }): Promise<Loan>;
  renew(request: { patronId: string; loanId: string; days?: LoanDays }): Promise<Loan>;
  placeHold(request: { patronId: string; titleId: string }): Promise<HoldView>;
  cancelHold(request: { patronId: string; holdId: string }): Promise<Hold>;
  /** "Deliver later": a waiting hold lets copies pass for 7, 14 or 28 days, keeping its place in line. */
  suspendHold(request: { patronId: string; holdId: string; days: SuspensionDays }): Promise<HoldView>;
  /** Ends a suspension early; a copy free now is reserved for the queue at once. */
  resumeHold(request: { patronId: string; holdId: string }): Promise<HoldView>;
  /** The patron's active loan of a title (it may be past its end if the sweeper has not run yet). */
  activeLoanOf(patronId: string, titleId: string): Promise<Loan | undefined>;
  loansOf(patronId: string): Promise<Loan[]>;
  /** One loan of the patron's, active or ended; undefined when it does not exist or is someone else's. */
  loanOf(patronId: string, loanId: string): Promise<Loan | undefined>;
  holdsOf(patronId: string): Promise<HoldView[]>;
  /** Ends loans past their end and lapses missed reservations, passing copies on. Safe to run concurrently. */
  sweep(): Promise<SweepReport>;
}

/** `Loan_Started`: a new loan (the dashboard's daily figures only; no COUNTER metric). */
export type UsageMetric = 'Total_Item_Requests' | 'Total_Item_Investigations' | DenialMetric | 'Loan_Started';

/** One usage event of a title. The optional fields let COUNTER processing filter and de-duplicate it. */
export interface UsageEvent {
  titleId: string;
  metric: UsageMetric;
  at: Date;
  /**
   * Who, pseudonymously (`patron:<id>`, a campus reader id, or the client address and user agent): used only
   * for double-click filtering and unique counting, and kept only as a hash on markers that expire.
   */
  user?: string;
  /** The COUNTER institution the use is reported for: the library, or the member's partner. */
  institution?: string;
  /** Controlled (licensed, partner) or Open; denials are always Controlled. */
  accessType?: 'Controlled' | 'Open';
  /** The reader asking for a fresh link mid-book: not a new request when the same reading is still going. */
  renewal?: boolean;
}

/** Usage statistics (COUNTER-style): counts only, no patron. Recording never fails the request it counts. */
export interface UsageRecorder {
  record(event: UsageEvent): Promise<void>;
}
