import { api } from '../api/client';
import {
  notifications,
  notificationKinds,
  type NotificationKind,
  type NotificationSettings,
} from '../api/notifications';
import { announce, h } from '../dom';
import { t } from '../i18n';
import { messageOf } from '../problem';
import { href, navigate } from '../router';
import { loadingNote } from './common';

/**
 * The notification part of "My account": the e-mail address (used once its confirmation link is followed)
 * and which kinds come by e-mail (in the app they always do). Renders into `element`, so the account page
 * can place it among its own sections; `#/account/notifications` shows it alone.
 */
export async function renderNotificationSettings(element: HTMLElement): Promise<void> {
  element.replaceChildren(loadingNote());
  let settings: NotificationSettings;
  try {
    settings = await notifications.settings();
  } catch (error) {
    element.replaceChildren(h('p', { role: 'alert' }, messageOf(error)));
    return;
  }

  const status = h('p', { class: 'status', role: 'status', hidden: true });
  const say = (message: string, kind: 'info' | 'error' = 'info') => {
    status.className = kind === 'error' ? 'status status-error' : 'status';
    status.textContent = message;
    status.hidden = false;
  };

  const addressNote = (s: NotificationSettings) =>
    h(
      'p',
      { id: 'email-state' },
      s.pendingEmail
        ? t('account.notifications.pending', { email: s.pendingEmail })
        : s.email
          ? t('account.notifications.verified', { email: s.email })
          : t('account.notifications.noEmail'),
    );
  let note = addressNote(settings);

  const emailInput = h('input', {
    id: 'notify-email',
    type: 'email',
    autocomplete: 'email',
    required: true,
    maxlength: 254,
    value: settings.pendingEmail ?? settings.email ?? '',
  });
  const emailForm = h(
    'form',
    {
      'aria-labelledby': 'notify-email-heading',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        try {
          const updated = await notifications.setEmail(emailInput.value.trim());
          const fresh = addressNote(updated);
          note.replaceWith(fresh);
          note = fresh;
          say(t('account.notifications.emailSent', { email: updated.pendingEmail ?? emailInput.value }));
        } catch (error) {
          say(messageOf(error), 'error');
        }
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'notify-email' }, t('account.notifications.email')),
      emailInput,
    ),
    h('button', { type: 'submit' }, t('account.notifications.saveEmail')),
  );

  const boxes = notificationKinds.map((kind) =>
    h('input', {
      type: 'checkbox',
      id: `notify-kind-${kind}`,
      name: 'kind',
      value: kind,
      checked: !settings.emailOff.includes(kind),
    }),
  );
  const prefsForm = h(
    'form',
    {
      onsubmit: async (event: Event) => {
        event.preventDefault();
        try {
          const off = boxes.filter((b) => !b.checked).map((b) => b.value as NotificationKind);
          await notifications.setEmailOff(off);
          say(t('account.notifications.prefsSaved'));
          announce(t('account.notifications.prefsSaved'));
        } catch (error) {
          say(messageOf(error), 'error');
        }
      },
    },
    h(
      'fieldset',
      {},
      h('legend', {}, t('account.notifications.prefs')),
      ...boxes.map((box, i) =>
        h(
          'div',
          { class: 'check' },
          box,
          h('label', { for: box.id }, t(`account.notifications.kind.${notificationKinds[i]!}`)),
        ),
      ),
    ),
    h('p', { class: 'meta' }, t('account.notifications.inApp')),
    h('button', { type: 'submit' }, t('account.notifications.savePrefs')),
  );

  element.replaceChildren(
    h(
      'section',
      { 'aria-labelledby': 'notify-email-heading' },
      h('h2', { id: 'notify-email-heading' }, t('account.notifications.heading')),
      note,
      emailForm,
      prefsForm,
      status,
    ),
  );
}

/** `#/account/notifications`: the section alone, under its own heading. */
export async function renderAccountNotifications(main: HTMLElement): Promise<void> {
  document.title = `${t('notify.settings')} · ${t('app.name')}`;
  if (!api.session) {
    navigate(href.signin('#/account/notifications'));
    return;
  }
  const section = h('div');
  main.replaceChildren(h('h1', {}, t('notify.settings')), section);
  await renderNotificationSettings(section);
}
