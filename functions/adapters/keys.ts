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

// ---- campus sign-in hand-offs ---------------------------------------------------------------
export const campusHandoffKeys = {
  /** A one-time code (stored as its SHA-256) that hands a finished campus sign-in to the app. */
  code: (codeHash: string): ItemKey => ({ pk: `CAMPUS_HANDOFF#${codeHash}`, sk: 'CAMPUS_HANDOFF' }),
};

// ---- reading slots of partner titles --------------------------------------------------------
export const readingSlotKeys = {
  /** Slot `index` of a concurrency-limited partner title: a lease held by one reader until it runs out. */
  slot: (titleId: string, index: number): ItemKey => ({ pk: `PSLOT#${titleId}`, sk: `SLOT#${index}` }),
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
  /** A display-size copy of the cover, made at publication, beside the original. */
  coverRendition: (titleId: string, width: number, extension: string) =>
    `content/${titleId}/cover-${width}w.${extension}`,
  /** Uploads before validation: no patron link ever points here. */
  incoming: (uploadId: string) => `incoming/${uploadId}`,
  /** A server-side copy of an upload taken when publishing starts: no upload link points at it, so the bytes
   *  that are validated, hashed and copied to content/ are the same bytes. */
  frozen: (uploadId: string) => `incoming/${uploadId}.frozen`,
};

// ---- lending: licences and the hold queue (under the title) ---------------------------------
export const licenceKeys = {
  /** One licence of a title's pool; read with the title in one query of the title's partition. */
  item: (titleId: string, licenceId: string): ItemKey => ({
    pk: titleKeys.partition(titleId),
    sk: `LICENCE#${licenceId}`,
  }),
  sortPrefix: 'LICENCE#',
  /**
   * A supplier's licence identifier taken on a title: written with the licence, conditioned on not existing,
   * so two librarians adding the same supplier licence at once cannot both succeed.
   */
  supplierId: (titleId: string, supplierLicenceId: string): ItemKey => ({
    pk: titleKeys.partition(titleId),
    sk: `SUPPLIERLICENCE#${supplierLicenceId}`,
  }),
};

export const holdQueueKeys = {
  /** Per title: counts of waiting and reserved holds and the last queue number (the queue's lock). */
  item: (titleId: string): ItemKey => ({ pk: titleKeys.partition(titleId), sk: 'HOLDQUEUE' }),
  /** Waiting holds of a title in queue order (gsi1); a hold leaves this partition once reserved. */
  waitingPartition: (titleId: string) => `HOLDQ#${titleId}`,
  waitingSort: (seq: number) => String(seq).padStart(12, '0'),
};

// ---- lending: loans and holds ---------------------------------------------------------------
export const loanKeys = {
  item: (loanId: string): ItemKey => ({ pk: `LOAN#${loanId}`, sk: 'LOAN' }),
  /** A patron's active loans (gsi2); ended loans leave the index. */
  patronPartition: (patronId: string) => `LOANS#${patronId}`,
  patronSort: (checkedOutAt: string, loanId: string) => `${checkedOutAt}#${loanId}`,
  /** A title's running loans (gsi3) sorted by their end; ended loans leave the index. */
  titlePartition: (titleId: string) => `TITLELOANS#${titleId}`,
  titleSort: (expiresAt: string, loanId: string) => `${expiresAt}#${loanId}`,
};

export const holdKeys = {
  item: (holdId: string): ItemKey => ({ pk: `HOLD#${holdId}`, sk: 'HOLD' }),
  /** A patron's live holds (gsi2); ended holds leave the index. */
  patronPartition: (patronId: string) => `HOLDS#${patronId}`,
  patronSort: (placedAt: string, holdId: string) => `${placedAt}#${holdId}`,
  /**
   * Exists while a hold is stored as suspended: it sits in the due partition of the suspension's end (gsi1),
   * so the sweeper resumes the hold then (the hold itself stays in its title's queue on gsi1).
   */
  suspensionEnd: (holdId: string): ItemKey => ({ pk: `HOLD#${holdId}`, sk: 'SUSPENSION' }),
};

/**
 * Things that fall due (loan ends, reservation deadlines, ends of suspensions), one gsi1 partition per UTC day, sorted by the
 * instant: the sweeper reads only the days since it last finished, never the whole table.
 */
export const dueKeys = {
  partition: (at: string) => `DUE#${at.slice(0, 10)}`,
  sort: (at: string, kind: 'LOAN' | 'HOLD' | 'SUSPENSION', id: string) => `${at}#${kind}#${id}`,
  /** Upper bound of a sort key for everything due at or before `at`. */
  upTo: (at: string) => `${at}#~`,
};

export const sweeperKeys = {
  /** The first day whose due partition may still hold something: where the next sweep starts. */
  watermark: { pk: 'SWEEPER', sk: 'WATERMARK' } as ItemKey,
};

// ---- lending: per-patron counters and uniqueness markers (under the patron) -----------------
export const patronLendingKeys = {
  /** Active loans and live holds, counted in the same transaction as each change (limits are conditions). */
  counters: (patronId: string): ItemKey => ({ pk: `PATRON#${patronId}`, sk: 'LENDING#COUNTS' }),
  /** Exists while the patron has an active loan of the title: what keeps it to one. */
  loanOfTitle: (patronId: string, titleId: string): ItemKey => ({
    pk: `PATRON#${patronId}`,
    sk: `LENDING#LOAN#${titleId}`,
  }),
  /** Exists while the patron has a live hold on the title. */
  holdOfTitle: (patronId: string, titleId: string): ItemKey => ({
    pk: `PATRON#${patronId}`,
    sk: `LENDING#HOLD#${titleId}`,
  }),
};

// ---- idempotency records --------------------------------------------------------------------
export const idempotencyKeys = {
  /** A request's outcome under the client's Idempotency-Key, scoped to the patron; expires by TTL. */
  record: (patronId: string, key: string): ItemKey => ({
    pk: `IDEMPOTENCY#${patronId}#${key}`,
    sk: 'IDEMPOTENCY',
  }),
};

// ---- usage events (COUNTER-style statistics) ------------------------------------------------
export const usageKeys = {
  /** A daily counter of one metric for one title: only what statistics need, no patron. */
  counter: (titleId: string, day: string, metric: string): ItemKey => ({
    pk: `USAGE#${titleId}`,
    sk: `${day}#${metric}`,
  }),
  /** All counters of a month across titles (gsi1), for reports. */
  monthPartition: (day: string) => `USAGE#${day.slice(0, 7)}`,
  monthSort: (titleId: string, day: string, metric: string) => `${titleId}#${day}#${metric}`,
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
  /**
   * Sign-in attempts from one client address (an IPv4 address or an IPv6 /64) in one fixed window, named by the
   * epoch ms it starts at; expires by TTL.
   */
  address: (subject: string, windowStart: number): ItemKey => ({
    pk: `LOGINADDR#${subject}`,
    sk: `WINDOW#${windowStart}`,
  }),
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

// ---- notifications (in the app, e-mail deliveries), e-mail settings, wishes ----------------
export const notificationKeys = {
  /** One in-app notification of a patron; ids start with the epoch ms, so the partition reads newest first. */
  item: (patronId: string, notificationId: string): ItemKey => ({
    pk: `PATRON#${patronId}`,
    sk: `NOTIFICATION#${notificationId}`,
  }),
  partition: (patronId: string) => `PATRON#${patronId}`,
  prefix: 'NOTIFICATION#',
  /** The patron's e-mail address (verified or pending) and per-kind e-mail preferences. */
  settings: (patronId: string): ItemKey => ({ pk: `PATRON#${patronId}`, sk: 'NOTIFY#SETTINGS' }),
};

export const deliveryKeys = {
  /**
   * The e-mail delivery of one event, keyed by the event's id: putting it on condition it does not exist is
   * what records a time-based event once, however many sweeps run.
   */
  item: (eventId: string): ItemKey => ({ pk: `DELIVERY#${eventId}`, sk: 'EMAIL' }),
  /** Deliveries still to try, by when they are due (gsi1); sent or skipped ones leave the index. */
  duePartition: 'DELIVERIES#DUE',
  dueSort: (nextAttemptAt: string, eventId: string) => `${nextAttemptAt}#${eventId}`,
  dueUpTo: (at: string) => `${at}#~`,
  /** Deliveries that gave up after the last retry, for the librarians (gsi1). */
  failedPartition: 'DELIVERIES#FAILED',
  failedSort: (failedAt: string, eventId: string) => `${failedAt}#${eventId}`,
  /** A patron's deliveries, for the librarians' patron page (gsi2). */
  patronPartition: (patronId: string) => `DELIVERIES#${patronId}`,
  patronSort: (createdAt: string, eventId: string) => `${createdAt}#${eventId}`,
};

export const wishKeys = {
  /** A patron's wish to be told when a title can be lent. */
  item: (patronId: string, titleId: string): ItemKey => ({ pk: `PATRON#${patronId}`, sk: `WISH#${titleId}` }),
  patronPartition: (patronId: string) => `PATRON#${patronId}`,
  patronPrefix: 'WISH#',
  /** Who wishes for a title, oldest first (gsi1). */
  titlePartition: (titleId: string) => `WISHES#${titleId}`,
  titleSort: (createdAt: string, patronId: string) => `${createdAt}#${patronId}`,
  /** Open wishes of a title, counted in the same transaction as each wish (a demand signal). */
  count: (titleId: string): ItemKey => ({ pk: `TITLE#${titleId}`, sk: 'WISHCOUNT' }),
  /** Every title's wish count (gsi2). */
  countsPartition: 'WISHCOUNTS',
  countsSort: (titleId: string) => titleId,
  /**
   * Outbox marker: "this title's wishers are to be told", written in the same transaction as the licence
   * change that makes the title lendable, deleted once they are; the sweeper tells what a crash left.
   */
  toTell: (titleId: string): ItemKey => ({ pk: `TITLE#${titleId}`, sk: 'WISHES#TOTELL' }),
  /** Every title whose wishers are still to be told (gsi1; not `WISHES#…`, which lists a title's wishes). */
  toTellPartition: 'WISHTELL',
  toTellSort: (titleId: string) => titleId,
};

// ---- reading programmes, patron groups, and the reading tallies that count towards them ----
export const programmeKeys = {
  /** A programme's record. */
  item: (programmeId: string): ItemKey => ({ pk: `PROGRAMME#${programmeId}`, sk: 'PROGRAMME' }),
  /** Every programme by start (gsi1). */
  listPartition: 'PROGRAMMES',
  listSort: (startsAt: string, programmeId: string) => `${startsAt}#${programmeId}`,
  /** One patron's participation, in the programme's partition: the organisers' list is one query. */
  participant: (programmeId: string, patronId: string): ItemKey => ({
    pk: `PROGRAMME#${programmeId}`,
    sk: `PARTICIPANT#${patronId}`,
  }),
  participantPartition: (programmeId: string) => `PROGRAMME#${programmeId}`,
  participantPrefix: 'PARTICIPANT#',
  /**
   * "This patron joined that programme", with the programme's terms copied in: a saved position finds what
   * it counts towards in one query of the patron's own partition (of this prefix, not `PATRON#`).
   */
  joined: (patronId: string, programmeId: string): ItemKey => ({
    pk: `PROGRAMMES_OF#${patronId}`,
    sk: `PROGRAMME#${programmeId}`,
  }),
  joinedPartition: (patronId: string) => `PROGRAMMES_OF#${patronId}`,
  /** A patron group (a school class) and its members, one item each. */
  group: (groupId: string): ItemKey => ({ pk: `PGROUP#${groupId}`, sk: 'PGROUP' }),
  groupMember: (groupId: string, patronId: string): ItemKey => ({
    pk: `PGROUP#${groupId}`,
    sk: `MEMBER#${patronId}`,
  }),
  /** Every group by name (gsi1). */
  groupsPartition: 'PGROUPS',
  groupsSort: (name: string, groupId: string) => `${name.toLowerCase()}#${groupId}`,
  /** The last save of a title by a patron and what it was credited today (the per-title cap). */
  tallyOfTitle: (patronId: string, titleId: string): ItemKey => ({
    pk: `READTALLY#${patronId}`,
    sk: `TITLE#${titleId}`,
  }),
  /** Seconds credited to a patron on one library day (the daily cap); expires by TTL. */
  tallyOfDay: (patronId: string, day: string): ItemKey => ({ pk: `READTALLY#${patronId}`, sk: `DAY#${day}` }),
};

// ---- COUNTER R5.1 statistics and SUSHI credentials -----------------------------------------
export const counterKeys = {
  /** One institution's monthly aggregates (titles × access type, the platform, databases). */
  monthPartition: (institution: string, month: string) => `COUNTER#${institution}#${month}`,
  title: (institution: string, month: string, titleId: string, accessType: string): ItemKey => ({
    pk: `COUNTER#${institution}#${month}`,
    sk: `TITLE#${titleId}#${accessType}`,
  }),
  platform: (institution: string, month: string): ItemKey => ({
    pk: `COUNTER#${institution}#${month}`,
    sk: 'PLATFORM',
  }),
  database: (institution: string, month: string, partnerId: string, database: string): ItemKey => ({
    pk: `COUNTER#${institution}#${month}`,
    sk: `DATABASE#${partnerId}#${database}`,
  }),
  /** Every aggregate of an institution by month (gsi1): the first and last months with usage. */
  monthsPartition: (institution: string) => `COUNTERMONTHS#${institution}`,
  monthsSort: (month: string, sk: string) => `${month}#${sk}`,
  /** Markers keyed by a hash of user and item; they expire by TTL, so no one's use outlives its counting. */
  click: (hash: string): ItemKey => ({ pk: `COUNTERCLICK#${hash}`, sk: 'CLICK' }),
  session: (hash: string): ItemKey => ({ pk: `COUNTERSESSION#${hash}`, sk: 'SESSION' }),
  reading: (hash: string): ItemKey => ({ pk: `COUNTERREADING#${hash}`, sk: 'READING' }),
};

export const sushiCredentialKeys = {
  /** One harvester's credential, by its requestor_id (the api_key only as its SHA-256). */
  item: (requestorId: string): ItemKey => ({ pk: `SUSHICRED#${requestorId}`, sk: 'SUSHICRED' }),
  /** Every credential, oldest first (gsi1). */
  listPartition: 'SUSHICREDS',
  listSort: (createdAt: string, requestorId: string) => `${createdAt}#${requestorId}`,
};

// ---- collections (curated lists of titles) and loans started per day (the "most borrowed" sort) -----------
export const collectionKeys = {
  /** A collection's record: names, ordered title ids, cover, featured window, version. */
  item: (collectionId: string): ItemKey => ({ pk: `COLLECTION#${collectionId}`, sk: 'COLLECTION' }),
  /** Every collection, newest first (gsi1; a library has tens of them). */
  listPartition: 'COLLECTIONS',
  listSort: (createdAt: string, collectionId: string) => `${createdAt}#${collectionId}`,
  /**
   * An uploaded cover, under content/ (where signed links may point); a new key per upload, so a cached link
   * never shows the previous image.
   */
  coverObject: (collectionId: string, token: string, extension: string) =>
    `content/collections/${collectionId}/cover-${token}.${extension}`,
  /**
   * How many loans of each title started on one day: one partition per day, one item per title borrowed that
   * day, so "most borrowed in the last 30 days" is 30 small queries, never a read of the loans.
   */
  loanStartsPartition: (day: string): ItemKey['pk'] => `LOANSTARTS#${day}`,
  loanStarts: (day: string, titleId: string): ItemKey => ({ pk: `LOANSTARTS#${day}`, sk: titleId }),
};

// ---- catalogue index snapshots (S3) ---------------------------------------------------------
export const catalogueSnapshotKeys = {
  /** Prebuilt search indexes, written by the sweeper and read by the API functions; never a patron link. */
  prefix: 'search/',
  /** One snapshot per build; the catalogue marker names the current one (a new name, so no reader sees half). */
  snapshot: (version: number, builtAt: Date) =>
    `search/catalogue-${version}-${builtAt.getTime().toString(36)}.idx.zst`,
  /** When the snapshot under `key` was built (undefined for a key not made by `snapshot`). */
  builtAt: (key: string): Date | undefined => {
    const stamp = /^search\/catalogue-\d+-([0-9a-z]+)\.idx\.zst$/.exec(key)?.[1];
    return stamp ? new Date(parseInt(stamp, 36)) : undefined;
  },
};

// ---- the librarian dashboard's daily use (per day, institution and title) ----------------------------------
export const dashboardKeys = {
  /**
   * One partition per month holding every title's daily figures, sorted by day, so a date range is one Query per
   * month with a sort-key range (never a scan): the dashboard's and the acquisition list's "last 30 days".
   */
  dayPartition: (day: string) => `DAILYUSE#${day.slice(0, 7)}`,
  daySort: (day: string, institution: string, titleId: string) => `${day}#${institution}#${titleId}`,
  day: (day: string, institution: string, titleId: string): ItemKey => ({
    pk: `DAILYUSE#${day.slice(0, 7)}`,
    sk: `${day}#${institution}#${titleId}`,
  }),
};

// ---- acquisition suggestions (patrons' "suggest a title") ----------------------------------------
export const suggestionKeys = {
  /** A suggested title: what was asked for and how many distinct patrons asked. */
  item: (suggestionId: string): ItemKey => ({ pk: `SUGGESTION#${suggestionId}`, sk: 'SUGGESTION' }),
  /**
   * A deduplication key (the SHA-256 of `isbn:<ISBN-13>` or `title:<title>|<author>`, normalised) → the
   * suggestion it belongs to; written conditionally, so one title is one suggestion however many ask at once.
   */
  lookup: (dedupKeyHash: string): ItemKey => ({ pk: `SUGGESTKEY#${dedupKeyHash}`, sk: 'SUGGESTKEY' }),
  /** One patron's vote for a suggestion, named only by a hash of (suggestion, patron): counted once. */
  vote: (suggestionId: string, voterHash: string): ItemKey => ({
    pk: `SUGGESTION#${suggestionId}`,
    sk: `VOTE#${voterHash}`,
  }),
  /** Every suggestion, oldest first (gsi1; a library gets hundreds, not millions). */
  listPartition: 'SUGGESTIONS',
  listSort: (createdAt: string, suggestionId: string) => `${createdAt}#${suggestionId}`,
};

// ---- publication markers (duplicate detection at publication) -----------------------------------
export const publicationKeys = {
  /**
   * The title a file was published as, by the SHA-256 of its bytes: put on condition it does not exist in the
   * transaction that creates the title, so the same file cannot become two titles unless a librarian says so
   * (then it names the newest).
   */
  file: (sha256: string): ItemKey => ({ pk: `TITLEFILE#${sha256}`, sk: 'TITLEFILE' }),
  /** A title carrying an ISBN (as compared: ISBN-13, digits only); the titles of one ISBN share a partition. */
  isbn: (isbn: string, titleId: string): ItemKey => ({ pk: `TITLEISBN#${isbn}`, sk: `TITLE#${titleId}` }),
  isbnPartition: (isbn: string) => `TITLEISBN#${isbn}`,
};
