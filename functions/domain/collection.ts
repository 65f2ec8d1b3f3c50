import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from './errors';
import type { CatalogueGroup, GroupSource } from './catalogue-feeds';
import type { Title } from './title';

/**
 * Curated collections (staff picks, local literature, a school's reading list, a theme month): a name and
 * description in both languages, titles in the order the librarian chose, an optional cover and optional dates
 * during which the catalogue features it (home shelves, OPDS groups). Any collection has its own public page;
 * only featured ones are listed.
 */

export interface Bilingual {
  id: string;
  en: string;
}

/** An uploaded image (stored under the collection) or the cover of one of its titles. */
export type CollectionCover =
  { kind: 'image'; key: string; type: string; size: number } | { kind: 'title'; titleId: string };

export interface Collection {
  id: string;
  name: Bilingual;
  description: Bilingual;
  /** In the librarian's order; may name titles withdrawn since (left out of the public view). */
  titleIds: string[];
  cover?: CollectionCover;
  /** ISO instants. Featured from `featuredFrom` (inclusive) until `featuredUntil` (exclusive, none: open). */
  featuredFrom?: string;
  featuredUntil?: string;
  /** Bumped by every change: an editor that read version n may only write over version n. */
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy?: string;
}

/** Enough for a theme month or a school's list, and small enough to keep in one item and page in memory. */
export const maxCollectionTitles = 200;
/** Titles a featured collection's shelf shows. */
export const shelfSize = 12;

/** Images a librarian may upload as a cover, recognised by their first bytes (never by the declared type). */
export const coverImageTypes = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type CoverImageType = (typeof coverImageTypes)[number];
export const maxCoverImageBytes = 2 * 1024 * 1024;

export function sniffImageType(bytes: Uint8Array): CoverImageType | undefined {
  const at = (i: number) => bytes[i];
  if (bytes.length >= 3 && at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => at(i) === b)) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

/** A cover upload is kept only when its bytes are the image type it was sent as. */
export function checkCoverImage(bytes: Uint8Array, declared: string): CoverImageType {
  if (bytes.length === 0)
    throw new ValidationError({ code: 'VALIDATION_FAILED', detail: 'The cover image is empty.' });
  const sniffed = sniffImageType(bytes);
  if (!sniffed || sniffed !== declared)
    throw new UnprocessableError({
      code: 'COLLECTION_COVER_INVALID',
      detail: `The body is not a ${declared} image (JPEG, PNG or WebP, sent with its own type).`,
      context: { declared, ...(sniffed ? { found: sniffed } : {}) },
    });
  return sniffed;
}

export function isFeatured(collection: Collection, now: Date): boolean {
  if (!collection.featuredFrom) return false;
  const at = now.getTime();
  if (at < Date.parse(collection.featuredFrom)) return false;
  return !collection.featuredUntil || at < Date.parse(collection.featuredUntil);
}

/** Featured now, the most recently started first (a theme month before the long-running staff picks). */
export function featuredNow(collections: readonly Collection[], now: Date): Collection[] {
  return collections
    .filter((c) => isFeatured(c, now))
    .sort((a, b) =>
      a.featuredFrom! < b.featuredFrom! ? 1 : a.featuredFrom! > b.featuredFrom! ? -1 : a.id < b.id ? -1 : 1,
    );
}

export function checkWindow(window: { featuredFrom?: string; featuredUntil?: string }): void {
  const { featuredFrom, featuredUntil } = window;
  if (featuredUntil && !featuredFrom)
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: 'featuredUntil needs featuredFrom.',
      context: { field: 'featuredFrom' },
    });
  if (featuredFrom && featuredUntil && Date.parse(featuredUntil) <= Date.parse(featuredFrom))
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: 'featuredUntil must be after featuredFrom.',
      context: { field: 'featuredUntil' },
    });
}

export const collectionErrors = {
  notFound: (id: string) =>
    new NotFoundError({
      code: 'COLLECTION_NOT_FOUND',
      detail: `Collection ${id} was not found.`,
      context: { id },
    }),
  titleNotIn: (id: string, titleId: string) =>
    new NotFoundError({
      code: 'COLLECTION_TITLE_NOT_FOUND',
      detail: `Title ${titleId} is not in collection ${id}.`,
      context: { id, titleId },
    }),
  unknownTitles: (titleIds: string[]) =>
    new UnprocessableError({
      code: 'COLLECTION_TITLE_UNKNOWN',
      detail: `Not in the catalogue (or withdrawn): ${titleIds.join(', ')}.`,
      context: { titleIds },
    }),
  changed: (id: string, expected: number, current: number) =>
    new ConflictError({
      code: 'COLLECTION_CHANGED',
      detail: `Collection ${id} changed meanwhile (version ${current}, not ${expected}); read it again.`,
      context: { id, version: current },
    }),
};

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** Adds titles (the order given) at `position` (default: the end). Titles already in it are refused. */
export function withTitlesAdded(collection: Collection, titleIds: string[], position?: number): Collection {
  const adding = unique(titleIds);
  const present = adding.filter((id) => collection.titleIds.includes(id));
  if (present.length)
    throw new ConflictError({
      code: 'COLLECTION_TITLE_PRESENT',
      detail: `Already in the collection: ${present.join(', ')}.`,
      context: { titleIds: present },
    });
  if (collection.titleIds.length + adding.length > maxCollectionTitles)
    throw new ConflictError({
      code: 'COLLECTION_FULL',
      detail: `A collection holds at most ${maxCollectionTitles} titles.`,
      context: { max: maxCollectionTitles },
    });
  const at = Math.min(position ?? collection.titleIds.length, collection.titleIds.length);
  const ordered = [...collection.titleIds];
  ordered.splice(at, 0, ...adding);
  return { ...collection, titleIds: ordered };
}

export function withTitleRemoved(collection: Collection, titleId: string): Collection {
  if (!collection.titleIds.includes(titleId)) throw collectionErrors.titleNotIn(collection.id, titleId);
  const cover =
    collection.cover?.kind === 'title' && collection.cover.titleId === titleId ? undefined : collection.cover;
  const { cover: _old, ...rest } = collection;
  return {
    ...rest,
    titleIds: collection.titleIds.filter((id) => id !== titleId),
    ...(cover ? { cover } : {}),
  };
}

/** A new order: the same titles, each once. */
export function withOrder(collection: Collection, titleIds: string[]): Collection {
  const same =
    titleIds.length === collection.titleIds.length &&
    unique(titleIds).length === titleIds.length &&
    titleIds.every((id) => collection.titleIds.includes(id));
  if (!same)
    throw new UnprocessableError({
      code: 'COLLECTION_ORDER_MISMATCH',
      detail: 'A new order must name every title of the collection exactly once, and no other.',
      context: { expected: collection.titleIds.length, given: titleIds.length },
    });
  return { ...collection, titleIds };
}

/** The titles a patron sees, in order: titles withdrawn (or gone) since they were added are left out. */
export function publicTitles(collection: Collection, active: (id: string) => Title | undefined): Title[] {
  return collection.titleIds.flatMap((id) => {
    const title = active(id);
    return title && title.status === 'active' ? [title] : [];
  });
}

const lookups = new WeakMap<readonly Title[], (id: string) => Title | undefined>();

/**
 * Finds titles by id in the catalogue's list of active titles. The map is built once per list (the catalogue
 * index keeps one list until it is rebuilt), not once per request: at 100k titles that is the difference.
 */
export function activeTitleLookup(titles: readonly Title[]): (id: string) => Title | undefined {
  let lookup = lookups.get(titles);
  if (!lookup) {
    const byId = new Map(titles.map((t) => [t.id, t]));
    lookup = (id) => byId.get(id);
    lookups.set(titles, lookup);
  }
  return lookup;
}

/** The collections' store, as the catalogue needs it. */
export interface CollectionRepository {
  get(id: string): Promise<Collection | undefined>;
  /** Every collection (a library has tens, not thousands), newest first. */
  list(): Promise<Collection[]>;
  /** false when one with this id exists. */
  create(collection: Collection): Promise<boolean>;
  /**
   * Writes `next` over the stored version `next.version - 1`; false when the stored one moved meanwhile (or is
   * gone).
   */
  replace(next: Collection): Promise<boolean>;
  remove(id: string): Promise<boolean>;
  /**
   * The titles of these ids as stored now (any status; missing ones absent): a collection's page reads its
   * own titles fresh, so a withdrawal shows at once and no request waits for the whole catalogue index.
   */
  titlesOf(ids: readonly string[]): Promise<Map<string, Title>>;
}

/**
 * The OPDS root's groups: one per collection featured now, with its first titles (active ones, in order).
 * `href` is the collection's own feed.
 */
export function collectionGroupSource(
  repository: Pick<CollectionRepository, 'list'>,
  clock: { now(): Date },
): GroupSource {
  return async ({ titles, size }) => {
    const byId = activeTitleLookup(titles);
    const featured = featuredNow(await repository.list(), clock.now());
    return featured.map((collection): CatalogueGroup => {
      const shown = publicTitles(collection, byId);
      return {
        key: `collection:${collection.id}`,
        title: collection.name.en,
        numberOfItems: shown.length,
        titles: shown.slice(0, size),
        list: {},
        href: `/opds/collections/${encodeURIComponent(collection.id)}`,
      };
    });
  };
}
