import { emptyQueue, type Hold } from '../../functions/domain/hold';
import type { PatronLending, TitleLending } from '../../functions/domain/lending';
import { newLicence, type Licence, type LicenceTerms } from '../../functions/domain/licence';
import type { Loan } from '../../functions/domain/loan';

export { fakeClock } from '../helpers/clock';

export const hour = 3_600_000;
export const day = 24 * hour;

export function licence(id: string, terms: Partial<LicenceTerms> = {}, at = new Date(0)): Licence {
  return newLicence(
    id,
    't-1',
    { concurrency: 1, checkouts: null, expires: null, loanLength: null, ...terms },
    at,
  );
}

export function title(licences: Licence[], overrides: Partial<TitleLending> = {}): TitleLending {
  return { titleId: 't-1', access: 'licensed', status: 'active', licences, queue: emptyQueue, ...overrides };
}

export function patron(overrides: Partial<PatronLending> = {}): PatronLending {
  return {
    patronId: 'p-a',
    status: 'active',
    loanLimit: 10,
    holdLimit: 10,
    loans: 0,
    holds: 0,
    ...overrides,
  };
}

export function activeLoan(overrides: Partial<Loan> = {}): Loan {
  return {
    id: 'l-1',
    patronId: 'p-a',
    titleId: 't-1',
    licenceId: 'lic-1',
    status: 'active',
    days: 14,
    checkedOutAt: '2026-03-01T09:00:00.000Z',
    expiresAt: '2026-03-15T09:00:00.000Z',
    renewals: 0,
    ...overrides,
  };
}

export function waitingHold(overrides: Partial<Hold> = {}): Hold {
  return {
    id: 'h-1',
    patronId: 'p-b',
    titleId: 't-1',
    status: 'waiting',
    seq: 1,
    placedAt: '2026-03-01T09:00:00.000Z',
    ...overrides,
  };
}
