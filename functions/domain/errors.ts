/**
 * One error hierarchy for everything the gateway refuses. Each error carries a stable `code` (clients rely
 * on it), the HTTP status it means, a human message and optional context. The HTTP layer turns these into
 * RFC 9457 problem+json; anything that is not a PustakaError becomes a 500 without details.
 */
export class PustakaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends PustakaError {
  constructor(message: string, context: Record<string, unknown> = {}, code = 'VALIDATION_FAILED') {
    super(400, code, message, context);
  }
}

export class UnauthorizedError extends PustakaError {
  constructor(
    message = 'Authentication is required.',
    code = 'UNAUTHORIZED',
    context: Record<string, unknown> = {},
  ) {
    super(401, code, message, context);
  }
}

export class ForbiddenError extends PustakaError {
  constructor(message: string, code = 'FORBIDDEN', context: Record<string, unknown> = {}) {
    super(403, code, message, context);
  }
}

export class NotFoundError extends PustakaError {
  constructor(what: string, id: string, code = 'NOT_FOUND') {
    super(404, code, `${what} ${id} was not found.`, { id });
  }
}

export class ConflictError extends PustakaError {
  constructor(code: string, message: string, context: Record<string, unknown> = {}) {
    super(409, code, message, context);
  }
}

export class UnprocessableError extends PustakaError {
  constructor(code: string, message: string, context: Record<string, unknown> = {}) {
    super(422, code, message, context);
  }
}

export class TooManyRequestsError extends PustakaError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
    context: Record<string, unknown> = {},
  ) {
    super(429, code, message, context);
  }
}

export class ServiceUnavailableError extends PustakaError {
  constructor(
    message: string,
    code = 'SERVICE_UNAVAILABLE',
    context: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(503, code, message, context, { cause });
  }
}
