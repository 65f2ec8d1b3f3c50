import { api, ApiError, type LoanDays } from '../api/client';
import { notifications } from '../api/notifications';
import type { Hold, Loan, Title, TitleDetail } from '../api/types';
import { announce, bookTextAttrs, h } from '../dom';
import { formatBytes, formatDate, languageName, t } from '../i18n';
import { messageOf } from '../problem';
import { href, navigate } from '../router';
import { availabilityText, badges, coverOf, loadingNote } from './common';
import { holdStatus } from './hold-status';

/** The periods POST /loans takes (`days`): a period the API stops offering fails the type check here. */
const loanPeriods = [7, 14, 21] as const satisfies readonly LoanDays[];

export async function renderTitle(main: HTMLElement, id: string): Promise<void> {
  main.replaceChildren(loadingNote());
  let title: TitleDetail;
  try {
    title = await api.title(id);
  } catch (error) {
    // A title that does not exist is a page not found; any other failure is said as what it is.
    const heading =
      error instanceof ApiError && error.status === 404 ? t('common.notFound') : t('common.unavailable');
    document.title = `${heading} · ${t('app.name')}`;
    main.replaceChildren(
      h('h1', {}, heading),
      h('p', { id: 'page-problem' }, messageOf(error)),
      h('a', { href: href.catalogue() }, t('nav.catalogue')),
    );
    return;
  }
  document.title = `${title.title} · ${t('app.name')}`;
  const signedIn = api.session !== undefined;
  const [loans, holds] = signedIn
    ? await Promise.all([api.loans().catch(() => [] as Loan[]), api.holds().catch(() => [] as Hold[])])
    : [[] as Loan[], [] as Hold[]];
  const loan = loans.find((l) => l.titleId === id && l.status === 'active');
  const hold = holds.find((x) => x.titleId === id && (x.status === 'waiting' || x.status === 'reserved'));

  // The title, authors and description are the book's words: said in the book's language and direction.
  const bookText = bookTextAttrs(title.language);
  const actions = h('div', { class: 'actions', id: 'title-actions' });
  const details = h(
    'dl',
    { class: 'details' },
    ...contributorDetails(title, bookText),
    title.alternateTitles?.length
      ? [h('dt', {}, t('title.alternateTitles')), h('dd', {}, title.alternateTitles.join(' · '))]
      : null,
    title.publisher ? [h('dt', {}, t('title.publisher')), h('dd', {}, title.publisher)] : null,
    title.published ? [h('dt', {}, t('title.published')), h('dd', {}, title.published)] : null,
    title.language ? [h('dt', {}, t('title.language')), h('dd', {}, languageName(title.language))] : null,
    title.subjects.length ? [h('dt', {}, t('title.subjects')), h('dd', {}, title.subjects.join(', '))] : null,
    [h('dt', {}, t('title.size')), h('dd', {}, formatBytes(title.size))],
    title.pageCount
      ? [h('dt', {}, t('catalogue.format')), h('dd', {}, t('title.pages', { count: title.pageCount }))]
      : null,
  );
  main.replaceChildren(
    h(
      'article',
      { class: 'title-page' },
      coverOf(title, true),
      h(
        'div',
        { class: 'info' },
        h('h1', { id: 'title-name', ...bookText }, title.title),
        title.authors.length ? byLine(title.authors, bookText) : null,
        badges(title),
        // A copy kept for this patron is said once, as the call to action below, not as "all copies on loan".
        hold?.status === 'reserved'
          ? null
          : h('p', { class: 'availability' }, availabilityText(title, title.availability)),
        actions,
        title.description ? h('p', { class: 'description', ...bookText }, title.description) : null,
        h('h2', {}, t('title.details')),
        details,
      ),
    ),
  );
  renderActions(actions, title, loan, hold, signedIn);
}

/** One row per role (translators, editors, ...), in the order the publication credits them. */
function contributorDetails(title: Title, bookText: ReturnType<typeof bookTextAttrs>): HTMLElement[][] {
  const byRole = new Map<NonNullable<Title['contributors']>[number]['role'], string[]>();
  for (const { name, role } of title.contributors ?? [])
    byRole.set(role, [...(byRole.get(role) ?? []), name]);
  return [...byRole].map(([role, names]) => [
    h('dt', {}, t(`title.role.${role}`)),
    h('dd', { class: `contributors-${role}`, ...bookText }, names.join(', ')),
  ]);
}

/** "By …" in the interface's language, the names themselves in the book's. */
function byLine(authors: string[], bookText: ReturnType<typeof bookTextAttrs>): HTMLElement {
  const slot = '\u0000';
  const [before = '', after = ''] = t('catalogue.by', { authors: slot }).split(slot);
  return h('p', { id: 'title-authors' }, before, h('span', bookText, authors.join(', ')), after);
}

function renderActions(
  actions: HTMLElement,
  title: TitleDetail,
  loan: Loan | undefined,
  hold: Hold | undefined,
  signedIn: boolean,
): void {
  const read = () => h('a', { class: 'button', href: href.read(title.id) }, t('title.read'));
  if (title.access === 'open') {
    actions.replaceChildren(h('p', {}, t('title.openAccess')), read());
    return;
  }
  // Partner titles are not lent: an entitled member (or campus network) reads them; the reader says if not.
  if (title.access === 'partner' && signedIn) {
    actions.replaceChildren(read());
    return;
  }
  if (title.availability?.copies === 0 && !hold) {
    // No licence that can lend: a hold would never be filled (the API refuses it with NOT_LENDABLE). A patron
    // may ask to be told when the library gets copies instead.
    const wish = h('div', { id: 'title-wish' });
    actions.replaceChildren(h('p', { id: 'no-copies' }, t('hold.noCopies')), wish);
    if (signedIn) void renderWish(wish, title.id);
    else
      wish.replaceChildren(
        h('a', { class: 'button', href: href.signin(href.title(title.id)) }, t('wish.signIn')),
      );
    return;
  }
  if (!signedIn) {
    actions.replaceChildren(
      h('a', { class: 'button', href: href.signin(href.title(title.id)) }, t('title.signInToBorrow')),
    );
    return;
  }
  if (loan) {
    actions.replaceChildren(h('p', {}, t('title.onLoan', { date: formatDate(loan.expiresAt) })), read());
    return;
  }
  const available = title.availability?.available;
  const canBorrow =
    available === undefined || available === null || available > 0 || hold?.status === 'reserved';
  const parts: HTMLElement[] = [];
  // The patron's hold is said first and once: reserved → the call to action above the borrow form.
  if (hold) parts.push(holdStatus(hold));
  if (canBorrow) {
    const key = crypto.randomUUID();
    const form = h(
      'form',
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const chosen = Number(new FormData(form).get('days') ?? 14);
          const days = loanPeriods.find((period) => period === chosen) ?? 14;
          const button = form.querySelector('button')!;
          button.disabled = true;
          try {
            // The same key on a retry: a double click or a lost response never makes a second loan.
            const created = await api.borrow(title.id, days, key);
            announce(t('title.borrowed', { date: formatDate(created.expiresAt) }));
            renderActions(actions, title, created, hold, true);
            actions.querySelector('a')?.focus();
          } catch (error) {
            button.disabled = false;
            announce(messageOf(error), 'error');
            if (error instanceof ApiError && error.code === 'ALREADY_ON_LOAN') navigate(href.read(title.id));
          }
        },
      },
      h(
        'fieldset',
        {},
        h('legend', {}, t('title.borrowFor')),
        h(
          'div',
          { class: 'periods' },
          loanPeriods.map((days) =>
            h(
              'label',
              {},
              h('input', { type: 'radio', name: 'days', value: days, checked: days === 14 }),
              t('title.days', { days }),
            ),
          ),
        ),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'borrow' }, t('title.borrow'))),
    );
    parts.push(form);
  }
  if (!hold && !canBorrow) {
    const button = h(
      'button',
      {
        type: 'button',
        id: 'place-hold',
        onclick: async () => {
          button.disabled = true;
          try {
            const placed = await api.placeHold(title.id);
            announce(
              placed.position
                ? t('title.holdPlaced', { position: placed.position })
                : t('title.holdPlacedNoPos'),
            );
            renderActions(actions, title, undefined, placed, true);
          } catch (error) {
            button.disabled = false;
            announce(messageOf(error), 'error');
          }
        },
      },
      t('title.placeHold'),
    );
    parts.push(button);
  }
  actions.replaceChildren(...parts);
}

/**
 * The wish control: "tell me" or, once asked, that the patron will be told with a way to take it back. Whether
 * a wish exists is asked of the API; if that fails the button is offered, as asking twice keeps one wish.
 */
async function renderWish(
  slot: HTMLElement,
  titleId: string,
  wished?: boolean,
  focus = false,
): Promise<void> {
  if (wished === undefined) {
    wished = await notifications
      .wishes()
      .then((all) => all.some((w) => w.titleId === titleId))
      .catch(() => false);
  }
  const button: HTMLButtonElement = wished
    ? h(
        'button',
        {
          type: 'button',
          id: 'withdraw-wish',
          class: 'secondary',
          onclick: async () => {
            button.disabled = true;
            try {
              await notifications.removeWish(titleId);
              announce(t('wish.withdrawn'));
              await renderWish(slot, titleId, false, true);
            } catch (error) {
              announce(messageOf(error), 'error');
              // Already gone (another device): the page says so rather than offering to withdraw it again.
              if (error instanceof ApiError && error.code === 'WISH_NOT_FOUND')
                await renderWish(slot, titleId, false, true);
              else button.disabled = false;
            }
          },
        },
        t('wish.withdraw'),
      )
    : h(
        'button',
        {
          type: 'button',
          id: 'make-wish',
          onclick: async () => {
            button.disabled = true;
            try {
              await notifications.addWish(titleId);
              announce(t('wish.done'));
              await renderWish(slot, titleId, true, true);
            } catch (error) {
              button.disabled = false;
              announce(messageOf(error), 'error');
            }
          },
        },
        t('wish.ask'),
      );
  if (wished) slot.replaceChildren(h('p', { id: 'wish-state' }, t('wish.done')), button);
  else slot.replaceChildren(button);
  // After a press the focus stays on the control that replaced the one pressed, not lost to the page.
  if (focus) button.focus();
}
