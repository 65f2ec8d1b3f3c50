import { api } from '../api/client';
import type { components } from '../api/contract';
import type { Query } from '../api/types';
import { announce, h } from '../dom';
import { t } from '../i18n';
import type { Cleanup } from '../main';
import { href } from '../router';
import { problemText } from './problem';

/**
 * Acquisition suggestions (GET /admin/acquisitions): titles to buy or license more of, by holds per copy at
 * or above the librarian's ratio, turnaways in the last 30 days, wishes and patrons' suggestions. Sorted on the
 * server (so the CSV is in the order shown); the table scrolls inside its box on a narrow screen.
 */

/**
 * GET /admin/acquisitions as the types generated from the OpenAPI document give it, so a drift (a new reason
 * or sort column without its label, a renamed field) fails the type check.
 */
type Schemas = components['schemas'];
type AcquisitionList = Schemas['AcquisitionList'];
type AcquisitionRow = Schemas['AcquisitionRow'];
type Column = AcquisitionList['sort'];
type Order = AcquisitionList['order'];
type Format = NonNullable<Query<'/admin/acquisitions', 'get'>['format']>;

const columns = [
  'title',
  'reasons',
  'holds',
  'copies',
  'ratio',
  'denials30d',
  'wishes',
  'suggestions',
] as const satisfies readonly Column[];
// All of them: a sort column the API adds fails the type check here until it is shown.
const _everyColumn: [Exclude<Column, (typeof columns)[number]>] extends [never] ? true : false = true;
const textColumns: readonly Column[] = ['title', 'reasons'];

/** The ratio goes as the librarian typed it (the server validates it, as it would a number). */
const query = (ratio: string, sort: Column, order: Order, format: Format) =>
  `/admin/acquisitions?${new URLSearchParams({ ratio, sort, order, format })}`;

const numberFormat = () => new Intl.NumberFormat(document.documentElement.lang || 'id');

export function renderAcquisitions(body: HTMLElement): Cleanup {
  let sort: Column = 'ratio';
  let order: Order = 'desc';
  let appliedRatio = '3';

  const ratio = h('input', {
    id: 'acq-ratio',
    type: 'number',
    min: 0.1,
    max: 1000,
    step: 0.1,
    required: true,
    value: appliedRatio,
    inputmode: 'decimal',
  });
  const error = h('p', { class: 'status status-error', role: 'alert', hidden: true });
  const sorted = h('p', { class: 'meta', id: 'acq-sorted', 'aria-live': 'polite' });
  const caption = h('caption', {}, t('common.loading'));
  const head = h('tr', {});
  const rows = h('tbody', {});
  const table = h('table', { class: 'acq-table', id: 'acquisitions' }, caption, h('thead', {}, head), rows);
  const scroller = h(
    'div',
    { class: 'table-scroll', role: 'region', 'aria-labelledby': 'acq-heading', tabindex: 0 },
    table,
  );

  const showError = (problem: unknown) => {
    error.textContent = problemText(problem);
    error.hidden = false;
  };

  const cell = (row: AcquisitionRow, column: Column): HTMLTableCellElement => {
    const n = numberFormat();
    switch (column) {
      case 'title':
        return h(
          'th',
          { scope: 'row' },
          row.kind === 'title'
            ? h('a', { href: href.consoleTitle(row.id) }, row.title)
            : h(
                'span',
                {},
                row.title,
                ' ',
                h('span', { class: 'meta' }, `(${t('console.acquisitions.suggested')})`),
              ),
          row.author ? h('span', { class: 'acq-author' }, row.author) : null,
          row.isbn ? h('span', { class: 'acq-author' }, `ISBN ${row.isbn}`) : null,
        );
      case 'reasons':
        return h('td', {}, row.reasons.map((r) => t(`console.acquisitions.reason.${r}`)).join(', '));
      case 'copies':
        return h(
          'td',
          { class: 'num' },
          row.copies === null ? t('console.acquisitions.unlimited') : n.format(row.copies),
        );
      case 'ratio':
        return h(
          'td',
          { class: 'num' },
          row.ratio !== null
            ? `${n.format(row.ratio)} : 1`
            : row.kind === 'title' && row.copies === 0 && row.holds > 0
              ? t('console.acquisitions.noCopy')
              : '—',
        );
      default:
        return h('td', { class: 'num' }, n.format(row[column]));
    }
  };

  const drawHead = () => {
    head.replaceChildren(
      ...columns.map((column) => {
        const active = column === sort;
        const label = t(`console.acquisitions.col.${column}`);
        return h(
          'th',
          {
            scope: 'col',
            class: textColumns.includes(column) ? undefined : 'num',
            'aria-sort': active ? (order === 'asc' ? 'ascending' : 'descending') : undefined,
          },
          h(
            'button',
            {
              type: 'button',
              class: 'sort-button',
              'data-column': column,
              onclick: () => {
                if (column === sort) order = order === 'asc' ? 'desc' : 'asc';
                else {
                  sort = column;
                  order = textColumns.includes(column) ? 'asc' : 'desc';
                }
                void load();
              },
            },
            label,
            h('span', { 'aria-hidden': 'true' }, active ? (order === 'asc' ? ' ▲' : ' ▼') : ''),
          ),
        );
      }),
    );
  };

  const load = async () => {
    error.hidden = true;
    try {
      const list = await api.request<AcquisitionList>('GET', query(appliedRatio, sort, order, 'json'));
      sort = list.sort;
      order = list.order;
      drawHead();
      caption.textContent = t('console.acquisitions.caption', { count: list.data.length });
      rows.replaceChildren(
        ...(list.data.length
          ? list.data.map((row) =>
              h(
                'tr',
                { 'data-id': row.id, 'data-kind': row.kind },
                ...columns.map((column) => cell(row, column)),
              ),
            )
          : [h('tr', {}, h('td', { colspan: columns.length }, t('console.acquisitions.none')))]),
      );
      const message = t('console.acquisitions.sorted', {
        column: t(`console.acquisitions.col.${sort}`),
        order: t(order === 'asc' ? 'console.acquisitions.asc' : 'console.acquisitions.desc'),
      });
      sorted.textContent = message;
    } catch (problem) {
      showError(problem);
    }
  };

  const download = async () => {
    error.hidden = true;
    try {
      const text = await api.request<string>('GET', query(appliedRatio, sort, order, 'csv'), {
        headers: { Accept: 'text/csv' },
      });
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
      const link = h('a', { href: url, download: 'acquisitions.csv', hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      // Revoked on the next turn, once the browser has taken the download.
      setTimeout(() => URL.revokeObjectURL(url), 0);
      announce(t('console.acquisitions.download'));
    } catch (problem) {
      showError(problem);
    }
  };

  const form = h(
    'form',
    {
      id: 'acq-form',
      class: 'acq-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        appliedRatio = ratio.value;
        void load();
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'acq-ratio' }, t('console.acquisitions.ratio')), ratio),
    h(
      'div',
      { class: 'row-actions' },
      h('button', { type: 'submit' }, t('console.acquisitions.apply')),
      h(
        'button',
        { type: 'button', class: 'secondary', id: 'acq-download', onclick: () => void download() },
        t('console.acquisitions.download'),
      ),
    ),
  );

  drawHead();
  body.replaceChildren(
    h(
      'section',
      { 'aria-labelledby': 'acq-heading' },
      h('h2', { id: 'acq-heading' }, t('console.acquisitions.heading')),
      h('p', {}, t('console.acquisitions.intro')),
      form,
      error,
      sorted,
      scroller,
    ),
  );
  void load();
  return undefined;
}
