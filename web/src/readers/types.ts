import type { AccessLink, Locator, Title } from '../api/types';

/** What the reader shell gives a reading engine. */
export interface ReaderContext {
  title: Title;
  /** The signed link the book was opened with. */
  link: AccessLink;
  /** Asks the API for a fresh signed link (the old one expired); throws NoAccessError when access ended. */
  freshLink(): Promise<AccessLink>;
  /** Where to resume, if the patron read this title before (on any device). */
  resumeAt: Locator | undefined;
  /** Called as the position changes; the shell saves it (debounced). */
  onLocator(locator: Locator, percent: number | undefined): void;
  /** The container the engine owns. */
  stage: HTMLElement;
  /** Tool bar: the engine adds its primary controls here (page turns). */
  toolbar: HTMLElement;
  /** Secondary tools (contents, search, display, zoom): in the bar when wide, in one menu when narrow. */
  tools: HTMLElement;
  /** The immersive chrome: the engine toggles it on a tap in the middle of the page. */
  chrome: ReaderChrome;
  /** Footer: progress text. */
  footer: HTMLElement;
  /** The area for side panels (TOC, search, bookmarks). */
  body: HTMLElement;
  /** Shows a blocking message instead of the book (e.g. access ended mid-read). */
  fail(message: string): void;
  /** Progress of the first download, 0..1 (or undefined while unknown). */
  setLoading(fraction: number | undefined, text?: string): void;
}

export interface ReaderChrome {
  show(): void;
  hide(): void;
  toggle(): void;
  shown(): boolean;
}

export interface ReadingEngine {
  /** The current position, for bookmarks. */
  locator(): Locator | undefined;
  /** The text at the current position (its start), for a bookmark's label. */
  excerpt?(): string | undefined;
  goTo(locator: Locator): Promise<void>;
  destroy(): void;
}

/** Access to the title ended (loan returned or expired). */
export class NoAccessError extends Error {
  override name = 'NoAccessError';
}
