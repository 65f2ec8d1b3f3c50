import { ApiError } from '../api/client';
import { h } from '../dom';
import { formatDate, t } from '../i18n';
import type { Cleanup } from '../main';
import { admin, type AuditEntry } from './api';

function entryItem(entry: AuditEntry): HTMLLIElement {
  return h(
    'li',
    {},
    h('time', { datetime: entry.at }, formatDate(entry.at, true)),
    h(
      'p',
      {},
      h('strong', {}, entry.action),
      entry.targetId ? ` ${entry.targetType ?? ''} ${entry.targetId}` : '',
      ' ',
      t('audit.by', { actor: entry.actor }),
      entry.outcome === 'refused'
        ? h('span', { class: 'badge' }, `${t('audit.refused')} ${entry.code ?? entry.status}`)
        : null,
    ),
  );
}

export function renderAudit(body: HTMLElement): Cleanup {
  const list = h('ul', {
    class: 'console-list audit-list',
    id: 'audit-list',
    'aria-labelledby': 'audit-heading',
  });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('audit.more'));
  const status = h('p', { class: 'status status-error', role: 'alert', hidden: true });
  let cursor: string | null = null;
  const load = async () => {
    more.disabled = true;
    try {
      const page = await admin.audit(cursor ?? undefined);
      cursor = page.cursor;
      list.append(...page.data.map(entryItem));
      if (!list.childElementCount) list.append(h('li', {}, t('audit.none')));
      more.hidden = !cursor;
    } catch (error) {
      status.textContent =
        error instanceof ApiError ? `${error.problem.detail} (${error.code})` : (error as Error).message;
      status.hidden = false;
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => void load());
  body.replaceChildren(h('h2', { id: 'audit-heading' }, t('audit.heading')), status, list, more);
  void load();
}
