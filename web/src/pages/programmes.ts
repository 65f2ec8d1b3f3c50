import './programmes.css';
import { api } from '../api/client';
import type { components } from '../api/contract';
import type { Answer } from '../api/types';
import { announce, h } from '../dom';
import { language, libraryTimeZone, t, type MessageKey } from '../i18n';
import { messageOf } from '../problem';
import { href, navigate } from '../router';
import { loadingNote } from './common';

/**
 * The reading-programme part of the contract (/openapi.json, tag "Reading programmes"): aliases of the types
 * generated from the OpenAPI document (../api/contract.ts), so a drift fails the type check.
 */
type Schemas = components['schemas'];
export type Programme = Schemas['Programme'];
export type ProgrammeProgress = Schemas['ProgrammeProgress'];
type PublicProgramme = Schemas['PublicProgramme'];
type MyParticipation = Schemas['MyProgrammeParticipation'];
type Certificate = Schemas['ProgrammeCertificate'];

const path = (id: string) => `/programmes/${encodeURIComponent(id)}`;
const inLanguage = (text: { id: string; en: string }) => text[language()];

export const programmeHref = {
  list: () => '#/programmes',
  programme: (id: string) => `#/programmes/${encodeURIComponent(id)}`,
  certificate: (id: string) => `#/programmes/${encodeURIComponent(id)}/certificate`,
};

function goalText(goal: Programme['goal']): string {
  return t(`programme.goal.${goal.kind}` as MessageKey, { target: goal.target });
}

/** A day as the library names it (Kota Nusantara's calendar, whatever the device's time zone). */
export function libraryDate(at: string | number): string {
  return new Intl.DateTimeFormat(language() === 'id' ? 'id-ID' : 'en-GB', {
    dateStyle: 'long',
    timeZone: libraryTimeZone,
  }).format(new Date(at));
}

/** From the first day to the last: a programme ends at the midnight after its last day. */
export function datesOf(programme: Pick<Programme, 'startsAt' | 'endsAt'>): string {
  return t('programme.dates', {
    start: libraryDate(programme.startsAt),
    end: libraryDate(Date.parse(programme.endsAt) - 1),
  });
}

/** `#/programmes`: the programmes that have not ended. */
export async function renderProgrammes(main: HTMLElement): Promise<void> {
  document.title = `${t('programme.listHeading')} · ${t('app.name')}`;
  main.replaceChildren(h('h1', {}, t('programme.listHeading')), loadingNote());
  const { data } = await api.request<Answer<'/programmes', 'get'>>('GET', '/programmes', { auth: false });
  main.replaceChildren(
    h('h1', {}, t('programme.listHeading')),
    data.length
      ? h(
          'ul',
          { class: 'programme-list' },
          data.map((p) =>
            h(
              'li',
              { class: 'programme-card' },
              h('h2', {}, h('a', { href: programmeHref.programme(p.id) }, inLanguage(p.name))),
              h('p', { class: 'meta' }, datesOf(p)),
              h('p', {}, goalText(p.goal)),
            ),
          ),
        )
      : h('p', {}, t('programme.none')),
  );
}

async function myParticipation(id: string): Promise<MyParticipation | undefined> {
  if (!api.session) return undefined;
  // Asked first, so that a programme not joined is no refused request.
  const { data } = await api.request<Schemas['MyProgrammes']>('GET', '/me/programmes');
  if (!data.some((p) => p.programmeId === id)) return undefined;
  return api.request<MyParticipation>('GET', `/me${path(id)}`);
}

function progressSection(programme: Programme, mine: MyParticipation): HTMLElement {
  const { value, target, percent } = mine.progress;
  return h(
    'section',
    { class: 'programme-progress', 'aria-labelledby': 'progress-heading' },
    h('h2', { id: 'progress-heading' }, t('programme.progressHeading')),
    h(
      'p',
      { id: 'progress-text' },
      t(`programme.progress.${programme.goal.kind}` as MessageKey, { value, target }),
    ),
    h('progress', {
      max: 100,
      value: percent,
      'aria-label': t('programme.progressLabel', { percent }),
    }),
    h('h3', {}, t('programme.badgesHeading')),
    mine.badges.length
      ? h(
          'ul',
          { class: 'programme-badges' },
          mine.badges.map((m) =>
            h(
              'li',
              { class: 'programme-badge', 'data-milestone': m },
              t('programme.badge', { milestone: m }),
            ),
          ),
        )
      : h('p', {}, t('programme.noBadges')),
    mine.completedAt
      ? h(
          'p',
          {},
          h(
            'a',
            { class: 'button', id: 'certificate-link', href: programmeHref.certificate(programme.id) },
            t('programme.certificateLink'),
          ),
        )
      : null,
    h('p', { class: 'meta' }, t('programme.howCounted')),
  );
}

/** `#/programmes/<id>`: what the programme is, joining, the patron's progress and badges, the totals. */
export async function renderProgramme(main: HTMLElement, id: string): Promise<void> {
  main.replaceChildren(loadingNote());
  const [view, mine] = await Promise.all([
    api.request<PublicProgramme>('GET', path(id), { auth: false }),
    myParticipation(id),
  ]);
  const { programme } = view;
  document.title = `${inLanguage(programme.name)} · ${t('app.name')}`;
  const join = async (button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      await api.request('POST', `/me${path(id)}`);
      announce(t('programme.joined'));
      await renderProgramme(main, id);
    } catch (error) {
      button.disabled = false;
      announce(messageOf(error));
    }
  };
  let action: HTMLElement;
  if (mine) action = progressSection(programme, mine);
  else if (view.ended) action = h('p', {}, t('programme.ended'));
  else if (!api.session)
    action = h(
      'p',
      {},
      h('a', { class: 'button', href: href.signin(location.hash) }, t('programme.signInToJoin')),
    );
  else {
    const button = h('button', { type: 'button', id: 'join-programme' }, t('programme.join'));
    button.addEventListener('click', () => void join(button));
    action = h('p', {}, button);
  }
  main.replaceChildren(
    h(
      'article',
      { class: 'programme' },
      h('h1', {}, inLanguage(programme.name)),
      h('p', { class: 'meta' }, datesOf(programme)),
      h('p', {}, inLanguage(programme.description)),
      h(
        'ul',
        { class: 'programme-facts' },
        h('li', {}, goalText(programme.goal)),
        h('li', {}, t(`programme.audience.${programme.audience.kind}` as MessageKey)),
      ),
      !view.running && !view.ended ? h('p', {}, t('programme.notStarted')) : null,
      action,
      h(
        'section',
        { 'aria-labelledby': 'totals-heading' },
        h('h2', { id: 'totals-heading' }, t('programme.totalsHeading')),
        h(
          'p',
          { id: 'programme-totals' },
          t('programme.totals', { participants: view.participants, completed: view.completed }),
        ),
        view.leaderboard.length
          ? h(
              'ol',
              { class: 'leaderboard', 'aria-label': t('programme.leaderboard') },
              view.leaderboard.map((row) =>
                h(
                  'li',
                  {},
                  h('span', { class: 'who' }, row.displayName),
                  ' ',
                  h('span', { class: 'meta' }, `${row.progress.value}/${row.progress.target}`),
                  row.completed ? ' ✓' : null,
                ),
              ),
            )
          : null,
      ),
    ),
  );
}

/**
 * `#/programmes/<id>/certificate`: a page to print (A4 or Letter) in the app's language. Only a participant
 * who reached the goal has one: anyone else sees why not.
 */
export async function renderCertificate(main: HTMLElement, id: string): Promise<void> {
  if (!api.session) {
    navigate(href.signin(location.hash));
    return;
  }
  main.replaceChildren(loadingNote());
  let certificate: Certificate;
  try {
    certificate = await api.request<Certificate>('GET', `/me${path(id)}/certificate`);
  } catch (error) {
    main.replaceChildren(
      h('h1', {}, t('programme.certificate.heading')),
      h('p', { role: 'alert', id: 'certificate-refused' }, messageOf(error)),
      h('p', {}, h('a', { href: programmeHref.programme(id) }, t('programme.certificate.back'))),
    );
    return;
  }
  const name = inLanguage(certificate.programmeName);
  document.title = `${t('programme.certificate.heading')} · ${name}`;
  const paper = h(
    'select',
    { id: 'certificate-paper' },
    h('option', { value: 'a4' }, 'A4'),
    h('option', { value: 'letter' }, 'Letter'),
  );
  const sheet = h(
    'div',
    { class: 'certificate', 'data-paper': 'a4', lang: language() },
    h('p', { class: 'certificate-library' }, t('programme.certificate.library')),
    h('h1', {}, t('programme.certificate.heading')),
    h('p', {}, t('programme.certificate.awarded')),
    h('p', { class: 'certificate-name' }, certificate.patronName),
    h(
      'p',
      {},
      t(`programme.certificate.for.${certificate.goal.kind}` as MessageKey, {
        target: certificate.goal.target,
      }),
    ),
    h('p', { class: 'certificate-programme' }, name),
    h(
      'p',
      { class: 'certificate-date' },
      t('programme.certificate.on', { date: libraryDate(certificate.completedAt) }),
    ),
  );
  paper.addEventListener('change', () => (sheet.dataset.paper = paper.value));
  main.replaceChildren(
    h(
      'div',
      { class: 'certificate-tools no-print' },
      h('a', { href: programmeHref.programme(id) }, t('programme.certificate.back')),
      h('label', {}, 'A4 / Letter ', paper),
      h(
        'button',
        { type: 'button', id: 'print-certificate', onclick: () => window.print() },
        t('programme.certificate.print'),
      ),
    ),
    sheet,
  );
}
