import type { AccessLink, Loan, Locator, Title } from '../api/types';

/**
 * Books kept on the device for reading without the network, and what was done offline waiting to be sent.
 *
 * A copy is the whole publication as a Blob in IndexedDB, with the title record and the end of the loan it was
 * kept under (`expiresAt`; null for open-access titles, which may stay). A copy past its end is never handed
 * out: it is deleted the moment it is asked for, or when the app starts (`purgeEnded`), or when the API says the
 * loan is over (`reconcile`). Reading positions and bookmarks made without the network wait in an outbox and are
 * sent when the network is back, positions with the time they were made, so the server's newest-wins rule decides.
 */
const dbName = 'pustaka-offline';
const copies = 'copies';
const outbox = 'outbox';

export interface OfflineCopy {
  titleId: string;
  title: Title;
  format: AccessLink['format'];
  contentType: string;
  size: number;
  /** When the copy must go (the loan's end); null: an open-access title, kept until the patron removes it. */
  expiresAt: string | null;
  loanId?: string;
  /** Kept on purpose (Download) rather than because the book was opened. */
  downloaded: boolean;
  savedAt: string;
  bytes: Blob;
}

export type OutboxEntry =
  | { kind: 'progress'; titleId: string; locator: Locator; device: string; modified: string }
  | { kind: 'bookmark'; titleId: string; locator: Locator; label?: string; created: string }
  | { kind: 'unbookmark'; titleId: string; bookmarkId: string; created: string };

/** An entry waiting in the outbox, with the key that takes it off again. */
export interface Queued<E extends OutboxEntry = OutboxEntry> {
  key: IDBValidKey;
  entry: E;
}

/** A reading position and when it was reached. */
export interface Position {
  locator: Locator;
  modified: string;
}

/** A link to a kept copy: the range readers cut their ranges from `copy` and never fetch `url`. */
export interface StoredLink extends AccessLink {
  copy: Blob;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(copies, { keyPath: 'titleId' });
      request.result.createObjectStore(outbox, { autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run<T>(
  store: string,
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest<T> | void,
): Promise<T | undefined> {
  const db = await open();
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const request = work(tx.objectStore(store));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** For tests and the app's clock hook (`pustaka.clock` set by a test's page.clock): the time now. */
const nowMs = () => Date.now();

export function isCopyCurrent(copy: Pick<OfflineCopy, 'expiresAt'>, now = nowMs()): boolean {
  return copy.expiresAt === null || Date.parse(copy.expiresAt) > now;
}

export async function saveCopy(copy: OfflineCopy): Promise<void> {
  await run(copies, 'readwrite', (store) => store.put(copy));
  void navigator.storage?.persist?.().catch(() => false);
}

export async function removeCopy(titleId: string): Promise<void> {
  forgetPosition(titleId);
  await run(copies, 'readwrite', (store) => store.delete(titleId)).catch(() => undefined);
}

/** The kept copy of a title, if there is one and its loan has not ended (an ended one is deleted now). */
export async function storedCopy(titleId: string, now = nowMs()): Promise<OfflineCopy | undefined> {
  const copy = await run<OfflineCopy | undefined>(copies, 'readonly', (store) => store.get(titleId)).catch(
    () => undefined,
  );
  if (!copy) return undefined;
  if (isCopyCurrent(copy, now)) return copy;
  await removeCopy(titleId);
  return undefined;
}

/** Every kept copy whose loan has not ended, by title. */
export async function listCopies(now = nowMs()): Promise<OfflineCopy[]> {
  await purgeEnded(now);
  const all = (await run<OfflineCopy[]>(copies, 'readonly', (store) => store.getAll()).catch(() => [])) ?? [];
  return all.sort((a, b) => a.title.title.localeCompare(b.title.title));
}

/** Deletes the copies whose loans have ended by the clock; returns their title ids. */
export async function purgeEnded(now = nowMs()): Promise<string[]> {
  const all = (await run<OfflineCopy[]>(copies, 'readonly', (store) => store.getAll()).catch(() => [])) ?? [];
  const ended = all.filter((copy) => !isCopyCurrent(copy, now)).map((copy) => copy.titleId);
  await Promise.all(ended.map(removeCopy));
  return ended;
}

/**
 * Brings the kept copies in line with the patron's loans as the API lists them (a definite answer): a copy kept
 * under a loan that is no longer active (returned elsewhere, ended by a librarian) is deleted; a renewed loan
 * moves its copy's end. Open-access copies are not loans and stay.
 */
export async function reconcile(loans: Loan[]): Promise<string[]> {
  const active = new Map(loans.filter((l) => l.status === 'active').map((l) => [l.titleId, l]));
  const removed: string[] = [];
  for (const copy of await listCopies()) {
    if (copy.expiresAt === null) continue;
    const loan = active.get(copy.titleId);
    if (!loan) {
      await removeCopy(copy.titleId);
      removed.push(copy.titleId);
    } else if (loan.expiresAt !== copy.expiresAt) {
      await saveCopy({ ...copy, expiresAt: loan.expiresAt, loanId: loan.id });
    }
  }
  return removed;
}

const keepOpenedKey = 'pustaka.offline.keepOpened';

/** Whether books opened online are kept for offline reading too (on unless the patron turned it off). */
export function keepOpenedBooks(): boolean {
  try {
    return localStorage.getItem(keepOpenedKey) !== 'off';
  } catch {
    return false;
  }
}

export function setKeepOpenedBooks(keep: boolean): void {
  try {
    localStorage.setItem(keepOpenedKey, keep ? 'on' : 'off');
  } catch {
    // private mode: nothing is kept anyway
  }
}

/**
 * Downloads a whole publication through its signed link and keeps it under the loan's end. The HTTP cache is
 * bypassed: the only copy on the device is this one, which is deleted with the loan.
 */
export async function downloadCopy(input: {
  title: Title;
  link: AccessLink;
  loan: Loan | undefined;
  downloaded: boolean;
  onProgress?: (fraction: number) => void;
}): Promise<OfflineCopy> {
  const response = await fetch(input.link.url, { cache: 'no-store' });
  if (!response.ok || !response.body) throw new Error(`download: ${response.status}`);
  const total = input.link.size ?? input.title.size;
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.byteLength;
    input.onProgress?.(total ? Math.min(received / total, 1) : 0);
  }
  const copy: OfflineCopy = {
    titleId: input.title.id,
    title: input.title,
    format: input.link.format,
    contentType: input.link.contentType,
    size: received,
    expiresAt: input.title.access === 'open' ? null : (input.loan?.expiresAt ?? input.link.expiresAt),
    ...(input.loan ? { loanId: input.loan.id } : {}),
    downloaded: input.downloaded,
    savedAt: new Date().toISOString(),
    bytes: new Blob(parts as BlobPart[], { type: input.link.contentType }),
  };
  await saveCopy(copy);
  return copy;
}

/** A link that reads from a kept copy (its `url` is never fetched). */
export function storedLink(copy: OfflineCopy, online?: AccessLink): StoredLink {
  return {
    url: online?.url ?? `offline:${copy.titleId}`,
    expiresAt: copy.expiresAt ?? online?.expiresAt ?? new Date(8.64e15).toISOString(),
    contentType: copy.contentType,
    format: copy.format,
    size: copy.size,
    copy: copy.bytes,
  };
}

// ---- outbox ----------------------------------------------------------------------------------------

export async function enqueue(entry: OutboxEntry): Promise<void> {
  await run(outbox, 'readwrite', (store) => store.add(entry));
}

export async function pending(): Promise<OutboxEntry[]> {
  return (await run<OutboxEntry[]>(outbox, 'readonly', (store) => store.getAll()).catch(() => [])) ?? [];
}

/** What waits to be sent for one title, oldest first, each with its key. */
export async function queuedFor(titleId: string): Promise<Queued[]> {
  const db = await open().catch(() => undefined);
  if (!db) return [];
  try {
    return await new Promise<Queued[]>((resolve, reject) => {
      const found: Queued[] = [];
      const request = db.transaction(outbox, 'readonly').objectStore(outbox).openCursor();
      request.onsuccess = () => {
        const cursor = request.result;
        if (!cursor) return resolve(found);
        const entry = cursor.value as OutboxEntry;
        if (entry.titleId === titleId) found.push({ key: cursor.primaryKey, entry });
        cursor.continue();
      };
      request.onerror = () => reject(request.error);
    });
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/** Takes an entry off the queue before it is sent (a bookmark made offline and removed offline). */
export async function dequeue(key: IDBValidKey): Promise<void> {
  await run(outbox, 'readwrite', (store) => store.delete(key));
}

/** The newest of the positions waiting to be sent for a title: where the patron last was offline. */
export async function newestQueuedPosition(titleId: string): Promise<Position | undefined> {
  const positions = (await queuedFor(titleId))
    .map(({ entry }) => entry)
    .filter((entry) => entry.kind === 'progress')
    .map(({ locator, modified }) => ({ locator, modified }));
  return newestPosition(positions);
}

/** The newest of some positions (by when each was reached); undefined when there is none. */
export function newestPosition(positions: (Position | undefined)[]): Position | undefined {
  let newest: Position | undefined;
  for (const position of positions) {
    if (position && (!newest || Date.parse(position.modified) > Date.parse(newest.modified)))
      newest = position;
  }
  return newest;
}

// ---- the last position on this device ----------------------------------------------------------------
// Kept beside the outbox: a book read online and then reopened without the network opens where it was left,
// though that position was sent (and so is no longer queued). Forgotten with the book's copy.

const positionKey = (titleId: string) => `pustaka.position.${titleId}`;

export function rememberPosition(titleId: string, position: Position): void {
  try {
    localStorage.setItem(positionKey(titleId), JSON.stringify(position));
  } catch {
    // private mode or full storage: the outbox still has offline positions
  }
}

export function rememberedPosition(titleId: string): Position | undefined {
  try {
    const kept = JSON.parse(localStorage.getItem(positionKey(titleId)) ?? 'null') as Position | null;
    return kept && typeof kept.modified === 'string' && kept.locator ? kept : undefined;
  } catch {
    return undefined;
  }
}

function forgetPosition(titleId: string): void {
  try {
    localStorage.removeItem(positionKey(titleId));
  } catch {
    // nothing was kept
  }
}

/**
 * Sends what waits, oldest first. A network failure stops the run (everything stays for the next one); an
 * answer from the API, accepted or refused (the loan ended meanwhile), takes the entry off the queue.
 */
export async function flushOutbox(
  send: (entry: OutboxEntry) => Promise<void>,
  isNetworkFailure: (error: unknown) => boolean,
): Promise<number> {
  const db = await open();
  let sent = 0;
  try {
    const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
      const request = db.transaction(outbox, 'readonly').objectStore(outbox).getAllKeys();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    for (const key of keys) {
      const entry = await new Promise<OutboxEntry | undefined>((resolve, reject) => {
        const request = db.transaction(outbox, 'readonly').objectStore(outbox).get(key);
        request.onsuccess = () => resolve(request.result as OutboxEntry | undefined);
        request.onerror = () => reject(request.error);
      });
      if (!entry) continue;
      try {
        await send(entry);
        sent += 1;
      } catch (error) {
        if (isNetworkFailure(error)) break;
      }
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(outbox, 'readwrite');
        tx.objectStore(outbox).delete(key);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
    }
  } finally {
    db.close();
  }
  return sent;
}
