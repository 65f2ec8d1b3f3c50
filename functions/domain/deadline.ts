import { AsyncLocalStorage } from 'node:async_hooks';
import { ServiceUnavailableError } from './errors';

/**
 * The time an API request may take in total, shared by everything it calls.
 *
 * It travels with the request's async context rather than as a parameter, because the calls it must cut short
 * (every DynamoDB, S3 and Secrets Manager request, the lending retry loop) sit several layers below the HTTP
 * middleware that sets it, behind ports that should not all grow a `signal` argument. Code that runs outside
 * a request (the sweeper, seeding) has no deadline and is bounded by the per-call timeouts alone.
 */
export class Deadline {
  readonly signal: AbortSignal;
  private readonly endsAt: number;

  constructor(readonly budgetMs: number) {
    this.endsAt = performance.now() + budgetMs;
    this.signal = AbortSignal.timeout(budgetMs);
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - performance.now());
  }

  get expired(): boolean {
    return this.signal.aborted || this.remainingMs() === 0;
  }
}

const current = new AsyncLocalStorage<Deadline>();

/** Runs `work` with `deadline` as the deadline of everything it calls. */
export function withinDeadline<T>(deadline: Deadline, work: () => Promise<T>): Promise<T> {
  return current.run(deadline, work);
}

export function currentDeadline(): Deadline | undefined {
  return current.getStore();
}

/**
 * Runs `work` with no request deadline: for work one request starts but others share or inherit (a catalogue
 * index build, a secret read cached for the process), which must not be aborted because the first caller gave up.
 */
export function outsideDeadline<T>(work: () => T): T {
  return current.exit(work);
}

/** Seconds a client should wait before trying again when a dependency did not answer. */
export const unavailableRetryAfterSeconds = 5;

export function deadlineExceeded(cause?: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError({
    code: 'SERVICE_UNAVAILABLE',
    detail: 'The library did not answer in time. Please try again in a moment.',
    cause,
  });
}
