import type { components, paths } from './contract';

/**
 * The gateway's JSON contract as the reader and the console use it: aliases of the types generated from the
 * OpenAPI document (./contract.ts, `npm run contract`), so a server change the web does not follow fails the
 * type check. What is the web's own (a session's profile, the catalogue form's query) is derived from them.
 */
type Schemas = components['schemas'];
type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** The JSON body an operation answers with (its 200, or 201 when it creates). */
export type Answer<P extends keyof paths, M extends Method> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { 'application/json': infer B } } }
    ? B
    : R extends { 201: { content: { 'application/json': infer B } } }
      ? B
      : never
  : never;

/** The JSON body an operation takes. */
export type RequestBody<P extends keyof paths, M extends Method> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** The query parameters an operation takes. */
export type Query<P extends keyof paths, M extends Method> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

/** The problem codes an operation documents, over all its refusals (each response that lists its own). */
export type ProblemCodeOf<P extends keyof paths, M extends Method> = paths[P][M] extends {
  responses: infer R;
}
  ? {
      [S in keyof R]: R[S] extends { content: { 'application/problem+json': { code?: infer C } } }
        ? string extends C
          ? never // a refusal that lists no codes
          : Extract<C, string>
        : never;
    }[keyof R]
  : never;

export type Format = Schemas['Title']['format'];
export type AccessMode = Schemas['Title']['access'];
export type Availability = Schemas['Availability'];

/** A title as listings carry it (GET /titles, collections): no availability. */
export type Title = Schemas['Title'];
/** GET /titles/{id}: the title with its availability. */
export type TitleDetail = Schemas['TitleDetail'];

/** The profile a session keeps: a patron's own, or for a partner member their institution's name. */
export type Patron = Pick<Schemas['PatronProfile'], 'id' | 'cardNumber' | 'name' | 'roles' | 'language'>;

export type CampusPartner = Schemas['CampusPartner'];
/** POST /auth/oidc/session: a partner member's tokens (no patron profile). */
export type CampusSignedIn = Schemas['CampusSignedIn'];
/** POST /auth/login. */
export type SignedIn = Schemas['SignedIn'];
/** POST /auth/refresh: a patron's tokens with their profile, or a partner member's without one. */
export type Refreshed = Answer<'/auth/refresh', 'post'>;
export type Loan = Schemas['Loan'];
export type Hold = Schemas['Hold'];
export type AccessLink = Schemas['AccessLink'];
export type Locator = Schemas['Locator'];
export type Locations = Locator['locations'];
export type ReadingProgress = Schemas['ReadingProgress'];
export type Bookmark = Schemas['Bookmark'];

/** GET /titles as the catalogue form sets it (`available` a checkbox; the client sends `true`). */
export type CatalogueQuery = Omit<Query<'/titles', 'get'>, 'available'> & { available?: boolean };
export type CatalogueSort = NonNullable<CatalogueQuery['sort']>;

/** GET /collections and /collections/{id}: a curated collection as patrons see it. */
export type Collection = Schemas['Collection'];
/** GET /browse: subjects and languages with how many titles each. */
export type BrowseCounts = Schemas['CatalogueBrowse'];

/**
 * RFC 9457 problem details with the gateway's stable `code`, as the client holds them: the API's, or one it
 * makes itself (NETWORK; HTTP_<status> for an answer that is not problem+json), which has no `type` or `title`.
 */
export interface Problem {
  status: Schemas['Problem']['status'];
  code: Schemas['Problem']['code'];
  detail: Schemas['Problem']['detail'];
  type?: Schemas['Problem']['type'];
  title?: Schemas['Problem']['title'];
  [extension: string]: unknown;
}
