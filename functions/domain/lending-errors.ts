import { ConflictError, ForbiddenError, NotFoundError, PustakaError, UnprocessableError } from './errors';

/**
 * The lending refusals, each with its stable code. Built on the one error hierarchy in ./errors so the HTTP
 * layer maps them to problem+json like any other PustakaError.
 */
export const lendingErrors = {
  titleNotFound: (titleId: string) => new NotFoundError('Title', titleId, 'TITLE_NOT_FOUND'),
  loanNotFound: (loanId: string) => new NotFoundError('Loan', loanId, 'LOAN_NOT_FOUND'),
  holdNotFound: (holdId: string) => new NotFoundError('Hold', holdId, 'HOLD_NOT_FOUND'),
  licenceNotFound: (licenceId: string) => new NotFoundError('Licence', licenceId, 'LICENCE_NOT_FOUND'),
  licenceExists: (titleId: string, supplierLicenceId: string) =>
    new ConflictError('LICENCE_EXISTS', 'This title already has a licence with that supplier identifier.', {
      titleId,
      supplierLicenceId,
    }),
  titleWithdrawn: (titleId: string) =>
    new ConflictError('TITLE_WITHDRAWN', 'This title has been withdrawn from the collection.', { titleId }),
  notLendable: (titleId: string) =>
    new ConflictError(
      'NOT_LENDABLE',
      'This title is not lent: it is open to everyone or reached through a partner.',
      {
        titleId,
      },
    ),
  /** Same code as sign-in uses for a blocked card. */
  patronBlocked: () =>
    new ForbiddenError('This card is blocked. Please contact the library.', 'ACCOUNT_BLOCKED'),
  /** No free copy now; `reason` tells a turnaway (no-free-copy) from a title with no usable licence. */
  noCopyAvailable: (titleId: string, reason: 'no-free-copy' | 'no-active-licence' | 'holds-waiting') =>
    new ConflictError('NO_COPY_AVAILABLE', 'No copy of this title is free to borrow right now.', {
      titleId,
      reason,
    }),
  loanLimitReached: (limit: number) =>
    new ForbiddenError(
      `You already have ${limit} loans, the most your account allows.`,
      'LOAN_LIMIT_REACHED',
      {
        limit,
      },
    ),
  alreadyOnLoan: (titleId: string) =>
    new ConflictError('ALREADY_ON_LOAN', 'You already have this title on loan.', { titleId }),
  loanEnded: (loanId: string) =>
    new ConflictError('LOAN_ENDED', 'This loan has already been returned or has ended.', { loanId }),
  holdsWaiting: (loanId: string) =>
    new ConflictError('HOLDS_WAITING', 'Other patrons are waiting for this title, so it cannot be renewed.', {
      loanId,
    }),
  licenceExhausted: (loanId: string) =>
    new ConflictError('LICENCE_EXHAUSTED', 'The library’s licence for this title does not allow a renewal.', {
      loanId,
    }),
  loanExpired: (titleId: string) =>
    new ForbiddenError('Your loan of this title has ended.', 'LOAN_EXPIRED', { titleId }),
  noActiveLoan: (titleId: string) =>
    new ForbiddenError('Borrow this title before reading it.', 'NO_ACTIVE_LOAN', { titleId }),
  holdLimitReached: (limit: number) =>
    new ForbiddenError(
      `You already have ${limit} holds, the most your account allows.`,
      'HOLD_LIMIT_REACHED',
      {
        limit,
      },
    ),
  alreadyOnHold: (titleId: string) =>
    new ConflictError('ALREADY_ON_HOLD', 'You already have a hold on this title.', { titleId }),
  copyAvailable: (titleId: string) =>
    new ConflictError('COPY_AVAILABLE', 'A copy is free right now: borrow it instead of placing a hold.', {
      titleId,
    }),
  notEntitled: (titleId: string) =>
    new ForbiddenError('Your account is not entitled to this resource.', 'NOT_ENTITLED', { titleId }),
  idempotencyKeyReused: () =>
    new UnprocessableError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used for a different request.',
    ),
};

export type LendingErrorCode = ReturnType<(typeof lendingErrors)[keyof typeof lendingErrors]>['code'];

export function isLendingError(error: unknown, code: string): error is PustakaError {
  return error instanceof PustakaError && error.code === code;
}
