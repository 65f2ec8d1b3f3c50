import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { currentDeadline, deadlineExceeded } from '../domain/deadline';
import { PustakaError, ServiceUnavailableError } from '../domain/errors';
import { isTransactionCancelled } from './dynamo-item';

/** One write of a transaction and what its condition failing means. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * What a failed condition means:
 * - a function: a definite refusal (e.g. the uniqueness marker exists → ALREADY_ON_LOAN);
 * - 'stale': the snapshot the decision was made on changed; decide again on fresh state;
 * - 'replay': another request with the same idempotency key got there first; read its outcome.
 */
export type OnConditionFailed = 'stale' | 'replay' | (() => PustakaError);

export interface PlannedWrite {
  item: TransactItem;
  onConditionFailed: OnConditionFailed;
}

/** A decision turned into writes, with the value to answer once they are committed. */
export interface Plan<T> {
  writes: PlannedWrite[];
  result: T;
}

/**
 * Thrown from an attempt to have it made again on fresh state at once (e.g. after ending an expired loan on
 * the way, or when an index has not caught up with its counter yet). Bounded by `maxRounds`.
 */
export class DecideAgain extends Error {
  override name = 'DecideAgain';
}

export interface RetryPolicy {
  /** Transient failures (throttling, conflicts) tolerated before giving up with 503. */
  maxTransientFailures: number;
  /** Decisions made again on fresh state before giving up (heavy contention). */
  maxRounds: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxTransientFailures: 10,
  maxRounds: 40,
  baseDelayMs: 20,
  maxDelayMs: 800,
};

const transientErrorNames = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

const transientReasonCodes = new Set([
  'None',
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (transientErrorNames.has(error.name)) return true;
  if (isTransactionCancelled(error)) {
    const reasons = error.CancellationReasons ?? [];
    return reasons.length > 0 && reasons.every((r) => transientReasonCodes.has(r.Code ?? 'None'));
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/**
 * Waits before the next round, but never past the request's deadline: a round that could not finish in time
 * is not started, and the caller gets its 503 while there is still time to send it.
 */
async function pause(ms: number): Promise<void> {
  const deadline = currentDeadline();
  if (deadline && deadline.remainingMs() <= ms) throw deadlineExceeded();
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Full jitter: spreads retries of requests that collided so they do not collide again in step. */
export function backoffDelay(policy: RetryPolicy, failures: number): number {
  return Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** failures);
}

/**
 * Runs read → decide → write until the write commits or the decision refuses. The write is one
 * TransactWriteItems whose conditions pin the facts the decision used, so it either commits whole or not
 * at all; a cancelled transaction is turned into the domain error its failed condition stands for, or into
 * a fresh decision when the state merely moved on. Transient failures back off with jitter; when they do
 * not stop, the caller gets a 503 and nothing has been written.
 */
export async function runTransaction<T>(
  send: (items: TransactItem[]) => Promise<unknown>,
  attempt: () => Promise<Plan<T>>,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<T> {
  let transientFailures = 0;
  let lastError: unknown;
  for (let round = 0; round < policy.maxRounds; round++) {
    if (currentDeadline()?.expired) throw deadlineExceeded(lastError);
    let plan: Plan<T> | undefined;
    try {
      plan = await attempt();
      if (plan.writes.length > 0) await send(plan.writes.map((w) => w.item));
      return plan.result;
    } catch (error) {
      if (error instanceof PustakaError) throw error;
      lastError = error;
      if (error instanceof DecideAgain) {
        await pause(Math.random() * policy.baseDelayMs);
        continue;
      }
      if (plan && isTransactionCancelled(error)) {
        const failed = (error.CancellationReasons ?? [])
          .map((reason, index) =>
            reason.Code === 'ConditionalCheckFailed' ? plan!.writes[index] : undefined,
          )
          .filter((write): write is PlannedWrite => write !== undefined);
        if (failed.length > 0) {
          if (failed.some((w) => w.onConditionFailed === 'replay')) continue;
          const refusal = failed.find((w) => typeof w.onConditionFailed === 'function');
          if (refusal) throw (refusal.onConditionFailed as () => PustakaError)();
          // Stale snapshot: decide again at once, with a little jitter so racing requests spread out.
          await pause(Math.random() * policy.baseDelayMs);
          continue;
        }
      }
      if (!isTransient(error)) throw error;
      transientFailures += 1;
      if (transientFailures > policy.maxTransientFailures) break;
      await pause(backoffDelay(policy, transientFailures));
    }
  }
  throw new ServiceUnavailableError({
    code: 'SERVICE_UNAVAILABLE',
    detail: 'The library is busy right now. Please try again in a moment.',
    cause: lastError,
  });
}
