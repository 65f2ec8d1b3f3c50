/**
 * Every DynamoDB item key and index key is built here and nowhere else (one named access pattern each).
 * Keep sections per aggregate; add new ones below rather than building keys in repositories.
 */

export interface ItemKey {
  pk: string;
  sk: string;
}

// ---- titles ---------------------------------------------------------------------------------
export const titleKeys = {
  /** A title's record. */
  item: (titleId: string): ItemKey => ({ pk: `TITLE#${titleId}`, sk: 'TITLE' }),
  /** Listing all titles in catalogue order (gsi1). */
  listPartition: 'TITLES',
  listSort: (sortTitle: string, titleId: string) => `${sortTitle}#${titleId}`,
  /** Everything stored under a title (record, licences, ...). */
  partition: (titleId: string) => `TITLE#${titleId}`,
};

// ---- patrons --------------------------------------------------------------------------------
export const patronKeys = {
  /** A patron's record. */
  item: (patronId: string): ItemKey => ({ pk: `PATRON#${patronId}`, sk: 'PATRON' }),
  /** Card number → patron id; also what keeps card numbers unique. */
  card: (cardNumber: string): ItemKey => ({ pk: `CARD#${cardNumber}`, sk: 'CARD' }),
  /** Listing patrons (gsi1). */
  listPartition: 'PATRONS',
  listSort: (name: string, patronId: string) => `${name.toLowerCase()}#${patronId}`,
};

// ---- partners (federation) ------------------------------------------------------------------
export const partnerKeys = {
  /** A partner's record. */
  item: (partnerId: string): ItemKey => ({ pk: `PARTNER#${partnerId}`, sk: 'PARTNER' }),
  /** Exact issuer string → partner id; also what keeps issuers unique across partners. */
  issuer: (issuer: string): ItemKey => ({ pk: `PARTNER_ISSUER#${issuer}`, sk: 'PARTNER_ISSUER' }),
  /** Listing partners (gsi1). */
  listPartition: 'PARTNERS',
  listSort: (partnerId: string) => partnerId,
};

// ---- replay guards --------------------------------------------------------------------------
export const replayKeys = {
  /** A partner token's `jti`, kept (TTL attribute `ttl` = the token's `exp`) so it is accepted once. */
  assertion: (partnerId: string, jti: string): ItemKey => ({ pk: `JTI#${partnerId}#${jti}`, sk: 'JTI' }),
};

// ---- partner database use (/go) -----------------------------------------------------------
export const databaseUsageKeys = {
  /** A daily counter of redirects to one partner database host: counts only, no patron. */
  counter: (partnerId: string, host: string, day: string): ItemKey => ({
    pk: `DBUSE#${partnerId}`,
    sk: `${day}#${host}`,
  }),
  /** All counters of a month across partners (gsi1), for reports. */
  monthPartition: (day: string) => `DBUSE#${day.slice(0, 7)}`,
  monthSort: (partnerId: string, host: string, day: string) => `${partnerId}#${day}#${host}`,
};

// ---- seeding --------------------------------------------------------------------------------
export const seedKeys = {
  /** Marks that the sample library of a given version has been seeded. */
  marker: (version: string): ItemKey => ({ pk: 'SEED', sk: `SEED#${version}` }),
};

// ---- content objects (S3) -------------------------------------------------------------------
export const objectKeys = {
  /** Validated content, reachable by signed links. */
  content: (titleId: string, format: string) => `content/${titleId}/publication.${format}`,
  cover: (titleId: string, extension: string) => `content/${titleId}/cover.${extension}`,
  /** Uploads before validation: no patron link ever points here. */
  incoming: (uploadId: string) => `incoming/${uploadId}`,
};

// ---- sign-in sessions (refresh-token families) ----------------------------------------------------
export const sessionKeys = {
  /** A refresh-token family: who it belongs to, whether it is revoked, which token is current. */
  item: (sessionId: string): ItemKey => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' }),
  /** One refresh token, by the SHA-256 of the token (the token itself is never stored). */
  refreshToken: (tokenHash: string): ItemKey => ({ pk: `REFRESH#${tokenHash}`, sk: 'REFRESH' }),
};

// ---- failed sign-ins ------------------------------------------------------------------------------
export const loginAttemptKeys = {
  /** Failed sign-ins of one card number (known or not) in the current window, and its lock. */
  item: (cardNumber: string): ItemKey => ({ pk: `LOGIN#${cardNumber}`, sk: 'ATTEMPTS' }),
};
