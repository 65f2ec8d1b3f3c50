import { api } from '../api/client';
import type { Collection, Title } from '../api/types';
import { h } from '../dom';
import { language, t } from '../i18n';
import { messageOf } from '../problem';
import { href } from '../router';
import { toast } from '../toast';
import { coverOf } from './common';
import { titleCard } from './catalogue';

/**
 * Curated collections: the shelves of the catalogue home (a row of covers per featured collection, scrolled
 * sideways on a phone) and each collection's own page, whose address can be shared.
 */

const textOf = (text: { id: string; en: string }) => text[language()] || text.id || text.en;

function shelfItem(title: Title): HTMLElement {
  return h(
    'li',
    { class: 'shelf-item' },
    h(
      'a',
      { href: href.title(title.id), 'data-title-id': title.id },
      coverOf(title),
      h('span', { class: 'shelf-title' }, title.title),
    ),
  );
}

function shelf(collection: Collection): HTMLElement {
  const headingId = `shelf-${collection.id}`;
  return h(
    'section',
    { class: 'shelf', 'aria-labelledby': headingId, 'data-collection-id': collection.id },
    h(
      'div',
      { class: 'shelf-head' },
      h('h2', { id: headingId }, h('a', { href: href.collection(collection.id) }, textOf(collection.name))),
      h(
        'a',
        { class: 'shelf-all', href: href.collection(collection.id) },
        t('collection.seeAll', { count: collection.titleCount }),
      ),
    ),
    h('ul', { class: 'shelf-row' }, collection.titles.map(shelfItem)),
  );
}

/** The featured collections as shelves; nothing at all when there are none (or they cannot be read). */
export async function renderShelves(container: HTMLElement): Promise<void> {
  const collections = await api.featuredCollections().catch(() => []);
  if (collections.length === 0) {
    container.remove();
    return;
  }
  container.replaceChildren(
    h('h2', { class: 'visually-hidden' }, t('catalogue.shelves')),
    ...collections.map(shelf),
  );
}

export async function renderCollection(main: HTMLElement, id: string): Promise<void> {
  main.replaceChildren(h('p', { role: 'status' }, t('common.loading')));
  let collection: Collection;
  try {
    collection = await api.collection(id);
  } catch (error) {
    main.replaceChildren(
      h('h1', {}, t('catalogue.shelves')),
      h('p', { role: 'alert' }, messageOf(error)),
      h('p', {}, h('a', { href: href.catalogue() }, t('collection.back'))),
    );
    return;
  }
  const name = textOf(collection.name);
  document.title = `${name} · ${t('app.name')}`;
  const link = new URL(href.collection(collection.id), location.href).href;
  const description = textOf(collection.description);
  main.replaceChildren(
    h(
      'header',
      { class: 'collection-head' },
      collection.cover
        ? h('img', { class: 'cover', src: api.url(collection.cover), alt: '', width: 80, height: 120 })
        : null,
      h(
        'div',
        {},
        h('h1', {}, name),
        description ? h('p', { class: 'collection-description' }, description) : null,
        h('p', { class: 'meta' }, t('collection.count', { count: collection.titleCount })),
        h(
          'p',
          { class: 'share' },
          h('label', { for: 'share-link', class: 'visually-hidden' }, t('collection.shareLabel')),
          h('input', { id: 'share-link', type: 'url', readonly: true, value: link }),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () =>
                void navigator.clipboard
                  ?.writeText(link)
                  .then(() => toast(t('collection.copied')))
                  .catch(() => (document.getElementById('share-link') as HTMLInputElement | null)?.select()),
            },
            t('collection.share'),
          ),
        ),
      ),
    ),
    collection.titles.length
      ? h('ul', { class: 'results' }, collection.titles.map(titleCard))
      : h('p', {}, t('collection.empty')),
    h('p', {}, h('a', { href: href.catalogue() }, t('collection.back'))),
  );
}
