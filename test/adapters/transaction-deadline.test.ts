import { describe, expect, it } from 'vitest';
import {
  DecideAgain,
  runTransaction,
  type Plan,
  type RetryPolicy,
} from '../../functions/adapters/transactions';
import { Deadline, withinDeadline } from '../../functions/domain/deadline';

/**
 * The lending retry loop under a request deadline: whatever its policy would still allow, it starts no
 * round and no backoff that the deadline cannot hold, and gives up with 503 while there is time to answer.
 * The faults are injected at the loop's `send` (a store that keeps throttling).
 */
const patient: RetryPolicy = {
  maxTransientFailures: 1_000,
  maxRounds: 1_000,
  baseDelayMs: 40,
  maxDelayMs: 120,
};

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

const oneWrite: Plan<string> = {
  writes: [{ item: { Put: { TableName: 't', Item: { pk: 'x', sk: 'y' } } }, onConditionFailed: 'stale' }],
  result: 'written',
};

describe('runTransaction under a request deadline', () => {
  it('stops retrying persistent throttling before the deadline and answers 503', async () => {
    // Prepare
    let sends = 0;
    const deadline = new Deadline(400);
    const started = performance.now();
    // Act
    const outcome = withinDeadline(deadline, () =>
      runTransaction(
        async () => {
          sends += 1;
          throw throttled();
        },
        async () => oneWrite,
        patient,
      ),
    );
    // Assess
    await expect(outcome).rejects.toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeLessThanOrEqual(400 + 100);
    expect(sends).toBeGreaterThan(1);
    // Without the deadline the policy would have gone on for 1 000 failures (about a minute).
    expect(sends).toBeLessThan(100);
  });

  it('stops deciding again once the deadline has passed', async () => {
    // Prepare
    let rounds = 0;
    const deadline = new Deadline(200);
    const started = performance.now();
    // Act
    const outcome = withinDeadline(deadline, () =>
      runTransaction(
        async () => undefined,
        async () => {
          rounds += 1;
          // Each decision is slow and asks for another (an index that never catches up).
          await new Promise((resolve) => setTimeout(resolve, 30));
          throw new DecideAgain();
        },
        patient,
      ),
    );
    // Assess
    await expect(outcome).rejects.toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(performance.now() - started).toBeLessThanOrEqual(200 + 100);
    expect(rounds).toBeLessThan(patient.maxRounds);
  });

  it('still commits when a retry fits in the time left', async () => {
    // Prepare
    let sends = 0;
    const deadline = new Deadline(2_000);
    // Act
    const result = await withinDeadline(deadline, () =>
      runTransaction(
        async () => {
          sends += 1;
          if (sends < 3) throw throttled();
        },
        async () => oneWrite,
        patient,
      ),
    );
    // Assess
    expect(result).toBe('written');
    expect(sends).toBe(3);
  });
});
