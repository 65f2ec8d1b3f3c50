import { ApiError } from '../api/client';
import type { Loan } from '../api/types';

/**
 * Watches the loan a licensed book is read on, so the book closes when the loan ends — at its end time, or
 * when the API says it ended elsewhere (returned on another device, ended by a librarian). One watcher serves
 * both reading engines: the reader shell owns it.
 *
 * The end time is checked by a short repeating timer, never one long `setTimeout`: timers stop while a laptop
 * sleeps and a long one may fire hours late. Waking up (`visibilitychange`, `focus`, `online`) checks the clock at
 * once and asks the API whether the loan still stands. Only a definite answer closes the book: a network failure
 * or a server error keeps it open (the patron may be reading offline) and the question is asked again later.
 */

/** How the watcher learns about the loan; `undefined` from `find` means the patron has no active loan. */
export interface LoanSource {
  /** GET /loans/{id}. */
  get(loanId: string): Promise<Loan>;
  /** The patron's active loan of the title (GET /me/loans), used while the loan's id is not known yet. */
  find(): Promise<Loan | undefined>;
}

/** What the watcher needs of a loan: the API's, or offline the one a kept copy remembers. */
export type WatchedLoan = Pick<Loan, 'id' | 'status' | 'expiresAt'>;

export interface LoanWatchOptions {
  /** The loan as the reader found it on opening; undefined when that look-up failed (it is retried). */
  loan: WatchedLoan | undefined;
  source: LoanSource;
  /** Called once, when the loan has ended. */
  onEnded(): void;
  now?: () => number;
}

/** The longest the watcher sleeps between looks at the clock. */
export const clockTickMs = 30_000;
/** After a failed API check, how long before the next tick asks again (visibility and focus ask at once). */
export const retryAfterMs = 60_000;

/** Whether a loan from the API still lets its patron read (the server refuses links past `expiresAt`). */
export function isLoanCurrent(loan: WatchedLoan, now: number): boolean {
  return loan.status === 'active' && Date.parse(loan.expiresAt) > now;
}

/** Starts watching; returns a function that stops it (the book was closed for another reason). */
export function watchLoan(options: LoanWatchOptions): () => void {
  const now = options.now ?? Date.now;
  let loanId = options.loan?.id;
  let endsAt = options.loan ? Date.parse(options.loan.expiresAt) : Number.POSITIVE_INFINITY;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let checking: Promise<void> | undefined;
  /** When the API should be asked again without waiting for the tab to wake (a check failed, or none ran). */
  let askAgainAt: number | undefined = options.loan ? undefined : now();

  const end = () => {
    if (stopped) return;
    stop();
    options.onEnded();
  };

  const checkClock = () => {
    if (now() >= endsAt) end();
  };

  const checkApi = (): Promise<void> => {
    checking ??= (async () => {
      try {
        const loan = loanId ? await options.source.get(loanId) : await options.source.find();
        if (stopped) return;
        askAgainAt = undefined;
        if (!loan || !isLoanCurrent(loan, now())) {
          end();
          return;
        }
        // Renewed elsewhere: the book stays open until the new end.
        loanId = loan.id;
        endsAt = Date.parse(loan.expiresAt);
        schedule();
      } catch (error) {
        if (stopped) return;
        // 404: the loan is not the patron's (any more). Anything else says nothing about the loan: try later.
        if (error instanceof ApiError && error.status === 404) end();
        else askAgainAt = now() + retryAfterMs;
      }
    })().finally(() => {
      checking = undefined;
    });
    return checking;
  };

  const tick = () => {
    timer = undefined;
    if (stopped) return;
    checkClock();
    if (stopped) return;
    if (askAgainAt !== undefined && now() >= askAgainAt && document.visibilityState === 'visible') {
      void checkApi();
    }
    schedule();
  };

  const schedule = () => {
    if (stopped) return;
    clearTimeout(timer);
    // Wake at the end time if it is near, else look again in a while (the clock may have jumped meanwhile).
    const untilEnd = endsAt - now();
    timer = setTimeout(tick, Math.max(0, Math.min(untilEnd, clockTickMs)));
  };

  const onWake = () => {
    if (document.visibilityState !== 'visible') return;
    checkClock();
    if (!stopped) void checkApi();
  };

  function stop() {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onWake);
    window.removeEventListener('focus', onWake);
    window.removeEventListener('online', onWake);
  }

  document.addEventListener('visibilitychange', onWake);
  window.addEventListener('focus', onWake);
  window.addEventListener('online', onWake);
  checkClock();
  schedule();
  if (!options.loan) void checkApi();
  return stop;
}
