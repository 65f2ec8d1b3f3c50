import { api, ApiError } from '../api/client';
import { announce, h } from '../dom';
import { t } from '../i18n';
import { href, navigate } from '../router';

export function renderSignIn(main: HTMLElement, next: string | undefined): void {
  document.title = `${t('signin.title')} · ${t('app.name')}`;
  const card = h('input', {
    id: 'card',
    name: 'card',
    inputmode: 'numeric',
    autocomplete: 'username',
    required: true,
    maxlength: 32,
  });
  const pin = h('input', {
    id: 'pin',
    name: 'pin',
    type: 'password',
    inputmode: 'numeric',
    autocomplete: 'current-password',
    required: true,
    maxlength: 16,
  });
  const submit = h('button', { type: 'submit' }, t('signin.submit'));
  const error = h('p', { id: 'signin-error', class: 'status status-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    {
      'aria-labelledby': 'signin-heading',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        submit.disabled = true;
        error.hidden = true;
        try {
          const session = await api.signIn(card.value.trim(), pin.value);
          // Only app routes are followed after sign-in (never an outside URL).
          const target = next && next.startsWith('#/') ? next : href.catalogue();
          navigate(target);
          announce(t('signin.welcome', { name: session.patron.name }));
        } catch (caught) {
          const code = caught instanceof ApiError ? caught.code : '';
          error.textContent =
            code === 'ACCOUNT_LOCKED'
              ? t('signin.locked')
              : code === 'RATE_LIMITED'
                ? t('signin.rateLimited')
                : code === 'NETWORK'
                  ? t('common.offline')
                  : t('signin.failed');
          error.hidden = false;
          pin.value = '';
          pin.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'card' }, t('signin.card')), card),
    h('div', { class: 'field' }, h('label', { for: 'pin' }, t('signin.pin')), pin),
    error,
    submit,
  );
  main.replaceChildren(
    h('h1', { id: 'signin-heading' }, t('signin.title')),
    h('p', {}, t('signin.needed')),
    form,
    h('p', { class: 'signin-or' }, t('campus.or')),
    h(
      'a',
      { class: 'button', id: 'campus-signin', href: href.campus(next?.startsWith('#/') ? next : undefined) },
      t('campus.button'),
    ),
  );
}
