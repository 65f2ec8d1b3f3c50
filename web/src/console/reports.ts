import { api } from '../api/client';
import type { components, paths } from '../api/contract';
import type { Answer, Query, RequestBody } from '../api/types';
import { announce, h } from '../dom';
import { formatDate, t, type MessageKey } from '../i18n';
import type { Cleanup } from '../main';
import { problemText } from './problem';

/**
 * COUNTER R5.1 for librarians: SUSHI credentials for harvesters (issued per institution, the key shown once,
 * revoked at once), and the standard views as TSV for a chosen period (functions/http/routes/sushi.ts).
 */

type Schemas = components['schemas'];
type SushiCredential = Schemas['SushiCredential'];

/** The report ids the contract takes (in its path, lower case), as COUNTER names them. */
type ReportId = Uppercase<
  NonNullable<paths['/admin/counter/reports/{reportId}']['get']>['parameters']['path']['reportId']
>;
const reportIds = [
  'TR_B1',
  'TR_B2',
  'TR_B3',
  'TR_J1',
  'TR_J3',
  'TR',
  'PR_P1',
  'PR',
  'DR_D1',
  'DR_D2',
  'DR',
] as const satisfies readonly ReportId[];

const counterAdmin = {
  credentials: () =>
    api.request<Answer<'/admin/counter/credentials', 'get'>>('GET', '/admin/counter/credentials'),
  issue: (customerId: string, label: string) =>
    api.request<Schemas['IssuedSushiCredential']>('POST', '/admin/counter/credentials', {
      body: { customerId, label } satisfies RequestBody<'/admin/counter/credentials', 'post'>,
    }),
  revoke: (requestorId: string) =>
    api.request<void>('DELETE', `/admin/counter/credentials/${encodeURIComponent(requestorId)}`),
  tsv: (reportId: string, institution: string, begin: string, end: string) =>
    api.request<string>(
      'GET',
      `/admin/counter/reports/${reportId.toLowerCase()}?${new URLSearchParams({
        institution,
        begin_date: begin,
        end_date: end,
      } satisfies Query<'/admin/counter/reports/{reportId}', 'get'>)}`,
      { headers: { Accept: 'text/tab-separated-values' } },
    ),
};

/** The latest month with complete usage (05-delivery_02: the period's default). */
function lastCompleteMonth(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

function field(id: string, label: MessageKey, control: HTMLInputElement | HTMLSelectElement): HTMLElement {
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, t(label)), control);
}

export function renderReports(body: HTMLElement): Cleanup {
  const institutionSelects: HTMLSelectElement[] = [];
  const newSelect = () => {
    const select = h('select', { required: true });
    institutionSelects.push(select);
    return select;
  };
  const names = new Map<string, string>();
  const list = h('ul', {
    class: 'console-list',
    id: 'sushi-credentials',
    'aria-labelledby': 'sushi-heading',
  });
  const error = h('p', { class: 'status status-error', role: 'alert', hidden: true });
  const issued = h('div', { class: 'status', role: 'status', id: 'sushi-issued' });

  const row = (credential: SushiCredential): HTMLLIElement => {
    const item: HTMLLIElement = h(
      'li',
      { 'data-requestor': credential.requestorId },
      h('strong', {}, credential.label),
      ` · ${names.get(credential.customerId) ?? credential.customerId} · `,
      h('code', {}, `${t('console.reports.requestorId')}=${credential.requestorId}`),
      ' · ',
      t('console.reports.created'),
      ' ',
      h('time', { datetime: credential.createdAt }, formatDate(credential.createdAt, true)),
      ' ',
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'aria-label': `${t('console.reports.revoke')}: ${credential.label}`,
          onclick: async () => {
            error.hidden = true;
            try {
              await counterAdmin.revoke(credential.requestorId);
              item.remove();
              announce(t('console.reports.revoked'));
            } catch (problem) {
              error.textContent = problemText(problem);
              error.hidden = false;
            }
          },
        },
        t('console.reports.revoke'),
      ),
    );
    return item;
  };

  const load = async () => {
    try {
      const { data, institutions } = await counterAdmin.credentials();
      for (const i of institutions) names.set(i.id, i.name);
      for (const select of institutionSelects)
        select.replaceChildren(...institutions.map((i) => h('option', { value: i.id }, i.name)));
      list.replaceChildren(
        ...(data.length ? data.map(row) : [h('li', { class: 'empty' }, t('console.reports.none'))]),
      );
    } catch (problem) {
      error.textContent = problemText(problem);
      error.hidden = false;
    }
  };

  const issueInstitution = newSelect();
  const label = h('input', { type: 'text', required: true, maxlength: 200, autocomplete: 'off' });
  const issueForm = h(
    'form',
    {
      id: 'sushi-issue',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        error.hidden = true;
        try {
          const credential = await counterAdmin.issue(issueInstitution.value, label.value.trim());
          list.querySelector('li.empty')?.remove();
          list.append(row(credential));
          label.value = '';
          issued.replaceChildren(
            h('p', {}, t('console.reports.issued')),
            h(
              'dl',
              {},
              h('dt', {}, t('console.reports.customerId')),
              h('dd', {}, h('code', { 'data-field': 'customer_id' }, credential.customerId)),
              h('dt', {}, t('console.reports.requestorId')),
              h('dd', {}, h('code', { 'data-field': 'requestor_id' }, credential.requestorId)),
              h('dt', {}, t('console.reports.apiKey')),
              h('dd', {}, h('code', { 'data-field': 'api_key' }, credential.apiKey)),
            ),
          );
        } catch (problem) {
          error.textContent = problemText(problem);
          error.hidden = false;
        }
      },
    },
    field('sushi-institution', 'console.reports.institution', issueInstitution),
    field('sushi-label', 'console.reports.label', label),
    h('button', { type: 'submit' }, t('console.reports.issue')),
  );

  const report = h('select', {}, ...reportIds.map((id) => h('option', { value: id }, id)));
  const reportInstitution = newSelect();
  const month = lastCompleteMonth();
  const begin = h('input', { type: 'month', required: true, value: month, max: month });
  const end = h('input', { type: 'month', required: true, value: month, max: month });
  const downloadError = h('p', { class: 'status status-error', role: 'alert', hidden: true });
  const downloadForm = h(
    'form',
    {
      id: 'counter-download',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        downloadError.hidden = true;
        try {
          const text = await counterAdmin.tsv(report.value, reportInstitution.value, begin.value, end.value);
          const url = URL.createObjectURL(
            new Blob([text], { type: 'text/tab-separated-values;charset=utf-8' }),
          );
          const link = h('a', {
            href: url,
            download: `${report.value}_${reportInstitution.value}_${begin.value}_${end.value}.tsv`,
            hidden: true,
          });
          document.body.append(link);
          link.click();
          link.remove();
          // Revoked on the next turn, once the browser has taken the download.
          setTimeout(() => URL.revokeObjectURL(url), 0);
        } catch (problem) {
          downloadError.textContent = problemText(problem);
          downloadError.hidden = false;
        }
      },
    },
    field('counter-report', 'console.reports.report', report),
    field('counter-institution', 'console.reports.institution', reportInstitution),
    field('counter-begin', 'console.reports.begin', begin),
    field('counter-end', 'console.reports.end', end),
    h('button', { type: 'submit' }, t('console.reports.download')),
    downloadError,
  );

  body.replaceChildren(
    h(
      'section',
      { 'aria-labelledby': 'sushi-heading' },
      h('h2', { id: 'sushi-heading' }, t('console.reports.credentialsHeading')),
      h('p', {}, t('console.reports.credentialsIntro')),
      issueForm,
      issued,
      error,
      list,
    ),
    h(
      'section',
      { 'aria-labelledby': 'download-heading' },
      h('h2', { id: 'download-heading' }, t('console.reports.downloadHeading')),
      downloadForm,
    ),
  );
  void load();
  return undefined;
}
