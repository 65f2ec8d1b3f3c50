/**
 * Every `code` the gateway can put in a problem+json answer, with the HTTP status it comes with. This is the
 * one list: errors are built from it (functions/domain/errors.ts takes the status from here, so a thrower
 * cannot disagree with it), the local edge and the HTTP layer answer with its codes, and the web app keys its
 * messages by `ProblemCode`, so a code without a translation fails the type check. web/ may import this file
 * and no other server file (eslint.config.js): it must stay constants only, with no imports.
 *
 * A code has one status, except where the same refusal is sent at two moments: NOT_ENTITLED is 403 on a
 * resource and 401 when a federated sign-in is refused for it. The first status listed is the default.
 */
export const problemCodes = {
  ACCOUNT_BLOCKED: { status: 403 },
  ACCOUNT_LOCKED: { status: 429 },
  ALREADY_ON_HOLD: { status: 409 },
  ALREADY_ON_LOAN: { status: 409 },
  ASSERTION_REPLAYED: { status: 401 },
  BAD_REQUEST: { status: 400 },
  BODY_TOO_LARGE: { status: 413 },
  BOOKMARK_LIMIT_REACHED: { status: 409 },
  BOOKMARK_NOT_FOUND: { status: 404 },
  CARD_NUMBER_TAKEN: { status: 409 },
  COPY_AVAILABLE: { status: 409 },
  COVER_NOT_FOUND: { status: 404 },
  EMPTY_FILE: { status: 422 },
  EPUB_CONTAINER_INVALID: { status: 422 },
  EPUB_ENCRYPTED: { status: 422 },
  EPUB_MIMETYPE_INVALID: { status: 422 },
  EPUB_SPINE_EMPTY: { status: 422 },
  EPUB_UNSAFE_PATH: { status: 422 },
  EPUB_ZIP_BOMB: { status: 422 },
  FEDERATION_UNAVAILABLE: { status: 503 },
  FILE_TOO_LARGE: { status: 422 },
  FORBIDDEN: { status: 403 },
  FORMAT_MISMATCH: { status: 422 },
  GO_TARGET_REFUSED: { status: 400 },
  HEADERS_TOO_LARGE: { status: 431 },
  HOLDS_WAITING: { status: 409 },
  HOLD_LIMIT_REACHED: { status: 403 },
  HOLD_NOT_FOUND: { status: 404 },
  IDEMPOTENCY_KEY_REUSED: { status: 422 },
  INTERNAL_ERROR: { status: 500 },
  INVALID_ASSERTION: { status: 401 },
  INVALID_CREDENTIALS: { status: 401 },
  INVALID_REFRESH_TOKEN: { status: 401 },
  INVALID_TOKEN: { status: 401 },
  KEYS_UNAVAILABLE: { status: 503 },
  LICENCE_EXHAUSTED: { status: 409 },
  LICENCE_EXISTS: { status: 409 },
  LICENCE_NOT_FOUND: { status: 404 },
  LOAN_ENDED: { status: 409 },
  LOAN_EXPIRED: { status: 403 },
  LOAN_LIMIT_REACHED: { status: 403 },
  LOAN_NOT_FOUND: { status: 404 },
  NO_MATCH: { status: 404 },
  NOT_ENTITLED: { status: [403, 401] },
  NOT_LENDABLE: { status: 409 },
  NOT_ON_THIS_SURFACE: { status: 503 },
  NO_ACTIVE_LOAN: { status: 403 },
  NO_COPY_AVAILABLE: { status: 409 },
  PARTNER_CONFLICT: { status: 409 },
  PARTNER_EXISTS: { status: 409 },
  PARTNER_KEYS_UNAVAILABLE: { status: 503 },
  PARTNER_NOT_FOUND: { status: 404 },
  PATRON_NOT_FOUND: { status: 404 },
  PDF_ENCRYPTED: { status: 422 },
  PDF_INVALID: { status: 422 },
  PDF_RESTRICTED: { status: 422 },
  RATE_LIMITED: { status: 429 },
  REQUEST_TIMEOUT: { status: 408 },
  ROUTE_NOT_FOUND: { status: 404 },
  SERVICE_UNAVAILABLE: { status: 503 },
  SIZE_MISMATCH: { status: 422 },
  STALE_PROGRESS: { status: 409 },
  TITLE_NOT_FOUND: { status: 404 },
  TITLE_WITHDRAWN: { status: 409 },
  TRUNCATED_FILE: { status: 422 },
  UNAUTHORIZED: { status: 401 },
  UNKNOWN_ISSUER: { status: 401 },
  UNSUPPORTED_FORMAT: { status: 422 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  UPLOAD_ABORTED: { status: 409 },
  UPLOAD_ALREADY_COMPLETE: { status: 409 },
  UPLOAD_BUSY: { status: 409 },
  UPLOAD_EXPIRED: { status: 409 },
  UPLOAD_NOT_COMPLETE: { status: 409 },
  UPLOAD_NOT_FOUND: { status: 404 },
  UPLOAD_NOT_FOUND_IN_STORE: { status: 409 },
  UPLOAD_NOT_MULTIPART: { status: 409 },
  UPLOAD_NOT_RECEIVED: { status: 409 },
  UPLOAD_PARTS_INVALID: { status: 422 },
  UPLOAD_PARTS_MISSING: { status: 422 },
  UPLOAD_PART_UNKNOWN: { status: 422 },
  UPLOAD_PUBLISHED: { status: 409 },
  UPLOAD_REJECTED: { status: 409 },
  URI_TOO_LONG: { status: 414 },
  VALIDATION_FAILED: { status: 400 },
} as const satisfies Record<string, { status: number | readonly [number, ...number[]] }>;

export type ProblemCode = keyof typeof problemCodes;

type Registered<C extends ProblemCode> = (typeof problemCodes)[C]['status'];

/** The statuses a code may be sent with. */
export type StatusOf<C extends ProblemCode> = Registered<C> extends readonly (infer S)[] ? S : Registered<C>;

/** The codes that may be sent with this status. */
export type CodeOfStatus<S extends number> = {
  [C in ProblemCode]: S extends StatusOf<C> ? C : never;
}[ProblemCode];

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(problemCodes, code);
}

/** The status a code is sent with when the thrower names none (the first one registered). */
export function defaultStatusOf(code: ProblemCode): number {
  const status: number | readonly number[] = problemCodes[code].status;
  return typeof status === 'number' ? status : status[0]!;
}

/** Every status a code may be sent with. */
export function statusesOf(code: ProblemCode): readonly number[] {
  const status: number | readonly number[] = problemCodes[code].status;
  return typeof status === 'number' ? [status] : status;
}
