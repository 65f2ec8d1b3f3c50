import { api } from '../api/client';
import type { components } from '../api/contract';
import type { ProblemCodeOf, RequestBody } from '../api/types';
import { announce, h } from '../dom';
import { t, type MessageKey } from '../i18n';
import { messageOf } from '../problem';
import { href, navigate } from '../router';

/** POST /me/suggestions' answer, generated from the OpenAPI document: a new outcome without its message fails here. */
type SuggestionReceipt = components['schemas']['SuggestionReceipt'];
/** The refusals POST /me/suggestions documents; the two that point at a field are checked against them. */
type SuggestRefusal = ProblemCodeOf<'/me/suggestions', 'post'>;
const isbnInvalid: SuggestRefusal = 'ISBN_INVALID';
const titleInvalid: SuggestRefusal = 'SUGGESTION_TITLE_INVALID';

const outcomeMessage: Record<SuggestionReceipt['outcome'], MessageKey> = {
  created: 'suggest.created',
  counted: 'suggest.counted',
  'already-suggested': 'suggest.already',
};

function field(
  id: string,
  label: MessageKey,
  control: HTMLInputElement | HTMLTextAreaElement,
  hint?: MessageKey,
): HTMLElement {
  control.id = id;
  control.name = id;
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, t(label)),
    control,
    hint ? h('p', { class: 'meta', id: `${id}-hint` }, t(hint)) : null,
  );
}

/**
 * "Suggest a title" (#/suggest?title=…): a signed-in patron asks the library to buy a book it does not have.
 * Suggestions are deduplicated and counted on the server; nobody is shown who asked.
 */
export function renderSuggest(main: HTMLElement, params: URLSearchParams): void {
  document.title = `${t('suggest.title')} · ${t('app.name')}`;
  const here = href.suggest(params.get('title') ?? undefined);
  if (!api.session) {
    main.replaceChildren(
      h('h1', {}, t('suggest.title')),
      h('p', {}, t('suggest.intro')),
      h('p', {}, h('a', { href: href.signin(here) }, t('suggest.signin'))),
    );
    return;
  }
  const title = h('input', {
    type: 'text',
    required: true,
    maxlength: 300,
    autocomplete: 'off',
    value: params.get('title') ?? '',
  });
  const author = h('input', { type: 'text', required: true, maxlength: 200, autocomplete: 'off' });
  const isbn = h('input', { type: 'text', inputmode: 'numeric', maxlength: 40, autocomplete: 'off' });
  const note = h('textarea', { maxlength: 500, rows: 3 });
  const status = h('p', { id: 'suggest-status', role: 'status' });
  const error = h('p', { id: 'suggest-error', class: 'status status-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit' }, t('suggest.submit'));
  const form: HTMLFormElement = h(
    'form',
    {
      id: 'suggest-form',
      'aria-labelledby': 'suggest-heading',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        error.hidden = true;
        status.textContent = '';
        submit.disabled = true;
        try {
          const receipt = await api.request<SuggestionReceipt>('POST', '/me/suggestions', {
            body: {
              title: title.value,
              author: author.value,
              ...(isbn.value.trim() ? { isbn: isbn.value.trim() } : {}),
              ...(note.value.trim() ? { note: note.value.trim() } : {}),
            } satisfies RequestBody<'/me/suggestions', 'post'>,
          });
          status.textContent = t(outcomeMessage[receipt.outcome]);
          status.dataset.outcome = receipt.outcome;
          announce(t(outcomeMessage[receipt.outcome]));
          form.reset();
          title.focus();
        } catch (problem) {
          error.textContent = messageOf(problem);
          error.hidden = false;
          const code = (problem as { code?: string }).code;
          if (code === isbnInvalid) isbn.focus();
          else if (code === titleInvalid) title.focus();
          // Not typed against the operation: its 401 lists no codes in the document (it is the sign-in gate's).
          if (code === 'UNAUTHORIZED' || code === 'INVALID_TOKEN') navigate(href.signin(here));
        } finally {
          submit.disabled = false;
        }
      },
    },
    field('suggest-title', 'suggest.titleField', title),
    field('suggest-author', 'suggest.author', author),
    field('suggest-isbn', 'suggest.isbn', isbn, 'suggest.isbnHint'),
    field('suggest-note', 'suggest.note', note),
    submit,
  );
  main.replaceChildren(
    h('h1', { id: 'suggest-heading' }, t('suggest.title')),
    h('p', {}, t('suggest.intro')),
    form,
    error,
    status,
  );
}
