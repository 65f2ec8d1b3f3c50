import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from './errors';

/**
 * The lending refusals, named, each with its registered code (./problem-codes) and built on the one error model
 * in ./errors, so the HTTP layer maps them to problem+json like any other PustakaError. Code that needs to tell
 * one refusal from another compares `error.code`, which is typed as `ProblemCode`.
 */
export const lendingErrors = {
  titleNotFound: (titleId: string) =>
    new NotFoundError({
      code: 'TITLE_NOT_FOUND',
      detail: `Title ${titleId} was not found.`,
      context: { id: titleId },
    }),
  loanNotFound: (loanId: string) =>
    new NotFoundError({
      code: 'LOAN_NOT_FOUND',
      detail: `Loan ${loanId} was not found.`,
      context: { id: loanId },
    }),
  holdNotFound: (holdId: string) =>
    new NotFoundError({
      code: 'HOLD_NOT_FOUND',
      detail: `Hold ${holdId} was not found.`,
      context: { id: holdId },
    }),
  licenceNotFound: (licenceId: string) =>
    new NotFoundError({
      code: 'LICENCE_NOT_FOUND',
      detail: `Licence ${licenceId} was not found.`,
      context: { id: licenceId },
    }),
  licenceExists: (titleId: string, supplierLicenceId: string) =>
    new ConflictError({
      code: 'LICENCE_EXISTS',
      detail: 'This title already has a licence with that supplier identifier.',
      context: {
        titleId,
        supplierLicenceId,
      },
    }),
  titleWithdrawn: (titleId: string) =>
    new ConflictError({
      code: 'TITLE_WITHDRAWN',
      detail: 'This title has been withdrawn from the collection.',
      context: { titleId },
    }),
  notLendable: (titleId: string) =>
    new ConflictError({
      code: 'NOT_LENDABLE',
      detail: 'This title is not lent: it is open to everyone or reached through a partner.',
      context: {
        titleId,
      },
    }),
  /** A licensed title with no licence that can lend: a hold would never be filled. */
  noLicence: (titleId: string) =>
    new ConflictError({
      code: 'NOT_LENDABLE',
      detail: 'The library has no licence to lend this title, so it takes no holds.',
      context: {
        titleId,
        reason: 'no-licence',
      },
    }),
  holdReserved: (holdId: string) =>
    new ConflictError({
      code: 'HOLD_RESERVED',
      detail: 'A copy is ready for this hold: borrow it, or cancel the hold to let it pass on.',
      context: { holdId },
    }),
  /** A blocked card, refused the same way at sign-in, on a token refresh, on each request and at a loan. */
  patronBlocked: () =>
    new ForbiddenError({
      code: 'ACCOUNT_BLOCKED',
      detail: 'This card is blocked. Please contact the library.',
    }),
  /** No free copy now; `reason` tells a turnaway (no-free-copy) from a title with no usable licence. */
  noCopyAvailable: (titleId: string, reason: 'no-free-copy' | 'no-active-licence' | 'holds-waiting') =>
    new ConflictError({
      code: 'NO_COPY_AVAILABLE',
      detail: 'No copy of this title is free to borrow right now.',
      context: {
        titleId,
        reason,
      },
    }),
  loanLimitReached: (limit: number) =>
    new ForbiddenError({
      code: 'LOAN_LIMIT_REACHED',
      detail: `You already have ${limit} loans, the most your account allows.`,
      context: {
        limit,
      },
    }),
  alreadyOnLoan: (titleId: string) =>
    new ConflictError({
      code: 'ALREADY_ON_LOAN',
      detail: 'You already have this title on loan.',
      context: { titleId },
    }),
  loanEnded: (loanId: string) =>
    new ConflictError({
      code: 'LOAN_ENDED',
      detail: 'This loan has already been returned or has ended.',
      context: { loanId },
    }),
  holdsWaiting: (loanId: string) =>
    new ConflictError({
      code: 'HOLDS_WAITING',
      detail: 'Other patrons are waiting for this title, so it cannot be renewed.',
      context: {
        loanId,
      },
    }),
  licenceExhausted: (loanId: string) =>
    new ConflictError({
      code: 'LICENCE_EXHAUSTED',
      detail: 'The library’s licence for this title does not allow a renewal.',
      context: {
        loanId,
      },
    }),
  loanExpired: (titleId: string) =>
    new ForbiddenError({
      code: 'LOAN_EXPIRED',
      detail: 'Your loan of this title has ended.',
      context: { titleId },
    }),
  noActiveLoan: (titleId: string) =>
    new ForbiddenError({
      code: 'NO_ACTIVE_LOAN',
      detail: 'Borrow this title before reading it.',
      context: { titleId },
    }),
  holdLimitReached: (limit: number) =>
    new ForbiddenError({
      code: 'HOLD_LIMIT_REACHED',
      detail: `You already have ${limit} holds, the most your account allows.`,
      context: {
        limit,
      },
    }),
  alreadyOnHold: (titleId: string) =>
    new ConflictError({
      code: 'ALREADY_ON_HOLD',
      detail: 'You already have a hold on this title.',
      context: { titleId },
    }),
  copyAvailable: (titleId: string) =>
    new ConflictError({
      code: 'COPY_AVAILABLE',
      detail: 'A copy is free right now: borrow it instead of placing a hold.',
      context: {
        titleId,
      },
    }),
  notEntitled: (titleId: string) =>
    new ForbiddenError({
      code: 'NOT_ENTITLED',
      detail: 'Your account is not entitled to this resource.',
      context: { titleId },
    }),
  idempotencyKeyReused: () =>
    new UnprocessableError({
      code: 'IDEMPOTENCY_KEY_REUSED',
      detail: 'This Idempotency-Key was already used for a different request.',
    }),
};
