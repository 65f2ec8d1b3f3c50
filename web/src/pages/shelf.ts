import { api, type SuspendDays } from '../api/client';
import type { Hold, Loan, Title } from '../api/types';
import { announce, h } from '../dom';
import { formatDate, t } from '../i18n';
import { messageOf } from '../problem';
import { href, navigate } from '../router';
import { loadingNote } from './common';
import { toast } from '../toast';
import { holdStatus } from './hold-status';
import { isNetworkFailure } from '../offline-sync';
import { keepEngines } from '../pwa';
import {
  downloadCopy,
  keepOpenedBooks,
  listCopies,
  reconcile,
  removeCopy,
  setKeepOpenedBooks,
  type OfflineCopy,
} from '../readers/offline';

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
    if (isNetworkFailure(error)) return renderOfflineShelf(main);
    main.replaceChildren(h('h1', {}, t('shelf.title')), h('p', { role: 'alert' }, messageOf(error)));
    return;
  }
  // A definite list of loans: copies kept under loans that ended elsewhere go now.
  await reconcile(loans).catch(() => []);
  const kept = new Map((await listCopies().catch(() => [] as OfflineCopy[])).map((c) => [c.titleId, c]));
  // Loans and holds carry the title's id only: the titles are looked up (once each).
  const titles = await titlesOf([...loans, ...holds].map((x) => x.titleId));
  const titleOf = (x: Loan | Hold): Title | undefined => titles.get(x.titleId);
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
        offlineControl(loan, titleOf(loan), kept.get(loan.titleId), fail),
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
      holdStatus(hold),
      h(
        'div',
        { class: 'actions' },
        hold.status === 'reserved'
          ? borrowButton(hold, nameOf(hold), () => void renderShelf(main), fail)
          : hold.suspendedUntil
            ? resumeButton(hold, nameOf(hold), () => void renderShelf(main), fail)
            : deliverLater(hold, nameOf(hold), () => void renderShelf(main), fail),
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
    keepOpenedSetting(),
  );
}

/** Download a loan for offline reading, or remove the kept copy; the state is shown beside the button. */
function offlineControl(
  loan: Loan,
  title: Title | undefined,
  copy: OfflineCopy | undefined,
  fail: (error: unknown) => void,
): HTMLElement {
  const box = h('span', { class: 'offline-control' });
  const name = title?.title ?? loan.titleId;
  const show = (kept: OfflineCopy | undefined) => {
    if (kept) {
      const remove = h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'data-action': 'remove-download',
          onclick: async () => {
            await removeCopy(loan.titleId);
            show(undefined);
            announce(t('shelf.removedDownload', { title: name }));
          },
        },
        t('shelf.removeDownload'),
      );
      box.replaceChildren(
        h(
          'span',
          { class: 'badge offline-badge', 'data-offline': 'kept' },
          kept.expiresAt ? t('shelf.keptUntil', { date: formatDate(kept.expiresAt) }) : t('shelf.kept'),
        ),
        remove,
      );
      return;
    }
    const button: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-action': 'download',
        onclick: async () => {
          button.disabled = true;
          try {
            const [fullTitle, link] = await Promise.all([
              title ?? api.title(loan.titleId),
              api.access(loan.titleId),
            ]);
            const saved = await downloadCopy({
              title: fullTitle,
              link,
              loan,
              downloaded: true,
              onProgress: (fraction) => {
                button.textContent = t('shelf.downloading', { percent: Math.round(fraction * 100) });
              },
            });
            // The engine must open it offline too.
            await keepEngines().catch(() => false);
            show(saved);
            announce(t('shelf.downloaded', { title: name }));
          } catch (error) {
            button.disabled = false;
            button.textContent = t('shelf.download');
            if (error instanceof Error && !('problem' in error))
              announce(t('shelf.downloadFailed', { title: name }), 'error');
            else fail(error);
          }
        },
      },
      t('shelf.download'),
    );
    box.replaceChildren(button);
  };
  show(copy);
  return box;
}

function keepOpenedSetting(): HTMLElement {
  const box = h('input', {
    type: 'checkbox',
    id: 'keep-opened',
    checked: keepOpenedBooks(),
    onchange: (event: Event) => setKeepOpenedBooks((event.target as HTMLInputElement).checked),
  });
  return h('p', { class: 'setting' }, box, ' ', h('label', { for: 'keep-opened' }, t('shelf.keepOpened')));
}

/** Without the network: the books kept on this device, each opening from its copy. */
async function renderOfflineShelf(main: HTMLElement): Promise<void> {
  const copies = await listCopies().catch(() => [] as OfflineCopy[]);
  main.replaceChildren(
    h('h1', {}, t('shelf.title')),
    h('p', { class: 'note', role: 'status' }, t('shelf.offlineNote')),
    h('h2', { id: 'device-heading' }, t('shelf.onDevice')),
    copies.length
      ? h(
          'ul',
          { class: 'shelf-list', 'aria-labelledby': 'device-heading', id: 'offline-list' },
          ...copies.map((copy) =>
            h(
              'li',
              { 'data-title-id': copy.titleId },
              h('h3', {}, copy.title.title),
              h(
                'p',
                { class: 'meta due' },
                copy.expiresAt ? t('shelf.keptUntil', { date: formatDate(copy.expiresAt) }) : t('shelf.kept'),
              ),
              h(
                'div',
                { class: 'actions' },
                h('a', { class: 'button', href: href.read(copy.titleId) }, t('title.read')),
              ),
            ),
          ),
        )
      : h('p', {}, t('shelf.noneOnDevice')),
  );
}

async function titlesOf(ids: string[]): Promise<Map<string, Title>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map((id) => api.title(id).catch(() => undefined)));
  return new Map(found.filter((x) => x !== undefined).map((x) => [x.id, x]));
}

/** The one call to action of a reserved hold: borrow it here (default loan period). */
function borrowButton(hold: Hold, name: string, done: () => void, fail: (error: unknown) => void) {
  const key = crypto.randomUUID();
  const button: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'borrow-reserved',
      onclick: async () => {
        button.disabled = true;
        try {
          // The same key on a retry: a double click never makes a second loan.
          const loan = await api.borrow(hold.titleId, 14, key);
          done();
          announce(t('title.borrowed', { date: formatDate(loan.expiresAt) }));
        } catch (error) {
          button.disabled = false;
          fail(error);
        }
      },
    },
    t('title.borrow'),
  );
  button.setAttribute('aria-label', `${t('title.borrow')}: ${name}`);
  return button;
}

/** The periods POST /holds/{id}/suspend takes: one the API stops taking fails the type check here. */
const suspensions = [7, 14, 28] as const satisfies readonly SuspendDays[];

/** "Deliver later": 7, 14 or 28 days, keeping the place in line. */
function deliverLater(hold: Hold, name: string, done: () => void, fail: (error: unknown) => void) {
  const id = `suspend-${hold.id}`;
  const select = h(
    'select',
    { id, name: 'days' },
    suspensions.map((days) => h('option', { value: days }, t('title.days', { days }))),
  );
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'deliver-later',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const days = suspensions.find((period) => period === Number(select.value)) ?? 14;
        const button = form.querySelector('button')!;
        button.disabled = true;
        try {
          const suspended = await api.suspendHold(hold.id, days);
          done();
          announce(t('hold.suspended', { title: name, date: formatDate(suspended.suspendedUntil ?? '') }));
        } catch (error) {
          button.disabled = false;
          fail(error);
        }
      },
    },
    h('label', { for: id }, t('hold.deliverLaterFor')),
    select,
    h('button', { type: 'submit', class: 'secondary' }, t('hold.deliverLater')),
  );
  return form;
}

function resumeButton(hold: Hold, name: string, done: () => void, fail: (error: unknown) => void) {
  const button: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: async () => {
        button.disabled = true;
        try {
          await api.resumeHold(hold.id);
          done();
          announce(t('hold.resumed', { title: name }));
        } catch (error) {
          button.disabled = false;
          fail(error);
        }
      },
    },
    t('hold.resume'),
  );
  return button;
}
