import ePub, { Contents } from 'epubjs';
import type Book from 'epubjs/types/book';
import type Rendition from 'epubjs/types/rendition';
import type { Location } from 'epubjs/types/rendition';
import type { NavItem } from 'epubjs/types/navigation';
import type { Locator } from '../api/types';
import { bookTextAttrs, h } from '../dom';
import { t } from '../i18n';
import { cacheGet, cachePut } from './cache';
import { BookFiles } from './epub-files';
import { SignedLinkRangeSource } from './range';
import { RangeZip, ZipFormatError } from './zip-range';
import { NoAccessError, type ReaderContext, type ReadingEngine } from './types';
import { readAloud, speechAvailable, textOfRange, type PageText } from './read-aloud';
import { effectiveTheme, onSystemThemeChange, setThemeChoice, themeChoice, type ThemeChoice } from '../theme';
import dyslexicRegular from '@fontsource/opendyslexic/files/opendyslexic-latin-400-normal.woff2?url';
import dyslexicBold from '@fontsource/opendyslexic/files/opendyslexic-latin-700-normal.woff2?url';
import { packageEntryOf, positionCounts, positionOf } from './locators';

type Theme = 'light' | 'sepia' | 'dark';
type Flow = 'paginated' | 'scrolled-doc';
type Typeface = 'book' | 'serif' | 'sans' | 'dyslexic';
type Spacing = 'book' | 'normal' | 'relaxed' | 'loose';
type Margins = 'small' | 'medium' | 'large';

interface Settings {
  fontSize: number;
  flow: Flow;
  typeface: Typeface;
  spacing: Spacing;
  margins: Margins;
}

const typefaces: Record<Exclude<Typeface, 'book'>, string> = {
  serif: "Georgia, 'Noto Serif', 'DejaVu Serif', 'Times New Roman', serif",
  sans: "system-ui, 'Noto Sans', 'DejaVu Sans', Arial, sans-serif",
  dyslexic: "'OpenDyslexic', 'Comic Sans MS', sans-serif",
};
const lineHeights: Record<Exclude<Spacing, 'book'>, string> = { normal: '1.4', relaxed: '1.7', loose: '2' };
/** Space each side of the page, as a share of the stage's width. */
const pageMargins: Record<Margins, string> = { small: '0px', medium: '6%', large: '14%' };

/** The patron's typeface and spacing, laid over the chapter's own styles (in the chapter's frame). */
function comfortCss(settings: Settings): string {
  const font = (url: string, weight: number) =>
    `@font-face{font-family:'OpenDyslexic';font-style:normal;font-weight:${weight};font-display:block;` +
    `src:url('${new URL(url, document.baseURI).href}') format('woff2')}`;
  const rules = [
    // The read-aloud sentence and search hits (CSS Custom Highlight, set from web/src/readers/read-aloud.ts).
    '::highlight(pustaka-read-aloud){background-color:rgba(255,200,0,0.55);color:inherit}',
    '::highlight(pustaka-search){background-color:rgba(255,140,0,0.45);color:inherit}',
  ];
  if (settings.typeface === 'dyslexic') rules.push(font(dyslexicRegular, 400), font(dyslexicBold, 700));
  const text = 'body, body :not(code):not(pre):not(kbd):not(samp):not(tt):not(svg *):not(math *)';
  if (settings.typeface !== 'book')
    rules.push(`${text}{font-family:${typefaces[settings.typeface]} !important}`);
  if (settings.spacing !== 'book')
    rules.push(
      `body, body p, body li, body div, body blockquote, body dd, body dt, body td{line-height:${lineHeights[settings.spacing]} !important}`,
    );
  return rules.join('\n');
}

const comfortId = 'pustaka-comfort';
/** Writes the comfort style into a chapter, and waits for a typeface it names. */
async function applyComfort(doc: Document, settings: Settings): Promise<void> {
  let style = doc.getElementById(comfortId);
  if (!style) {
    style = doc.createElement('style');
    style.id = comfortId;
    (doc.head ?? doc.documentElement).append(style);
  }
  style.textContent = comfortCss(settings);
  if (settings.typeface === 'dyslexic')
    await Promise.all([
      doc.fonts.load("400 1em 'OpenDyslexic'"),
      doc.fonts.load("700 1em 'OpenDyslexic'"),
    ]).catch(() => undefined);
}

const settingsKey = 'pustaka.epub.settings';
const themes: Record<Theme, Record<string, Record<string, string>>> = {
  light: { body: { color: '#1b1b1f', background: '#ffffff' } },
  sepia: { body: { color: '#3b2f1e', background: '#f4ecd8' } },
  dark: { body: { color: '#e6e6e6', background: '#121212' }, a: { color: '#8ec9ff' } },
};

function loadSettings(): Settings {
  const fallback: Settings = {
    fontSize: 100,
    flow: 'paginated',
    typeface: 'book',
    spacing: 'book',
    margins: 'small',
  };
  try {
    return { ...fallback, ...(JSON.parse(localStorage.getItem(settingsKey) ?? '{}') as Partial<Settings>) };
  } catch {
    return fallback;
  }
}

/**
 * Fixed-layout pages whole and centred. epub.js scales a page to fit its frame but pins it to the top left
 * (its own offset code is commented out as unreliable), so a page narrower or shorter than the stage hugs one
 * side. The same scale, then an offset: centred in its frame, or against the spine when the page says which
 * side of a spread it is on.
 */
interface FitContents {
  fit(width: number, height: number, section?: { properties?: string[] }): void;
  viewport(): { width?: string; height?: string };
  css(property: string, value: string, priority?: boolean): string;
}
const contentsProto = (Contents as unknown as { prototype: FitContents }).prototype;
const epubFit = contentsProto.fit;
contentsProto.fit = function (this: FitContents, width, height, section) {
  epubFit.call(this, width, height, section);
  const viewport = this.viewport();
  const pageWidth = parseInt(viewport.width ?? '', 10);
  const pageHeight = parseInt(viewport.height ?? '', 10);
  if (!(pageWidth > 0 && pageHeight > 0 && width > 0 && height > 0)) return;
  const scale = Math.min(width / pageWidth, height / pageHeight);
  const spare = width - pageWidth * scale;
  const side = section?.properties ?? [];
  const x = side.includes('page-spread-left') ? spare : side.includes('page-spread-right') ? 0 : spare / 2;
  const y = (height - pageHeight * scale) / 2;
  this.css('margin-left', '0');
  this.css('transform-origin', 'top left');
  this.css('transform', `translate(${x}px, ${y}px) scale(${scale})`);
};

/** Nothing arrived and nothing happened for this long while opening: the book is taken as unopenable. */
const STALL_MS = 12_000;

/** Rejects when `work` neither settles nor sees `progress` move for STALL_MS. */
function withStallGuard<T>(work: Promise<T>, progress: () => number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let seen = progress();
    let last = performance.now();
    const timer = setInterval(() => {
      const now = progress();
      if (now !== seen) {
        seen = now;
        last = performance.now();
      } else if (performance.now() - last > STALL_MS) {
        clearInterval(timer);
        reject(new BookOpenError(`${what}: no progress for ${STALL_MS} ms`));
      }
    }, 500);
    work.then(
      (value) => {
        clearInterval(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearInterval(timer);
        reject(error instanceof Error ? error : new BookOpenError(String(error)));
      },
    );
  });
}

/** The book could not be opened (damaged, truncated, or something epub.js cannot show). */
export class BookOpenError extends Error {
  override name = 'BookOpenError';
}

interface SpineSection {
  href: string;
  url: string;
  index: number;
  linear: boolean;
}

export async function openBook(context: ReaderContext): Promise<ReadingEngine> {
  context.setLoading(undefined, t('reader.opening'));
  const length = context.link.size ?? context.title.size;
  const source = new SignedLinkRangeSource(length, context.link, context.freshLink);
  // For measurements (bench/reader-epub.ts): `pustaka.epub.range = off` takes the whole file in one request.
  if (localStorage.getItem('pustaka.epub.range') === 'off') await source.read(0, 1, { whole: true });
  source.onProgress = (fetched) => {
    context.stage.dataset.bytesFetched = String(fetched);
    context.stage.dataset.linkRenewals = String(source.linkRenewals);
  };
  let zip: RangeZip;
  try {
    zip = await RangeZip.open(source);
  } catch (error) {
    if (error instanceof ZipFormatError) throw new BookOpenError(error.message);
    throw error;
  }
  // The book as an unpacked package at a virtual URL of this origin; its files come from the zip by ranges.
  const files = new BookFiles(zip, `${location.origin}/__book/${encodeURIComponent(context.title.id)}/`);
  await files.readEncryption();
  const book: Book = ePub(files.base, {
    openAs: 'directory',
    requestMethod: files.request,
    replacements: 'none',
  } as never);
  const opened = new Promise<void>((resolve, reject) => {
    book.opened.then(() => resolve(), reject);
    book.on('openFailed', (error: Error) => reject(new BookOpenError(error.message)));
  });
  try {
    await withStallGuard(opened, () => source.bytesFetched, 'opening');
  } catch (error) {
    book.destroy();
    files.destroy();
    throw error;
  }
  files.uniqueIdentifier =
    (book.packaging as unknown as { uniqueIdentifier?: string }).uniqueIdentifier ?? '';
  const bookLanguage = book.packaging?.metadata?.language || context.title.language || undefined;
  // The spine's page-progression-direction, or else the language's own direction.
  const progression = (book.packaging?.metadata as { direction?: string } | undefined)?.direction;
  const rtl = progression === 'rtl' || (!progression && bookTextAttrs(bookLanguage).dir === 'rtl');
  // Only for text with no language at all: page progression is not text direction (see prepareDocument).
  const bookDirection = rtl ? ('rtl' as const) : undefined;
  // Every chapter's resources resolved against its own URL (never substring-replaced), fixes applied.
  book.spine.hooks.content.register((doc: Document, section: SpineSection) =>
    files.prepareDocument(doc, section.url, bookLanguage, bookDirection),
  );
  const sections = (book.spine as unknown as { spineItems: SpineSection[] }).spineItems;
  const sectionByEntry = new Map<string, SpineSection>();
  for (const section of sections) {
    const entry = files.entryOf(section.url);
    if (entry) sectionByEntry.set(entry, section);
  }
  // epub.js looks hrefs up as written (and misses the first item: index 0 is falsy there); resolve instead.
  const spineGet = book.spine.get.bind(book.spine);
  const packagePath = (book.container as unknown as { packagePath?: string } | undefined)?.packagePath ?? '';
  const opfUrl = new URL(packagePath, files.base).href;
  (book.spine as unknown as { get: (target?: unknown) => unknown }).get = (target?: unknown) => {
    if (typeof target === 'string' && target && !target.startsWith('#') && !target.startsWith('epubcfi(')) {
      // Locators name resources from the package root (Readium); ones saved earlier, relative to the OPF.
      const path = packageEntryOf(
        target,
        packagePath,
        (p) => files.entryOf(new URL(p, files.base).href) !== undefined,
      );
      const entry = path ? files.entryOf(new URL(path, files.base).href) : undefined;
      const found = entry ? sectionByEntry.get(entry) : undefined;
      if (found) return found;
    }
    return spineGet(target as string);
  };
  /** A Contents or link target (relative to `from`) as the spine href epub.js can display, fragment kept. */
  const displayTarget = (href: string, from: string): string => {
    let url: URL;
    try {
      url = new URL(href, from);
    } catch {
      return href;
    }
    const entry = files.entryOf(url.href);
    const section = entry ? sectionByEntry.get(entry) : undefined;
    return section ? section.href + url.hash : href;
  };
  const settings = loadSettings();
  context.stage.style.setProperty('--page-margin', pageMargins[settings.margins] ?? '0px');
  let rendition: Rendition | undefined;
  let current: Location | undefined;
  let percent: number | undefined;
  let destroyed = false;

  const progressText = h('span', { id: 'reader-progress', 'aria-live': 'off' }, t('reader.progressPending'));
  context.footer.append(progressText, h('span', { id: 'reader-chapter' }));

  const locatorOf = (location: Location): Locator => {
    const section = book.spine.get(location.start.href) as unknown as SpineSection | null;
    const chapter = tocLabel(location.start.href);
    const progression = location.start.displayed.total
      ? (location.start.displayed.page - 1) / location.start.displayed.total
      : undefined;
    return {
      // From the package root, as Readium names resources (epub.js's href is relative to the OPF).
      href: (section ? files.entryOf(section.url) : undefined) ?? location.start.href,
      type: 'application/xhtml+xml',
      ...(chapter ? { title: chapter } : {}),
      locations: {
        cfi: location.start.cfi,
        ...(section ? { position: positionOf(positions, section.index, progression ?? 0) } : {}),
        ...(progression !== undefined ? { progression } : {}),
        ...(percent !== undefined ? { totalProgression: percent / 100 } : {}),
      },
    };
  };

  // Until locations are worked out, the position is estimated from the spine items' sizes in the zip.
  const weights = sections.map((section) => {
    const entry = files.entryOf(section.url);
    return section.linear && entry ? (zip.entries.get(entry)?.size ?? 0) : 0;
  });
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  // Readium's positions list: every spine item by its uncompressed size.
  const positions = positionCounts(
    sections.map((section) => {
      const entry = files.entryOf(section.url);
      return entry ? (zip.entries.get(entry)?.size ?? 0) : 0;
    }),
  );
  const estimate = (location: Location): number | undefined => {
    const section = book.spine.get(location.start.href) as unknown as SpineSection | null;
    if (!section || !totalWeight) return undefined;
    const before = weights.slice(0, section.index).reduce((a, b) => a + b, 0);
    const { page, total } = location.start.displayed;
    const within = total ? (page - 1) / total : 0;
    return (before + within * (weights[section.index] ?? 0)) / totalWeight;
  };
  const updateProgress = () => {
    if (!current) return;
    const fraction = book.locations.length()
      ? book.locations.percentageFromCfi(current.start.cfi)
      : estimate(current);
    if (fraction === undefined) return;
    percent = Math.round(fraction * 1000) / 10;
    progressText.textContent = t('reader.progress', { percent });
    progressText.dataset.estimate = String(!book.locations.length());
  };

  let toc: NavItem[] = [];
  const tocLabel = (href: string): string | undefined => {
    const path = href.split('#')[0];
    const walk = (items: NavItem[]): string | undefined => {
      for (const item of items) {
        if (item.href.split('#')[0]?.endsWith(path ?? '')) return item.label.trim();
        const inner = walk(item.subitems ?? []);
        if (inner) return inner;
      }
      return undefined;
    };
    return walk(toc);
  };

  /** The stage size the rendition was last laid out for. */
  let applied = '';
  let fitAfterRelocation = false;
  let fitLater: () => void = () => {};
  const render = async (at?: string) => {
    rendition?.destroy();
    context.stage.replaceChildren();
    const target = h('div', { class: 'epub-view', id: 'epub-view' });
    context.stage.append(target);
    // Sized in pixels from the view (the stage less the patron's margins) as it is now, and again whenever
    // it changes (see `fit`).
    applied = `${target.clientWidth}x${target.clientHeight}`;
    context.stage.dataset.layoutSize = applied;
    const r = book.renderTo(target, {
      width: target.clientWidth || '100%',
      height: target.clientHeight || '100%',
      flow: settings.flow,
      spread: 'auto',
      minSpreadWidth: 900,
      // Book content never runs scripts: the iframe is sandboxed without allow-scripts (the default; never
      // turned on here).
      ...(rtl ? { defaultDirection: 'rtl' } : {}),
    });
    rendition = r;
    // Before epub.js measures the pages: the patron's typeface and spacing, then the fonts the text uses.
    r.hooks.content.register((contents: { document: Document }) => applyComfort(contents.document, settings));
    r.hooks.content.register((contents: { document: Document }) => files.loadUsedFonts(contents.document));
    r.hooks.content.register((contents: Contents) => markSearchHits(contents));
    for (const [name, rules] of Object.entries(themes)) r.themes.register(name, rules);
    r.themes.select(effectiveTheme());
    r.themes.fontSize(`${settings.fontSize}%`);
    r.on('relocated', (location: Location) => {
      current = location;
      if (fitAfterRelocation) {
        fitAfterRelocation = false;
        requestAnimationFrame(() => fitLater());
      }
      updateProgress();
      const chapter = tocLabel(location.start.href);
      const chapterSlot = context.footer.querySelector('#reader-chapter');
      if (chapterSlot) chapterSlot.textContent = chapter ?? '';
      context.stage.dataset.cfi = location.start.cfi;
      context.stage.dataset.href = location.start.href;
      context.stage.dataset.page = String(location.start.displayed.page);
      context.onLocator(locatorOf(location), percent);
      speech?.relocated();
    });
    // Every frame needs an accessible name: the book's title and the chapter.
    r.on('rendered', (section: { href: string }, view: { iframe?: HTMLIFrameElement }) => {
      const chapter = tocLabel(section.href);
      view.iframe?.setAttribute(
        'title',
        chapter ? `${context.title.title}: ${chapter}` : context.title.title,
      );
    });
    // Keys pressed inside the chapter's frame: Escape shows or hides the chrome, as it does outside.
    r.on('keyup', (event: KeyboardEvent) =>
      event.key === 'Escape' ? context.chrome.toggle() : onKey(event),
    );
    // A tap in the middle of the page (the side zones turn pages) shows or hides the chrome; not a link, nor
    // the end of a selection.
    r.on('click', (event: MouseEvent) => {
      const target = event.target as Element | null;
      if (target?.closest?.('a[href]')) return;
      if ((event.view as Window | null)?.getSelection()?.toString()) return;
      context.chrome.toggle();
    });
    let touchX: number | undefined;
    r.on('touchstart', (event: TouchEvent) => (touchX = event.changedTouches[0]?.screenX));
    r.on('touchend', (event: TouchEvent) => {
      const endX = event.changedTouches[0]?.screenX;
      if (touchX === undefined || endX === undefined) return;
      const dx = endX - touchX;
      if (Math.abs(dx) <= 50) return;
      // The page is pulled from the side the next page is on: the right in a left-to-right book.
      void ((rtl ? dx > 0 : dx < 0) ? forward() : backward());
    });
    // epub.js never settles `display` when a chapter fails to load: its error event ends the wait instead.
    const failed = new Promise<never>((_, reject) =>
      r.on('displayError', (error: unknown) =>
        reject(new BookOpenError(error instanceof Error ? error.message : 'display failed')),
      ),
    );
    await withStallGuard(Promise.race([r.display(at), failed]), () => source.bytesFetched, 'display');
    showTheme();
  };

  /** The theme on the shell and in the chapters: the patron's choice, or the system's mode meanwhile. */
  const showTheme = () => {
    const theme = effectiveTheme();
    rendition?.themes.select(theme);
    const shell = context.stage.closest('.reader');
    shell?.classList.remove('theme-light', 'theme-sepia', 'theme-dark');
    shell?.classList.add(`theme-${theme}`);
  };
  const stopFollowingSystem = onSystemThemeChange(() => {
    if (themeChoice() === 'auto') showTheme();
  });

  // ---- search hits, highlighted in the text ----
  let searchHits: { cfi: string; excerpt: string }[] = [];
  const markSearchHits = (contents: Contents) => {
    const doc = (contents as unknown as { document: Document }).document;
    const view = doc.defaultView as (Window & typeof globalThis) | null;
    const registry = view?.CSS?.highlights;
    if (!registry || !view?.Highlight) return;
    const base = (contents as unknown as { cfiBase: string }).cfiBase;
    const ranges: Range[] = [];
    for (const hit of searchHits) {
      if (!hit.cfi.startsWith(`epubcfi(${base}!`)) continue;
      try {
        const range = (contents as unknown as { range(cfi: string): Range }).range(hit.cfi);
        if (range) ranges.push(range);
      } catch {
        // A hit the chapter cannot map back (changed markup): it stays in the list, unmarked.
      }
    }
    if (ranges.length) registry.set('pustaka-search', new view.Highlight(...ranges));
    else registry.delete('pustaka-search');
  };
  const markSearchHitsShown = () => {
    for (const contents of (rendition?.getContents() ?? []) as unknown as Contents[])
      markSearchHits(contents);
  };

  // ---- the text on screen (read-aloud, bookmark labels) ----
  const shownContents = (): Contents | undefined => {
    if (!current) return undefined;
    const all = (rendition?.getContents() ?? []) as unknown as (Contents & { cfiBase: string })[];
    return all.find((c) => current!.start.cfi.startsWith(`epubcfi(${c.cfiBase}!`)) ?? all[0];
  };
  const pageText = (): PageText | undefined => {
    const contents = shownContents() as unknown as
      { range(cfi: string): Range; document: Document } | undefined;
    if (!contents || !current) return undefined;
    try {
      const start = contents.range(current.start.cfi);
      const end = contents.range(current.end.cfi);
      const range = contents.document.createRange();
      range.setStart(start.startContainer, start.startOffset);
      range.setEnd(end.endContainer, end.endOffset);
      return textOfRange(range);
    } catch {
      return undefined;
    }
  };
  /** Turns the page for read-aloud; false when there is no further page. */
  const nextPage = async (): Promise<boolean> => {
    const before = current?.start.cfi;
    const atEnd = (current as unknown as { atEnd?: boolean } | undefined)?.atEnd;
    if (atEnd) return false;
    const moved = new Promise<boolean>((resolve) => {
      const done = () => {
        rendition?.off('relocated', done);
        resolve(true);
      };
      rendition?.on('relocated', done);
    });
    await forward();
    if (current?.start.cfi !== before) return true;
    return Promise.race([moved, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000))]);
  };
  let speech: ReturnType<typeof readAloud> | undefined;

  const forward = () => rendition?.next();
  const backward = () => rendition?.prev();
  // In a right-to-left book the next page is to the left.
  const onKey = (event: KeyboardEvent) => {
    if (event.defaultPrevented || (event.target as HTMLElement | null)?.closest?.('input, select, textarea'))
      return;
    if (event.key === 'ArrowRight') void (rtl ? backward() : forward());
    else if (event.key === 'ArrowLeft') void (rtl ? forward() : backward());
  };
  document.addEventListener('keyup', onKey);

  const saveSettings = () => localStorage.setItem(settingsKey, JSON.stringify(settings));

  // ---- toolbar ----
  const panel = h('div', { class: 'panel', id: 'epub-panel', hidden: true });
  context.body.append(panel);
  const showPanel = (content: HTMLElement[], opener: HTMLElement) => {
    if (!panel.hidden && panel.dataset.opener === opener.id) {
      panel.hidden = true;
      opener.setAttribute('aria-expanded', 'false');
      return;
    }
    panel.replaceChildren(...content);
    panel.dataset.opener = opener.id;
    panel.hidden = false;
    for (const button of context.toolbar.querySelectorAll('[aria-controls="epub-panel"]')) {
      button.setAttribute('aria-expanded', String(button === opener));
    }
    panel.querySelector<HTMLElement>('a, button, input')?.focus();
  };
  const closePanel = () => {
    panel.hidden = true;
    for (const button of context.toolbar.querySelectorAll('[aria-controls="epub-panel"]')) {
      button.setAttribute('aria-expanded', 'false');
    }
  };

  const tocButton: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'toc-button',
      'aria-expanded': 'false',
      'aria-controls': 'epub-panel',
      onclick: () => showPanel(tocPanel(), tocButton),
    },
    t('reader.toc'),
  );
  const tocPanel = (): HTMLElement[] => {
    const list = (items: NavItem[]): HTMLElement =>
      h(
        'ol',
        {},
        items.map((item) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href: '#',
                onclick: (event: Event) => {
                  event.preventDefault();
                  closePanel();
                  void rendition?.display(item.href);
                },
              },
              item.label.trim(),
            ),
            item.subitems?.length ? list(item.subitems) : null,
          ),
        ),
      );
    return [h('h2', {}, t('reader.toc')), toc.length ? list(toc) : h('p', {}, t('reader.noToc'))];
  };

  const searchButton: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'search-button',
      'aria-expanded': 'false',
      'aria-controls': 'epub-panel',
      onclick: () => showPanel(searchPanel(), searchButton),
    },
    t('reader.search'),
  );
  const searchPanel = (): HTMLElement[] => {
    const input = h('input', { id: 'book-search', type: 'search', maxlength: 100 });
    const status = h('p', { role: 'status' });
    const results = h('ol', { id: 'book-search-results' });
    const form = h(
      'form',
      {
        role: 'search',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const query = input.value.trim();
          if (!query) return;
          status.textContent = t('reader.searching');
          results.replaceChildren();
          const found = await searchBook(book, query);
          searchHits = found;
          markSearchHitsShown();
          status.textContent = found.length
            ? t('reader.searchResults', { count: found.length })
            : t('reader.searchNone');
          for (const hit of found.slice(0, 200)) {
            results.append(
              h(
                'li',
                {},
                h(
                  'a',
                  {
                    href: '#',
                    onclick: (e: Event) => {
                      e.preventDefault();
                      closePanel();
                      void rendition?.display(hit.cfi);
                    },
                  },
                  hit.excerpt,
                ),
              ),
            );
          }
        },
      },
      h('label', { for: 'book-search' }, t('reader.search')),
      h('div', { class: 'actions' }, input, h('button', { type: 'submit' }, t('reader.searchButton'))),
    );
    return [h('h2', {}, t('reader.search')), form, status, results];
  };

  const settingsButton: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'settings-button',
      'aria-expanded': 'false',
      'aria-controls': 'epub-panel',
      onclick: () => showPanel(settingsPanel(), settingsButton),
    },
    t('reader.settings'),
  );
  const settingsPanel = (): HTMLElement[] => {
    const size = h('output', { id: 'font-size-value' }, `${settings.fontSize}%`);
    const setSize = (delta: number) => {
      settings.fontSize = Math.min(200, Math.max(70, settings.fontSize + delta));
      size.textContent = `${settings.fontSize}%`;
      rendition?.themes.fontSize(`${settings.fontSize}%`);
      saveSettings();
    };
    const radio = <V extends string>(
      name: string,
      value: V,
      selected: V,
      label: string,
      apply: (v: V) => void,
    ) =>
      h(
        'label',
        {},
        h('input', {
          type: 'radio',
          name,
          value,
          checked: value === selected,
          onchange: () => apply(value),
        }),
        label,
      );
    const setTheme = (theme: ThemeChoice) => {
      setThemeChoice(theme);
      showTheme();
    };
    const setComfort = () => {
      saveSettings();
      for (const contents of (rendition?.getContents() ?? []) as unknown as { document: Document }[])
        void applyComfort(contents.document, settings);
    };
    const setMargins = (margins: Margins) => {
      settings.margins = margins;
      context.stage.style.setProperty('--page-margin', pageMargins[margins]);
      saveSettings();
      requestAnimationFrame(fit);
    };
    const setFlow = (flow: Flow) => {
      settings.flow = flow;
      saveSettings();
      void render(current?.start.cfi);
    };
    return [
      h('h2', {}, t('reader.settings')),
      h(
        'fieldset',
        {},
        h('legend', {}, t('reader.fontSize')),
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () => setSize(-10),
              'aria-label': t('reader.smaller'),
            },
            'A−',
          ),
          size,
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () => setSize(10),
              'aria-label': t('reader.larger'),
            },
            'A+',
          ),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, t('reader.theme')),
        h(
          'div',
          { class: 'periods' },
          (['auto', 'light', 'sepia', 'dark'] as const).map((theme) =>
            radio('theme', theme, themeChoice(), t(`reader.theme.${theme}`), setTheme),
          ),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, t('reader.typeface')),
        h(
          'div',
          { class: 'periods wrap' },
          (['book', 'serif', 'sans', 'dyslexic'] as const).map((face) =>
            radio('typeface', face, settings.typeface, t(`reader.typeface.${face}`), (value) => {
              settings.typeface = value;
              setComfort();
            }),
          ),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, t('reader.lineSpacing')),
        h(
          'div',
          { class: 'periods wrap' },
          (['book', 'normal', 'relaxed', 'loose'] as const).map((spacing) =>
            radio('spacing', spacing, settings.spacing, t(`reader.lineSpacing.${spacing}`), (value) => {
              settings.spacing = value;
              setComfort();
            }),
          ),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, t('reader.margins')),
        h(
          'div',
          { class: 'periods wrap' },
          (['small', 'medium', 'large'] as const).map((margins) =>
            radio('margins', margins, settings.margins, t(`reader.margins.${margins}`), setMargins),
          ),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, t('reader.layout')),
        h(
          'div',
          { class: 'periods' },
          radio('flow', 'paginated', settings.flow, t('reader.paginated'), setFlow),
          radio('flow', 'scrolled-doc', settings.flow, t('reader.scrolled'), setFlow),
        ),
      ),
    ];
  };

  context.tools.append(tocButton, searchButton, settingsButton);
  // Read-aloud where the browser can speak; its bar stays over the page while the chrome is hidden.
  if (speechAvailable()) {
    speech = readAloud({ language: bookLanguage, pageText, nextPage });
    context.tools.append(speech.toggle);
    context.body.append(speech.bar);
  }
  // Each zone is named by what it does: in a right-to-left book "next page" is the zone on the left.
  const prevZone = h(
    'button',
    {
      type: 'button',
      class: `zone prev ${rtl ? 'right' : 'left'}`,
      id: 'prev-page',
      'aria-label': t('reader.prev'),
      onclick: () => void backward(),
    },
    rtl ? '›' : '‹',
  );
  const nextZone = h(
    'button',
    {
      type: 'button',
      class: `zone next ${rtl ? 'left' : 'right'}`,
      id: 'next-page',
      'aria-label': t('reader.next'),
      onclick: () => void forward(),
    },
    rtl ? '‹' : '›',
  );
  context.body.append(prevZone, nextZone);

  // ---- open at the saved place (the first page never waits for locations) ----
  const navigation = await book.loaded.navigation;
  // Contents hrefs are relative to the navigation document (or NCX), wherever it sits in the package.
  const packaging = book.packaging as unknown as { navPath?: string; ncxPath?: string };
  const navUrl = new URL(packaging.navPath || packaging.ncxPath || '', opfUrl).href;
  const resolveItems = (items: NavItem[]) => {
    for (const item of items) {
      item.href = displayTarget(item.href, navUrl);
      resolveItems(item.subitems ?? []);
    }
  };
  resolveItems(navigation.toc);
  toc = navigation.toc;
  /**
   * Where a locator without a CFI points: the spine item its href names (from the package root or the OPF),
   * else the one its totalProgression falls in (by Readium's positions, as apps compute it); a fragment id
   * from `fragments` or a `#id` cssSelector, else the fraction within that item.
   */
  const placeOf = (locator: Locator): { target: string; within: number } | undefined => {
    const { locations } = locator;
    const all = positions.reduce((a, b) => a + b, 0);
    const total = locations.totalProgression;
    let section = locator.href ? (book.spine.get(locator.href) as unknown as SpineSection | null) : null;
    if (!section && total !== undefined && all > 0) {
      let before = 0;
      const at = Math.min(all - 1e-9, Math.max(0, total * all));
      const index = positions.findIndex((count) => (before += count) > at);
      section = sections[index >= 0 ? index : sections.length - 1] ?? null;
    }
    if (!section) return undefined;
    const hash = locator.href.split('#')[1];
    const fragment =
      locations.fragments?.find((f) => f && !f.includes('=')) ??
      (hash && !hash.includes('=') ? hash : undefined) ??
      /^#([\w-]+)$/.exec(locations.cssSelector ?? '')?.[1];
    if (fragment) return { target: `${section.href}#${fragment}`, within: 0 };
    let within = locations.progression;
    if (within === undefined && total !== undefined && all > 0) {
      const before = positions.slice(0, section.index).reduce((a, b) => a + b, 0);
      const count = positions[section.index] ?? 1;
      within = (total * all - before) / count;
    }
    return { target: section.href, within: Math.min(1, Math.max(0, within ?? 0)) };
  };
  /**
   * Goes to a fraction of the shown spine item's text: the CFI of the character that far in, so the page (or
   * scroll position) is worked out by epub.js for whatever layout the patron has.
   */
  const displayWithin = async (within: number) => {
    // Not shownContents(): the first `relocated` (which sets `current`) may come after `display` settles.
    const shown = (rendition?.getContents() ?? []) as unknown as {
      document: Document;
      cfiFromRange(range: Range): string;
    }[];
    const contents = shown[0];
    if (!contents?.document.body) return;
    const walker = contents.document.createTreeWalker(contents.document.body, NodeFilter.SHOW_TEXT);
    const nodes: Text[] = [];
    let length = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      nodes.push(node as Text);
      length += (node as Text).length;
    }
    let left = Math.floor(within * length);
    for (const node of nodes) {
      if (left <= node.length) {
        const range = contents.document.createRange();
        range.setStart(node, Math.min(left, node.length));
        range.collapse(true);
        await rendition?.display(contents.cfiFromRange(range));
        return;
      }
      left -= node.length;
    }
  };
  const resumeCfi = context.resumeAt?.locations.cfi;
  // A reading app's locator has no CFI: its resource (or the place in the whole book) and the fraction in it.
  const resumePlace = resumeCfi || !context.resumeAt ? undefined : placeOf(context.resumeAt);
  try {
    try {
      await render(resumeCfi ?? resumePlace?.target);
      if (resumePlace?.within) await displayWithin(resumePlace.within);
    } catch (error) {
      if (!resumeCfi && !resumePlace) throw error;
      await render();
    }
  } catch (error) {
    rendition?.destroy();
    book.destroy();
    files.destroy();
    document.removeEventListener('keyup', onKey);
    stopFollowingSystem();
    throw error;
  }
  context.setLoading(1);
  context.stage.dataset.ready = 'true';
  if (files.scripted) {
    context.footer.append(h('span', { id: 'reader-scripted', role: 'note' }, t('reader.scriptedOff')));
  }

  // The rendition follows the stage: the loading bar going away, banners, panels, rotation, a resized window.
  let queued = false;
  const fit = () => {
    queued = false;
    const view = context.stage.querySelector<HTMLElement>('#epub-view');
    const width = view?.clientWidth ?? 0;
    const height = view?.clientHeight ?? 0;
    const size = `${width}x${height}`;
    if (destroyed || !rendition || !width || !height || size === applied) return;
    // epub.js re-displays its last reported location after a resize: wait until there is one.
    if (!(rendition as unknown as { location?: { start?: unknown } }).location?.start) {
      fitAfterRelocation = true;
      return;
    }
    applied = size;
    rendition.resize(width, height);
    context.stage.dataset.layoutSize = size;
  };
  // The loading bar has just gone: lay out for the stage as it is now, then follow it.
  fitLater = fit;
  fit();
  const resizeObserver = new ResizeObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(fit);
  });
  resizeObserver.observe(context.stage);

  // Locations (for percent) in the background, cached per title and file so the next visit has them at once
  // (keyed `<kind>:<titleId>:…`, so cacheForgetTitle drops them when the loan ends).
  const cacheKey = `locations:${context.title.id}:${context.title.size}`;
  void (async () => {
    const cached = await cacheGet<string>(cacheKey);
    if (destroyed) return;
    if (cached) {
      book.locations.load(cached);
    } else {
      // Later and in idle time: the first pages and page turns come first (each chapter is a range read; the
      // estimate from entry sizes stands in meanwhile).
      await new Promise((resolve) => setTimeout(resolve, 4000));
      if (destroyed) return;
      await new Promise((resolve) =>
        'requestIdleCallback' in window
          ? requestIdleCallback(resolve, { timeout: 2000 })
          : setTimeout(resolve, 300),
      );
      if (destroyed) return;
      await book.locations.generate(1024);
      if (destroyed) return;
      void cachePut(cacheKey, book.locations.save());
    }
    updateProgress();
    context.stage.dataset.locations = 'true';
    if (current) context.onLocator(locatorOf(current), percent);
  })().catch(() => {});

  return {
    locator: () => (current ? locatorOf(current) : undefined),
    excerpt: () => pageText()?.text.slice(0, 160),
    async goTo(locator) {
      if (locator.locations.cfi) {
        await rendition?.display(locator.locations.cfi);
        return;
      }
      const place = placeOf(locator);
      await rendition?.display(place?.target ?? locator.href);
      if (place?.within) await displayWithin(place.within);
    },
    destroy() {
      destroyed = true;
      speech?.stop();
      stopFollowingSystem();
      document.removeEventListener('keyup', onKey);
      resizeObserver.disconnect();
      rendition?.destroy();
      book.destroy();
      files.destroy();
    },
  };
}

/** Full-text search, one spine item at a time (each loaded, searched, and unloaded again). */
async function searchBook(book: Book, query: string): Promise<{ cfi: string; excerpt: string }[]> {
  const results: { cfi: string; excerpt: string }[] = [];
  const items = (
    book.spine as unknown as {
      spineItems: {
        load: (r: unknown) => Promise<unknown>;
        find: (q: string) => { cfi: string; excerpt: string }[];
        unload: () => void;
      }[];
    }
  ).spineItems;
  for (const item of items) {
    await item.load(book.load.bind(book));
    results.push(...item.find(query));
    item.unload();
    if (results.length > 500) break;
  }
  return results;
}

export { NoAccessError };
