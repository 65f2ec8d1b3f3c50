import {
  getDocument,
  GlobalWorkerOptions,
  PDFDataRangeTransport,
  TextLayer,
  type PDFDocumentProxy,
  type PDFPageProxy,
  type RenderTask,
} from 'pdfjs-dist';
import { pdfWorker, workerUrl } from './pdf-worker';
import type { AccessLink, Locator } from '../api/types';
import { pdfLocations, pdfPageOf } from './locators';
import { h } from '../dom';
import { formatBytes, t } from '../i18n';
import { SignedLinkRangeSource } from './range';
import { NoAccessError, type ReaderContext, type ReadingEngine } from './types';
import './pdf.css';

// The worker comes from our own build (same version as the API, 'self' in the CSP). It is started as this
// module loads, so its script downloads while the first ranges of the book are fetched, not after them.
GlobalWorkerOptions.workerSrc = workerUrl;
// Without Worker support pdf.js falls back to workerSrc by itself.
GlobalWorkerOptions.workerPort ??= pdfWorker() ?? null;

/**
 * pdf.js asks for the file in ranges of this size; only what the shown pages need is fetched. Small ranges cost
 * round trips, large ones bytes: R-intro.pdf's first page needs 297 KB of the file in 64 KiB ranges and 153 KB
 * in 16 KiB ones, two round trips more; on a 1.6 Mbit/s link 144 KB is 0.7 s and a round trip 0.15 s.
 */
export const rangeChunkSize = 16 * 1024;
/**
 * Read at once while the engine downloads: the head (the header, and in many files the first page's objects)
 * and the tail (the cross-reference table, and the objects written last).
 */
const headBytes = 64 * 1024;
const tailBytes = 32 * 1024;
/** What one range request reads at least (from where pdf.js asked): see requestDataRange. */
const readAheadBytes = 64 * 1024;

/**
 * pdf.js's range transport over the shared signed-link range source (web/src/readers/range.ts), which renews an
 * expired link and copes with a store that ignores `Range`. If the API says access has ended, `onAccessEnded`
 * is told instead.
 */
export class SignedLinkRangeTransport extends PDFDataRangeTransport {
  readonly source: SignedLinkRangeSource;

  constructor(
    length: number,
    link: AccessLink,
    freshLink: () => Promise<AccessLink>,
    private readonly onAccessEnded: (error: Error) => void,
  ) {
    super(length, null);
    this.source = new SignedLinkRangeSource(length, link, freshLink);
  }

  get bytesFetched(): number {
    return this.source.bytesFetched;
  }

  get linkRenewals(): number {
    return this.source.linkRenewals;
  }

  private readonly prefetched: { begin: number; end: number; bytes: Promise<Uint8Array> }[] = [];

  /** Starts reading a range pdf.js is known to ask for first (the head, the cross-reference table at the end). */
  prefetch(begin: number, end: number): void {
    const bytes = this.source.read(begin, end);
    bytes.catch(() => undefined);
    this.prefetched.push({ begin, end, bytes });
  }

  /** Reads ahead of pdf.js, still in flight: a range it asks for inside one is cut from it. */
  private readonly ahead: { begin: number; end: number; bytes: Promise<Uint8Array> }[] = [];

  override requestDataRange(begin: number, end: number): void {
    const early = [...this.prefetched, ...this.ahead].find((p) => p.begin <= begin && end <= p.end);
    let read: Promise<Uint8Array>;
    if (early) {
      read = early.bytes.then((bytes) => bytes.subarray(begin - early.begin, end - early.begin));
    } else {
      // pdf.js asks for one object's ranges at a time, and the next only once it has parsed that one; a page's
      // objects tend to sit together, so the ranges after this one come along in the same request (all handed
      // to pdf.js, which keeps what it did not ask for yet): a round trip saved for a few KB more.
      const to = Math.min(this.length, Math.max(end, begin + readAheadBytes));
      const entry = { begin, end: to, bytes: this.source.read(begin, to) };
      this.ahead.push(entry);
      void entry.bytes.finally(() => this.ahead.splice(this.ahead.indexOf(entry), 1)).catch(() => undefined);
      read = entry.bytes;
    }
    read.then(
      (bytes) => this.onDataRange(begin, bytes),
      (error: Error) => this.onAccessEnded(error),
    );
  }
}

type Zoom = number | 'fit-width';

export async function openBook(context: ReaderContext): Promise<ReadingEngine> {
  const length = context.link.size ?? context.title.size;
  let accessEnded = false;
  const transport = new SignedLinkRangeTransport(length, context.link, context.freshLink, (error) => {
    if (accessEnded) return;
    accessEnded = true;
    context.fail(error instanceof NoAccessError ? t('reader.noAccess') : t('reader.notAvailable'));
  });
  // For measurements (bench/reader-pdf.ts): `pustaka.pdf.range = off` downloads the whole file instead.
  const rangeOff = localStorage.getItem('pustaka.pdf.range') === 'off';
  // The head and the tail (where the cross-reference table is) are asked for at once, while the worker starts.
  if (!rangeOff && length > 0) {
    // Both on range boundaries, the tail never overlapping the head.
    const tail = Math.max(headBytes, Math.floor((length - tailBytes) / rangeChunkSize) * rangeChunkSize);
    transport.prefetch(0, Math.min(headBytes, length));
    if (tail < length) transport.prefetch(tail, length);
  }
  const common = {
    disableAutoFetch: true,
    disableStream: true,
    rangeChunkSize,
    standardFontDataUrl: '/pdfjs/standard_fonts/',
    cMapUrl: '/pdfjs/cmaps/',
    cMapPacked: true,
    useWasm: false,
  };
  const loadedText = h('span', { id: 'pdf-loaded' });
  const task = rangeOff
    ? getDocument({ ...common, url: context.link.url, disableRange: true })
    : getDocument({ ...common, range: transport });
  let opened = false;
  task.onProgress = ({ loaded, total }: { loaded: number; total: number }) => {
    const whole = total || length;
    // After the first page the bar goes away; the footer keeps counting what has been fetched.
    if (!opened)
      context.setLoading(
        whole ? Math.min(loaded / whole, 0.99) : undefined,
        t('reader.loaded', { loaded: formatBytes(loaded), total: formatBytes(whole) }),
      );
    loadedText.textContent = t('reader.loaded', { loaded: formatBytes(loaded), total: formatBytes(whole) });
  };
  context.setLoading(undefined, t('reader.opening'));
  const pdf: PDFDocumentProxy = await task.promise;
  const pageCount = pdf.numPages;

  const resumePage = context.resumeAt ? pdfPageOf(context.resumeAt.locations) : undefined;
  let pageNumber = Math.min(Math.max(resumePage ?? 1, 1), pageCount);
  let zoom: Zoom = 'fit-width';
  let renderTask: RenderTask | undefined;
  let textLayer: TextLayer | undefined;
  let destroyed = false;
  let findQuery = '';

  const scroller = h('div', {
    class: 'pdf-scroll',
    id: 'pdf-scroll',
    tabindex: '0',
    'aria-label': context.title.title,
  });
  const pageBox = h('div', { class: 'pdf-page', id: 'pdf-page' });
  scroller.append(pageBox);
  context.stage.append(scroller);

  // ---- toolbar ----
  const pageInput = h('input', {
    id: 'page-number',
    class: 'page-input',
    type: 'number',
    min: 1,
    max: pageCount,
    value: pageNumber,
    inputmode: 'numeric',
  });
  const pageForm = h(
    'form',
    {
      class: 'actions',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void show(Number(pageInput.value));
      },
    },
    h('label', { for: 'page-number' }, t('reader.page')),
    pageInput,
    h('span', {}, t('reader.pageOf', { count: pageCount })),
    h('button', { type: 'submit', class: 'secondary', id: 'go-to-page' }, t('reader.goToPage')),
  );
  // Arrows named by what they do: they stay in the bar on a phone, so they take little room.
  const prev = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'prev-page',
      'aria-label': t('reader.prev'),
      onclick: () => void show(pageNumber - 1),
    },
    '‹',
  );
  const next = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'next-page',
      'aria-label': t('reader.next'),
      onclick: () => void show(pageNumber + 1),
    },
    '›',
  );
  const zoomOut = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'zoom-out',
      'aria-label': t('reader.zoomOut'),
      onclick: () => setZoom(-0.2),
    },
    '−',
  );
  const zoomIn = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'zoom-in',
      'aria-label': t('reader.zoomIn'),
      onclick: () => setZoom(0.2),
    },
    '+',
  );
  const fit = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'fit-width',
      onclick: () => {
        zoom = 'fit-width';
        void show(pageNumber);
      },
    },
    t('reader.fitWidth'),
  );

  const panel = h('div', { class: 'panel', id: 'pdf-panel', hidden: true });
  context.body.append(panel);
  const togglePanel = (opener: HTMLElement, build: () => HTMLElement[]) => {
    const open = panel.hidden || panel.dataset.opener !== opener.id;
    for (const button of context.toolbar.querySelectorAll('[aria-controls="pdf-panel"]')) {
      button.setAttribute('aria-expanded', String(open && button === opener));
    }
    panel.hidden = !open;
    if (!open) return;
    panel.dataset.opener = opener.id;
    panel.replaceChildren(...build());
    panel.querySelector<HTMLElement>('a, input, button')?.focus();
  };
  const closePanel = () => {
    panel.hidden = true;
    for (const button of context.toolbar.querySelectorAll('[aria-controls="pdf-panel"]')) {
      button.setAttribute('aria-expanded', 'false');
    }
  };

  const tocButton: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'toc-button',
      'aria-controls': 'pdf-panel',
      'aria-expanded': 'false',
      onclick: () => togglePanel(tocButton, () => [h('h2', {}, t('reader.toc')), outlineList]),
    },
    t('reader.toc'),
  );
  const outlineList = h('div', {}, t('common.loading'));
  void buildOutline(pdf, (page) => {
    closePanel();
    void show(page);
  }).then((list) => outlineList.replaceChildren(list ?? h('p', {}, t('reader.noToc'))));

  const findInput = h('input', { id: 'find-input', type: 'search', maxlength: 100 });
  const findStatus = h('p', { role: 'status', id: 'find-status' });
  const findButton: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'find-button',
      'aria-controls': 'pdf-panel',
      'aria-expanded': 'false',
      onclick: () =>
        togglePanel(findButton, () => [
          h('h2', {}, t('reader.find')),
          h(
            'form',
            {
              role: 'search',
              onsubmit: (event: Event) => {
                event.preventDefault();
                void find(findInput.value, findQuery === fold(findInput.value.trim()));
              },
            },
            h('label', { for: 'find-input' }, t('reader.find')),
            h(
              'div',
              { class: 'actions' },
              findInput,
              h('button', { type: 'submit', id: 'find-submit' }, t('reader.findNext')),
            ),
          ),
          findStatus,
        ]),
    },
    t('reader.find'),
  );

  context.toolbar.append(prev, next);
  context.tools.append(pageForm, zoomOut, zoomIn, fit, tocButton, findButton);
  // A tap in the middle of the page shows or hides the chrome (not the end of a text selection); a swipe
  // turns the page.
  scroller.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('a')) return;
    if (window.getSelection()?.toString()) return;
    context.chrome.toggle();
  });
  let touchX: number | undefined;
  let touchY = 0;
  scroller.addEventListener('touchstart', (event) => {
    touchX = event.changedTouches[0]?.screenX;
    touchY = event.changedTouches[0]?.screenY ?? 0;
  });
  scroller.addEventListener('touchend', (event) => {
    const end = event.changedTouches[0];
    if (touchX === undefined || !end) return;
    const dx = end.screenX - touchX;
    // Sideways and far enough: a swipe (a zoomed page scrolled sideways is not turned unless at its edge).
    if (Math.abs(dx) <= 60 || Math.abs(dx) < 2 * Math.abs(end.screenY - touchY)) return;
    const atEdge =
      dx < 0
        ? scroller.scrollLeft + scroller.clientWidth >= scroller.scrollWidth - 1
        : scroller.scrollLeft <= 0;
    if (atEdge) void show(pageNumber + (dx < 0 ? 1 : -1));
  });
  const status = h('span', { id: 'pdf-status' });
  context.footer.append(status, loadedText);

  const setZoom = (delta: number) => {
    const base = typeof zoom === 'number' ? zoom : currentScale;
    zoom = Math.min(4, Math.max(0.4, Math.round((base + delta) * 10) / 10));
    void show(pageNumber);
  };

  // ---- rendering ----
  let currentScale = 1;
  let showing = 0;
  /** The page asked for last (shown, or still loading). */
  let lastRequested = pageNumber;
  const reportUnlessCancelled = (error: unknown, ticket: number) => {
    // A newer page request cancels this one's rendering: that is not an error.
    const cancelled = ['RenderingCancelledException', 'AbortException'].includes((error as Error).name);
    if (!cancelled && ticket === showing && !destroyed && !accessEnded) console.error(error);
  };
  const show = async (requested: number) => {
    const target = Math.min(Math.max(Math.round(requested) || 1, 1), pageCount);
    const ticket = ++showing;
    lastRequested = target;
    renderTask?.cancel();
    textLayer?.cancel();
    let page: PDFPageProxy;
    try {
      page = await pdf.getPage(target);
    } catch (error) {
      if (!destroyed && !accessEnded) console.error(error);
      return;
    }
    if (ticket !== showing || destroyed) return;
    pageNumber = target;
    // Not while the reader is typing a page number.
    if (document.activeElement !== pageInput) pageInput.value = String(target);
    prev.disabled = target <= 1;
    next.disabled = target >= pageCount;
    const natural = page.getViewport({ scale: 1 });
    const available = Math.max(scroller.clientWidth - 24, 200);
    currentScale = zoom === 'fit-width' ? available / natural.width : zoom;
    const viewport = page.getViewport({ scale: currentScale });
    const ratio = window.devicePixelRatio || 1;
    const canvas = h('canvas', { id: 'pdf-canvas' });
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    const layer = h('div', { class: 'textLayer' });
    const box = h('div', { class: 'pdf-page', id: 'pdf-page' }, canvas, layer);
    box.style.width = `${Math.floor(viewport.width)}px`;
    box.style.height = `${Math.floor(viewport.height)}px`;
    box.style.setProperty('--scale-factor', String(currentScale));
    box.style.setProperty('--total-scale-factor', String(currentScale));
    box.dataset.page = String(target);
    try {
      renderTask = page.render({
        canvas,
        canvasContext: canvas.getContext('2d')!,
        viewport,
        transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined,
      });
      await renderTask.promise;
    } catch (error) {
      reportUnlessCancelled(error, ticket);
      return;
    }
    if (ticket !== showing || destroyed) return;
    // The page is shown as soon as it is painted; its text (selection, find, read-aloud) is laid over it after,
    // so the patron does not wait for the text to be extracted too (a few hundred ms on a slow phone).
    scroller.replaceChildren(box);
    scroller.scrollTop = 0;
    textLayer = new TextLayer({ textContentSource: page.streamTextContent(), container: layer, viewport });
    const laidOver = textLayer;
    void laidOver.render().then(
      () => {
        if (ticket === showing && !destroyed && findQuery) highlight(layer, findQuery);
      },
      (error: unknown) => reportUnlessCancelled(error, ticket),
    );
    status.textContent = `${t('reader.page')} ${target} ${t('reader.pageOf', { count: pageCount })}`;
    context.stage.dataset.page = String(target);
    context.stage.dataset.ready = 'true';
    context.stage.dataset.bytesFetched = String(transport.bytesFetched);
    context.stage.dataset.linkRenewals = String(transport.linkRenewals);
    context.onLocator(locatorOf(target), Math.round((target / pageCount) * 1000) / 10);
  };

  const locatorOf = (page: number): Locator => ({
    href: `/titles/${context.title.id}/publication.pdf`,
    type: 'application/pdf',
    title: `${t('reader.page')} ${page}`,
    locations: pdfLocations(page, pageCount),
  });

  /** Finds the next page (from the current one) whose text contains the query; each page's text once. */
  const textCache = new Map<number, string>();
  const pageText = async (n: number) => {
    let text = textCache.get(n);
    if (text === undefined) {
      const content = await (await pdf.getPage(n)).getTextContent();
      text = fold(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
      textCache.set(n, text);
    }
    return text;
  };
  const find = async (raw: string, again: boolean) => {
    const query = fold(raw.trim());
    if (!query) return;
    findQuery = query;
    findStatus.textContent = t('reader.searching');
    const start = again ? pageNumber + 1 : pageNumber;
    for (let offset = 0; offset < pageCount; offset += 1) {
      const n = ((start - 1 + offset) % pageCount) + 1;
      if ((await pageText(n)).includes(query)) {
        if (destroyed) return;
        await show(n);
        findStatus.textContent = t('reader.findFound', { page: n });
        return;
      }
    }
    findStatus.textContent = t('reader.findNone', { query: raw.trim() });
  };

  const onKey = (event: KeyboardEvent) => {
    if ((event.target as HTMLElement | null)?.closest?.('input, select, textarea')) return;
    if (event.key === 'ArrowRight' || event.key === 'PageDown') void show(pageNumber + 1);
    else if (event.key === 'ArrowLeft' || event.key === 'PageUp') void show(pageNumber - 1);
    else if (event.key === 'Home') void show(1);
    else if (event.key === 'End') void show(pageCount);
  };
  document.addEventListener('keyup', onKey);
  // Fit width follows the viewer's width (not its height: the loading bar going away is no reason to redraw).
  let lastWidth = 0;
  const onResize = () => {
    const width = scroller.clientWidth;
    if (zoom !== 'fit-width' || Math.abs(width - lastWidth) < 2) return;
    lastWidth = width;
    void show(lastRequested);
  };
  const resizeObserver = new ResizeObserver(debounceFrame(onResize));
  resizeObserver.observe(scroller);

  lastWidth = scroller.clientWidth;
  await show(pageNumber);
  opened = true;
  context.setLoading(1);

  return {
    locator: () => locatorOf(pageNumber),
    excerpt: () =>
      [...scroller.querySelectorAll('.textLayer span')]
        .map((span) => span.textContent ?? '')
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 120) || undefined,
    async goTo(locator) {
      await show(pdfPageOf(locator.locations) ?? 1);
    },
    destroy() {
      destroyed = true;
      document.removeEventListener('keyup', onKey);
      resizeObserver.disconnect();
      renderTask?.cancel();
      textLayer?.cancel();
      void task.destroy();
    },
  };
}

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

function highlight(layer: HTMLElement, query: string): void {
  for (const span of layer.querySelectorAll('span')) {
    if (span.children.length === 0 && fold(span.textContent ?? '').includes(query))
      span.classList.add('match');
  }
}

function debounceFrame(fn: () => void): () => void {
  let queued = false;
  let last = 0;
  return () => {
    if (queued) return;
    queued = true;
    setTimeout(() => {
      queued = false;
      const now = performance.now();
      if (now - last > 150) {
        last = now;
        fn();
      }
    }, 150);
  };
}

interface OutlineNode {
  title: string;
  dest: string | unknown[] | null;
  items: OutlineNode[];
}

async function buildOutline(
  pdf: PDFDocumentProxy,
  go: (page: number) => void,
): Promise<HTMLElement | undefined> {
  const outline = (await pdf.getOutline().catch(() => null)) as OutlineNode[] | null;
  if (!outline?.length) return undefined;
  const pageOf = async (dest: OutlineNode['dest']): Promise<number | undefined> => {
    try {
      const explicit = typeof dest === 'string' ? await pdf.getDestination(dest) : dest;
      const ref = explicit?.[0];
      if (ref === undefined || ref === null) return undefined;
      if (typeof ref === 'number') return ref + 1;
      return (await pdf.getPageIndex(ref as never)) + 1;
    } catch {
      return undefined;
    }
  };
  const list = (items: OutlineNode[]): HTMLElement =>
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
              onclick: async (event: Event) => {
                event.preventDefault();
                const page = await pageOf(item.dest);
                if (page) go(page);
              },
            },
            item.title,
          ),
          item.items.length ? list(item.items) : null,
        ),
      ),
    );
  return list(outline);
}
