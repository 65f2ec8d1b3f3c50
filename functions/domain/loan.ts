import type { Licence } from './licence';

/** A loan: one patron reading one title, drawn from one licence's slot, until `expiresAt`. */
export type LoanStatus = 'active' | 'returned' | 'expired';

export interface Loan {
  id: string;
  patronId: string;
  titleId: string;
  licenceId: string;
  status: LoanStatus;
  /** The period the patron chose (7, 14 or 21 days); renewals extend by it again. */
  days: LoanDays;
  checkedOutAt: string;
  /** The loan ends here whether or not the sweeper has run. */
  expiresAt: string;
  renewals: number;
  /** When a returned or expired loan ended. */
  endedAt?: string;
}

export const loanPeriods = [7, 14, 21] as const;
export type LoanDays = (typeof loanPeriods)[number];
export const defaultLoanDays: LoanDays = 14;

const dayMs = 86_400_000;

/**
 * When a loan (or a renewal) from `start` for `days` ends: the chosen period, capped by the licence's
 * longest loan (`loanLength`, counted from `now`) and by the licence's own expiry.
 */
export function loanEndOf(start: Date, now: Date, days: LoanDays, licence: Licence): Date {
  let end = start.getTime() + days * dayMs;
  if (licence.terms.loanLength !== null) end = Math.min(end, now.getTime() + licence.terms.loanLength * 1000);
  if (licence.terms.expires !== null) end = Math.min(end, Date.parse(licence.terms.expires));
  return new Date(end);
}

/** Active for reading: not returned or swept, and not past its end. */
export function isLoanCurrent(loan: Loan, now: Date): boolean {
  return loan.status === 'active' && Date.parse(loan.expiresAt) > now.getTime();
}
