import { notificationAdmin, type Delivery, type PatronNotification } from '../api/notifications';
import { announce, h } from '../dom';
import { formatDate, t } from '../i18n';
import { problemText } from './problem';

/** What a patron was told, each with its e-mail delivery's state (the console's patron row, expanded). */
export async function patronNotificationsPanel(patronId: string, headingId: string): Promise<HTMLElement> {
  const panel = h('section', { class: 'patron-notifications', 'aria-labelledby': headingId });
  const heading = h('h4', { id: headingId }, t('console.notifications.heading'));
  try {
    const { data, otherMail } = await notificationAdmin.ofPatron(patronId);
    const rows = [
      ...data.map((n: PatronNotification) =>
        h(
          'li',
          { 'data-notification': n.id },
          h('span', { class: 'badge' }, n.kind),
          ' ',
          h('time', { datetime: n.createdAt }, formatDate(n.createdAt, true)),
          ' · ',
          t('console.notifications.email', {
            state: n.email ? t(`console.notifications.state.${n.email.state}`) : '—',
          }),
          n.email?.reason ? h('span', { class: 'meta' }, ` (${n.email.reason})`) : null,
        ),
      ),
      ...otherMail.map((d) =>
        h(
          'li',
          {},
          h('span', { class: 'badge' }, d.kind),
          ' ',
          h('time', { datetime: d.createdAt }, formatDate(d.createdAt, true)),
          ' · ',
          t('console.notifications.email', { state: t(`console.notifications.state.${d.state}`) }),
        ),
      ),
    ];
    panel.replaceChildren(
      heading,
      h('ul', {}, ...(rows.length ? rows : [h('li', {}, t('console.notifications.none'))])),
    );
  } catch (error) {
    panel.replaceChildren(heading, h('p', { class: 'status status-error' }, problemText(error)));
  }
  return panel;
}

/** E-mails that failed after their last retry, each with a retry button. */
export function failedDeliveriesSection(): HTMLElement {
  const list = h('ul', {
    class: 'console-list',
    id: 'failed-deliveries',
    'aria-labelledby': 'failed-heading',
  });
  const status = h('p', { class: 'status', role: 'status', hidden: true });
  const row = (d: Delivery): HTMLLIElement => {
    const item: HTMLLIElement = h(
      'li',
      { 'data-delivery': d.id },
      h('p', {}, h('span', { class: 'badge' }, d.kind), ' ', d.patronId),
      h(
        'p',
        { class: 'meta' },
        d.failedAt ? h('time', { datetime: d.failedAt }, formatDate(d.failedAt, true)) : null,
        d.reason ? ` · ${d.reason}` : '',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: async () => {
            try {
              await notificationAdmin.retry(d.id);
              item.remove();
              status.textContent = t('console.notifications.retried');
              status.hidden = false;
              announce(t('console.notifications.retried'));
            } catch (error) {
              status.textContent = problemText(error);
              status.hidden = false;
            }
          },
        },
        t('console.notifications.retry'),
      ),
    );
    return item;
  };
  void notificationAdmin
    .failed()
    .then((page) =>
      list.replaceChildren(
        ...(page.data.length ? page.data.map(row) : [h('li', {}, t('console.notifications.failedNone'))]),
      ),
    )
    .catch((error: unknown) => {
      status.textContent = problemText(error);
      status.hidden = false;
    });
  return h(
    'section',
    { 'aria-labelledby': 'failed-heading' },
    h('h3', { id: 'failed-heading' }, t('console.notifications.failedHeading')),
    status,
    list,
  );
}
