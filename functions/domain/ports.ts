import type { Partner } from './partner';
import type { AuditEntry, AuditFilter } from './audit';
import type { CatalogueIndex } from './catalogue';
import type { Patron } from './patron';
import type { ByteSource } from './publication/byte-source';
import type { Bookmark, ReadingProgress } from './reading';
import type { Title, TitleChanges } from './title';
import type { Upload, UploadState } from './upload';

/** A page of a listing; `cursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  cursor: string | null;
}

export interface TitleRepository {
  get(titleId: string): Promise<Title | undefined>;
  list(options: { limit: number; cursor?: string }): Promise<Page<Title>>;
  /** Creates the title; refuses (returns false) when one with the same id exists. */
  create(title: Title): Promise<boolean>;
  /** Changes a title's editable fields (and keeps the catalogue order in step); undefined when there is none. */
  update(titleId: string, changes: TitleChanges, now: Date): Promise<Title | undefined>;
  /**
   * Creates a published title in one transaction with the marker of its file (by SHA-256) and its ISBNs.
   * Unless `allowDuplicate`, refuses when the file is already published, naming that title; with it, the
   * marker then names the new title. `created: false` when a title with the same id exists.
   */
  publish(
    title: Title,
    options: { allowDuplicate: boolean },
  ): Promise<{ created: boolean } | { duplicateOf: PublishedTitleRef }>;
  /** The title a file was published as (by the file's SHA-256), if any. */
  publishedFile(sha256: string): Promise<PublishedTitleRef | undefined>;
  /** The titles that carry any of these ISBNs (compared as `isbnKey` gives them). */
  withIsbn(isbns: readonly string[]): Promise<Title[]>;
}

/** A title named in a refusal or a warning. */
export interface PublishedTitleRef {
  id: string;
  title: string;
}

/** What the catalogue search index is built from. */
export interface CatalogueSource {
  /** Every title (active or not). */
  all(): Promise<Title[]>;
  /** A counter bumped by every catalogue write; a cheap read that says whether the index is stale. */
  catalogueVersion(): Promise<number>;
  /** The catalogue marker: its version, the current index snapshot and the titles changed since it. */
  catalogueMarker(): Promise<CatalogueMarker>;
  /** The titles with these ids (any status; unknown ids are left out), read by key. */
  getMany(titleIds: readonly string[]): Promise<Title[]>;
  /**
   * Names `snapshot` (built from the catalogue at `version`) as the current one and forgets the changes it
   * holds (`included`), unless the catalogue moved meanwhile: then the changes are all kept (a superset of
   * what is newer than the snapshot, which readers apply again harmlessly).
   */
  recordSnapshot(snapshot: { key: string; version: number }, included: readonly string[]): Promise<void>;
}

export interface CatalogueMarker {
  version: number;
  /** The search index snapshot readers should load (absent until the first one is built). */
  snapshot?: { key: string; version: number };
  /** Ids of the titles created, edited or withdrawn since that snapshot (every one since ever, without one). */
  changed: string[];
}

/** Where prebuilt catalogue index snapshots are kept (the content bucket, under their own prefix). */
export interface CatalogueSnapshotStore {
  get(key: string): Promise<Uint8Array>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

/** The catalogue index of this process, fresh within seconds of the last catalogue write. */
export interface CatalogueSearch {
  current(): Promise<CatalogueIndex>;
}

export interface PatronRepository {
  get(patronId: string): Promise<Patron | undefined>;
  getByCard(cardNumber: string): Promise<Patron | undefined>;
  /** Creates the patron and claims the card number in one transaction; false when the card is taken. */
  create(patron: Patron): Promise<boolean>;
  /** Changes a patron's editable fields; undefined when there is no such patron. */
  update(patronId: string, changes: PatronChanges, now: Date): Promise<Patron | undefined>;
  /** Patrons whose name starts with `namePrefix` (any case), in name order. */
  search(options: { namePrefix?: string; limit: number; cursor?: string }): Promise<Page<Patron>>;
}

/** What a librarian, a PIN reset or the patron (PIN, language) may change on a patron record; the card number is fixed. */
export type PatronChanges = Partial<
  Pick<Patron, 'name' | 'email' | 'status' | 'roles' | 'loanLimit' | 'holdLimit' | 'pinHash' | 'language'>
>;

/** Reading positions and bookmarks, always scoped to one patron. */
export interface ReadingRepository {
  getProgress(patronId: string, titleId: string): Promise<ReadingProgress | undefined>;
  /**
   * Stores the position unless a newer one is already there; returns what is stored afterwards and whether
   * this save won.
   */
  putProgress(
    patronId: string,
    progress: ReadingProgress,
  ): Promise<{ stored: ReadingProgress; saved: boolean }>;
  listBookmarks(patronId: string, titleId: string): Promise<Bookmark[]>;
  addBookmark(patronId: string, bookmark: Bookmark): Promise<void>;
  /** False when there was no such bookmark (of this patron). */
  deleteBookmark(patronId: string, titleId: string, bookmarkId: string): Promise<boolean>;
}

/** Something the gateway depends on, for /health. */
export interface DependencyCheck {
  name: string;
  check(): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** Librarian-managed academic partners (federation). */
export interface PartnerRepository {
  get(partnerId: string): Promise<Partner | undefined>;
  /** By the exact issuer string (no normalisation). */
  getByIssuer(issuer: string): Promise<Partner | undefined>;
  /** Every partner (a library has tens, not thousands); served from a short cache. */
  list(): Promise<Partner[]>;
  /** False when the id or the issuer is taken. */
  create(partner: Partner): Promise<boolean>;
  /**
   * Replaces the partner when it is still as read (`previous.updatedAt`), moving the issuer claim if it
   * changed. Throws ConflictError when the partner changed meanwhile or the new issuer is taken.
   */
  update(partner: Partner, previous: Partner): Promise<void>;
}

/** One use of `/go`: which partner database was reached (counted per day; never who went). */
export interface DatabaseUse {
  partnerId: string;
  database: string;
  host: string;
  at: Date;
}

export interface DatabaseUsageRecorder {
  record(use: DatabaseUse): Promise<void>;
}

export interface UploadRepository {
  create(upload: Upload): Promise<void>;
  get(uploadId: string): Promise<Upload | undefined>;
  /**
   * Moves an upload on from one of the `from` states (conditional write, so two requests never both win);
   * undefined when it was in none of them.
   */
  transition(
    uploadId: string,
    from: UploadState[],
    changes: Partial<Omit<Upload, 'id'>> & { state: UploadState },
    now: Date,
  ): Promise<Upload | undefined>;
}

/** The object store as the upload pipeline sees it: incoming objects, multipart uploads, publishing. */
export interface UploadObjectStore {
  startMultipart(key: string, contentType: string): Promise<string>;
  completeMultipart(
    key: string,
    multipartId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<void>;
  /** Drops the upload and every part stored for it; fine when it is already gone. */
  abortMultipart(key: string, multipartId: string): Promise<void>;
  /** The stored size, or undefined when there is no such object. */
  sizeOf(key: string): Promise<number | undefined>;
  /** Random access by ranged reads: the object is never read whole into memory. */
  open(key: string, size: number): ByteSource;
  /**
   * SHA-256 (hex) of the object of `size` bytes, read in ranges (never whole in memory). `onChunk` sees every
   * byte once, in order, as it is hashed; if it throws, the read stops and the hash fails with its error.
   */
  sha256(key: string, size: number, onChunk?: (chunk: Uint8Array) => void): Promise<string>;
  remove(key: string): Promise<void>;
  /** Copies an object of `size` bytes to another key (inside the store; the bytes do not pass through us). */
  copy(fromKey: string, toKey: string, contentType: string, size: number): Promise<void>;
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  list(filter: AuditFilter, page: { limit: number; cursor?: string }): Promise<Page<AuditEntry>>;
}
