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
  /** Withdrawn titles, out of the catalogue listing but kept for running loans and the librarians (gsi1). */
  withdrawnPartition: 'TITLES#WITHDRAWN',
  listSort: (sortTitle: string, titleId: string) => `${sortTitle}#${titleId}`,
  /** Everything stored under a title (record, licences, ...). */
  partition: (titleId: string) => `TITLE#${titleId}`,
};

// ---- catalogue index ------------------------------------------------------------------------
export const catalogueKeys = {
  /**
   * The catalogue version marker: a counter bumped by every write that changes what search should find
   * (title created, edited, withdrawn). Each API process holds the catalogue index in memory and rebuilds it
   * when it sees a newer version here (one GetItem every few seconds, never a scan per query).
   */
  version: { pk: 'CATALOGUE', sk: 'VERSION' } as ItemKey,
};

// ---- reading position and bookmarks -------------------------------------------------------------
export const readingKeys = {
  /** A patron's reading position in one title (one item, overwritten). */
  progress: (patronId: string, titleId: string): ItemKey => ({
    pk: `PATRON#${patronId}`,
    sk: `PROGRESS#${titleId}`,
  }),
  /** One bookmark; all of a patron's bookmarks in a title share the prefix and come back in one query. */
  bookmark: (patronId: string, titleId: string, bookmarkId: string): ItemKey => ({
    pk: `PATRON#${patronId}`,
    sk: `BOOKMARK#${titleId}#${bookmarkId}`,
  }),
  bookmarkPartition: (patronId: string) => `PATRON#${patronId}`,
  bookmarkPrefix: (titleId: string) => `BOOKMARK#${titleId}#`,
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

// ---- uploads --------------------------------------------------------------------------------
export const uploadKeys = {
  /** An upload's record (expires through the table's TTL once it can no longer become a title). */
  item: (uploadId: string): ItemKey => ({ pk: `UPLOAD#${uploadId}`, sk: 'UPLOAD' }),
};

// ---- audit trail ----------------------------------------------------------------------------
export const auditKeys = {
  /** One librarian action. */
  item: (entryId: string): ItemKey => ({ pk: `AUDIT#${entryId}`, sk: 'AUDIT' }),
  /** Every action, newest last by time (gsi1). Librarian actions are few, so one partition carries them. */
  listPartition: 'AUDIT',
  listSort: (at: string, entryId: string) => `${at}#${entryId}`,
  /** The actions on one target (a title, a patron, an upload), by time (gsi2). */
  targetPartition: (targetType: string, targetId: string) => `AUDIT#${targetType}#${targetId}`,
  targetSort: (at: string, entryId: string) => `${at}#${entryId}`,
};
