import { language, onLanguageChange } from './i18n';

/** The manifest in the patron's language (an installed app takes its name from the one linked at install). */
function linkManifest(): void {
  const link = document.getElementById('manifest');
  if (link) link.setAttribute('href', `/manifest.${language()}.webmanifest`);
}

/**
 * Installable app: the manifest follows the language, and the service worker (built as /sw.js) is registered
 * once the first page is up, so its precache never competes with the catalogue's first screen on a slow link.
 */
export function startPwa(): void {
  linkManifest();
  onLanguageChange(linkManifest);
  if (!('serviceWorker' in navigator)) return;
  const register = () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Without it the app still works online.
    });
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}

/**
 * Asks the service worker to keep the reading engines (a book was downloaded for offline reading). Resolves
 * true once they are kept, false where there is no service worker or it could not fetch them.
 */
export async function keepEngines(): Promise<boolean> {
  if (!('serviceWorker' in navigator)) return false;
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (!worker) return false;
  return new Promise<boolean>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent<boolean>) => resolve(event.data);
    worker.postMessage('keep-engines', [channel.port2]);
  });
}
