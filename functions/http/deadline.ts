import type { Context, MiddlewareHandler } from 'hono';
import { Deadline, deadlineExceeded, withinDeadline } from '../domain/deadline';
import type { AppEnv } from './deps';

export interface DeadlineOptions {
  /** The request's budget in ms (may depend on the route). */
  budgetMs: (c: Context<AppEnv>) => number;
  /** Kept back from what the Lambda invocation has left, to send the 503 before Lambda ends the invocation. */
  lambdaReserveMs?: number;
}

/** hono/aws-lambda puts the invocation's context into `c.env`; elsewhere there is none. */
function lambdaRemainingMs(c: Context<AppEnv>): number | undefined {
  const env = c.env as { lambdaContext?: { getRemainingTimeInMillis?: () => number } } | undefined;
  return env?.lambdaContext?.getRemainingTimeInMillis?.();
}

/**
 * A total deadline per API request. Everything the request calls sees it (every AWS call is aborted when it
 * passes, the lending retry loop stops before it), and if the handler is still waiting when it passes —
 * on a shared build, a secret read, anything not abortable — the client gets 503 SERVICE_UNAVAILABLE with
 * Retry-After at once. The budget is cut to what the Lambda invocation has left, so the answer always leaves
 * before the function's timeout and API Gateway's 29 s.
 */
export function requestDeadline(options: DeadlineOptions): MiddlewareHandler<AppEnv> {
  const reserve = options.lambdaReserveMs ?? 500;
  return async (c, next) => {
    const lambdaLeft = lambdaRemainingMs(c);
    const budget = Math.max(
      1,
      Math.min(options.budgetMs(c), lambdaLeft === undefined ? Infinity : lambdaLeft - reserve),
    );
    const deadline = new Deadline(budget);
    let onAbort: (() => void) | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      onAbort = () => resolve('expired');
      deadline.signal.addEventListener('abort', onAbort, { once: true });
    });
    const work = withinDeadline(deadline, () => next());
    try {
      const outcome = await Promise.race([work, expired]);
      if (outcome === 'expired') {
        // The handler goes on in the background until its own calls give up (they are aborted too); its late
        // answer is dropped, and a failure in it must not surface as an unhandled rejection.
        work.catch(() => {});
        throw deadlineExceeded();
      }
    } finally {
      deadline.signal.removeEventListener('abort', onAbort!);
    }
  };
}
