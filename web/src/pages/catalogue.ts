import { api } from '../api/client';
import type { BrowseCounts, CatalogueQuery, CatalogueSort, Title } from '../api/types';
import { h } from '../dom';
import { languageName, t } from '../i18n';
import { messageOf } from '../problem';
import { href, navigate } from '../router';
import { availabilityText, badges, coverOf } from './common';
import { renderShelves } from './collection';

const sorts: CatalogueSort[] = ['relevance', 'newest', 'borrowed', 'title'];

const pageSize = 20;

function queryOf(params: URLSearchParams): CatalogueQuery {
  const format = params.get('format');
  const access = params.get('access');
  return {
    q: params.get('q') ?? undefined,
    lang: params.get('lang') ?? undefined,
    format: format === 'epub' || format === 'pdf' ? format : undefined,
    access: access === 'open' || access === 'licensed' || access === 'partner' ? access : undefined,
    subject: params.get('subject') ?? undefined,
    available: params.get('available') === 'true' || undefined,
    sort: sorts.find((s) => s === params.get('sort')),
    limit: pageSize,
  };
}

function select(id: string, label: string, value: string | undefined, options: [string, string][]) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, name: id },
      h('option', { value: '' }, t('catalogue.any')),
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
    ),
  );
}

export async function renderCatalogue(main: HTMLElement, params: URLSearchParams): Promise<void> {
  document.title = `${t('catalogue.title')} · ${t('app.name')}`;
  const query = queryOf(params);
  const form = h(
    'form',
    {
      role: 'search',
      class: 'search',
      'aria-label': t('catalogue.title'),
      onsubmit: (event: Event) => {
        event.preventDefault();
        const data = new FormData(event.target as HTMLFormElement);
        const next = new URLSearchParams();
        for (const key of ['q', 'lang', 'format', 'access', 'subject', 'sort']) {
          const value = String(data.get(key) ?? '').trim();
          if (value) next.set(key, value);
        }
        if (data.get('available')) next.set('available', 'true');
        navigate(href.catalogue(next));
      },
    },
    h(
      'div',
      { class: 'field q' },
      h('label', { for: 'q' }, t('catalogue.search')),
      h('input', { id: 'q', name: 'q', type: 'search', value: query.q ?? '', maxlength: 200 }),
    ),
    select('lang', t('catalogue.language'), query.lang, [
      ['id', t('lang.id')],
      ['en', t('lang.en')],
    ]),
    select('format', t('catalogue.format'), query.format, [
      ['epub', 'EPUB'],
      ['pdf', 'PDF'],
    ]),
    select('access', t('catalogue.access'), query.access, [
      ['open', t('access.open')],
      ['licensed', t('access.licensed')],
    ]),
    h(
      'div',
      { class: 'field check' },
      h('input', {
        id: 'available',
        name: 'available',
        type: 'checkbox',
        value: 'true',
        checked: !!query.available,
      }),
      h('label', { for: 'available' }, t('catalogue.availableNow')),
    ),
    query.subject ? h('input', { type: 'hidden', name: 'subject', value: query.subject }) : null,
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'sort' }, t('catalogue.sort')),
      h(
        'select',
        { id: 'sort', name: 'sort' },
        sorts.map((s) =>
          h('option', { value: s, selected: s === (query.sort ?? 'relevance') }, t(`catalogue.sort.${s}`)),
        ),
      ),
    ),
    h('button', { type: 'submit' }, t('catalogue.searchButton')),
  );
  // The home (nothing asked yet) opens with the featured collections' shelves, then new arrivals one tap away.
  const home = params.size === 0;
  const shelves = home ? h('div', { class: 'shelves', 'aria-live': 'polite' }) : null;
  const browse = h('details', { class: 'browse' }, h('summary', {}, t('catalogue.browse')));
  const summary = h('p', { id: 'result-summary', role: 'status' }, t('common.loading'));
  const list = h('ul', { class: 'results', 'aria-labelledby': 'result-summary' });
  const more = h('div', { class: 'actions' });
  main.replaceChildren(
    h('h1', {}, t('catalogue.title')),
    ...(shelves ? [shelves] : []),
    form,
    h(
      'p',
      { class: 'quick-links' },
      h('a', { href: href.catalogue(new URLSearchParams({ sort: 'newest' })) }, t('catalogue.newArrivals')),
    ),
    browse,
    summary,
    list,
    more,
  );
  if (shelves) void renderShelves(shelves);
  // Counted when the patron opens "Browse" (most never do).
  let browsing = false;
  browse.addEventListener('toggle', () => {
    if (browsing || !(browse as HTMLDetailsElement).open) return;
    browsing = true;
    const loading = h('p', { role: 'status' }, t('common.loading'));
    browse.append(loading);
    void api
      .browse(query)
      .then((counts) => fillBrowse(browse, counts, params))
      .catch((error: unknown) => browse.append(h('p', { role: 'alert' }, messageOf(error))))
      .finally(() => loading.remove());
  });

  let shown = 0;
  const load = async (cursor?: string) => {
    try {
      const page = await api.searchTitles({ ...query, ...(cursor ? { cursor } : {}) });
      shown += page.data.length;
      for (const title of page.data) list.append(card(title));
      summary.textContent =
        shown === 0
          ? t('catalogue.none')
          : page.cursor
            ? t('catalogue.resultsMore', { count: shown })
            : t('catalogue.results', { count: shown });
      more.replaceChildren();
      // Nothing found: the patron may ask the library to buy it (web/src/pages/suggest.ts).
      if (shown === 0)
        more.append(
          h(
            'p',
            { class: 'suggest-link' },
            h('a', { href: href.suggest(query.q || undefined) }, t('suggest.link')),
          ),
        );
      if (page.cursor) {
        const button = h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => {
              button.disabled = true;
              const first = list.children.length;
              void load(page.cursor!).then(() => {
                // Keyboard users continue at the first new title.
                list.children[first]?.querySelector('a')?.focus();
              });
            },
          },
          t('catalogue.more'),
        );
        more.append(button);
      }
      void fillAvailability(page.data, list);
    } catch (error) {
      summary.textContent = messageOf(error);
    }
  };
  await load();
}

/** Subjects and languages with their counts, each a link narrowing the current list to it. */
function fillBrowse(browse: HTMLElement, counts: BrowseCounts, params: URLSearchParams): void {
  const facet = (
    heading: string,
    name: 'subject' | 'lang',
    values: BrowseCounts['subjects'],
    label = (v: string) => v,
  ) => {
    if (values.length === 0) return null;
    return h(
      'section',
      {},
      h('h2', {}, heading),
      h(
        'ul',
        { class: 'facets' },
        values.map(({ value, count }) => {
          const next = new URLSearchParams(params);
          next.set(name, value);
          next.delete('cursor');
          const selected = params.get(name) === value;
          return h(
            'li',
            {},
            h(
              'a',
              { href: href.catalogue(next), 'aria-current': selected ? 'true' : undefined },
              t('catalogue.facet', { value: label(value), count }),
            ),
          );
        }),
      ),
    );
  };
  browse.append(
    facet(t('catalogue.browseSubjects'), 'subject', counts.subjects) ?? '',
    facet(t('catalogue.browseLanguages'), 'lang', counts.languages, (v) => languageName(v)) ?? '',
  );
}

export { card as titleCard };

function card(title: Title): HTMLElement {
  return h(
    'li',
    { class: 'card', 'data-title-id': title.id },
    coverOf(title),
    h(
      'div',
      {},
      h('h2', {}, h('a', { href: href.title(title.id) }, title.title)),
      title.authors.length
        ? h('p', { class: 'meta' }, t('catalogue.by', { authors: title.authors.join(', ') }))
        : null,
      badges(title),
      // Listings carry no availability: open titles say so at once, the others once fillAvailability has it.
      h('p', { class: 'meta availability' }, availabilityText(title, undefined)),
    ),
  );
}

/** The listing carries no availability (GET /titles); fetch it per licensed title shown (a handful per page). */
async function fillAvailability(titles: Title[], list: HTMLElement): Promise<void> {
  await Promise.all(
    titles
      .filter((title) => title.access !== 'open')
      .map(async (title) => {
        const full = await api.title(title.id).catch(() => undefined);
        const text = full ? availabilityText(full, full.availability) : '';
        const slot = list.querySelector(`[data-title-id="${CSS.escape(title.id)}"] .availability`);
        if (slot && text) slot.textContent = text;
      }),
  );
}
