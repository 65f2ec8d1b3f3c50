import { api, ApiError } from '../api/client';
import type { AccessLink, Bookmark, Loan, Locator, ProblemCodeOf, Title } from '../api/types';
import { debounce, h, newestInTurn } from '../dom';
import { errorMessage, t } from '../i18n';
import { messageOf } from '../problem';
import { href } from '../router';
import { cacheForgetTitle } from '../readers/cache';
import { watchLoan, type WatchedLoan } from '../readers/loan-watch';
import {
  dequeue,
  downloadCopy,
  enqueue,
  keepOpenedBooks,
  newestPosition,
  newestQueuedPosition,
  queuedFor,
  rememberedPosition,
  rememberPosition,
  removeCopy,
  storedCopy,
  storedLink,
  type OutboxEntry,
  type Position,
  type Queued,
} from '../readers/offline';
import { isNetworkFailure } from '../offline-sync';
import { keepEngines } from '../pwa';
import { pdfWorker } from '../readers/pdf-worker';
import { NoAccessError, type ReaderChrome, type ReaderContext, type ReadingEngine } from '../readers/types';
import { loadingNote } from './common';
import { toast } from '../toast';

/** The refusals POST /titles/{id}/access documents: a code it stops sending fails the type check here. */
type AccessRefusal = ProblemCodeOf<'/titles/{id}/access', 'post'>;
const noAccessCodes = new Set<string>([
  'NO_ACTIVE_LOAN',
  'LOAN_EXPIRED',
  'NOT_ENTITLED',
  'TITLE_WITHDRAWN',
] satisfies AccessRefusal[]);
/** Refusals that mean the loan itself is over (not a sign-in problem). */
const loanOverCodes = new Set<string>(['NO_ACTIVE_LOAN', 'LOAN_EXPIRED'] satisfies AccessRefusal[]);

/** A stable id for this browser, so a position saved elsewhere can be told apart. */
function deviceId(): string {
  try {
    let id = localStorage.getItem('pustaka.device');
    if (!id) {
      id = crypto.randomUUID();
      localStorage.setItem('pustaka.device', id);
    }
    return id;
  } catch {
    return 'unknown';
  }
}

function messageBox(main: HTMLElement, title: Title | undefined, text: string): void {
  main.replaceChildren(
    h(
      'div',
      { class: 'message', role: 'alert', id: 'reader-message' },
      h('h1', {}, title?.title ?? t('app.name')),
      h('p', {}, text),
      title ? h('a', { class: 'button', href: href.title(title.id) }, t('reader.backToTitle')) : null,
    ),
  );
}

/** In place of the book when its loan ends: what happened, and where to go next. */
function loanEndedBox(main: HTMLElement, title: Title): void {
  const heading = h('h1', { tabindex: '-1' }, t('reader.loanEnded', { title: title.title }));
  main.replaceChildren(
    h(
      'div',
      { class: 'message', role: 'status', id: 'reader-message', 'data-reason': 'loan-ended' },
      heading,
      h('p', {}, t('reader.loanEndedText')),
      h(
        'div',
        { class: 'actions' },
        h('a', { class: 'button', href: href.title(title.id) }, t('reader.borrowAgain')),
        h('a', { class: 'button secondary', href: href.shelf() }, t('reader.backToShelf')),
      ),
    ),
  );
  document.title = `${t('reader.loanEnded', { title: title.title })} · ${t('app.name')}`;
  heading.focus();
}

export async function renderReader(main: HTMLElement, id: string): Promise<() => void> {
  main.replaceChildren(loadingNote());
  let destroyed = false;
  /** The loan ended and the book was closed (the shell stays until the patron leaves the page). */
  let closed = false;
  let engine: ReadingEngine | undefined;
  /** Closes the book because its loan ended; set once the loan is being watched. */
  let loanEnded: (() => void) | undefined;
  const cleanups: (() => void)[] = [];
  const cleanup = () => {
    destroyed = true;
    for (const run of cleanups) run();
    engine?.destroy();
  };

  // A copy kept on this device (offline.ts): its bytes are read from it, online or not, and without the
  // network the book opens from it alone.
  const offline = () => !navigator.onLine;
  // Asked side by side: on a slow link the title's record (which says which engine to fetch) is the first
  // round trip of the page, and opening IndexedDB should not come before it.
  const online = offline() ? undefined : api.title(id);
  online?.catch(() => undefined);
  const kept = await storedCopy(id);
  let title: Title;
  try {
    if (!online || (kept && offline())) throw new ApiError({ status: 0, code: 'NETWORK', detail: 'offline' });
    title = await online;
  } catch (error) {
    if (!kept || !isNetworkFailure(error)) {
      messageBox(main, undefined, messageOf(error));
      return cleanup;
    }
    title = kept.title;
  }
  document.title = `${t('reader.title', { title: title.title })} · ${t('app.name')}`;
  // Each engine is its own chunk (the catalogue never downloads epub.js or pdf.js); it is fetched now, side by
  // side with the link, position and loan look-ups, instead of after them.
  const engineModule = title.format === 'pdf' ? import('../readers/pdf') : import('../readers/epub');
  engineModule.catch(() => undefined);
  // pdf.js's worker (the largest part of the engine) too.
  if (title.format === 'pdf') pdfWorker();

  // Every link after the first one opened this reading is a renewal mid-book: the server then does not count
  // it as a new COUNTER request (while the same reading goes on).
  let opened = false;
  const freshLink = async (): Promise<AccessLink> => {
    try {
      const fresh = await api.access(id, { renewal: opened });
      opened = true;
      return fresh;
    } catch (error) {
      if (error instanceof ApiError && (noAccessCodes.has(error.code) || error.status === 401)) {
        // Mid-book, the API refusing a fresh link for want of a loan is the loan ending: close as at its end.
        if (loanOverCodes.has(error.code)) loanEnded?.();
        throw new NoAccessError(error.code);
      }
      throw error;
    }
  };

  let link: AccessLink;
  try {
    link = kept && offline() ? storedLink(kept) : await freshLink();
    if (kept) link = storedLink(kept, link);
  } catch (error) {
    if (kept && isNetworkFailure(error)) link = storedLink(kept);
    else return refused(error);
  }
  async function refused(error: unknown): Promise<() => void> {
    // A definite "no" from the API: whatever was kept of the book goes with the loan.
    if (kept && error instanceof NoAccessError && loanOverCodes.has(error.message)) await removeCopy(id);
    if (error instanceof NoAccessError && !api.session) {
      // Not signed in: say so, and come back here after signing in.
      main.replaceChildren(
        h(
          'div',
          { class: 'message', role: 'alert', id: 'reader-message' },
          h('h1', {}, title.title),
          h('p', {}, t('signin.needed')),
          h('a', { class: 'button', href: href.signin(href.read(id)) }, t('nav.signin')),
        ),
      );
      return cleanup;
    }
    const text =
      error instanceof NoAccessError
        ? error.message === 'NO_ACTIVE_LOAN' || error.message === 'UNAUTHORIZED'
          ? t('reader.needLoan')
          : error.message === 'NOT_ENTITLED'
            ? errorMessage('NOT_ENTITLED')
            : t('reader.noAccess')
        : t('reader.notAvailable');
    messageBox(main, title, text);
    return cleanup;
  }

  const signedIn = api.session !== undefined;
  // A licensed title is read on a loan (open and partner titles have none): the book closes when it ends.
  const onLoan = signedIn && title.access === 'licensed';
  const activeLoanOfTitle = async (): Promise<Loan | undefined> =>
    (await api.loans()).find((loan) => loan.titleId === id && loan.status === 'active');
  // Where to open: the newest of the server's position (any device's), the positions waiting on this device to
  // be sent (read offline), and offline the last one this device reached (sent, so no longer waiting).
  const resumePosition = async (): Promise<Position | undefined> => {
    const [server, waiting] = await Promise.all([
      offline() ? undefined : api.progress(id).catch(() => undefined),
      newestQueuedPosition(id).catch(() => undefined),
    ]);
    return newestPosition([server, waiting, offline() || !server ? rememberedPosition(id) : undefined]);
  };
  const [resume, foundLoan] = await Promise.all([
    signedIn ? resumePosition() : undefined,
    onLoan && !offline() ? activeLoanOfTitle().catch(() => undefined) : undefined,
  ]);
  // Offline, the loan is the one the copy was kept under: its end still closes the book.
  const loan: WatchedLoan | undefined =
    foundLoan ??
    (kept?.loanId && kept.expiresAt
      ? { id: kept.loanId, status: 'active', expiresAt: kept.expiresAt }
      : undefined);
  if (destroyed) return cleanup;

  const toolbar = h('div', { class: 'reader-bar', role: 'toolbar', 'aria-label': t('reader.toolbar') });
  // The secondary tools (contents, search, display, bookmarks, zoom): in the bar on a wide screen, in one menu
  // on a narrow one (styles.css decides which by the width).
  const tools = h('div', { class: 'reader-tools', id: 'reader-tools' });
  const menuButton = h(
    'button',
    {
      type: 'button',
      class: 'secondary menu-button',
      id: 'reader-menu-button',
      'aria-expanded': 'false',
      'aria-controls': 'reader-tools',
    },
    t('reader.menu'),
  );
  const stage = h('div', { class: 'reader-stage', id: 'reader-stage' });
  const body = h('div', { class: 'reader-body' }, stage);
  const footer = h('div', { class: 'reader-foot' });
  const progressBar = h('progress', { id: 'download-progress', max: 1, 'aria-label': t('reader.opening') });
  const progressText = h('p', { id: 'download-text' }, t('reader.opening'));
  const loading = h('div', { class: 'loading', id: 'reader-loading' }, progressText, progressBar);
  const shell = h(
    'section',
    {
      class: 'reader',
      id: 'reader',
      tabindex: '-1',
      'data-chrome': 'shown',
      'aria-label': t('reader.title', { title: title.title }),
    },
    toolbar,
    loading,
    body,
    footer,
  );
  main.replaceChildren(shell);
  const chrome = immersiveChrome({ shell, toolbar, footer, body, tools, menuButton });
  cleanups.push(chrome.destroy);

  // Positions are saved a second after the reader settles, and right away when the page is hidden.
  const device = deviceId();
  const send = (locator: Locator, modified: string, keepalive: boolean) =>
    api.saveProgress(id, locator, device, keepalive).then(
      () => undefined,
      (error: unknown) => {
        // Without the network the position waits on the device and is sent when it is back.
        if (isNetworkFailure(error))
          void enqueue({ kind: 'progress', titleId: id, locator, device, modified });
      },
    );
  // One save on its way at a time, so an older one (held up by a token refresh) never lands after a newer one.
  const sendInTurn = newestInTurn(send);
  const save = debounce((locator: Locator, keepalive: boolean = false) => {
    if (!api.session) return;
    const modified = new Date().toISOString();
    rememberPosition(id, { locator, modified });
    // A page being hidden may not run again: its save goes at once, as a keepalive request.
    void (keepalive ? send(locator, modified, true) : sendInTurn(locator, modified, false));
  }, 800);
  let lastLocator: Locator | undefined;
  const onHide = () => {
    if (document.visibilityState === 'hidden' && lastLocator) save.flush();
  };
  document.addEventListener('visibilitychange', onHide);
  cleanups.push(() => {
    document.removeEventListener('visibilitychange', onHide);
    save.flush();
  });

  const context: ReaderContext = {
    title,
    link,
    freshLink,
    resumeAt: resume?.locator,
    stage,
    toolbar,
    tools,
    footer,
    body,
    chrome,
    onLocator(locator) {
      lastLocator = locator;
      save(locator);
    },
    fail(text) {
      if (closed) return;
      save.flush();
      engine?.destroy();
      engine = undefined;
      messageBox(main, title, text);
    },
    setLoading(fraction, text) {
      loading.hidden = fraction !== undefined && fraction >= 1;
      if (fraction === undefined) progressBar.removeAttribute('value');
      else progressBar.value = fraction;
      if (text) progressText.textContent = text;
    },
  };

  if (onLoan) {
    // The watcher may find the loan over as it starts, before its stop function is returned.
    let stopWatching = () => {};
    loanEnded = () => {
      if (closed || destroyed) return;
      closed = true;
      stopWatching();
      // The position is saved as on any exit (newest wins on the server), so borrowing again resumes here.
      save.flush();
      engine?.destroy();
      engine = undefined;
      void cacheForgetTitle(id);
      void removeCopy(id);
      loanEndedBox(main, title);
    };
    stopWatching = watchLoan({
      loan,
      source: { get: (loanId) => api.loan(loanId), find: activeLoanOfTitle },
      onEnded: loanEnded,
    });
    cleanups.push(() => stopWatching());
  }

  toolbar.append(
    h('a', { href: href.title(id), class: 'button secondary', 'aria-label': t('reader.exit') }, '✕'),
    h('h1', {}, title.title),
  );

  try {
    const { openBook } =
      link.format === title.format
        ? await engineModule
        : link.format === 'pdf'
          ? await import('../readers/pdf')
          : await import('../readers/epub');
    if (destroyed || closed) return cleanup;
    engine = await openBook(context);
    if (destroyed || closed) {
      engine.destroy();
      engine = undefined;
      return cleanup;
    }
  } catch (error) {
    if (destroyed || closed) return cleanup;
    messageBox(
      main,
      title,
      error instanceof NoAccessError
        ? t('reader.noAccess')
        : (error as Error | undefined)?.name === 'BookOpenError'
          ? t('reader.damaged')
          : t('reader.notAvailable'),
    );
    console.error(error);
    return cleanup;
  }
  // Opened online and not kept yet: keep it for offline reading until the loan ends (unless turned off).
  if (!kept && keepOpenedBooks() && (title.access === 'open' || (onLoan && foundLoan))) {
    void downloadCopy({ title, link, loan: foundLoan, downloaded: false })
      .then(() => keepEngines())
      .catch(() => {});
  }
  if (signedIn && engine) addBookmarks(context, engine);
  // The tools go after the engine's primary controls; the menu button opens them on a narrow screen.
  toolbar.append(menuButton, tools);
  // Reading starts immersive: the page alone, the chrome a tap, a key or a Tab away.
  chrome.hide();
  if (resume) toast(t('reader.resumed'));
  return cleanup;
}

/** Bookmarks: a button to mark the current place and a panel listing the marks. */
function addBookmarks(context: ReaderContext, engine: ReadingEngine): void {
  const id = context.title.id;
  const panel = h('div', { class: 'panel', id: 'bookmarks-panel', hidden: true });
  context.body.append(panel);
  const list = h('ul', {});
  /** The API's list as last seen: offline, the panel still shows it (with what was changed since). */
  let known: Bookmark[] = [];
  const goTo = (locator: Locator) => {
    panel.hidden = true;
    void engine.goTo(locator);
  };
  const removeButton = (label: string | undefined, onclick: () => Promise<void>) =>
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        'aria-label': `${t('reader.removeBookmark')}: ${label ?? ''}`,
        onclick: async () => {
          await onclick().catch(() => {});
          await refresh();
        },
      },
      '✕',
    );
  const removeKnown = async (mark: Bookmark) => {
    try {
      await api.removeBookmark(id, mark.id);
    } catch (error) {
      if (!isNetworkFailure(error)) throw error;
      // Offline: the removal waits with the rest and is sent when the network is back.
      await enqueue({
        kind: 'unbookmark',
        titleId: id,
        bookmarkId: mark.id,
        created: new Date().toISOString(),
      });
    }
  };
  const refresh = async () => {
    const [fromApi, waiting] = await Promise.all([
      api.bookmarks(id).then(
        (marks) => (known = marks),
        (error: unknown) => (isNetworkFailure(error) ? known : []),
      ),
      queuedFor(id),
    ]);
    const removed = new Set(
      waiting.flatMap(({ entry }) => (entry.kind === 'unbookmark' ? [entry.bookmarkId] : [])),
    );
    const added = waiting.filter(
      (queued): queued is Queued<Extract<OutboxEntry, { kind: 'bookmark' }>> =>
        queued.entry.kind === 'bookmark',
    );
    const items = [
      ...fromApi
        .filter((mark) => !removed.has(mark.id))
        .map((mark) => {
          const label = mark.label ?? mark.locator.title ?? mark.created;
          return h(
            'li',
            {},
            h('button', { type: 'button', class: 'link', onclick: () => goTo(mark.locator) }, label),
            ' ',
            removeButton(mark.label, () => removeKnown(mark)),
          );
        }),
      // Made offline and not sent yet: shown at once, marked as on this device only; removing one just takes it
      // off the queue.
      ...added.map(({ key, entry }) => {
        const label = entry.label ?? entry.locator.title ?? entry.created;
        return h(
          'li',
          { 'data-sync': 'pending' },
          h('button', { type: 'button', class: 'link', onclick: () => goTo(entry.locator) }, label),
          ' ',
          h('span', { class: 'pending-note' }, t('reader.bookmarkPending')),
          ' ',
          removeButton(entry.label, () => dequeue(key)),
        );
      }),
    ];
    list.replaceChildren(...(items.length ? items : [h('li', {}, t('reader.noBookmarks'))]));
  };
  panel.append(h('h2', {}, t('reader.bookmarks')), list);
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'aria-expanded': 'false',
      'aria-controls': 'bookmarks-panel',
      onclick: async () => {
        panel.hidden = !panel.hidden;
        toggle.setAttribute('aria-expanded', String(!panel.hidden));
        if (!panel.hidden) await refresh();
      },
    },
    t('reader.bookmarks'),
  );
  const add = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'add-bookmark',
      onclick: async () => {
        const locator = engine.locator();
        if (!locator) return;
        const label = bookmarkLabel(locator, engine.excerpt?.());
        try {
          await api.addBookmark(id, locator, label);
        } catch (error) {
          if (!isNetworkFailure(error)) {
            toast(messageOf(error), 'error');
            return;
          }
          // Offline: kept on the device and sent when the network is back (web/src/offline-sync.ts).
          const created = new Date().toISOString();
          await enqueue({ kind: 'bookmark', titleId: id, locator, ...(label ? { label } : {}), created });
          toast(t('reader.bookmarkQueued'));
          if (!panel.hidden) await refresh();
          return;
        }
        toast(t('reader.bookmarkAdded'));
        if (!panel.hidden) await refresh();
      },
    },
    t('reader.addBookmark'),
  );
  context.tools.append(add, toggle);
}

/** Where the mark is (chapter, page) and the text there, so a list of marks can be told apart. */
function bookmarkLabel(locator: Locator, excerpt: string | undefined): string | undefined {
  // The chapter, or for a PDF the page (its locator's title already names it).
  const place =
    locator.title ??
    (locator.locations.page ? t('reader.bookmarkPage', { page: locator.locations.page }) : '');
  const text = excerpt?.replace(/\s+/g, ' ').trim();
  const quoted = text ? `“${text.length > 80 ? `${text.slice(0, 80).replace(/\s+\S*$/, '')}…` : text}”` : '';
  const label = [place, quoted].filter(Boolean).join(' — ');
  return label ? label.slice(0, 200) : undefined;
}

/**
 * The immersive reader's chrome (tool bar, progress): shown while the book opens, then hidden so the page fills
 * the viewport; a tap in the middle of the page (the engines call `toggle`), Escape, or keyboard focus on a tool
 * brings it back.
 */
function immersiveChrome(parts: {
  shell: HTMLElement;
  toolbar: HTMLElement;
  footer: HTMLElement;
  body: HTMLElement;
  tools: HTMLElement;
  menuButton: HTMLElement;
}): ReaderChrome & { destroy(): void } {
  const { shell, toolbar, footer, body, tools, menuButton } = parts;
  const setMenu = (open: boolean) => {
    tools.classList.toggle('open', open);
    menuButton.setAttribute('aria-expanded', String(open));
  };
  const panelsOpen = () => [...body.querySelectorAll<HTMLElement>('.panel')].filter((panel) => !panel.hidden);
  const closePanels = () => {
    for (const panel of panelsOpen()) panel.hidden = true;
    // Only the openers of side panels (the read-aloud bar stays while the patron reads).
    for (const opener of shell.querySelectorAll('[aria-controls][aria-expanded="true"]')) {
      const controlled = document.getElementById(opener.getAttribute('aria-controls') ?? '');
      if (controlled?.classList.contains('panel')) opener.setAttribute('aria-expanded', 'false');
    }
  };
  const shown = () => shell.dataset.chrome === 'shown';
  const show = () => {
    shell.dataset.chrome = 'shown';
  };
  const hide = () => {
    setMenu(false);
    closePanels();
    shell.dataset.chrome = 'hidden';
    // Focus never stays on a tool that is no longer visible.
    if (toolbar.contains(document.activeElement) || footer.contains(document.activeElement))
      shell.focus({ preventScroll: true });
  };
  const toggle = () => (shown() ? hide() : show());
  menuButton.addEventListener('click', () => setMenu(!tools.classList.contains('open')));
  // A tool chosen from the menu closes the menu (its panel, if any, opens beside the page).
  tools.addEventListener('click', (event) => {
    if ((event.target as HTMLElement).closest('button') && getComputedStyle(menuButton).display !== 'none')
      setMenu(false);
  });
  const onFocus = () => show();
  toolbar.addEventListener('focusin', onFocus);
  footer.addEventListener('focusin', onFocus);
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    if (tools.classList.contains('open')) setMenu(false);
    else if (panelsOpen().length) closePanels();
    else toggle();
  };
  document.addEventListener('keyup', onKey);
  // Panels and the menu open below the bar, whatever its height.
  const barSize = new ResizeObserver(() =>
    shell.style.setProperty('--bar-height', `${toolbar.getBoundingClientRect().height}px`),
  );
  barSize.observe(toolbar);
  return {
    show,
    hide,
    toggle,
    shown,
    destroy() {
      document.removeEventListener('keyup', onKey);
      barSize.disconnect();
    },
  };
}
