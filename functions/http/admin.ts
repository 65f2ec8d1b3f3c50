import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ServiceUnavailableError, UnauthorizedError } from '../domain/errors';
import type { ContentPipelineDeps } from '../domain/content-pipeline';
import type { PatronAdminDeps } from '../domain/patron-admin';
import type { AppDeps, AppEnv, AuditNote } from './deps';
import { problemContentType } from './problem';

/** The librarian making the request (the /admin guard has verified the token and the role). */
export function librarianId(c: Context<AppEnv>): string {
  const caller = c.get('caller') as AppEnv['Variables']['caller'] | undefined;
  if (!caller) throw new UnauthorizedError({ code: 'UNAUTHORIZED', detail: 'Authentication is required.' });
  return caller.patronId;
}

/** Routes say what they are doing before they do it, so a refusal is recorded against the right action. */
export function noteAudit(c: Context<AppEnv>, note: AuditNote): void {
  c.set('audit', note);
}

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Records every librarian action (each POST, PATCH, DELETE under /admin), with its outcome, once the response
 * is known. Reads are not recorded. A request refused before its route ran (bad body) is recorded by method
 * and path. Recording failures are logged, never turned into a failed action: the action has happened.
 */
export function auditTrail() {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    if (!mutating.has(c.req.method)) return;
    const caller = c.get('caller') as AppEnv['Variables']['caller'] | undefined;
    if (!caller) return; // refused by the guard: not a librarian action
    const note = (c.get('audit') as AuditNote | undefined) ?? { action: `${c.req.method} ${c.req.path}` };
    const status = c.res.status;
    let code: string | undefined;
    if (status >= 400 && c.res.headers.get('content-type')?.startsWith(problemContentType)) {
      code = ((await c.res.clone().json()) as { code?: string }).code;
    }
    const deps = c.get('deps');
    try {
      await deps.audit.record({
        id: `a-${crypto.randomUUID()}`,
        at: deps.clock.now().toISOString(),
        actor: caller.patronId,
        action: note.action,
        ...(note.targetType ? { targetType: note.targetType } : {}),
        ...(note.targetId ? { targetId: note.targetId } : {}),
        outcome: status < 400 ? 'succeeded' : 'refused',
        status,
        ...(code ? { code } : {}),
        ...(note.details ? { details: note.details } : {}),
        requestId: c.get('requestId'),
      });
    } catch (error) {
      deps.logger.error('audit record failed', { requestId: c.get('requestId'), error: error as Error });
    }
  });
}

export function pipelineDeps(deps: AppDeps): ContentPipelineDeps {
  if (!deps.publishing) {
    throw new ServiceUnavailableError({
      code: 'NOT_ON_THIS_SURFACE',
      detail: 'Uploads are handled by the librarian API.',
    });
  }
  return {
    uploads: deps.uploads,
    objects: deps.publishing.store,
    inspect: deps.publishing.inspect,
    titles: deps.titles,
    links: deps.links,
    clock: deps.clock,
    ids: deps.ids,
    keys: deps.objectKeys,
    ...(deps.publishing.renderCover ? { renderCover: deps.publishing.renderCover } : {}),
  };
}

export function patronAdminDeps(deps: AppDeps): PatronAdminDeps {
  return { patrons: deps.patrons, clock: deps.clock, ids: deps.ids, hashPin: deps.hashPin };
}
