import { api } from '../api/client';
import type { Title } from '../api/types';
import { announce, h } from '../dom';
import { formatDate, t, type MessageKey } from '../i18n';
import type { Cleanup } from '../main';
import { availabilityText, loadingNote } from '../pages/common';
import { href } from '../router';
import { admin, type ConsoleTitle, type Licence, type LicenceTerms, type TitleMetadata } from './api';
import { problemText } from './problem';

function field(
  id: string,
  label: MessageKey,
  control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement,
): HTMLElement {
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, t(label)), control);
}

const lines = (value: string) =>
  value
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** Fields the form edits, as the PATCH body wants them (empty fields are left out: the API refuses blanks). */
function metadataOf(form: Record<string, HTMLInputElement | HTMLTextAreaElement>): TitleMetadata {
  const value = (name: string) => form[name]!.value.trim();
  const metadata: TitleMetadata = {};
  if (value('title')) metadata.title = value('title');
  metadata.authors = lines(form.authors!.value);
  if (value('language')) metadata.language = value('language');
  if (value('publisher')) metadata.publisher = value('publisher');
  if (value('published')) metadata.published = value('published');
  if (value('description')) metadata.description = value('description');
  metadata.subjects = lines(form.subjects!.value);
  return metadata;
}

function changesOf(title: Title, metadata: TitleMetadata): TitleMetadata {
  const changes: TitleMetadata = {};
  for (const [key, value] of Object.entries(metadata) as [keyof TitleMetadata, string | string[]][]) {
    const before = title[key];
    if (JSON.stringify(before ?? (Array.isArray(value) ? [] : '')) !== JSON.stringify(value)) {
      (changes as Record<string, unknown>)[key] = value;
    }
  }
  return changes;
}

function reviewForm(initial: Title, onSaved: (title: Title) => void): HTMLElement {
  let title = initial;
  const controls = {
    title: h('input', { value: title.title, required: true, maxlength: 500 }),
    authors: h('textarea', { rows: 2 }, title.authors.join('\n')),
    language: h('input', { value: title.language ?? '', maxlength: 35, autocomplete: 'off' }),
    publisher: h('input', { value: title.publisher ?? '', maxlength: 500 }),
    published: h('input', { value: title.published ?? '', maxlength: 40 }),
    description: h('textarea', { rows: 4 }, title.description ?? ''),
    subjects: h('textarea', { rows: 3 }, title.subjects.join('\n')),
  };
  const status = h('p', { class: 'status', role: 'status', hidden: true });
  const save = h('button', { type: 'submit' }, t('review.save'));
  return h(
    'form',
    {
      id: 'review-form',
      'aria-labelledby': 'review-heading',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const changes = changesOf(title, metadataOf(controls));
        save.disabled = true;
        status.hidden = true;
        try {
          if (Object.keys(changes).length > 0) title = await admin.editTitle(title.id, changes);
          status.className = 'status';
          status.textContent = Object.keys(changes).length > 0 ? t('review.saved') : t('review.unchanged');
          onSaved(title);
        } catch (error) {
          status.className = 'status status-error';
          status.textContent = problemText(error);
        } finally {
          status.hidden = false;
          save.disabled = false;
        }
      },
    },
    h('h2', { id: 'review-heading' }, t('review.heading')),
    h('p', {}, t('review.intro')),
    field('meta-title', 'review.titleField', controls.title),
    field('meta-authors', 'review.authors', controls.authors),
    field('meta-language', 'review.language', controls.language),
    field('meta-publisher', 'review.publisher', controls.publisher),
    field('meta-published', 'review.published', controls.published),
    field('meta-description', 'review.description', controls.description),
    field('meta-subjects', 'review.subjects', controls.subjects),
    status,
    h('div', { class: 'row-actions' }, save, h('a', { href: href.title(title.id) }, t('review.open'))),
  );
}

function optionalInt(input: HTMLInputElement): number | null {
  return input.value.trim() === '' ? null : Number.parseInt(input.value, 10);
}

/** The licences of a title; `withdrawn()` takes the form away once the title is withdrawn (the API refuses). */
function licenceSection(titleId: string, title: Title): { section: HTMLElement; withdrawn: () => void } {
  const availability = h('p', { class: 'availability', id: 'licence-availability' });
  const list = h('ul', { class: 'console-list', id: 'licence-list', 'aria-labelledby': 'licence-heading' });
  const status = h('p', { class: 'status', role: 'status', hidden: true });
  const report = (message: string, kind: 'info' | 'error' = 'info') => {
    status.className = kind === 'error' ? 'status status-error' : 'status';
    status.textContent = message;
    status.hidden = false;
  };

  const licenceItem = (licence: Licence) => {
    const { terms } = licence;
    const unlimited = t('licence.unlimited');
    const active = licence.state === 'active';
    return h(
      'li',
      { 'data-licence': licence.id },
      h(
        'h3',
        {},
        licence.supplierLicenceId ?? licence.id,
        ' — ',
        h('span', { class: 'badge' }, t(`licence.state.${licence.state}`)),
      ),
      h(
        'p',
        {},
        t('licence.summary', {
          concurrency: terms.concurrency ?? unlimited,
          available: licence.available ?? unlimited,
          left: licence.checkoutsLeft ?? unlimited,
        }),
      ),
      terms.expires ? h('p', {}, t('licence.expiresOn', { date: formatDate(terms.expires) })) : null,
      licence.note ? h('p', { class: 'meta' }, licence.note) : null,
      licence.state === 'active' || licence.state === 'inactive'
        ? h(
            'button',
            {
              type: 'button',
              class: active ? 'danger' : 'secondary',
              onclick: async () => {
                try {
                  await admin.setLicenceActive(titleId, licence.id, !active);
                  report(active ? t('licence.deactivated') : t('licence.reactivated'));
                  await refresh();
                } catch (error) {
                  report(problemText(error), 'error');
                }
              },
            },
            active ? t('licence.deactivate') : t('licence.reactivate'),
          )
        : null,
    );
  };

  const refresh = async () => {
    const pool = await admin.licences(titleId);
    availability.textContent = availabilityText(title, pool.availability);
    list.replaceChildren(
      ...(pool.data.length ? pool.data.map(licenceItem) : [h('li', {}, t('licence.none'))]),
    );
  };

  const inputs = {
    concurrency: h('input', { type: 'number', min: 1, max: 100000, inputmode: 'numeric' }),
    checkouts: h('input', { type: 'number', min: 1, inputmode: 'numeric' }),
    expires: h('input', { type: 'date' }),
    loanLength: h('input', { type: 'number', min: 1, max: 365, inputmode: 'numeric' }),
    supplier: h('input', { maxlength: 200, autocomplete: 'off' }),
    note: h('textarea', { rows: 2, maxlength: 2000 }),
  };
  const submit = h('button', { type: 'submit' }, t('licence.add'));
  const form = h(
    'form',
    {
      id: 'licence-form',
      'aria-labelledby': 'licence-form-heading',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const days = optionalInt(inputs.loanLength);
        const terms: LicenceTerms = {
          concurrency: optionalInt(inputs.concurrency),
          checkouts: optionalInt(inputs.checkouts),
          // The end of the chosen day, in the librarian's time zone.
          expires: inputs.expires.value ? new Date(`${inputs.expires.value}T23:59:59`).toISOString() : null,
          loanLength: days === null ? null : days * 86_400,
        };
        submit.disabled = true;
        try {
          await admin.addLicence(titleId, {
            terms,
            ...(inputs.supplier.value.trim() ? { supplierLicenceId: inputs.supplier.value.trim() } : {}),
            ...(inputs.note.value.trim() ? { note: inputs.note.value.trim() } : {}),
          });
          form.reset();
          report(t('licence.added'));
          announce(t('licence.added'));
          await refresh();
        } catch (error) {
          report(problemText(error), 'error');
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h3', { id: 'licence-form-heading' }, t('licence.add')),
    field('licence-concurrency', 'licence.concurrency', inputs.concurrency),
    field('licence-checkouts', 'licence.checkouts', inputs.checkouts),
    field('licence-expires', 'licence.expires', inputs.expires),
    field('licence-loan-length', 'licence.loanLength', inputs.loanLength),
    field('licence-supplier', 'licence.supplier', inputs.supplier),
    field('licence-note', 'licence.note', inputs.note),
    submit,
  );
  // New licences are refused for a withdrawn title (409 TITLE_WITHDRAWN); the ones it has can still be switched.
  const closed = h('p', { class: 'meta', id: 'licence-closed' }, t('console.withdraw.noLicences'));
  void refresh().catch((error: unknown) => report(problemText(error), 'error'));
  const section = h(
    'section',
    { 'aria-labelledby': 'licence-heading' },
    h('h2', { id: 'licence-heading' }, t('licence.heading')),
    availability,
    list,
    status,
    title.status === 'withdrawn' ? closed : form,
  );
  return {
    section,
    withdrawn: () => {
      form.replaceWith(closed);
      void refresh().catch((error: unknown) => report(problemText(error), 'error'));
    },
  };
}

function withdrawnText(title: ConsoleTitle): string {
  return title.withdrawnAt
    ? t('console.withdraw.since', { date: formatDate(title.withdrawnAt, true) })
    : t('console.withdraw.state');
}

/**
 * Withdrawing asks first, in the page: the question and its two answers replace the button, and Cancel (the
 * safe answer) takes the focus.
 */
function withdrawSection(initial: ConsoleTitle, onWithdrawn: (title: ConsoleTitle) => void): HTMLElement {
  const heading = h('h2', { id: 'withdraw-heading' }, t('console.withdraw.heading'));
  const status = h('p', { class: 'status', role: 'status', hidden: true });
  const section = h('section', { id: 'withdraw-section', 'aria-labelledby': 'withdraw-heading' });
  const showWithdrawn = (title: ConsoleTitle) =>
    section.replaceChildren(heading, h('p', { id: 'withdrawn-note' }, withdrawnText(title)), status);
  if (initial.status === 'withdrawn') {
    showWithdrawn(initial);
    return section;
  }

  const start = h('button', { type: 'button', class: 'danger' }, t('console.withdraw.start'));
  const confirm = h('button', { type: 'button', class: 'danger' }, t('console.withdraw.confirmButton'));
  const cancel = h('button', { type: 'button', class: 'secondary' }, t('common.cancel'));
  const question = h(
    'div',
    { role: 'group', 'aria-labelledby': 'withdraw-question', hidden: true },
    h(
      'p',
      { id: 'withdraw-question' },
      h('strong', {}, t('console.withdraw.confirm', { title: initial.title })),
    ),
    h('div', { class: 'row-actions' }, confirm, cancel),
  );
  start.addEventListener('click', () => {
    status.hidden = true;
    start.hidden = true;
    question.hidden = false;
    cancel.focus();
  });
  cancel.addEventListener('click', () => {
    question.hidden = true;
    start.hidden = false;
    start.focus();
  });
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    cancel.disabled = true;
    try {
      const title = await admin.withdrawTitle(initial.id);
      showWithdrawn(title);
      const message = t('console.withdraw.done', { title: title.title });
      status.className = 'status';
      status.textContent = message;
      status.hidden = false;
      announce(message);
      onWithdrawn(title);
    } catch (error) {
      status.className = 'status status-error';
      status.textContent = problemText(error);
      status.hidden = false;
    } finally {
      confirm.disabled = false;
      cancel.disabled = false;
    }
  });
  section.replaceChildren(heading, h('p', {}, t('console.withdraw.explain')), start, question, status);
  return section;
}

export async function renderTitleReview(body: HTMLElement, id: string): Promise<Cleanup> {
  body.replaceChildren(loadingNote());
  const title: ConsoleTitle = await api.title(id);
  const badge = h('span', { class: 'badge', id: 'title-withdrawn' }, t('console.withdraw.badge'));
  const name = h('span', {}, title.title);
  const heading = h('p', { class: 'meta' }, name, title.status === 'withdrawn' ? [' ', badge] : null);
  document.title = `${title.title} · ${t('console.title')} · ${t('app.name')}`;
  const licences = title.access === 'open' ? undefined : licenceSection(id, title);
  // What publication found that a librarian should know (the title was still accepted).
  const warnings = (title.warnings ?? []).map((code) =>
    h(
      'p',
      { class: 'status status-info', role: 'note', 'data-warning': code },
      t(`console.warning.${code}`),
      // ISBN_IN_CATALOGUE names the other titles, each a link to its own page.
      code === 'ISBN_IN_CATALOGUE'
        ? (title.sameIsbnAs ?? []).flatMap((other, i) => [
            i === 0 ? ' ' : ', ',
            h('a', { href: href.consoleTitle(other.id) }, other.title),
          ])
        : null,
    ),
  );
  body.replaceChildren(
    heading,
    ...warnings,
    reviewForm(title, (saved) => {
      name.textContent = saved.title;
    }),
    ...(licences ? [licences.section] : []),
    withdrawSection(title, () => {
      heading.append(' ', badge);
      licences?.withdrawn();
    }),
  );
}
