import {
  defaultStatusOf,
  isProblemCode,
  statusesOf,
  type CodeOfStatus,
  type ProblemCode,
} from './problem-codes';

/** What every refusal says: its registered `code`, a `detail` for developers, and optional context. */
export interface ErrorOptions<C extends ProblemCode = ProblemCode> {
  code: C;
  /** English, for developers and logs (the error's `message`); the web app shows its own text for the code. */
  detail: string;
  context?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * One error model for everything the gateway refuses. Each error carries a stable `code` from the registry in
 * ./problem-codes (clients rely on it), the HTTP status the registry gives that code, a human detail and
 * optional context. The HTTP layer turns these into RFC 9457 problem+json; anything that is not a PustakaError
 * becomes a 500 without details.
 *
 * Throw the subclass named for the status: its options accept only the codes registered with that status, so
 * a code and its status cannot disagree at compile time. `status` is for the rare code registered with more
 * than one (and is checked against the registry when the error is built).
 */
export class PustakaError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly context: Record<string, unknown>;

  constructor(options: ErrorOptions & { status?: number }) {
    // The types hold both checks for a literal code; these catch a code or status chosen at run time.
    if (!isProblemCode(options.code))
      throw new TypeError(`${String(options.code)} is not a registered problem code.`);
    super(options.detail, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = options.code;
    this.status = options.status ?? defaultStatusOf(options.code);
    this.context = options.context ?? {};
    if (!statusesOf(this.code).includes(this.status)) {
      throw new TypeError(`${this.code} is not registered with status ${this.status}.`);
    }
  }
}

export class ValidationError extends PustakaError {
  constructor(options: ErrorOptions<CodeOfStatus<400>>) {
    super({ ...options, status: 400 });
  }
}

export class UnauthorizedError extends PustakaError {
  constructor(options: ErrorOptions<CodeOfStatus<401>>) {
    super({ ...options, status: 401 });
  }
}

export class ForbiddenError extends PustakaError {
  constructor(options: ErrorOptions<CodeOfStatus<403>>) {
    super({ ...options, status: 403 });
  }
}

export class NotFoundError extends PustakaError {
  constructor(options: ErrorOptions<CodeOfStatus<404>>) {
    super({ ...options, status: 404 });
  }
}

export class ConflictError extends PustakaError {
  constructor(options: ErrorOptions<CodeOfStatus<409>>) {
    super({ ...options, status: 409 });
  }
}

export class UnprocessableError extends PustakaError {
  constructor(options: ErrorOptions<CodeOfStatus<422>>) {
    super({ ...options, status: 422 });
  }
}

/** Sent with a Retry-After header of `retryAfterSeconds`. */
export class TooManyRequestsError extends PustakaError {
  readonly retryAfterSeconds: number;

  constructor(options: ErrorOptions<CodeOfStatus<429>> & { retryAfterSeconds: number }) {
    const { retryAfterSeconds, ...rest } = options;
    super({ ...rest, status: 429 });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A dependency did not answer: sent quickly, with a Retry-After, and logged with its `cause`. */
export class ServiceUnavailableError extends PustakaError {
  constructor(options: ErrorOptions<CodeOfStatus<503>>) {
    super({ ...options, status: 503 });
  }
}
