/**
 * Every `code` the gateway can put in a problem+json answer, with the HTTP status it comes with. This is the
 * one list: errors are built from it (functions/domain/errors.ts takes the status from here, so a thrower
 * cannot disagree with it), the local edge and the HTTP layer answer with its codes, and the web app keys its
 * messages by `ProblemCode`, so a code without a translation fails the type check. web/ may import this file
 * and no other server file (eslint.config.js): it must stay constants only, with no imports.
 *
 * A code has one status, except where the same refusal is sent at two moments: NOT_ENTITLED is 403 on a
 * resource and 401 when a federated sign-in is refused for it. The first status listed is the default.
 *
 * `title` is the problem's `title`: what went wrong, in English (the HTTP reason phrase says nothing a client
 * does not already have). Each code's `type` is a page of the API explaining it (GET /problems/{code}).
 */
export const problemCodes = {
  ACCOUNT_BLOCKED: { status: 403, title: 'The account is blocked' },
  ACCOUNT_LOCKED: { status: 429, title: 'Too many failed sign-ins: the card is locked for a while' },
  ALREADY_ON_HOLD: { status: 409, title: 'The patron already has a hold on this title' },
  ALREADY_ON_LOAN: { status: 409, title: 'The patron already has this title on loan' },
  ASSERTION_REPLAYED: { status: 401, title: 'The sign-in assertion was already used' },
  BAD_REQUEST: { status: 400, title: 'The request could not be read' },
  BODY_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  BOOKMARK_LIMIT_REACHED: { status: 409, title: 'The title has as many bookmarks as allowed' },
  BOOKMARK_NOT_FOUND: { status: 404, title: 'No such bookmark' },
  CAMPUS_CODE_REJECTED: { status: 400, title: 'The university refused the sign-in code' },
  CAMPUS_CODE_REPLAYED: { status: 400, title: 'This campus sign-in was already used' },
  CAMPUS_CONSENT_DENIED: { status: 403, title: 'Consent was not given at the university' },
  CAMPUS_ID_TOKEN_INVALID: { status: 401, title: 'The university’s ID token is not valid' },
  CAMPUS_ISSUER_MISMATCH: { status: 401, title: 'The answer came from another university’s provider' },
  CAMPUS_SIGN_IN_EXPIRED: { status: 401, title: 'The campus sign-in took too long' },
  CAMPUS_SIGN_IN_FAILED: { status: 400, title: 'The campus sign-in did not complete' },
  CAMPUS_SIGN_IN_NOT_OFFERED: { status: 404, title: 'This partner offers no campus sign-in' },
  CAMPUS_STATE_INVALID: { status: 400, title: 'The campus sign-in could not be matched to this browser' },
  CARD_NUMBER_TAKEN: { status: 409, title: 'The card number belongs to another patron' },
  COPY_AVAILABLE: { status: 409, title: 'A copy is free: borrow it instead of placing a hold' },
  COVER_NOT_FOUND: { status: 404, title: 'The title has no cover' },
  CURRENT_PIN_WRONG: { status: 403, title: 'The current PIN is wrong' },
  DELIVERY_NOT_FAILED: { status: 409, title: 'The delivery has not failed' },
  DELIVERY_NOT_FOUND: { status: 404, title: 'No such delivery' },
  DUPLICATE_PUBLICATION: { status: 409, title: 'The same file is already published as a title' },
  EMPTY_FILE: { status: 422, title: 'The file is empty' },
  EPUB_CONTAINER_INVALID: { status: 422, title: 'The EPUB container is not valid' },
  EPUB_ENCRYPTED: { status: 422, title: 'The EPUB is encrypted (DRM)' },
  EPUB_MIMETYPE_INVALID: { status: 422, title: 'The EPUB mimetype entry is not valid' },
  EPUB_SPINE_EMPTY: { status: 422, title: 'The EPUB has nothing to read (an empty spine)' },
  EPUB_UNSAFE_PATH: { status: 422, title: 'The EPUB contains an unsafe file path' },
  EPUB_ZIP_BOMB: { status: 422, title: 'The EPUB inflates to far more than it declares' },
  FEDERATION_UNAVAILABLE: { status: 503, title: 'The partner’s sign-in service cannot be reached' },
  FILE_TOO_LARGE: { status: 422, title: 'The file is larger than a publication may be' },
  FORBIDDEN: { status: 403, title: 'Not allowed for this account' },
  FORMAT_MISMATCH: { status: 422, title: 'The file’s content does not match its name' },
  GO_TARGET_REFUSED: { status: 400, title: 'The address is not one of the partner’s databases' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  HOLDS_WAITING: { status: 409, title: 'Patrons are waiting for this title' },
  HOLD_LIMIT_REACHED: { status: 403, title: 'The patron has as many holds as allowed' },
  HOLD_NOT_FOUND: { status: 404, title: 'No such hold' },
  HOLD_RESERVED: { status: 409, title: 'The hold is already reserved for the patron' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used for another request' },
  INTERNAL_ERROR: { status: 500, title: 'Something went wrong on the library’s side' },
  INVALID_ASSERTION: { status: 401, title: 'The sign-in assertion is not valid' },
  INVALID_CREDENTIALS: { status: 401, title: 'The card number or PIN is wrong' },
  INVALID_GRANT: { status: 400, title: 'The card and PIN, or the refresh token, are not valid' },
  INVALID_LINK: { status: 400, title: 'The link is not valid or has been altered' },
  INVALID_REFRESH_TOKEN: { status: 401, title: 'The session has ended or the refresh token is not valid' },
  INVALID_RETURN_PATH: { status: 400, title: 'The return path is not a page of the app' },
  INVALID_TOKEN: { status: 401, title: 'The access token is not valid or has expired' },
  KEYS_UNAVAILABLE: { status: 503, title: 'The signing keys cannot be read' },
  LICENCE_EXHAUSTED: { status: 409, title: 'The licence has no checkouts left' },
  LICENCE_EXISTS: { status: 409, title: 'A licence with this id already exists' },
  LICENCE_NOT_FOUND: { status: 404, title: 'No such licence' },
  LOAN_ENDED: { status: 409, title: 'The loan has already ended' },
  LOAN_EXPIRED: { status: 403, title: 'The loan has expired' },
  LOAN_LIMIT_REACHED: { status: 403, title: 'The patron has as many loans as allowed' },
  LOAN_NOT_FOUND: { status: 404, title: 'No such loan' },
  MAIL_UNAVAILABLE: { status: 503, title: 'The mail service cannot be reached' },
  NOTIFICATION_NOT_FOUND: { status: 404, title: 'No such notification' },
  NOT_ENTITLED: { status: [403, 401], title: 'The caller is not entitled to this resource' },
  NOT_LENDABLE: { status: 409, title: 'The title is not lent (open or partner access)' },
  NOT_ON_THIS_SURFACE: { status: 503, title: 'This operation is served by the other API' },
  NO_ACTIVE_LOAN: { status: 403, title: 'The patron has no active loan of this title' },
  NO_COPY_AVAILABLE: { status: 409, title: 'No copy is free to borrow' },
  NO_LOAN_OR_HOLD: { status: 404, title: 'The patron has no loan or hold of this title' },
  NO_MATCH: { status: 404, title: 'No title matches the citation' },
  PARTNER_CONFLICT: { status: 409, title: 'The partner was changed by someone else' },
  PARTNER_EXISTS: { status: 409, title: 'A partner with this id already exists' },
  PARTNER_KEYS_UNAVAILABLE: { status: 503, title: 'The partner’s signing keys cannot be fetched' },
  PARTNER_NOT_FOUND: { status: 404, title: 'No such partner' },
  PARTNER_SUSPENDED: { status: 403, title: 'The partner’s access is suspended' },
  PARTNER_UNAVAILABLE: { status: 503, title: 'The partner’s identity provider cannot be reached' },
  PATRON_NOT_FOUND: { status: 404, title: 'No such patron' },
  PDF_ENCRYPTED: { status: 422, title: 'The PDF is password-protected' },
  PDF_INVALID: { status: 422, title: 'The file is not a readable PDF' },
  PDF_RESTRICTED: { status: 422, title: 'The PDF is locked by a permissions password' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request took too long to arrive' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such operation' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'The library cannot answer right now' },
  SIZE_MISMATCH: { status: 422, title: 'The file’s size is not the size declared' },
  STALE_PROGRESS: { status: 409, title: 'A newer reading position is already stored' },
  TITLE_NOT_FOUND: { status: 404, title: 'No such title' },
  TITLE_WITHDRAWN: { status: 409, title: 'The title has been withdrawn' },
  TRUNCATED_FILE: { status: 422, title: 'The file is cut short' },
  UNAUTHORIZED: { status: 401, title: 'Sign-in is required' },
  UNKNOWN_ISSUER: { status: 401, title: 'The token’s issuer is not a known partner' },
  UNSUPPORTED_FORMAT: { status: 422, title: 'Only EPUB and PDF files are accepted' },
  UNSUPPORTED_GRANT_TYPE: { status: 400, title: 'The grant type is not supported' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'The request body is in a format this operation does not accept',
  },
  UPLOAD_ABORTED: { status: 409, title: 'The upload was abandoned' },
  UPLOAD_ALREADY_COMPLETE: { status: 409, title: 'The upload is already complete' },
  UPLOAD_BUSY: { status: 409, title: 'The upload is being worked on by another request' },
  UPLOAD_EXPIRED: { status: 409, title: 'The upload has expired' },
  UPLOAD_NOT_COMPLETE: { status: 409, title: 'The upload is not complete yet' },
  UPLOAD_NOT_FOUND: { status: 404, title: 'No such upload' },
  UPLOAD_NOT_FOUND_IN_STORE: { status: 409, title: 'The uploaded file is not in the store' },
  UPLOAD_NOT_MULTIPART: { status: 409, title: 'The upload is not a multipart upload' },
  UPLOAD_NOT_RECEIVED: { status: 409, title: 'The file has not been received' },
  UPLOAD_PARTS_INVALID: { status: 422, title: 'The uploaded parts are not valid' },
  UPLOAD_PARTS_MISSING: { status: 422, title: 'Parts of the upload are missing' },
  UPLOAD_PART_UNKNOWN: { status: 422, title: 'A part named is not part of the upload' },
  UPLOAD_PUBLISHED: { status: 409, title: 'The upload is already published' },
  UPLOAD_REJECTED: { status: 409, title: 'The upload was refused' },
  URI_TOO_LONG: { status: 414, title: 'The address is too long' },
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  WISH_NOT_FOUND: { status: 404, title: 'No such wish' },
  WISH_NOT_NEEDED: { status: 409, title: 'The title can be borrowed or held already' },
  // Reading programmes.
  PROGRAMME_NOT_FOUND: { status: 404, title: 'No such reading programme' },
  PATRON_GROUP_NOT_FOUND: { status: 404, title: 'No such patron group' },
  NOT_IN_PROGRAMME_GROUP: { status: 403, title: 'The programme is open to another group of patrons' },
  PROGRAMME_ENDED: { status: 409, title: 'The reading programme has ended' },
  PROGRAMME_NOT_JOINED: { status: 409, title: 'The patron has not joined this programme' },
  PROGRAMME_GOAL_NOT_REACHED: { status: 409, title: 'The programme’s goal has not been reached yet' },
  // COUNTER reports (functions/http/routes/sushi.ts)
  COUNTER_REPORT_REFUSED: { status: 400, title: 'The report period is not one COUNTER allows' },
  INSTITUTION_NOT_FOUND: { status: 404, title: 'No such institution' },
  SUSHI_CREDENTIAL_NOT_FOUND: { status: 404, title: 'No such SUSHI credential' },
  // Collections (curated lists of titles).
  COLLECTION_NOT_FOUND: { status: 404, title: 'No such collection' },
  COLLECTION_TITLE_NOT_FOUND: { status: 404, title: 'The title is not in the collection' },
  COLLECTION_TITLE_UNKNOWN: { status: 422, title: 'A title named is not in the catalogue' },
  COLLECTION_TITLE_PRESENT: { status: 409, title: 'The title is in the collection already' },
  COLLECTION_FULL: { status: 409, title: 'The collection holds as many titles as allowed' },
  COLLECTION_ORDER_MISMATCH: { status: 422, title: 'The new order does not name the collection’s titles' },
  COLLECTION_CHANGED: { status: 409, title: 'The collection was changed meanwhile' },
  COLLECTION_COVER_INVALID: { status: 422, title: 'The cover is not an image of the type sent' },
  // The librarians' dashboard (functions/http/routes/admin-dashboard.ts).
  DASHBOARD_RANGE_INVALID: { status: 400, title: 'The period is not two calendar days in order' },
  DASHBOARD_RANGE_TOO_LONG: { status: 400, title: 'The period is longer than the dashboard shows' },
  // Acquisition suggestions (functions/domain/acquisitions.ts).
  ISBN_INVALID: { status: 400, title: 'The ISBN is not a valid ISBN-10 or ISBN-13' },
  SUGGESTION_TITLE_INVALID: { status: 400, title: 'The suggested title has no letter or digit' },
} as const satisfies Record<string, { status: number | readonly [number, ...number[]]; title: string }>;

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

/** The problem's `title` for a code: what went wrong. */
export function titleOf(code: ProblemCode): string {
  return problemCodes[code].title;
}

/** The `type` of a code's problems: the API's page about it (`NO_MATCH` → `/problems/no-match`). */
export function problemTypeOf(code: ProblemCode): string {
  return `/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}

/** The code a problem page's name stands for, if any (`no-match` → `NO_MATCH`). */
export function codeOfProblemSlug(slug: string): ProblemCode | undefined {
  const code = slug.toUpperCase().replaceAll('-', '_');
  return /^[A-Z_]+$/.test(code) && isProblemCode(code) ? code : undefined;
}
