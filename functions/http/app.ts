import type { AppDeps } from './deps';
import { librarianRoutes } from './librarian-api';
import { partnerRoutes } from './partner-api';
import { patronRoutes } from './patron-api';
import { createShell, type App } from './shell';

/**
 * The whole gateway in one app: the three route sets behind the shared shell (shell.ts). This is what runs
 * locally (`npm start`), in the tests and in the contract build. On AWS each API runs in its own function and
 * imports only its own set (patron-api.ts, partner-api.ts, librarian-api.ts), so no bundle carries another's
 * routes.
 */
export function createApp(deps: AppDeps): App {
  return createShell(deps, [patronRoutes, partnerRoutes, librarianRoutes]);
}
