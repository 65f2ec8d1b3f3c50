import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  NotFoundError,
  PustakaError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../../functions/domain/errors';
import { isProblemCode, problemCodes } from '../../functions/domain/problem-codes';

describe('the one error model', () => {
  it('takes the status from the registry, and the detail, context and cause from one options object', () => {
    const cause = new Error('socket hang up');
    const error = new PustakaError({
      code: 'TITLE_NOT_FOUND',
      detail: 'Title t-1 was not found.',
      context: { id: 't-1' },
      cause,
    });
    expect(error).toMatchObject({
      status: 404,
      code: 'TITLE_NOT_FOUND',
      message: 'Title t-1 was not found.',
      context: { id: 't-1' },
      cause,
    });
    expect(new NotFoundError({ code: 'TITLE_NOT_FOUND', detail: 'x' })).toBeInstanceOf(PustakaError);
    expect(
      new TooManyRequestsError({ code: 'RATE_LIMITED', detail: 'x', retryAfterSeconds: 7 }),
    ).toMatchObject({ status: 429, retryAfterSeconds: 7, context: {} });
  });

  it('sends a code registered with two statuses at the one named, and refuses a status not registered', () => {
    expect(new UnauthorizedError({ code: 'NOT_ENTITLED', detail: 'x' }).status).toBe(401);
    expect(new PustakaError({ code: 'NOT_ENTITLED', detail: 'x' }).status).toBe(403);
    expect(() => new PustakaError({ code: 'TITLE_NOT_FOUND', status: 409, detail: 'x' })).toThrow(
      'TITLE_NOT_FOUND is not registered with status 409.',
    );
  });

  it('does not compile a code outside the registry, or one thrown with another status', () => {
    // @ts-expect-error not a registered code
    expect(() => new ConflictError({ code: 'ANYTHING', detail: 'x' })).toThrow(
      'ANYTHING is not a registered problem code.',
    );
    // @ts-expect-error LOAN_ENDED is a 409, not a 404
    expect(() => new NotFoundError({ code: 'LOAN_ENDED', detail: 'x' })).toThrow(
      'LOAN_ENDED is not registered with status 404.',
    );
    expect(isProblemCode('ANYTHING')).toBe(false);
    expect(isProblemCode('LOAN_ENDED')).toBe(true);
  });

  it('registers every code in upper snake case with statuses of refusals', () => {
    for (const [code, { status }] of Object.entries(problemCodes)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      for (const each of [status].flat()) expect(each).toBeGreaterThanOrEqual(400);
    }
  });
});
