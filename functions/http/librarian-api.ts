import { maxCoverImageBytes } from '../domain/collection';
import { auditTrail } from './admin';
import type { AppDeps } from './deps';
import { adminAcquisitionRoutes } from './routes/acquisitions';
import { adminAuditRoutes } from './routes/admin-audit';
import { adminCollectionRoutes, collectionCoverPath } from './routes/admin-collections';
import { adminDashboardRoutes } from './routes/admin-dashboard';
import { adminLicenceRoutes } from './routes/admin-licences';
import { adminNotificationRoutes } from './routes/admin-notifications';
import { adminPatronRoutes, maxImportBytes } from './routes/admin-patrons';
import { adminProgrammeRoutes } from './routes/admin-programmes';
import { adminTitleRoutes } from './routes/admin-titles';
import { adminUploadRoutes } from './routes/admin-uploads';
import { partnerRoutes } from './routes/partners';
import { adminCounterRoutes } from './routes/sushi';
import { createShell, type App, type RouteSet } from './shell';

/**
 * The librarian API's routes, all under /admin (the shell's guard makes every one librarian-only): uploads and
 * titles, licences, patrons, partners, programmes, collections, notifications, acquisitions, the audit trail,
 * COUNTER reports and the dashboard. Every change made here is written to the audit trail.
 */
export const librarianRoutes: RouteSet = {
  bodyAllowances: [
    { path: /^\/admin\/patrons\/import$/, maxBytes: maxImportBytes },
    { path: collectionCoverPath, maxBytes: maxCoverImageBytes },
  ],
  mount(app: App) {
    // First, so that it wraps every librarian route below.
    app.use('/admin/*', auditTrail());
    partnerRoutes(app);
    adminProgrammeRoutes(app);
    adminUploadRoutes(app);
    adminTitleRoutes(app);
    adminLicenceRoutes(app);
    adminPatronRoutes(app);
    adminAuditRoutes(app);
    adminNotificationRoutes(app);
    adminCounterRoutes(app);
    adminDashboardRoutes(app);
    adminCollectionRoutes(app);
    adminAcquisitionRoutes(app);
  },
};

/** The librarian API as its Lambda serves it (functions/handlers/admin.ts). */
export const createLibrarianApp = (deps: AppDeps): App => createShell(deps, [librarianRoutes]);
