import { h } from '../dom';
import { formatDate, t, type MessageKey } from '../i18n';
import type { Cleanup } from '../main';
import { admin, type AuditEntry, type AuditFilter } from './api';
import { problemText } from './problem';

/** The actions routes record (functions/http/routes/admin-*.ts), offered as suggestions; any other may be typed. */
const knownActions = [
  'title.create',
  'title.edit',
  'title.withdraw',
  'licence.add',
  'licence.deactivate',
  'licence.reactivate',
  'patron.enrol',
  'patron.edit',
  'patron.block',
  'patron.unblock',
  'patron.reset-pin',
  'patron.import',
  'upload.start',
  'upload.complete',
  'upload.renew-parts',
  'upload.abort',
  'counter.credential.issue',
  'counter.credential.revoke',
];
type TargetType = NonNullable<AuditFilter['targetType']>;
/** The target types GET /admin/audit filters on, offered in the form. */
const targetTypes = [
  'upload',
  'title',
  'licence',
  'patron',
  'import',
  'collection',
] as const satisfies readonly TargetType[];
// All of them: a type the API adds fails the type check here until it is offered.
const _everyTargetType: Exclude<TargetType, (typeof targetTypes)[number]> extends never ? true : false = true;

/** A template's text with `{name}` replaced by a node (so a name or id can be an element in a sentence). */
function withNode(template: string, name: string, node: Node): (string | Node)[] {
  const [before = '', after = ''] = template.split(`{${name}}`);
  return [before, node, after];
}

/**
 * An id as "Name (id…)" when the API named it: the id is kept whole in the text (shortened on screen, whole on
 * hover, in a copy and to a screen reader); an id without a name is shown as it is.
 */
function reference(id: string, names: Record<string, string> | undefined): HTMLElement {
  const idNode = h('code', { class: 'audit-id', title: id }, id);
  const name = names?.[id];
  if (name === undefined) return h('span', { class: 'audit-ref' }, h('code', {}, id));
  return h('span', { class: 'audit-ref' }, name, ' ', h('span', { class: 'audit-paren' }, '(', idNode, ')'));
}

function entryItem(entry: AuditEntry): HTMLLIElement {
  const licenceTitle = typeof entry.details?.['titleId'] === 'string' ? entry.details['titleId'] : undefined;
  return h(
    'li',
    {},
    h('time', { datetime: entry.at }, formatDate(entry.at, true)),
    h(
      'p',
      {},
      h('strong', {}, entry.action),
      entry.targetId ? [` ${entry.targetType ?? ''} `, reference(entry.targetId, entry.names)] : '',
      licenceTitle && licenceTitle !== entry.targetId
        ? [` · ${t('console.audit.target.title')} `, reference(licenceTitle, entry.names)]
        : '',
      ' ',
      ...withNode(t('audit.by'), 'actor', reference(entry.actor, entry.names)),
      entry.outcome === 'refused'
        ? h('span', { class: 'badge' }, `${t('audit.refused')} ${entry.code ?? entry.status}`)
        : null,
    ),
  );
}

function field(id: string, label: MessageKey, control: HTMLInputElement | HTMLSelectElement): HTMLElement {
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, t(label)), control);
}

export function renderAudit(body: HTMLElement): Cleanup {
  const list = h('ul', {
    class: 'console-list audit-list',
    id: 'audit-list',
    'aria-labelledby': 'audit-heading',
  });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('audit.more'));
  const status = h('p', { class: 'status status-error', role: 'alert', hidden: true });
  let filter: AuditFilter = {};
  let cursor: string | null = null;
  // A page asked for under other filters is dropped when it arrives late.
  let generation = 0;
  const load = async () => {
    const asked = generation;
    more.disabled = true;
    try {
      const page = await admin.audit(filter, cursor ?? undefined);
      if (asked !== generation) return;
      cursor = page.cursor;
      list.append(...page.data.map(entryItem));
      if (!list.childElementCount) {
        list.append(h('li', {}, t(Object.keys(filter).length ? 'console.audit.noneMatch' : 'audit.none')));
      }
      more.hidden = !cursor;
    } catch (error) {
      if (asked !== generation) return;
      status.textContent = problemText(error);
      status.hidden = false;
    } finally {
      more.disabled = false;
    }
  };
  const restart = (next: AuditFilter) => {
    generation += 1;
    filter = next;
    cursor = null;
    status.hidden = true;
    more.hidden = true;
    list.replaceChildren();
    void load();
  };
  more.addEventListener('click', () => void load());

  const inputs = {
    action: h('input', { list: 'audit-actions', autocomplete: 'off', maxlength: 64 }),
    actor: h('input', { autocomplete: 'off', maxlength: 128 }),
    targetType: h(
      'select',
      {},
      h('option', { value: '' }, t('console.audit.any')),
      targetTypes.map((type) => h('option', { value: type }, t(`console.audit.target.${type}`))),
    ),
    targetId: h('input', { autocomplete: 'off', maxlength: 128 }),
    from: h('input', { type: 'date' }),
    to: h('input', { type: 'date' }),
  };
  const form: HTMLFormElement = h(
    'form',
    {
      id: 'audit-filters',
      'aria-labelledby': 'audit-filters-heading',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const next: AuditFilter = {};
        const action = inputs.action.value.trim();
        const actor = inputs.actor.value.trim();
        const targetId = inputs.targetId.value.trim();
        if (action) next.action = action;
        if (actor) next.actor = actor;
        const targetType = targetTypes.find((type) => type === inputs.targetType.value);
        if (targetType) next.targetType = targetType;
        if (targetId) next.targetId = targetId;
        // Whole days in the librarian's time zone, both ends included (the API takes ISO times, inclusive).
        if (inputs.from.value) next.from = new Date(`${inputs.from.value}T00:00:00`).toISOString();
        if (inputs.to.value) next.to = new Date(`${inputs.to.value}T23:59:59.999`).toISOString();
        // The API's own rules, so a librarian learns them here rather than from a 400.
        const refusal =
          next.targetId && !next.targetType
            ? t('console.audit.targetIdNeedsType')
            : next.from && next.to && next.from > next.to
              ? t('console.audit.badRange')
              : undefined;
        if (refusal) {
          status.textContent = refusal;
          status.hidden = false;
          return;
        }
        restart(next);
      },
      onreset: () => restart({}),
    },
    h('h3', { id: 'audit-filters-heading' }, t('console.audit.filters')),
    h(
      'div',
      { class: 'audit-filters' },
      field('audit-action', 'console.audit.action', inputs.action),
      field('audit-actor', 'console.audit.actor', inputs.actor),
      field('audit-target-type', 'console.audit.targetType', inputs.targetType),
      field('audit-target-id', 'console.audit.targetId', inputs.targetId),
      field('audit-from', 'console.audit.from', inputs.from),
      field('audit-to', 'console.audit.to', inputs.to),
    ),
    h(
      'datalist',
      { id: 'audit-actions' },
      knownActions.map((action) => h('option', { value: action })),
    ),
    h(
      'div',
      { class: 'row-actions' },
      h('button', { type: 'submit' }, t('console.audit.apply')),
      h('button', { type: 'reset', class: 'secondary' }, t('console.audit.clear')),
    ),
  );
  body.replaceChildren(h('h2', { id: 'audit-heading' }, t('audit.heading')), form, status, list, more);
  void load();
}
