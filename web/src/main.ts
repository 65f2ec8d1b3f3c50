import './styles.css';
import { api } from './api/client';
import { announce, h } from './dom';
import { language, onLanguageChange, setLanguage, t, type Language } from './i18n';
import { messageOf } from './problem';
import { renderAccount } from './pages/account';
import { renderSuggest } from './pages/suggest';
import { startPwa } from './pwa';
import { startOfflineSync } from './offline-sync';
import { renderCatalogue } from './pages/catalogue';
import { renderCollection } from './pages/collection';
import { renderReader } from './pages/reader';
import { renderShelf } from './pages/shelf';
import { renderCampusSignIn } from './pages/campus-signin';
import { renderSignIn } from './pages/signin';
import { renderTitle } from './pages/title';
import { bellItem, renderNotifications } from './pages/notifications';
import { renderAccountNotifications } from './pages/account-notifications';
import { programmeHref, renderCertificate, renderProgramme, renderProgrammes } from './pages/programmes';
import { href, navigate, parseRoute, type Route } from './router';
import { applyTheme } from './theme';

// The patron's theme, if one was chosen, before anything is drawn (otherwise the system's mode rules).
applyTheme();

/** A page: renders into `main` and may return a clean-up run when the route changes. */
export type Cleanup = (() => void) | void;

const header = document.getElementById('site-header')!;
const main = document.getElementById('main')!;
let cleanup: Cleanup;
let renderId = 0;

function renderHeader(route: Route): void {
  const session = api.session;
  const current = (name: Route['name']) => (route.name === name ? 'page' : undefined);
  const languageSelect = h(
    'select',
    {
      id: 'language',
      onchange: (event: Event) => chooseLanguage((event.target as HTMLSelectElement).value as Language),
    },
    h('option', { value: 'id', selected: language() === 'id' }, 'Bahasa Indonesia'),
    h('option', { value: 'en', selected: language() === 'en' }, 'English'),
  );
  header.replaceChildren(
    h('a', { class: 'skip', href: '#main', onclick: skipToMain }, t('app.skip')),
    h(
      'div',
      { class: 'bar' },
      h('a', { class: 'brand', href: href.catalogue() }, t('app.name')),
      h(
        'nav',
        { 'aria-label': t('nav.label') },
        h(
          'ul',
          {},
          h(
            'li',
            {},
            h('a', { href: href.catalogue(), 'aria-current': current('catalogue') }, t('nav.catalogue')),
          ),
          session
            ? h('li', {}, h('a', { href: href.shelf(), 'aria-current': current('shelf') }, t('nav.shelf')))
            : null,
          h(
            'li',
            {},
            h(
              'a',
              { href: programmeHref.list(), 'aria-current': current('programmes') ?? current('programme') },
              t('nav.programmes'),
            ),
          ),
          session
            ? h(
                'li',
                {},
                h('a', { href: href.account(), 'aria-current': current('account') }, t('nav.account')),
              )
            : null,
          session ? bellItem(route.name === 'notifications') : null,
          session?.patron.roles.includes('librarian')
            ? h(
                'li',
                {},
                h('a', { href: href.console(), 'aria-current': current('console') }, t('nav.console')),
              )
            : null,
          session
            ? h(
                'li',
                {},
                h(
                  'button',
                  { type: 'button', class: 'link', id: 'signout', onclick: () => void signOut() },
                  t('nav.signout'),
                ),
              )
            : h(
                'li',
                {},
                h('a', { href: href.signin(), 'aria-current': current('signin') }, t('nav.signin')),
              ),
        ),
      ),
      h('div', { class: 'language' }, h('label', { for: 'language' }, t('nav.language')), languageSelect),
    ),
    ...(session ? [h('p', { class: 'who' }, t('nav.signedInAs', { name: session.patron.name }))] : []),
  );
}

/** The language chosen here is the patron's too, once signed in: stored on their record for the next device. */
function chooseLanguage(next: Language): void {
  setLanguage(next);
  if (api.session) void api.saveLanguage(next).catch(() => undefined);
}

function skipToMain(event: Event): void {
  event.preventDefault();
  main.focus();
}

async function signOut(): Promise<void> {
  await api.signOut();
  navigate(href.catalogue());
  announce(t('signin.signedOut'));
}

async function render(): Promise<void> {
  const id = ++renderId;
  const route = parseRoute(location.hash);
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  document.body.dataset.route = route.name;
  renderHeader(route);
  announce('');
  main.replaceChildren();
  const result = await (async (): Promise<Cleanup> => {
    switch (route.name) {
      case 'catalogue':
        return renderCatalogue(main, route.params);
      case 'title':
        return renderTitle(main, route.id);
      case 'shelf':
        return renderShelf(main);
      case 'collection':
        return renderCollection(main, route.id);
      case 'account':
        return renderAccount(main);
      case 'suggest':
        return renderSuggest(main, route.params);
      case 'read':
        return renderReader(main, route.id);
      case 'signin':
        return renderSignIn(main, route.next);
      case 'campus':
        return renderCampusSignIn(main, route.params);
      case 'notifications':
        return renderNotifications(main);
      case 'account-notifications':
        return renderAccountNotifications(main);
      case 'programmes':
        return renderProgrammes(main);
      case 'programme':
        return renderProgramme(main, route.id);
      case 'certificate':
        return renderCertificate(main, route.id);
      case 'console':
        // Loaded on demand: patrons never download the console.
        return (await import('./console')).renderConsole(main, route);
      default:
        main.replaceChildren(h('h1', {}, t('common.notFound')));
        document.title = `${t('common.notFound')} · ${t('app.name')}`;
    }
  })().catch((error: unknown) => {
    main.replaceChildren(h('p', { role: 'alert' }, messageOf(error)));
  });
  if (id !== renderId) {
    if (typeof result === 'function') result();
    return;
  }
  cleanup = result;
  // After a route change, move focus to the new page, so keyboard and screen-reader users start at its top
  // (not on the first load: there the skip link comes first).
  if (id > 1 && route.name !== 'read') main.focus({ preventScroll: false });
}

window.addEventListener('hashchange', () => void render());
// A notification marked read: the bell's count follows.
window.addEventListener('pustaka:notifications', () => renderHeader(parseRoute(location.hash)));
onLanguageChange(() => void render());
api.onSessionChange((session, reason) => {
  if (!session && reason === 'revoked') {
    navigate(href.signin());
    setTimeout(() => announce(t('signin.expired'), 'error'));
  } else {
    // A patron who chose a language in My account gets it on every device they sign in on.
    const chosen = session?.patron.language;
    if (chosen && chosen !== language()) setLanguage(chosen);
    else renderHeader(parseRoute(location.hash));
  }
});
/**
 * The deployment says where the API is: on AWS the reader site ships /config.json with `apiBaseUrl` (the HTTP
 * API's own origin); the local gateway serves the API on the page's origin and answers `{"apiBaseUrl": ""}`.
 */
async function configure(): Promise<void> {
  try {
    const response = await fetch('/config.json', { cache: 'no-cache' });
    if (!response.ok) return;
    const config = (await response.json()) as { apiBaseUrl?: unknown };
    if (typeof config.apiBaseUrl === 'string') api.setBase(config.apiBaseUrl);
  } catch {
    // same origin
  }
}

void configure().then(render);
startPwa();
startOfflineSync();
