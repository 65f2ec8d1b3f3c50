import { announce, h } from '../dom';
import { t } from '../i18n';
import type { Cleanup } from '../main';
import { admin, type ImportReport, type PatronRecord } from './api';
import { problemText } from './problem';
import { failedDeliveriesSection, patronNotificationsPanel } from './deliveries';

/** The rule PATCH /admin/patrons/{id} applies to a PIN (admin-patrons.ts), checked before asking it. */
const pinPattern = /^\d{4,12}$/;

/**
 * An inline form to give a patron a new PIN, shown under their row when asked for. The server checks the PIN
 * again; its refusal (detail and field errors) is shown in the same place as ours.
 */
function pinForm(
  patron: PatronRecord,
  onDone: (message: string) => void,
  onClose: () => void,
): HTMLFormElement {
  const inputId = `pin-${patron.id}`;
  const errorId = `pin-error-${patron.id}`;
  const input = h('input', {
    id: inputId,
    type: 'password',
    inputmode: 'numeric',
    autocomplete: 'new-password',
    'aria-describedby': errorId,
  });
  const error = h('p', { id: errorId, class: 'status status-error', hidden: true });
  const save = h('button', { type: 'submit' }, t('console.pin.save'));
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: onClose }, t('common.cancel'));
  const refuse = (message: string) => {
    error.textContent = message;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  };
  return h(
    'form',
    {
      class: 'pin-form',
      'aria-label': t('console.pin.reset', { name: patron.name }),
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const pin = input.value;
        if (!pinPattern.test(pin)) return refuse(t('console.pin.invalid'));
        save.disabled = true;
        try {
          await admin.resetPin(patron.id, pin);
          onDone(t('console.pin.done', { name: patron.name }));
        } catch (problem) {
          refuse(problemText(problem));
        } finally {
          save.disabled = false;
        }
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: inputId }, t('console.pin.label', { name: patron.name })),
      input,
    ),
    error,
    h('div', { class: 'row-actions' }, save, cancel),
  );
}

/** The row problems an import reports (patron-import.ts) that have a message of their own. */
const rowProblems = [
  'MISSING_NAME',
  'BAD_CARD_NUMBER',
  'DUPLICATE_CARD',
  'BAD_EMAIL',
  'BAD_PIN',
  'BAD_LIMIT',
  'TEXT_AFTER_QUOTE',
  'STRAY_QUOTE',
  'UNCLOSED_QUOTE',
] as const;

/** One line per refused row: its line in the file, its card number and why (in the librarian's language). */
function importReport(report: ImportReport): HTMLElement[] {
  const refused = report.results.filter((row) => row.outcome === 'refused');
  const reason = (problem: { field: string; code: string; message: string }) =>
    (rowProblems as readonly string[]).includes(problem.code)
      ? t(`console.import.problem.${problem.code as (typeof rowProblems)[number]}`, { field: problem.field })
      : t('console.import.problem.other', { code: problem.code });
  return [
    h(
      'p',
      { class: refused.length ? 'status status-error' : 'status', id: 'import-summary' },
      t('console.import.summary', { imported: report.imported, rows: report.rows, refused: report.refused }),
    ),
    ...(refused.length
      ? [
          h('h4', { id: 'import-refused-heading' }, t('console.import.refusedHeading')),
          h(
            'ul',
            { id: 'import-refused', 'aria-labelledby': 'import-refused-heading' },
            refused.map((row) =>
              h(
                'li',
                { 'data-line': row.line },
                t('console.import.row', {
                  line: row.line,
                  card: row.cardNumber || t('console.import.noCard'),
                  reasons: (row.problems ?? []).map(reason).join('; '),
                }),
              ),
            ),
          ),
        ]
      : []),
  ];
}

export function renderPatrons(body: HTMLElement): Cleanup {
  const query = h('input', { id: 'patron-search', type: 'search', maxlength: 200, autocomplete: 'off' });
  const list = h('ul', { class: 'console-list', id: 'patron-list', 'aria-labelledby': 'patrons-heading' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('audit.more'));
  const status = h('p', { class: 'status', role: 'status', hidden: true });
  let cursor: string | null = null;
  let current: { card?: string; name?: string } = {};

  const say = (message: string, kind: 'info' | 'error' = 'info') => {
    status.className = kind === 'error' ? 'status status-error' : 'status';
    status.textContent = message;
    status.hidden = false;
    if (kind === 'info') announce(message);
  };

  const item = (patron: PatronRecord): HTMLLIElement => {
    const blocked = patron.status === 'blocked';
    const resetButton: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-expanded': 'false',
        onclick: () => {
          if (row.querySelector('.pin-form')) return closePin();
          resetButton.setAttribute('aria-expanded', 'true');
          const form = pinForm(
            patron,
            (message) => {
              closePin();
              say(message);
            },
            closePin,
          );
          row.append(form);
          form.querySelector('input')?.focus();
        },
      },
      t('console.pin.reset', { name: patron.name }),
    );
    const closePin = () => {
      row.querySelector('.pin-form')?.remove();
      resetButton.setAttribute('aria-expanded', 'false');
      resetButton.focus();
    };
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
        'div',
        { class: 'row-actions' },
        h(
          'button',
          {
            type: 'button',
            class: blocked ? 'secondary' : 'danger',
            onclick: async () => {
              try {
                const updated = await admin.setPatronStatus(patron.id, blocked ? 'active' : 'blocked');
                row.replaceWith(item(updated));
                say(t(blocked ? 'patrons.unblocked' : 'patrons.blocked', { name: patron.name }));
              } catch (error) {
                say(problemText(error), 'error');
              }
            },
          },
          t(blocked ? 'patrons.unblock' : 'patrons.block', { name: patron.name }),
        ),
        resetButton,
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'aria-expanded': 'false',
            onclick: async (event: Event) => {
              const button = event.currentTarget as HTMLButtonElement;
              const open = row.querySelector('.patron-notifications');
              if (open) {
                open.remove();
                button.setAttribute('aria-expanded', 'false');
                return;
              }
              button.setAttribute('aria-expanded', 'true');
              row.append(await patronNotificationsPanel(patron.id, `notifications-${patron.id}`));
            },
          },
          t('console.notifications.heading'),
        ),
      ),
    );
    return row;
  };

  // Only the newest list request shows: an answer to an earlier one (the first page still loading when the
  // librarian searches) arriving late must not replace the search's result, nor a row just changed.
  let listing = 0;
  const load = async (append: boolean) => {
    const request = ++listing;
    try {
      const page = await admin.patrons({ ...current, ...(append && cursor ? { cursor } : {}) });
      if (request !== listing) return;
      cursor = page.cursor;
      const items = page.data.map(item);
      if (append) list.append(...items);
      else list.replaceChildren(...(items.length ? items : [h('li', {}, t('patrons.none'))]));
      more.hidden = !cursor;
    } catch (error) {
      if (request === listing) say(problemText(error), 'error');
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

  const file = h('input', { id: 'import-file', type: 'file', accept: '.csv,text/csv' });
  const importButton = h('button', { type: 'submit' }, t('console.import.submit'));
  const report = h('div', { id: 'import-report', role: 'status' });
  const importForm = h(
    'form',
    {
      id: 'import-form',
      'aria-labelledby': 'import-heading',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const chosen = file.files?.[0];
        if (!chosen) {
          report.replaceChildren(h('p', { class: 'status status-error' }, t('console.import.choose')));
          return;
        }
        importButton.disabled = true;
        report.replaceChildren();
        try {
          const result = await admin.importPatrons(chosen);
          report.replaceChildren(...importReport(result));
          file.value = '';
          cursor = null;
          await load(false);
        } catch (error) {
          report.replaceChildren(h('p', { class: 'status status-error' }, problemText(error)));
        } finally {
          importButton.disabled = false;
        }
      },
    },
    h('p', { class: 'meta' }, t('console.import.help')),
    h('div', { class: 'field' }, h('label', { for: 'import-file' }, t('console.import.file')), file),
    importButton,
  );

  body.replaceChildren(
    h('h2', { id: 'patrons-heading' }, t('patrons.heading')),
    form,
    status,
    list,
    more,
    h(
      'section',
      { 'aria-labelledby': 'import-heading' },
      h('h3', { id: 'import-heading' }, t('console.import.heading')),
      importForm,
      report,
    ),
    failedDeliveriesSection(),
  );
  void load(false);
}
