import { api } from '../api/client';
import { h } from '../dom';
import { t, type MessageKey } from '../i18n';
import type { Cleanup } from '../main';
import { href, navigate } from '../router';
import { toast } from '../toast';
import { collectionAdmin, type AdminCollection } from './api';
import { problemText } from './problem';

/**
 * The librarians' collections: a list with a form for a new one, and each collection's page: names and
 * descriptions in both languages, featured dates, cover (an upload, or a member title's cover), and its titles
 * in order (add from a search, move up or down, remove). Every write sends the version it was made against, so
 * a colleague's change in between is reported (COLLECTION_CHANGED) instead of undone.
 */

const maxCoverBytes = 2 * 1024 * 1024;

function input(id: string, label: MessageKey, attrs: Record<string, string | number | boolean> = {}) {
  const control = h('input', { id, name: id, ...attrs });
  return { control, field: h('div', { class: 'field' }, h('label', { for: id }, t(label)), control) };
}

function textarea(id: string, label: MessageKey, value = '') {
  const control = h('textarea', { id, name: id, rows: 3, maxlength: 2000 });
  control.value = value;
  return { control, field: h('div', { class: 'field' }, h('label', { for: id }, t(label)), control) };
}

/** `<input type="date">` speaks days; the API speaks instants (the start of that day, UTC). */
const dayOf = (instant?: string) => (instant ? instant.slice(0, 10) : '');
const startOf = (day: string) => new Date(`${day}T00:00:00Z`).toISOString();
/** For a change: no day clears the date. */
const instantOf = (day: string) => (day ? startOf(day) : null);

export function renderCollections(body: HTMLElement, id?: string): Cleanup {
  if (id) {
    void renderOne(body, id);
    return;
  }
  const status = h('p', { class: 'status', role: 'status' });
  const list = h('ul', { class: 'console-list', id: 'collection-list' });
  const nameId = input('new-name-id', 'console.collections.nameId', { required: true, maxlength: 120 });
  const nameEn = input('new-name-en', 'console.collections.nameEn', { required: true, maxlength: 120 });
  const from = input('new-featured-from', 'console.collections.featuredFrom', { type: 'date' });
  const form = h(
    'form',
    {
      class: 'console-form',
      'aria-labelledby': 'new-collection-heading',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void collectionAdmin
          .create({
            name: { id: nameId.control.value.trim(), en: nameEn.control.value.trim() },
            // A new collection starts empty; titles are added on its page.
            titleIds: [],
            ...(from.control.value ? { featuredFrom: startOf(from.control.value) } : {}),
          })
          .then((created) => {
            toast(t('console.collections.created'));
            navigate(href.consoleCollection(created.id));
          })
          .catch((error: unknown) => (status.textContent = problemText(error)));
      },
    },
    h('h2', { id: 'new-collection-heading' }, t('console.collections.new')),
    nameId.field,
    nameEn.field,
    from.field,
    h('button', { type: 'submit' }, t('console.collections.create')),
  );
  body.replaceChildren(h('h2', {}, t('console.collections.heading')), status, list, form);
  void collectionAdmin
    .list()
    .then((collections) => {
      list.replaceChildren(
        ...(collections.length
          ? collections.map((c) =>
              h(
                'li',
                {},
                h('a', { href: href.consoleCollection(c.id) }, `${c.name.id} / ${c.name.en}`),
                ' ',
                h(
                  'span',
                  { class: 'badge' },
                  c.featured ? t('console.collections.featured') : t('console.collections.notFeatured'),
                ),
                ` · ${t('collection.count', { count: c.titleIds.length })}`,
              ),
            )
          : [h('li', {}, t('console.collections.none'))]),
      );
    })
    .catch((error: unknown) => (status.textContent = problemText(error)));
}

async function renderOne(body: HTMLElement, id: string): Promise<void> {
  const status = h('p', { class: 'status', role: 'status' });
  let current: AdminCollection;
  try {
    current = await collectionAdmin.get(id);
  } catch (error) {
    body.replaceChildren(h('p', { role: 'alert' }, problemText(error)));
    return;
  }
  const apply = (work: Promise<AdminCollection>, done?: string) =>
    work
      .then((next) => {
        current = next;
        if (done) toast(done);
        draw();
      })
      .catch((error: unknown) => {
        status.textContent = problemText(error);
      });

  const draw = () => {
    const c = current;
    const nameId = input('name-id', 'console.collections.nameId', {
      required: true,
      maxlength: 120,
      value: c.name.id,
    });
    const nameEn = input('name-en', 'console.collections.nameEn', {
      required: true,
      maxlength: 120,
      value: c.name.en,
    });
    const descId = textarea('description-id', 'console.collections.descriptionId', c.description.id);
    const descEn = textarea('description-en', 'console.collections.descriptionEn', c.description.en);
    const from = input('featured-from', 'console.collections.featuredFrom', {
      type: 'date',
      value: dayOf(c.featuredFrom),
    });
    const until = input('featured-until', 'console.collections.featuredUntil', {
      type: 'date',
      value: dayOf(c.featuredUntil),
    });
    const details = h(
      'form',
      {
        class: 'console-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void apply(
            collectionAdmin.update(c.id, c.version, {
              name: { id: nameId.control.value.trim(), en: nameEn.control.value.trim() },
              description: { id: descId.control.value.trim(), en: descEn.control.value.trim() },
              featuredFrom: instantOf(from.control.value),
              featuredUntil: instantOf(until.control.value),
            }),
            t('console.collections.saved'),
          );
        },
      },
      nameId.field,
      nameEn.field,
      descId.field,
      descEn.field,
      from.field,
      until.field,
      h('button', { type: 'submit' }, t('console.collections.save')),
    );

    const move = (index: number, by: number) => {
      const order = [...c.titleIds];
      const [moved] = order.splice(index, 1);
      order.splice(index + by, 0, moved!);
      void apply(collectionAdmin.order(c.id, c.version, order));
    };
    const titles = h(
      'ol',
      { class: 'console-list', id: 'collection-titles' },
      c.titles.length
        ? c.titles.map((title, i) =>
            h(
              'li',
              { 'data-title-id': title.id },
              h('a', { href: href.consoleTitle(title.id) }, title.title ?? title.id),
              title.status !== 'active'
                ? h('span', { class: 'badge' }, t('console.collections.withdrawn'))
                : null,
              ' ',
              h(
                'button',
                { type: 'button', class: 'secondary', disabled: i === 0, onclick: () => move(i, -1) },
                t('console.collections.up'),
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  disabled: i === c.titles.length - 1,
                  onclick: () => move(i, 1),
                },
                t('console.collections.down'),
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  onclick: () => void apply(collectionAdmin.removeTitle(c.id, title.id)),
                },
                t('console.collections.remove'),
              ),
            ),
          )
        : h('li', {}, t('console.collections.noTitles')),
    );

    const found = h('ul', { class: 'console-list', id: 'collection-search-results' });
    const query = input('collection-find', 'console.collections.find', { type: 'search', maxlength: 200 });
    const finder = h(
      'form',
      {
        role: 'search',
        class: 'console-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void api
            .searchTitles({ q: query.control.value.trim(), limit: 10 })
            .then((page) =>
              found.replaceChildren(
                ...page.data
                  .filter((title) => !c.titleIds.includes(title.id))
                  .map((title) =>
                    h(
                      'li',
                      {},
                      title.title,
                      ' ',
                      h(
                        'button',
                        {
                          type: 'button',
                          onclick: () => void apply(collectionAdmin.addTitles(c.id, c.version, [title.id])),
                        },
                        t('console.collections.add'),
                      ),
                    ),
                  ),
              ),
            )
            .catch((error: unknown) => (status.textContent = problemText(error)));
        },
      },
      query.field,
      h('button', { type: 'submit' }, t('console.collections.findButton')),
    );

    const file = h('input', { id: 'cover-file', type: 'file', accept: 'image/jpeg,image/png,image/webp' });
    file.addEventListener('change', () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      if (chosen.size > maxCoverBytes) {
        status.textContent = t('console.collections.coverTooLarge');
        return;
      }
      void apply(collectionAdmin.uploadCover(c.id, chosen), t('console.collections.saved'));
    });
    const fromTitle = h(
      'select',
      {
        id: 'cover-title',
        onchange: (event: Event) => {
          const value = (event.target as HTMLSelectElement).value;
          void apply(collectionAdmin.update(c.id, c.version, { coverTitleId: value || null }));
        },
      },
      h('option', { value: '' }, t('console.collections.coverNone')),
      c.titles
        .filter((title) => title.cover && title.status === 'active')
        .map((title) =>
          h(
            'option',
            { value: title.id, selected: c.cover?.kind === 'title' && c.cover.titleId === title.id },
            title.title ?? title.id,
          ),
        ),
    );
    const cover = h(
      'section',
      { 'aria-labelledby': 'cover-heading' },
      h('h3', { id: 'cover-heading' }, t('console.collections.cover')),
      c.cover?.url
        ? h('img', { class: 'cover', src: api.url(c.cover.url), alt: '', width: 80, height: 120 })
        : null,
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'cover-file' }, t('console.collections.coverUpload')),
        file,
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'cover-title' }, t('console.collections.coverFromTitle')),
        fromTitle,
      ),
    );

    body.replaceChildren(
      h('h2', {}, `${c.name.id} / ${c.name.en}`),
      h(
        'p',
        {},
        h(
          'span',
          { class: 'badge' },
          c.featured ? t('console.collections.featured') : t('console.collections.notFeatured'),
        ),
        ' ',
        h('a', { href: href.collection(c.id) }, t('console.collections.publicPage')),
      ),
      status,
      details,
      h('h3', {}, t('console.collections.titles')),
      titles,
      finder,
      found,
      cover,
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: () => {
            if (!confirm(t('console.collections.confirmDelete'))) return;
            void collectionAdmin
              .remove(c.id)
              .then(() => {
                toast(t('console.collections.deleted'));
                navigate(href.console('collections'));
              })
              .catch((error: unknown) => (status.textContent = problemText(error)));
          },
        },
        t('console.collections.delete'),
      ),
    );
  };
  draw();
}
