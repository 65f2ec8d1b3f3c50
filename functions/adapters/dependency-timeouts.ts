import type { Config } from '../config';
import { currentDeadline, deadlineExceeded } from '../domain/deadline';
import { PustakaError, ServiceUnavailableError } from '../domain/errors';

/**
 * Time limits for every call to AWS (DynamoDB, S3, Secrets Manager), so that a store that does not answer
 * turns into a quick 503 instead of a request that hangs until API Gateway gives up.
 *
 * Three layers:
 * - per attempt: the SDK's NodeHttpHandler with a connection timeout and a request timeout that THROWS
 *   (`throwOnRequestTimeout`; without it the request timeout only logs a warning and the call waits forever);
 * - per call: few SDK attempts, so that retries stay inside the request's budget;
 * - per API request: the request's deadline (functions/domain/deadline.ts) aborts the attempt in flight and
 *   refuses to start another once it has passed.
 * A call that fails for one of these reasons, or because the network refused it, becomes
 * `ServiceUnavailableError` (503 SERVICE_UNAVAILABLE with Retry-After).
 */
export interface DependencyTimeouts {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}

/** The configuration the timeouts are read from (every function's config has it). */
export type TimeoutConfig = Pick<
  Config,
  'DEPENDENCY_CONNECT_TIMEOUT_MS' | 'DEPENDENCY_REQUEST_TIMEOUT_MS' | 'DEPENDENCY_MAX_ATTEMPTS'
>;

export function dependencyTimeouts(config: TimeoutConfig): DependencyTimeouts {
  return {
    connectionTimeoutMs: config.DEPENDENCY_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: config.DEPENDENCY_REQUEST_TIMEOUT_MS,
    maxAttempts: config.DEPENDENCY_MAX_ATTEMPTS,
  };
}

/** The part of the SDK's HttpHandler this module wraps (structural, so no @smithy import is needed). */
interface HttpHandlerLike {
  handle(request: unknown, options?: { abortSignal?: unknown }): Promise<unknown>;
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): object;
  destroy?(): void;
  metadata?: unknown;
}

/** Passes the request deadline's signal to each attempt, and starts none once the deadline has passed. */
class DeadlineBoundHandler implements HttpHandlerLike {
  constructor(private readonly inner: HttpHandlerLike) {}

  get metadata() {
    return this.inner.metadata;
  }

  async handle(request: unknown, options: { abortSignal?: unknown } = {}): Promise<unknown> {
    const deadline = currentDeadline();
    if (!deadline) return this.inner.handle(request, options);
    if (deadline.expired) throw deadlineExceeded();
    const own = options.abortSignal as AbortSignal | undefined;
    const abortSignal = own ? AbortSignal.any([own, deadline.signal]) : deadline.signal;
    return this.inner.handle(request, { ...options, abortSignal });
  }

  updateHttpClientConfig(key: never, value: never): void {
    this.inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): object {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy?.();
  }
}

/** A client runtime extension (the SDK's documented hook to replace the HTTP handler it built). */
const deadlineExtension = {
  configure(extension: {
    httpHandler(): HttpHandlerLike;
    setHttpHandler(handler: HttpHandlerLike): void;
  }): void {
    extension.setHttpHandler(new DeadlineBoundHandler(extension.httpHandler()));
  },
};

/** Options for any AWS SDK v3 client constructor. */
export function sdkClientOptions(timeouts: DependencyTimeouts) {
  return {
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
    maxAttempts: timeouts.maxAttempts,
    extensions: [deadlineExtension],
  };
}

const unreachableNames = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException']);

/** Node's codes for a peer that refused, dropped or could not be found. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

/** Whether `error` says the dependency could not be reached or did not answer in time (not what it answered). */
export function isUnreachable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || error instanceof PustakaError || depth > 5) return false;
  const code = (error as { code?: unknown }).code;
  if (unreachableNames.has(error.name) || (typeof code === 'string' && networkCodes.has(code))) return true;
  // Connecting to a name with several addresses fails with one error per address.
  if (error instanceof AggregateError && error.errors.some((e) => isUnreachable(e, depth + 1))) return true;
  return isUnreachable(error.cause, depth + 1);
}

export type Dependency = 'dynamodb' | 's3' | 'secretsmanager';

/**
 * Outermost middleware of a client (after the SDK's own retries): an unreachable dependency becomes the
 * domain's 503. What the service answered (throttling, a failed condition) passes through unchanged, for the
 * callers that decide on it (e.g. the lending transactions retry throttling themselves).
 */
export function reportUnavailable(
  client: {
    middlewareStack: {
      add(
        middleware: <A, R>(next: (args: A) => Promise<R>) => (args: A) => Promise<R>,
        options: { step: 'initialize'; priority: 'high'; name: string },
      ): void;
    };
  },
  dependency: Dependency,
): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof PustakaError) throw error;
        if (currentDeadline()?.expired) throw deadlineExceeded(error);
        if (isUnreachable(error)) {
          throw new ServiceUnavailableError({
            code: 'SERVICE_UNAVAILABLE',
            detail: 'Part of the library is not answering right now. Please try again in a moment.',
            cause: Object.assign(new Error(`${dependency} unreachable`), { cause: error }),
          });
        }
        throw error;
      }
    },
    { step: 'initialize', priority: 'high', name: 'pustakaReportUnavailable' },
  );
}
