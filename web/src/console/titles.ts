import { h } from '../dom';
import { formatDate, t, type MessageKey } from '../i18n';
import type { Cleanup } from '../main';
import { href } from '../router';
import { admin, type TitleListFilter, type TitleListRow } from './api';
import { problemText } from './problem';

/** What the licences column says: active of all, the soonest expiry, checkouts left. */
function licenceText(row: TitleListRow): string {
  const { active, total, soonestExpiry, checkoutsLeft } = row.licences;
  if (total === 0) return t('titles.licences.none');
  const parts = [t('titles.licences.active', { active, total })];
  if (soonestExpiry) parts.push(t('titles.licences.expires', { date: formatDate(soonestExpiry) }));
  if (active > 0)
    parts.push(
      checkoutsLeft === null
        ? t('titles.licences.unlimited')
        : t('titles.licences.left', { count: checkoutsLeft }),
    );
  return parts.join(' · ');
}

function cell(label: MessageKey, ...children: (Node | string | null)[]): HTMLTableCellElement {
  return h('td', { 'data-label': t(label) }, ...children);
}

function rowOf(row: TitleListRow): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-title-id': row.id },
    h(
      'th',
      { scope: 'row', 'data-label': t('titles.col.title') },
      h('a', { href: href.consoleTitle(row.id) }, row.title),
      row.withdrawn ? [' ', h('span', { class: 'badge' }, t('titles.withdrawn'))] : null,
      row.authors.length ? h('span', { class: 'meta title-list-authors' }, row.authors.join(', ')) : null,
    ),
    cell('titles.col.format', row.format.toUpperCase()),
    cell('titles.col.access', t(`access.${row.access}`)),
    cell('titles.col.licences', row.access === 'open' && row.licences.total === 0 ? '–' : licenceText(row)),
  );
}

function field(id: string, label: MessageKey, control: HTMLInputElement | HTMLSelectElement): HTMLElement {
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, t(label)), control);
}

function check(id: string, label: MessageKey): { box: HTMLInputElement; field: HTMLElement } {
  const box = h('input', { type: 'checkbox', id });
  return { box, field: h('div', { class: 'field field-check' }, box, h('label', { for: id }, t(label))) };
}

/** The console's list of every title: search, filters, a table with a link to each title's page, "more". */
export function renderTitleList(body: HTMLElement): Cleanup {
  const tbody = h('tbody', { id: 'title-list-rows' });
  const table = h(
    'table',
    { class: 'title-list', id: 'title-list', 'aria-labelledby': 'title-list-heading' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('titles.col.title')),
        h('th', { scope: 'col' }, t('titles.col.format')),
        h('th', { scope: 'col' }, t('titles.col.access')),
        h('th', { scope: 'col' }, t('titles.col.licences')),
      ),
    ),
    tbody,
  );
  const empty = h('p', { id: 'title-list-empty', hidden: true });
  const count = h('p', { class: 'meta', id: 'title-list-count', role: 'status' });
  const more = h(
    'button',
    { type: 'button', class: 'secondary', id: 'title-list-more', hidden: true },
    t('titles.more'),
  );
  const status = h('p', { class: 'status status-error', role: 'alert', hidden: true });
  let filter: TitleListFilter = {};
  let cursor: string | null = null;
  let shown = 0;
  // A page asked for under other filters is dropped when it arrives late.
  let generation = 0;
  const load = async () => {
    const asked = generation;
    more.disabled = true;
    try {
      const page = await admin.titleList(filter, cursor ?? undefined);
      if (asked !== generation) return;
      cursor = page.cursor;
      tbody.append(...page.data.map(rowOf));
      shown += page.data.length;
      table.hidden = shown === 0;
      empty.hidden = shown > 0;
      empty.textContent = cursor ? t('titles.noneYet') : t('titles.none');
      count.textContent = shown > 0 ? t('titles.count', { count: shown }) : '';
      more.hidden = !cursor;
    } catch (error) {
      if (asked !== generation) return;
      status.textContent = problemText(error);
      status.hidden = false;
    } finally {
      more.disabled = false;
    }
  };
  const restart = (next: TitleListFilter) => {
    generation += 1;
    filter = next;
    cursor = null;
    shown = 0;
    status.hidden = true;
    more.hidden = true;
    tbody.replaceChildren();
    void load();
  };
  more.addEventListener('click', () => void load());

  const inputs = {
    q: h('input', { type: 'search', autocomplete: 'off', maxlength: 200 }),
    access: h(
      'select',
      {},
      h('option', { value: '' }, t('titles.any')),
      (['licensed', 'open', 'partner'] as const).map((mode) =>
        h('option', { value: mode }, t(`access.${mode}`)),
      ),
    ),
    format: h(
      'select',
      {},
      h('option', { value: '' }, t('titles.any')),
      h('option', { value: 'epub' }, 'EPUB'),
      h('option', { value: 'pdf' }, 'PDF'),
    ),
    status: h(
      'select',
      {},
      h('option', { value: '' }, t('titles.any')),
      h('option', { value: 'false' }, t('titles.status.active')),
      h('option', { value: 'true' }, t('titles.status.withdrawn')),
    ),
  };
  const withoutLicence = check('title-list-without-licence', 'titles.withoutLicence');
  const expiring = check('title-list-expiring', 'titles.expiring');
  const nearlyUsedUp = check('title-list-nearly-used-up', 'titles.nearlyUsedUp');
  const form: HTMLFormElement = h(
    'form',
    {
      id: 'title-list-filters',
      role: 'search',
      'aria-labelledby': 'title-list-filters-heading',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const next: TitleListFilter = {};
        const q = inputs.q.value.trim();
        if (q) next.q = q;
        if (inputs.access.value) next.access = inputs.access.value as TitleListFilter['access'];
        if (inputs.format.value) next.format = inputs.format.value as TitleListFilter['format'];
        if (inputs.status.value) next.withdrawn = inputs.status.value as 'true' | 'false';
        if (withoutLicence.box.checked) next.withoutLicence = 'true';
        if (expiring.box.checked) next.licenceExpiringWithin = 30;
        if (nearlyUsedUp.box.checked) next.checkoutsNearlyUsedUp = 'true';
        restart(next);
      },
      onreset: () => restart({}),
    },
    h('h3', { id: 'title-list-filters-heading' }, t('titles.filters')),
    field('title-list-q', 'titles.search', inputs.q),
    h(
      'div',
      { class: 'audit-filters' },
      field('title-list-access', 'titles.access', inputs.access),
      field('title-list-format', 'titles.format', inputs.format),
      field('title-list-status', 'titles.status', inputs.status),
    ),
    withoutLicence.field,
    expiring.field,
    nearlyUsedUp.field,
    h(
      'div',
      { class: 'row-actions' },
      h('button', { type: 'submit' }, t('titles.apply')),
      h('button', { type: 'reset', class: 'secondary' }, t('titles.clear')),
    ),
  );
  document.title = `${t('titles.heading')} · ${t('console.title')} · ${t('app.name')}`;
  body.replaceChildren(
    h('h2', { id: 'title-list-heading' }, t('titles.heading')),
    form,
    status,
    count,
    table,
    empty,
    more,
  );
  void load();
}
