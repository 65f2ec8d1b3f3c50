import { api, ApiError } from './api/client';
import { flushOutbox, purgeEnded, reconcile, type OutboxEntry } from './readers/offline';

/** The request never reached the API (no network): worth keeping and trying again. */
export function isNetworkFailure(error: unknown): boolean {
  return (error instanceof ApiError && error.code === 'NETWORK') || error instanceof TypeError;
}

function send(entry: OutboxEntry): Promise<void> {
  const path = (kind: string) => `/me/${kind}/${encodeURIComponent(entry.titleId)}`;
  if (entry.kind === 'progress') {
    // The time the position was reached goes along: the server keeps the newest of all devices' positions.
    return api.request('PUT', path('progress'), {
      body: { locator: entry.locator, modified: entry.modified, device: entry.device },
    });
  }
  if (entry.kind === 'unbookmark') {
    // Already gone (removed on another device) is an answer too: the entry leaves the queue either way.
    return api.request('DELETE', `${path('bookmarks')}/${encodeURIComponent(entry.bookmarkId)}`);
  }
  return api.request('POST', path('bookmarks'), {
    body: { locator: entry.locator, ...(entry.label ? { label: entry.label } : {}) },
  });
}

let syncing: Promise<void> | undefined;

/**
 * Sends what was done offline and drops the kept copies whose loans are over: by the clock at once, and by the
 * API's list of loans when it answers (a loan returned on another device while this one was away).
 */
export function syncOffline(): Promise<void> {
  syncing ??= (async () => {
    await purgeEnded();
    if (!api.session || !navigator.onLine) return;
    await flushOutbox(send, isNetworkFailure).catch(() => 0);
    const loans = await api.loans().catch(() => undefined);
    if (loans) await reconcile(loans);
  })().finally(() => {
    syncing = undefined;
  });
  return syncing;
}

export function startOfflineSync(): void {
  void syncOffline();
  window.addEventListener('online', () => void syncOffline());
}
