import type { CatalogueIndex } from './catalogue';
import type { Patron } from './patron';
import type { Bookmark, ReadingProgress } from './reading';
import type { Title } from './title';

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
}

/** What the catalogue search index is built from. */
export interface CatalogueSource {
  /** Every title (active or not). */
  all(): Promise<Title[]>;
  /** A counter bumped by every catalogue write; a cheap read that says whether the index is stale. */
  catalogueVersion(): Promise<number>;
}

/** The catalogue index of this process, fresh within seconds of the last catalogue write. */
export interface CatalogueSearch {
  current(): Promise<CatalogueIndex>;
}

/** Which licensed titles have a copy free right now (the lending engine answers; open titles always do). */
export interface AvailabilityLookup {
  availableNow(titles: Title[]): Promise<Set<string>>;
}

export interface PatronRepository {
  get(patronId: string): Promise<Patron | undefined>;
  getByCard(cardNumber: string): Promise<Patron | undefined>;
  /** Creates the patron and claims the card number in one transaction; false when the card is taken. */
  create(patron: Patron): Promise<boolean>;
  /** Changes a patron's editable fields; undefined when there is no such patron. */
  update(patronId: string, changes: PatronChanges, now: Date): Promise<Patron | undefined>;
}

/** What a librarian (or a PIN reset) may change on a patron record; the card number is fixed. */
export type PatronChanges = Partial<
  Pick<Patron, 'name' | 'email' | 'status' | 'roles' | 'loanLimit' | 'holdLimit' | 'pinHash'>
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
