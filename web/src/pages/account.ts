import { api } from '../api/client';
import { announce, h } from '../dom';
import { language, setLanguage, t, type Language } from '../i18n';
import { messageOf } from '../problem';
import { href, navigate } from '../router';
import { renderNotificationSettings } from './account-notifications';

const pinPattern = '[0-9]{4,12}';

/**
 * My account: the patron's own PIN and language, then the e-mail address and notification preferences (a
 * section of their own, web/src/pages/account-notifications.ts, also reachable alone at #/account/notifications).
 */
export function renderAccount(main: HTMLElement): Promise<void> | void {
  document.title = `${t('account.title')} · ${t('app.name')}`;
  const session = api.session;
  if (!session) {
    navigate(href.signin(href.account()));
    return;
  }
  main.replaceChildren(
    h('h1', {}, t('account.title')),
    h(
      'p',
      { class: 'meta' },
      session.patron.name,
      ' · ',
      t('account.card', { card: session.patron.cardNumber }),
    ),
    pinSection(),
    languageSection(),
    h('p', { class: 'suggest-link' }, h('a', { href: href.suggest() }, t('suggest.link'))),
  );
  const notifications = h('section', { id: 'account-notifications', 'aria-live': 'polite' });
  main.append(notifications);
  return renderNotificationSettings(notifications);
}

function pinField(id: string, label: string, autocomplete: string, hint?: string): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('input', {
      id,
      name: id,
      type: 'password',
      inputmode: 'numeric',
      pattern: pinPattern,
      minlength: 4,
      maxlength: 12,
      required: true,
      autocomplete,
      ...(hint ? { 'aria-describedby': `${id}-hint` } : {}),
    }),
    hint ? h('p', { class: 'meta', id: `${id}-hint` }, hint) : null,
  );
}

function pinSection(): HTMLElement {
  const status = h('p', { id: 'pin-status', role: 'status', hidden: true });
  const say = (message: string, kind: 'ok' | 'error') => {
    status.textContent = message;
    status.className = kind === 'error' ? 'status status-error' : 'status';
    status.hidden = false;
  };
  const form: HTMLFormElement = h(
    'form',
    {
      id: 'change-pin',
      'aria-labelledby': 'pin-heading',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const data = new FormData(form);
        const current = String(data.get('current-pin') ?? '');
        const next = String(data.get('new-pin') ?? '');
        const again = String(data.get('new-pin-again') ?? '');
        status.hidden = true;
        if (next !== again) {
          say(t('account.pinMismatch'), 'error');
          (form.elements.namedItem('new-pin-again') as HTMLInputElement).focus();
          return;
        }
        const button = form.querySelector('button')!;
        button.disabled = true;
        try {
          await api.changePin(current, next);
          form.reset();
          say(t('account.pinChanged'), 'ok');
        } catch (error) {
          say(messageOf(error), 'error');
        } finally {
          button.disabled = false;
        }
      },
    },
    pinField('current-pin', t('account.currentPin'), 'current-password'),
    pinField('new-pin', t('account.newPin'), 'new-password', t('account.pinHint')),
    pinField('new-pin-again', t('account.newPinAgain'), 'new-password'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('account.changePin'))),
    status,
  );
  return h('section', {}, h('h2', { id: 'pin-heading' }, t('account.pinHeading')), form);
}

function languageSection(): HTMLElement {
  const select = h(
    'select',
    { id: 'account-language', name: 'language', 'aria-describedby': 'account-language-hint' },
    h('option', { value: 'id', selected: language() === 'id' }, 'Bahasa Indonesia'),
    h('option', { value: 'en', selected: language() === 'en' }, 'English'),
  );
  const form: HTMLFormElement = h(
    'form',
    {
      id: 'account-language-form',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const chosen = select.value as Language;
        try {
          await api.saveLanguage(chosen);
          // Re-renders the page in the language chosen; the announcement follows in it.
          setLanguage(chosen);
          setTimeout(() => announce(t('account.languageSaved')));
        } catch (error) {
          announce(messageOf(error), 'error');
        }
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'account-language' }, t('account.languageHeading')),
      select,
      h('p', { class: 'meta', id: 'account-language-hint' }, t('account.languageHint')),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('account.saveLanguage'))),
  );
  return h('section', {}, h('h2', {}, t('account.languageHeading')), form);
}
