import { api } from '../api/client';
import type { Availability, Title } from '../api/types';
import { h } from '../dom';
import { languageName, t } from '../i18n';

export function coverOf(title: Title, large = false): HTMLElement {
  if (title.cover) {
    const sizes = title.coverSizes ?? [];
    // The browser picks the smallest size that fills the box at the screen's density (an 80 px box on a 2x
    // phone takes the 160 px copy); `src` is the smallest too, so no browser falls back to the original.
    return h('img', {
      class: large ? 'cover large' : 'cover',
      loading: 'lazy',
      src: api.url(sizes[0]?.url ?? title.cover),
      ...(sizes.length
        ? {
            srcset: sizes.map((s) => `${api.url(s.url)} ${s.width}w`).join(', '),
            sizes: large ? '10rem' : '5rem',
          }
        : {}),
      decoding: 'async',
      alt: large ? t('catalogue.coverOf', { title: title.title }) : '',
      width: large ? 160 : 80,
      height: large ? 240 : 120,
    });
  }
  return h(
    'div',
    { class: large ? 'cover large cover-placeholder' : 'cover cover-placeholder', 'aria-hidden': 'true' },
    title.format.toUpperCase(),
  );
}

export function badges(title: Title): HTMLElement {
  return h(
    'p',
    { class: 'meta' },
    h('span', { class: 'badge' }, title.format.toUpperCase()),
    h('span', { class: 'badge' }, t(`access.${title.access}`)),
    title.language ? h('span', { class: 'badge' }, languageName(title.language)) : null,
  );
}

export function availabilityText(title: Title, availability: Availability | undefined): string {
  if (title.access === 'open') return t('availability.unlimited');
  if (!availability) return '';
  if (availability.copies === null || availability.available === null) return t('availability.unlimited');
  if (availability.copies === 0) return t('availability.noCopies');
  const parts = [
    availability.available > 0
      ? t('availability.available', { available: availability.available, copies: availability.copies })
      : t('availability.none'),
  ];
  if (availability.holds > 0) parts.push(t('availability.holds', { holds: availability.holds }));
  return parts.join(' · ');
}

export function loadingNote(): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}
