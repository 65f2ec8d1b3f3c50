import { api } from '../api/client';
import { notifications, type AppNotification } from '../api/notifications';
import { announce, h } from '../dom';
import { formatDate, t } from '../i18n';
import { messageOf } from '../problem';
import { href, navigate } from '../router';
import { loadingNote } from './common';

/** The header's bell: a link to the notifications with the unread count (filled in once it is known). */
export function bellItem(current: boolean): HTMLLIElement {
  const count = h('span', { class: 'bell-count', 'aria-hidden': 'true', hidden: true });
  const link = h(
    'a',
    {
      href: '#/notifications',
      id: 'bell',
      class: 'bell',
      'aria-current': current ? 'page' : undefined,
      'aria-label': t('notify.bell'),
    },
    h('span', { 'aria-hidden': 'true' }, '🔔'),
    count,
  );
  void notifications
    .unread()
    .then((unread) => {
      count.textContent = String(unread);
      count.hidden = unread === 0;
      link.setAttribute(
        'aria-label',
        unread > 0 ? t('notify.bellCount', { count: unread }) : t('notify.bell'),
      );
      link.dataset.unread = String(unread);
    })
    .catch(() => {
      // The bell is a hint: the page works without the count.
    });
  return h('li', {}, link);
}

function textOf(n: AppNotification): string {
  return t(`notify.kind.${n.kind}`, {
    title: n.title ?? n.titleId,
    deadline: n.deadline ? formatDate(n.deadline, true) : '',
  });
}

function targetOf(n: AppNotification): string {
  return n.kind === 'loan-ending-3d' || n.kind === 'loan-ending-1d' ? href.shelf() : href.title(n.titleId);
}

/** `#/notifications`: newest first, unread ones marked, one button to mark each or all read. */
export async function renderNotifications(main: HTMLElement): Promise<void> {
  document.title = `${t('notify.heading')} · ${t('app.name')}`;
  if (!api.session) {
    navigate(href.signin('#/notifications'));
    return;
  }
  const list = h('ul', { class: 'notification-list', 'aria-labelledby': 'notifications-heading' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('notify.more'));
  const markAll = h('button', { type: 'button', class: 'secondary' }, t('notify.markAll'));
  let cursor: string | null = null;

  const refreshBell = () => window.dispatchEvent(new Event('pustaka:notifications'));

  const item = (n: AppNotification): HTMLLIElement => {
    const row = h(
      'li',
      { class: n.readAt ? 'read' : 'unread', 'data-notification': n.id },
      n.readAt ? null : h('span', { class: 'badge' }, t('notify.unread')),
      h('p', {}, h('a', { href: targetOf(n) }, textOf(n))),
      h('p', { class: 'meta' }, h('time', { datetime: n.createdAt }, formatDate(n.createdAt, true))),
      n.readAt
        ? null
        : h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: async () => {
                try {
                  await notifications.markRead(n.id);
                  row.replaceWith(item({ ...n, readAt: new Date().toISOString() }));
                  refreshBell();
                } catch (error) {
                  announce(messageOf(error), 'error');
                }
              },
            },
            t('notify.markRead'),
          ),
    );
    return row;
  };

  const load = async (append: boolean) => {
    try {
      const page = await notifications.list(append ? cursor : null);
      cursor = page.cursor;
      const items = page.data.map(item);
      if (append) list.append(...items);
      else list.replaceChildren(...(items.length ? items : [h('li', {}, t('notify.none'))]));
      more.hidden = !cursor;
      markAll.hidden = page.unread === 0;
    } catch (error) {
      announce(messageOf(error), 'error');
    }
  };
  more.addEventListener('click', () => void load(true));
  markAll.addEventListener('click', async () => {
    try {
      await notifications.markAllRead();
      await load(false);
      refreshBell();
    } catch (error) {
      announce(messageOf(error), 'error');
    }
  });

  main.replaceChildren(h('h1', { id: 'notifications-heading' }, t('notify.heading')), loadingNote());
  await load(false);
  main.replaceChildren(
    h('h1', { id: 'notifications-heading' }, t('notify.heading')),
    h('p', {}, h('a', { href: '#/account/notifications' }, t('notify.settings'))),
    markAll,
    list,
    more,
  );
}
