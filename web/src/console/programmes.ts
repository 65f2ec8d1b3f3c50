import { api } from '../api/client';
import type { components } from '../api/contract';
import type { Answer, RequestBody } from '../api/types';
import { announce, h } from '../dom';
import { formatDate, language, t } from '../i18n';
import { datesOf, type Programme } from '../pages/programmes';
import { problemText } from './problem';

/** The librarians' side of reading programmes (functions/http/routes/admin-programmes.ts). */

type Schemas = components['schemas'];
type PatronGroup = Schemas['PatronGroup'];
type Participants = Schemas['ProgrammeParticipation'];

let fieldSeq = 0;
function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
): HTMLElement {
  control.id ||= `programme-field-${++fieldSeq}`;
  return h('p', { class: 'field' }, h('label', { for: control.id }, label), control);
}

/** A local date-time input's value as an instant in the library's time zone (UTC+7). */
const libraryInstant = (value: string) => `${value}:00+07:00`;

async function participantsPanel(programme: Programme): Promise<HTMLElement> {
  const panel = h('section', { class: 'programme-participants' });
  try {
    const view = await api.request<Participants>(
      'GET',
      `/admin/programmes/${encodeURIComponent(programme.id)}/participants`,
    );
    const badges = ['25', '50', '75', '100'].map((m) => view.totals.badges[m] ?? 0).join(' / ');
    panel.replaceChildren(
      h('h4', {}, t('console.programmes.participants')),
      h(
        'p',
        { class: 'programme-admin-totals' },
        t('console.programmes.totals', {
          participants: view.totals.participants,
          completed: view.totals.completed,
          badges,
        }),
      ),
      view.data.length
        ? h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, t('console.programmes.col.name')),
                  h('th', { scope: 'col' }, t('console.programmes.col.card')),
                  h('th', { scope: 'col' }, t('console.programmes.col.progress')),
                  h('th', { scope: 'col' }, t('console.programmes.col.completed')),
                ),
              ),
              h(
                'tbody',
                {},
                view.data.map((p) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, p.patronName),
                    h('td', {}, p.cardNumber),
                    h('td', {}, `${p.progress.value}/${p.progress.target} (${p.progress.percent} %)`),
                    h('td', {}, p.completedAt ? formatDate(p.completedAt) : '—'),
                  ),
                ),
              ),
            ),
          )
        : h('p', {}, t('console.programmes.noParticipants')),
    );
  } catch (error) {
    panel.replaceChildren(h('p', { class: 'status status-error' }, problemText(error)));
  }
  return panel;
}

function groupForm(onCreated: (message: string) => void): HTMLElement {
  const name = h('input', { type: 'text', required: true, maxlength: 120 });
  const file = h('input', { type: 'file', accept: '.csv,text/csv', required: true });
  const status = h('p', { class: 'status', role: 'status', hidden: true });
  const form = h(
    'form',
    { class: 'console-form', id: 'group-form' },
    field(t('console.programmes.groupName'), name),
    field(t('console.programmes.groupCsv'), file),
    h('button', { type: 'submit' }, t('console.programmes.groupCreate')),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const csv = await file.files![0]!.text();
        const created = await api.request<Schemas['PatronGroupCreated']>('POST', '/admin/patron-groups', {
          body: { name: name.value, csv } satisfies RequestBody<'/admin/patron-groups', 'post'>,
        });
        status.textContent = [
          t('console.programmes.groupCreated', {
            name: created.group.name,
            count: created.group.memberCount,
          }),
          created.unknownCards.length
            ? t('console.programmes.groupUnknown', { cards: created.unknownCards.join(', ') })
            : '',
        ].join(' ');
        status.className = 'status';
        form.reset();
        onCreated(status.textContent);
      } catch (error) {
        status.textContent = problemText(error);
        status.className = 'status status-error';
      }
      status.hidden = false;
      announce(status.textContent ?? '');
    })();
  });
  return form;
}

function programmeForm(groups: PatronGroup[], onCreated: (message: string) => void): HTMLElement {
  const text = () => h('input', { type: 'text', required: true, maxlength: 120 });
  const [nameId, nameEn] = [text(), text()];
  const area = () => h('textarea', { required: true, maxlength: 2000, rows: 3 });
  const [descriptionId, descriptionEn] = [area(), area()];
  const startsAt = h('input', { type: 'datetime-local', required: true });
  const endsAt = h('input', { type: 'datetime-local', required: true });
  const audience = h(
    'select',
    {},
    h('option', { value: '' }, t('console.programmes.everyone')),
    groups.map((g) =>
      h(
        'option',
        { value: g.id },
        t('console.programmes.groupMembers', { name: g.name, count: g.memberCount }),
      ),
    ),
  );
  const goalKind = h(
    'select',
    {},
    h('option', { value: 'books' }, t('console.programmes.goalBooks')),
    h('option', { value: 'minutes' }, t('console.programmes.goalMinutes')),
  );
  const target = h('input', { type: 'number', min: 1, max: 100000, required: true, value: 3 });
  const titleIds = h('input', { type: 'text' });
  const status = h('p', { class: 'status', role: 'status', hidden: true });
  const form = h(
    'form',
    { class: 'console-form', id: 'programme-form' },
    field(t('console.programmes.nameId'), nameId),
    field(t('console.programmes.nameEn'), nameEn),
    field(t('console.programmes.descriptionId'), descriptionId),
    field(t('console.programmes.descriptionEn'), descriptionEn),
    field(t('console.programmes.startsAt'), startsAt),
    field(t('console.programmes.endsAt'), endsAt),
    field(t('console.programmes.audience'), audience),
    field(t('console.programmes.goalKind'), goalKind),
    field(t('console.programmes.goalTarget'), target),
    field(t('console.programmes.titleIds'), titleIds),
    h('button', { type: 'submit' }, t('console.programmes.create')),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const ids = titleIds.value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    void (async () => {
      try {
        await api.request('POST', '/admin/programmes', {
          body: {
            name: { id: nameId.value, en: nameEn.value },
            description: { id: descriptionId.value, en: descriptionEn.value },
            startsAt: libraryInstant(startsAt.value),
            endsAt: libraryInstant(endsAt.value),
            audience: audience.value ? { kind: 'group', groupId: audience.value } : { kind: 'everyone' },
            goal: { kind: goalKind.value as Programme['goal']['kind'], target: Number(target.value) },
            ...(ids.length ? { titleIds: ids } : {}),
          } satisfies RequestBody<'/admin/programmes', 'post'>,
        });
        status.textContent = t('console.programmes.created');
        status.className = 'status';
        form.reset();
        onCreated(status.textContent);
      } catch (error) {
        status.textContent = problemText(error);
        status.className = 'status status-error';
      }
      status.hidden = false;
      announce(status.textContent ?? '');
    })();
  });
  return form;
}

/** `#/console/programmes`: the programmes with their participation, a new programme, patron groups. */
export async function renderProgrammesConsole(body: HTMLElement, notice?: string): Promise<void> {
  const [{ data: programmes }, { data: groups }] = await Promise.all([
    api.request<Answer<'/admin/programmes', 'get'>>('GET', '/admin/programmes'),
    api.request<Answer<'/admin/patron-groups', 'get'>>('GET', '/admin/patron-groups'),
  ]);
  // What was just made is listed by drawing the screen again, with the outcome on top.
  const again = (message: string) => void renderProgrammesConsole(body, message).catch(() => undefined);
  const list = h('ul', { class: 'console-list', id: 'programme-list' });
  for (const programme of programmes) {
    const item = h(
      'li',
      { 'data-programme': programme.id },
      h('h3', {}, programme.name[language()]),
      h(
        'p',
        { class: 'meta' },
        `${datesOf(programme)} · ${programme.goal.target} ${
          programme.goal.kind === 'books'
            ? t('console.programmes.goalBooks')
            : t('console.programmes.goalMinutes')
        }`,
      ),
    );
    list.append(item);
    void participantsPanel(programme).then((panel) => item.append(panel));
  }
  body.replaceChildren(
    h(
      'p',
      { class: 'status', role: 'status', id: 'programme-console-status', hidden: !notice },
      notice ?? '',
    ),
    h('h2', {}, t('console.programmes.heading')),
    programmes.length ? list : h('p', {}, t('console.programmes.none')),
    h('h2', {}, t('console.programmes.new')),
    programmeForm(groups, again),
    h('h2', {}, t('console.programmes.groupsHeading')),
    h(
      'ul',
      {},
      groups.map((g) =>
        h('li', {}, t('console.programmes.groupMembers', { name: g.name, count: g.memberCount })),
      ),
    ),
    groupForm(again),
  );
}
