import 'chartist/dist/index.css';
import './dashboard.css';
import { api } from '../api/client';
import type { components } from '../api/contract';
import type { Query } from '../api/types';
import { h } from '../dom';
import { languageName, t, type MessageKey } from '../i18n';
import type { Cleanup } from '../main';
import { problemText } from './problem';

/**
 * The librarians' dashboard (GET /admin/dashboard): charts of a period, each with the same figures as a table
 * (caption, column and row headers) and as a CSV download. The charting library (Chartist: SVG, small, no
 * dependencies) is imported only here, as a chunk of its own, so neither patrons nor the rest of the console
 * load it. The charts are hidden from assistive technology: the table beside each one says the same.
 */

/** GET /admin/dashboard's answer: the type generated from the OpenAPI document, so a drift fails the type check. */
type Dashboard = components['schemas']['Dashboard'];
/** The use figures every breakdown row carries (by title, language, subject, format, institution). */
type UseFigures = Pick<Dashboard['topTitles'][number], 'requests' | 'investigations' | 'loans'>;

type Chartist = typeof import('chartist');
interface DrawnChart {
  detach(): unknown;
}

/** One chart: its rows (a label and one value per column), which columns are drawn, and how. */
interface ChartSpec {
  id: string;
  title: MessageKey;
  kind: 'line' | 'bar' | 'horizontal';
  /** The first column's heading (what a row is). */
  rowHeading: MessageKey;
  columns: MessageKey[];
  /** Indexes of the columns drawn (all when absent). */
  drawn?: number[];
  stacked?: boolean;
  rows: { label: string; values: (number | null)[] }[];
}

const dayMs = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const dashboardApi = (from: string, to: string) =>
  api.request<Dashboard>(
    'GET',
    `/admin/dashboard?${new URLSearchParams({ from, to } satisfies Query<'/admin/dashboard', 'get'>)}`,
  );

/** RFC 4180: quoted when needed; text that a spreadsheet would run as a formula is made plain text. */
export function toCsv(rows: readonly (readonly (string | number | null)[])[]): string {
  const cell = (value: string | number | null) => {
    if (value === null) return '';
    if (typeof value === 'number') return String(value);
    const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked on the next turn, once the browser has taken the download.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

const noneLabel = () => t('console.dashboard.none');
const shortLabel = (text: string, max = 16) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function specs(d: Dashboard): ChartSpec[] {
  const use = (row: UseFigures) => [row.requests, row.loans];
  const useColumns: MessageKey[] = ['console.dashboard.requests', 'console.dashboard.loans'];
  return [
    {
      id: 'per-day',
      title: 'console.dashboard.perDay',
      kind: 'line',
      rowHeading: 'console.dashboard.day',
      columns: ['console.dashboard.loans', 'console.dashboard.requests'],
      rows: d.perDay.map((r) => ({ label: r.day, values: [r.loans, r.requests] })),
    },
    {
      id: 'per-month',
      title: 'console.dashboard.perMonth',
      kind: 'bar',
      rowHeading: 'console.dashboard.month',
      columns: ['console.dashboard.loans', 'console.dashboard.requests'],
      rows: d.perMonth.map((r) => ({ label: r.month, values: [r.loans, r.requests] })),
    },
    {
      id: 'denials',
      title: 'console.dashboard.denials',
      kind: 'horizontal',
      stacked: true,
      rowHeading: 'console.dashboard.title',
      columns: ['console.dashboard.limitExceeded', 'console.dashboard.noLicense'],
      rows: d.denials.map((r) => ({ label: r.title, values: [r.limitExceeded, r.noLicense] })),
    },
    {
      id: 'holds',
      title: 'console.dashboard.holdsPerCopy',
      kind: 'horizontal',
      rowHeading: 'console.dashboard.title',
      columns: ['console.dashboard.holds', 'console.dashboard.copies', 'console.dashboard.ratio'],
      drawn: [2],
      rows: d.holdsPerCopy.map((r) => ({ label: r.title, values: [r.holds, r.copies, r.ratio] })),
    },
    {
      id: 'top-titles',
      title: 'console.dashboard.topTitles',
      kind: 'horizontal',
      rowHeading: 'console.dashboard.title',
      columns: useColumns,
      rows: d.topTitles.map((r) => ({ label: r.title, values: use(r) })),
    },
    {
      id: 'by-language',
      title: 'console.dashboard.byLanguage',
      kind: 'bar',
      rowHeading: 'console.dashboard.language',
      columns: useColumns,
      rows: d.byLanguage.map((r) => ({ label: r.key ? languageName(r.key) : noneLabel(), values: use(r) })),
    },
    {
      id: 'by-subject',
      title: 'console.dashboard.bySubject',
      kind: 'horizontal',
      rowHeading: 'console.dashboard.subject',
      columns: useColumns,
      rows: d.bySubject.map((r) => ({ label: r.key || noneLabel(), values: use(r) })),
    },
    {
      id: 'by-format',
      title: 'console.dashboard.byFormat',
      kind: 'bar',
      rowHeading: 'console.dashboard.format',
      columns: useColumns,
      rows: d.byFormat.map((r) => ({ label: r.key ? r.key.toUpperCase() : noneLabel(), values: use(r) })),
    },
    {
      id: 'by-institution',
      title: 'console.dashboard.byInstitution',
      kind: 'horizontal',
      rowHeading: 'console.dashboard.institution',
      columns: [...useColumns, 'console.dashboard.denialsColumn'],
      rows: d.byInstitution.map((r) => ({ label: r.name, values: [...use(r), r.denials] })),
    },
  ];
}

function table(spec: ChartSpec): HTMLElement {
  const captionId = `${spec.id}-caption`;
  return h(
    'div',
    { class: 'table-scroll', role: 'region', 'aria-labelledby': captionId, tabindex: 0 },
    h(
      'table',
      { class: 'dashboard-table', id: `${spec.id}-table` },
      h('caption', { id: captionId }, t(spec.title)),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t(spec.rowHeading)),
          ...spec.columns.map((column) => h('th', { scope: 'col' }, t(column))),
        ),
      ),
      h(
        'tbody',
        {},
        ...spec.rows.map((row) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, row.label),
            ...row.values.map((value) =>
              h('td', {}, value === null ? t('console.dashboard.noCopy') : String(value)),
            ),
          ),
        ),
      ),
    ),
  );
}

function draw(chartist: Chartist, target: HTMLElement, spec: ChartSpec): DrawnChart {
  const drawn = spec.drawn ?? spec.columns.map((_, i) => i);
  const series = drawn.map((column) => spec.rows.map((row) => row.values[column] ?? null));
  const count = spec.rows.length;
  if (spec.kind === 'line') {
    // A label every few days, as many as fit (about one per 48 px).
    const every = () => Math.max(1, Math.ceil(count / Math.max(1, Math.floor(target.clientWidth / 48))));
    return new chartist.LineChart(
      target,
      { labels: spec.rows.map((r) => r.label), series },
      {
        height: '220px',
        fullWidth: true,
        chartPadding: { right: 16 },
        axisX: {
          labelInterpolationFnc: (value: unknown, index: number) =>
            index % every() === 0 ? String(value).slice(5) : null,
        },
        axisY: { onlyInteger: true },
      },
    );
  }
  const horizontal = spec.kind === 'horizontal';
  const labels = spec.rows.map((r) => (horizontal ? shortLabel(r.label) : r.label));
  return new chartist.BarChart(
    target,
    { labels, series },
    {
      height: horizontal
        ? `${Math.max(140, count * (spec.stacked ? 28 : 16 * series.length + 14) + 50)}px`
        : '220px',
      horizontalBars: horizontal,
      stackBars: spec.stacked === true,
      seriesBarDistance: 12,
      chartPadding: { right: 16 },
      ...(horizontal
        ? { axisY: { offset: 110 }, axisX: { onlyInteger: spec.id !== 'holds' } }
        : { axisY: { onlyInteger: true } }),
    },
  );
}

function legend(spec: ChartSpec): HTMLElement | undefined {
  const drawn = spec.drawn ?? spec.columns.map((_, i) => i);
  if (drawn.length < 2) return undefined;
  return h(
    'ul',
    { class: 'dashboard-legend', 'aria-hidden': 'true' },
    ...drawn.map((column, i) =>
      h('li', {}, h('span', { class: `swatch swatch-${'abc'[i]}` }), t(spec.columns[column]!)),
    ),
  );
}

export function renderDashboard(body: HTMLElement): Cleanup {
  let charts: DrawnChart[] = [];
  const detachAll = () => {
    for (const chart of charts) chart.detach();
    charts = [];
  };
  const today = Date.parse(`${dayOf(Date.now())}T00:00:00Z`);
  const from = h('input', {
    type: 'date',
    id: 'dashboard-from',
    required: true,
    value: dayOf(today - 29 * dayMs),
  });
  const to = h('input', { type: 'date', id: 'dashboard-to', required: true, value: dayOf(today) });
  const error = h('p', { class: 'status status-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'status', role: 'status', id: 'dashboard-status' });
  const results = h('div', { class: 'dashboard-charts', id: 'dashboard-charts' });
  let generation = 0;

  const show = async () => {
    const mine = ++generation;
    error.hidden = true;
    status.textContent = t('console.dashboard.loading');
    try {
      const [data, chartist] = await Promise.all([dashboardApi(from.value, to.value), import('chartist')]);
      if (mine !== generation) return;
      detachAll();
      const sections = specs(data).map((spec) => {
        const heading = h('h3', { id: `${spec.id}-heading` }, t(spec.title));
        const section = h(
          'section',
          { class: 'dashboard-chart', id: spec.id, 'aria-labelledby': heading.id },
          heading,
        );
        if (!spec.rows.length) {
          section.append(h('p', { class: 'empty' }, t('console.dashboard.empty')));
          return section;
        }
        const chart = h('div', { class: 'chart', 'aria-hidden': 'true' });
        const csvName = `${spec.id}_${data.from}_${data.to}.csv`;
        section.append(
          chart,
          legend(spec) ?? '',
          table(spec),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'aria-label': `${t('console.dashboard.csv')}: ${t(spec.title)}`,
              onclick: () =>
                download(
                  csvName,
                  toCsv([
                    [t(spec.rowHeading), ...spec.columns.map((c) => t(c))],
                    ...spec.rows.map((row) => [row.label, ...row.values]),
                  ]),
                ),
            },
            t('console.dashboard.csv'),
          ),
        );
        return section;
      });
      results.replaceChildren(...sections);
      // Drawn once in the page, so each chart takes its box's width.
      for (const spec of specs(data)) {
        const target = results.querySelector<HTMLElement>(`#${spec.id} .chart`);
        if (target) charts.push(draw(chartist, target, spec));
      }
      status.textContent = t('console.dashboard.shown', { from: data.from, to: data.to });
    } catch (problem) {
      if (mine !== generation) return;
      status.textContent = '';
      error.textContent = problemText(problem);
      error.hidden = false;
    }
  };

  const form = h(
    'form',
    {
      id: 'dashboard-range',
      class: 'dashboard-range',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void show();
      },
    },
    h('div', { class: 'field' }, h('label', { for: from.id }, t('console.dashboard.from')), from),
    h('div', { class: 'field' }, h('label', { for: to.id }, t('console.dashboard.to')), to),
    h('button', { type: 'submit' }, t('console.dashboard.show')),
  );
  body.replaceChildren(
    h(
      'section',
      { 'aria-labelledby': 'dashboard-heading', class: 'dashboard' },
      h('h2', { id: 'dashboard-heading' }, t('console.dashboard.heading')),
      form,
      error,
      status,
      results,
    ),
  );
  void show();
  return () => {
    generation++;
    detachAll();
  };
}
