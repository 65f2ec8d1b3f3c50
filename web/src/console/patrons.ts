import { ApiError } from '../api/client';
import { announce, h } from '../dom';
import { errorMessage, t } from '../i18n';
import type { Cleanup } from '../main';
import { admin, type PatronRecord } from './api';

function problemText(error: unknown): string {
  if (error instanceof ApiError) return errorMessage(error.code, `${error.problem.detail} (${error.code})`);
  return t('common.error', { detail: (error as Error).message });
}

export function renderPatrons(body: HTMLElement): Cleanup {
  const query = h('input', { id: 'patron-search', type: 'search', maxlength: 200, autocomplete: 'off' });
  const list = h('ul', { class: 'console-list', id: 'patron-list', 'aria-labelledby': 'patrons-heading' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('audit.more'));
  const status = h('p', { class: 'status', role: 'status', hidden: true });
  let cursor: string | null = null;
  let current: { card?: string; name?: string } = {};

  const item = (patron: PatronRecord): HTMLLIElement => {
    const blocked = patron.status === 'blocked';
    const row = h(
      'li',
      { 'data-patron': patron.id },
      h('h3', {}, patron.name),
      h(
        'p',
        { class: 'meta' },
        t('patrons.card', { card: patron.cardNumber }),
        ' · ',
        h('span', { class: 'badge' }, t(`patrons.status.${blocked ? 'blocked' : 'active'}`)),
        patron.roles.includes('librarian') ? h('span', { class: 'badge' }, t('patrons.librarian')) : null,
      ),
      h(
        'button',
        {
          type: 'button',
          class: blocked ? 'secondary' : 'danger',
          onclick: async () => {
            try {
              const updated = await admin.setPatronStatus(patron.id, blocked ? 'active' : 'blocked');
              row.replaceWith(item(updated));
              const message = t(blocked ? 'patrons.unblocked' : 'patrons.blocked', { name: patron.name });
              status.className = 'status';
              status.textContent = message;
              status.hidden = false;
              announce(message);
            } catch (error) {
              status.className = 'status status-error';
              status.textContent = problemText(error);
              status.hidden = false;
            }
          },
        },
        t(blocked ? 'patrons.unblock' : 'patrons.block', { name: patron.name }),
      ),
    );
    return row;
  };

  const load = async (append: boolean) => {
    try {
      const page = await admin.patrons({ ...current, ...(append && cursor ? { cursor } : {}) });
      cursor = page.cursor;
      const items = page.data.map(item);
      if (append) list.append(...items);
      else list.replaceChildren(...(items.length ? items : [h('li', {}, t('patrons.none'))]));
      more.hidden = !cursor;
    } catch (error) {
      status.className = 'status status-error';
      status.textContent = problemText(error);
      status.hidden = false;
    }
  };
  more.addEventListener('click', () => void load(true));

  const form = h(
    'form',
    {
      role: 'search',
      'aria-labelledby': 'patrons-heading',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const value = query.value.trim();
        // A card number is letters, digits and dashes with at least one digit; anything else is a name.
        current = !value
          ? {}
          : /^(?=.*\d)[A-Za-z0-9-]{4,32}$/.test(value)
            ? { card: value }
            : { name: value };
        cursor = null;
        void load(false);
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'patron-search' }, t('patrons.search')), query),
    h('button', { type: 'submit' }, t('patrons.searchButton')),
  );
  body.replaceChildren(h('h2', { id: 'patrons-heading' }, t('patrons.heading')), form, status, list, more);
  void load(false);
}
