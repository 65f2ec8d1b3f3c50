import { api } from '../api/client';
import type { Hold, Loan, Title } from '../api/types';
import { announce, h } from '../dom';
import { formatDate, t } from '../i18n';
import { messageOf } from '../problem';
import { href, navigate } from '../router';
import { loadingNote } from './common';
import { toast } from '../toast';

export async function renderShelf(main: HTMLElement): Promise<void> {
  document.title = `${t('shelf.title')} · ${t('app.name')}`;
  if (!api.session) {
    navigate(href.signin(href.shelf()));
    return;
  }
  main.replaceChildren(h('h1', {}, t('shelf.title')), loadingNote());
  let loans: Loan[];
  let holds: Hold[];
  try {
    [loans, holds] = await Promise.all([api.loans(), api.holds()]);
  } catch (error) {
    main.replaceChildren(h('h1', {}, t('shelf.title')), h('p', { role: 'alert' }, messageOf(error)));
    return;
  }
  const titles = await titlesOf([...loans, ...holds].filter((x) => !x.title).map((x) => x.titleId));
  const titleOf = (x: Loan | Hold): Title | undefined => x.title ?? titles.get(x.titleId);
  const nameOf = (x: Loan | Hold) => titleOf(x)?.title ?? x.titleId;

  const activeLoans = loans.filter((l) => l.status === 'active');
  const liveHolds = holds.filter((x) => x.status === 'waiting' || x.status === 'reserved');
  const loanList = h('ul', { class: 'shelf-list', 'aria-labelledby': 'loans-heading' });
  const holdList = h('ul', { class: 'shelf-list', 'aria-labelledby': 'holds-heading' });

  // A toast, inside the viewport wherever the shelf is scrolled (the refusal must be seen where it happens).
  const fail = (error: unknown) => toast(messageOf(error), 'error');

  for (const loan of activeLoans) {
    const due = h('p', { class: 'meta due' }, t('shelf.due', { date: formatDate(loan.expiresAt) }));
    const item: HTMLElement = h(
      'li',
      { 'data-loan-id': loan.id },
      h('h3', {}, h('a', { href: href.title(loan.titleId) }, nameOf(loan))),
      due,
      h(
        'div',
        { class: 'actions' },
        h('a', { class: 'button', href: href.read(loan.titleId) }, t('title.read')),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: async () => {
              try {
                const renewed = await api.renewLoan(loan.id);
                due.textContent = t('shelf.due', { date: formatDate(renewed.expiresAt) });
                announce(t('shelf.renewed', { date: formatDate(renewed.expiresAt) }));
              } catch (error) {
                fail(error);
              }
            },
          },
          t('shelf.renew'),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              if (!confirm(t('shelf.returnConfirm', { title: nameOf(loan) }))) return;
              try {
                await api.returnLoan(loan.id);
                item.remove();
                if (!loanList.children.length) loanList.replaceWith(h('p', {}, t('shelf.noLoans')));
                announce(t('shelf.returned', { title: nameOf(loan) }));
              } catch (error) {
                fail(error);
              }
            },
          },
          t('shelf.return'),
        ),
      ),
    );
    loanList.append(item);
  }

  for (const hold of liveHolds) {
    const item: HTMLElement = h(
      'li',
      { 'data-hold-id': hold.id },
      h('h3', {}, h('a', { href: href.title(hold.titleId) }, nameOf(hold))),
      hold.status === 'reserved' && hold.reservedUntil
        ? h('p', { class: 'meta' }, t('shelf.reservedUntil', { date: formatDate(hold.reservedUntil, true) }))
        : hold.position
          ? h('p', { class: 'meta' }, t('shelf.position', { position: hold.position }))
          : null,
      h(
        'div',
        { class: 'actions' },
        hold.status === 'reserved'
          ? h('a', { class: 'button', href: href.title(hold.titleId) }, t('title.borrow'))
          : null,
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              try {
                await api.cancelHold(hold.id);
                item.remove();
                if (!holdList.children.length) holdList.replaceWith(h('p', {}, t('shelf.noHolds')));
                announce(t('shelf.holdCancelled', { title: nameOf(hold) }));
              } catch (error) {
                fail(error);
              }
            },
          },
          t('shelf.cancelHold'),
        ),
      ),
    );
    holdList.append(item);
  }

  main.replaceChildren(
    h('h1', {}, t('shelf.title')),
    h('h2', { id: 'loans-heading' }, t('shelf.loans')),
    activeLoans.length ? loanList : h('p', {}, t('shelf.noLoans')),
    h('h2', { id: 'holds-heading' }, t('shelf.holds')),
    liveHolds.length ? holdList : h('p', {}, t('shelf.noHolds')),
  );
}

async function titlesOf(ids: string[]): Promise<Map<string, Title>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map((id) => api.title(id).catch(() => undefined)));
  return new Map(found.filter((x): x is Title => !!x).map((x) => [x.id, x]));
}
