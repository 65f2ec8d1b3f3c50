import type { Hold } from '../api/types';
import { h } from '../dom';
import { formatDate, formatDeadline, t, waitText } from '../i18n';

/**
 * What a live hold says to its patron, one message for each state so that the shelf and the title page never
 * say two things at once: reserved → one call to action with the deadline (library's time zone); waiting →
 * place in line and the estimated wait; suspended → until when, and that the place is kept.
 */
export function holdStatus(hold: Hold): HTMLElement {
  if (hold.status === 'reserved' && hold.reservedUntil) {
    return h(
      'p',
      { class: 'hold-ready', 'data-hold-state': 'reserved' },
      t('hold.ready', { deadline: formatDeadline(hold.reservedUntil) }),
    );
  }
  const position = hold.position ?? 0;
  if (hold.suspendedUntil) {
    return h(
      'p',
      { class: 'meta hold-suspended', 'data-hold-state': 'suspended' },
      t('hold.suspendedUntil', { date: formatDate(hold.suspendedUntil), position }),
    );
  }
  return h(
    'p',
    { class: 'meta hold-waiting', 'data-hold-state': 'waiting' },
    position ? t('shelf.position', { position }) : null,
    position ? ' · ' : null,
    h('span', { class: 'hold-wait' }, t('hold.wait', { wait: waitText(hold.estimatedWaitDays ?? 0) })),
  );
}
