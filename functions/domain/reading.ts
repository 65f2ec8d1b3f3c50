/**
 * Where a patron is in a book, and the places they marked: Readium-style locators
 * (https://readium.org/architecture/models/locators/). One position per patron and title, overwritten as
 * they read; bookmarks are a small list per patron and title. Both belong to the patron only: the keys are
 * built from the caller's id, never from the request.
 */
export interface Locations {
  /** 0..1 within the resource (`href`). */
  progression?: number;
  /** 0..1 within the whole publication. */
  totalProgression?: number;
  /** 1-based position in the publication (EPUB location index or PDF page). */
  position?: number;
  /** EPUB canonical fragment identifier. */
  cfi?: string;
  /** Readium media fragments or ids (`page=3` in a PDF, an element id in an EPUB resource). */
  fragments?: string[];
  /** Readium: a CFI within the resource (no spine step). */
  partialCfi?: string;
  cssSelector?: string;
  domRange?: Record<string, unknown>;
  /** PDF page number (1-based), as the web reader stored it before `fragments`. */
  page?: number;
  /** What else an app sent, kept as it came. */
  [extension: string]: unknown;
}

export interface Locator {
  /**
   * The resource inside the publication: an EPUB resource's path from the package root (`EPUB/ch1.xhtml`, as
   * Readium gives it; positions saved earlier may be relative to the OPF), or the PDF itself.
   */
  href: string;
  /** Media type of that resource. */
  type: string;
  title?: string;
  locations: Locations;
  text?: { before?: string; highlight?: string; after?: string };
  [extension: string]: unknown;
}

export interface ReadingProgress {
  titleId: string;
  locator: Locator;
  /** When the reader saved it (client clock, ISO 8601); the newest wins. */
  modified: string;
  /** Which device saved it, so the reader can tell "continue where you left off on another device". */
  device?: string;
  /** A reading app's own device id (OPDS Progression's `device.id`), kept to hand back as it came. */
  deviceId?: string;
}

export interface Bookmark {
  id: string;
  titleId: string;
  locator: Locator;
  label?: string;
  created: string;
}

/** Bookmarks per patron and title: generous for a reader, small enough that a listing is one query. */
export const maxBookmarksPerTitle = 200;

/** Newest wins: a save older than what is stored (a slow device catching up) does not move the position back. */
export function isNewer(candidate: ReadingProgress, stored: ReadingProgress | undefined): boolean {
  return !stored || Date.parse(candidate.modified) >= Date.parse(stored.modified);
}
