/**
 * The reader app's service worker: the app shell (index.html, the entry script and style, icons, manifests) is
 * precached at install, so the app starts without the network; the reading engines and pdf.js's files are kept
 * the first time they are fetched (their names are content hashes, so a kept copy is never stale). Navigations
 * go to the network first and fall back to the kept shell. API calls and book bytes are never touched here:
 * downloaded books live in IndexedDB (web/src/readers/offline.ts), tagged with their loan's end.
 *
 * Built by web/vite.config.ts, which injects the precache list and the build's version.
 */
declare const PRECACHE: string[];
/** The rest of the build: the reading engines and pdf.js's worker. */
declare const LATER: string[];
declare const VERSION: string;

interface SwExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface SwFetchEvent extends SwExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface SwMessageEvent extends SwExtendableEvent {
  data: unknown;
  ports: MessagePort[];
}
interface SwScope {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (event: SwExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: SwFetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: SwMessageEvent) => void): void;
}

const scope = self as unknown as SwScope;
const shellCache = `pustaka-shell-${VERSION}`;
const assetCache = 'pustaka-assets';
/** Kept on first use: content-hashed build files and pdf.js's fonts and maps. */
const keptOnUse = ['/assets/', '/pdfjs/', '/icons/'];

scope.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(shellCache)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => scope.skipWaiting()),
  );
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith('pustaka-shell-') && name !== shellCache)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => scope.clients.claim()),
  );
});

async function networkFirst(request: Request, fallback: string): Promise<Response> {
  try {
    const response = await fetch(request);
    // Only the shell itself is kept: another page of this origin (the API's documents) never stands in for it.
    const path = new URL(request.url).pathname;
    const isShell = fallback === '/index.html' ? path === '/' || path === fallback : path === fallback;
    if (response.ok && isShell) {
      const cache = await caches.open(shellCache);
      await cache.put(fallback, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await caches.match(fallback);
    if (kept) return kept;
    throw error;
  }
}

async function keptFirst(request: Request): Promise<Response> {
  const kept = await caches.match(request, { ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && response.status === 200) {
    const cache = await caches.open(assetCache);
    await cache.put(request, response.clone());
  }
  return response;
}

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, '/index.html'));
  } else if (url.pathname === '/config.json') {
    event.respondWith(networkFirst(request, '/config.json'));
  } else if (keptOnUse.some((prefix) => url.pathname.startsWith(prefix)) || PRECACHE.includes(url.pathname)) {
    event.respondWith(keptFirst(request));
  }
});

/** A book was downloaded for offline reading: keep its engine too, so it opens without the network. */
scope.addEventListener('message', (event) => {
  if (event.data !== 'keep-engines') return;
  event.waitUntil(
    caches
      .open(assetCache)
      .then(async (cache) => {
        const missing = [];
        for (const path of LATER) if (!(await caches.match(path))) missing.push(path);
        await cache.addAll(missing);
      })
      .then(
        () => event.ports[0]?.postMessage(true),
        () => event.ports[0]?.postMessage(false),
      ),
  );
});
