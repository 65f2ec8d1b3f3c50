import { api } from '../api/client';
import type { CampusPartner } from '../api/types';
import { announce, h } from '../dom';
import { errorMessage, t } from '../i18n';
import { messageOf } from '../problem';
import { href, navigate } from '../router';

/**
 * Campus sign-in in the app (`#/signin/campus`), three moments of one route:
 * - the institution chooser (search by name; the last choice remembered on this device), which sends the
 *   browser to the API's start and from there to the university;
 * - `?handoff=…`: back from the university, the one-time code is redeemed by POST and taken out of the URL
 *   and history at once;
 * - `?error=<code>`: the API refused the sign-in; the page says why in the UI's language, with a way back.
 */

const lastChoiceKey = 'pustaka.campus.last';

const appRoute = (path: string | null | undefined) =>
  path && /^#\/(?![/\\])[\x21-\x7E]*$/.test(path) ? path : undefined;

export async function renderCampusSignIn(main: HTMLElement, params: URLSearchParams): Promise<void> {
  document.title = `${t('campus.button')} · ${t('app.name')}`;
  const handoff = params.get('handoff');
  const error = params.get('error');
  if (handoff) return finish(main, handoff);
  if (error) return failed(main, errorMessage(error));
  return chooser(main, appRoute(params.get('next')) ?? href.catalogue());
}

async function finish(main: HTMLElement, handoff: string): Promise<void> {
  // The code is single-use, but it still leaves the address bar and the history before anything else.
  history.replaceState(null, '', `${location.pathname}${location.search}${href.campus()}`);
  main.replaceChildren(h('p', { class: 'status', role: 'status' }, t('campus.signingIn')));
  try {
    const { session, returnPath } = await api.redeemCampusSignIn(handoff);
    navigate(appRoute(returnPath) ?? href.catalogue());
    announce(t('signin.welcome', { name: session.patron.name }));
  } catch (caught) {
    failed(main, messageOf(caught));
  }
}

function failed(main: HTMLElement, message: string): void {
  main.replaceChildren(
    h(
      'div',
      { class: 'message', role: 'alert', id: 'campus-error' },
      h('h1', {}, t('campus.failedHeading')),
      h('p', {}, message),
      h('a', { class: 'button', href: href.signin() }, t('campus.back')),
    ),
  );
}

async function chooser(main: HTMLElement, next: string): Promise<void> {
  const search = h('input', {
    id: 'campus-search',
    type: 'search',
    autocomplete: 'off',
    'aria-controls': 'campus-list',
  });
  const list = h('ul', { id: 'campus-list', class: 'campus-list' });
  main.replaceChildren(
    h('h1', { id: 'campus-heading' }, t('campus.heading')),
    h('p', {}, t('campus.intro')),
    h('div', { class: 'field' }, h('label', { for: 'campus-search' }, t('campus.search')), search),
    list,
    h('p', {}, h('a', { href: href.signin(next) }, t('campus.back'))),
  );
  let partners: CampusPartner[];
  try {
    partners = await api.campusPartners();
  } catch (caught) {
    list.replaceChildren(h('li', { role: 'alert' }, messageOf(caught)));
    return;
  }
  const last = localStorage.getItem(lastChoiceKey);
  const show = () => {
    const wanted = search.value.trim().toLocaleLowerCase();
    const shown = partners
      .filter((p) => p.name.toLocaleLowerCase().includes(wanted))
      // The last choice first: most members always pick the same institution.
      .sort((a, b) => Number(b.id === last) - Number(a.id === last));
    list.replaceChildren(
      ...shown.map((partner) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'campus-choice',
              'data-partner': partner.id,
              onclick: () => {
                localStorage.setItem(lastChoiceKey, partner.id);
                location.assign(api.campusStartUrl(partner.id, next));
              },
            },
            partner.name,
            partner.id === last ? h('span', { class: 'campus-last' }, ` (${t('campus.last')})`) : null,
          ),
        ),
      ),
    );
    if (shown.length === 0) {
      list.replaceChildren(h('li', {}, partners.length ? t('campus.none') : t('campus.empty')));
    }
  };
  search.addEventListener('input', show);
  show();
}
