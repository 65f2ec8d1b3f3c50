import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import type { Context } from 'hono';
import type { Caller } from '../../domain/caller';
import { ConflictError, NotFoundError, PustakaError } from '../../domain/errors';
import { lendingErrors } from '../../domain/lending-errors';
import {
  opdsMediaTypes,
  opdsPaths,
  progressFromProgression,
  progressionOf,
  shelfLink,
  type PatronTitleState,
} from '../../domain/opds';
import type { Title } from '../../domain/title';
import { callerOf } from '../caller-optional';
import type { AppDeps, AppEnv } from '../deps';
import { callerStates, opdsPatron, publicBase } from '../opds-access';
import { problemContent } from '../schemas';
import { usageContextOf } from '../counter-usage';
import { activeTitle, publicationOf, availabilities, publicationsFor } from './opds';
import { countTowardsProgrammes } from './programmes';

/**
 * Borrowing from reading apps, as the OPDS 2.0 borrowing best practice (and Palace, Thorium) do it:
 *
 *   GET|POST|PUT /opds/publications/{id}/borrow    borrow: a loan when a copy is free (or kept for the patron's
 *                                                  reserved hold), else a hold; answers the publication as
 *                                                  this patron now sees it (acquisition + revoke links)
 *   DELETE       /opds/publications/{id}/borrow    the same as revoke (the best practice cancels a hold so)
 *   GET|PUT|POST|DELETE /opds/publications/{id}/revoke   return the loan, or cancel the hold
 *   GET /opds/shelf                                the patron's loans and holds, as a feed
 *   GET|PUT /opds/publications/{id}/progression    OPDS Progression 1.0, the same position as /me/progress
 *
 * Borrowing answers what is, not an error, when it is already done: an app that retries a borrow (or follows
 * the link twice) gets the loan or hold it has. Every lending rule is the lending service's
 * (functions/adapters/lending/): limits, the queue, reservations.
 */

const openApiTag = ['OPDS'];
const patronSecurity: Record<string, string[]>[] = [{ bearer: [] }, { basic: [] }];
const idParam = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });

const PublicationSchema = doc(
  z.looseObject({
    metadata: z.looseObject({ title: z.string() }),
    links: z.array(
      z.looseObject({ href: z.string(), rel: z.optional(z.union([z.string(), z.array(z.string())])) }),
    ),
  }),
  { id: 'OpdsPublication' },
);

const FeedSchema = doc(
  z.object({
    metadata: z.looseObject({ title: z.string() }),
    links: z.array(z.looseObject({ href: z.string() })),
    publications: z.optional(z.array(PublicationSchema)),
    navigation: z.optional(z.array(z.looseObject({ href: z.string(), title: z.string() }))),
  }),
  { id: 'OpdsFeed' },
);

const ProgressionSchema = doc(
  z.object({
    title: z.optional(z.string().check(z.maxLength(500))),
    modified: z.iso.datetime({ offset: true }),
    device: z.object({
      id: z.string().check(z.minLength(1), z.maxLength(512)),
      name: z.string().check(z.minLength(1), z.maxLength(200)),
    }),
    progression: z.number().check(z.gte(0), z.lte(1)),
    references: z.optional(
      z.array(z.string().check(z.minLength(1), z.maxLength(2048))).check(z.maxLength(20)),
    ),
  }),
  { id: 'OpdsProgression' },
);

const signInProblem = problemContent('Sign in (the body is the Authentication Document for OPDS clients)', [
  'UNAUTHORIZED',
  'INVALID_TOKEN',
  'INVALID_CREDENTIALS',
]);
const signInLimits = problemContent('ACCOUNT_LOCKED, RATE_LIMITED (HTTP Basic)', [
  'ACCOUNT_LOCKED',
  'RATE_LIMITED',
]);
const busy = problemContent('SERVICE_UNAVAILABLE', ['SERVICE_UNAVAILABLE']);
const publicationResponse = (description: string) => ({
  description,
  content: { [opdsMediaTypes.publication]: { schema: PublicationSchema } },
});

type Method = 'get' | 'post' | 'put' | 'delete';
const capital = (m: Method) => m[0]!.toUpperCase() + m.slice(1);

const borrowRoute = (method: Exclude<Method, 'delete'>) =>
  createRoute({
    method,
    path: '/opds/publications/{id}/borrow',
    operationId: method === 'post' ? 'opdsBorrow' : `opdsBorrow${capital(method)}`,
    tags: openApiTag,
    security: patronSecurity,
    summary: 'Borrow a title (a loan, or a hold when no copy is free) and get it as this patron sees it',
    request: { params: idParam },
    responses: {
      201: publicationResponse('Borrowed, or placed on hold: the publication with its new links'),
      200: publicationResponse('Already on loan or on hold: the publication as it is'),
      401: signInProblem,
      403: problemContent('LOAN_LIMIT_REACHED, HOLD_LIMIT_REACHED, ACCOUNT_BLOCKED, FORBIDDEN', [
        'LOAN_LIMIT_REACHED',
        'HOLD_LIMIT_REACHED',
        'ACCOUNT_BLOCKED',
        'FORBIDDEN',
      ]),
      404: problemContent('TITLE_NOT_FOUND', ['TITLE_NOT_FOUND']),
      409: problemContent('NOT_LENDABLE, TITLE_WITHDRAWN', ['NOT_LENDABLE', 'TITLE_WITHDRAWN']),
      429: signInLimits,
      503: busy,
    },
  });

const revokeRoute = (method: Method, path: 'revoke' | 'borrow') =>
  createRoute({
    method,
    path: `/opds/publications/{id}/${path}`,
    operationId:
      path === 'borrow'
        ? 'opdsBorrowDelete'
        : method === 'put'
          ? 'opdsRevoke'
          : `opdsRevoke${capital(method)}`,
    tags: openApiTag,
    security: patronSecurity,
    summary: 'Return the loan of a title, or cancel the hold on it',
    request: { params: idParam },
    responses: {
      200: publicationResponse('Returned or cancelled: the publication as this patron now sees it'),
      401: signInProblem,
      403: problemContent('FORBIDDEN (partner members)', ['FORBIDDEN']),
      404: problemContent('TITLE_NOT_FOUND, NO_LOAN_OR_HOLD', ['TITLE_NOT_FOUND', 'NO_LOAN_OR_HOLD']),
      429: signInLimits,
      503: busy,
    },
  });

const shelfRoute = createRoute({
  method: 'get',
  path: opdsPaths.shelf,
  operationId: 'opdsShelf',
  tags: openApiTag,
  security: patronSecurity,
  summary: 'The patron’s loans and holds, with their return and cancel links',
  responses: {
    200: { description: 'The shelf', content: { [opdsMediaTypes.feed]: { schema: FeedSchema } } },
    401: signInProblem,
    403: problemContent('FORBIDDEN (partner members)', ['FORBIDDEN']),
    429: signInLimits,
    503: busy,
  },
});

const getProgressionRoute = createRoute({
  method: 'get',
  path: '/opds/publications/{id}/progression',
  operationId: 'opdsProgressionGet',
  tags: openApiTag,
  security: patronSecurity,
  summary: 'OPDS Progression 1.0: where the patron is in the title (any device, the web reader too)',
  request: { params: idParam },
  responses: {
    200: {
      description: 'The last known position',
      content: { [opdsMediaTypes.progression]: { schema: ProgressionSchema } },
    },
    204: { description: 'Not read yet' },
    401: signInProblem,
    403: problemContent('FORBIDDEN (partner members)', ['FORBIDDEN']),
    404: problemContent('TITLE_NOT_FOUND', ['TITLE_NOT_FOUND']),
    429: signInLimits,
    503: busy,
  },
});

const putProgressionRoute = createRoute({
  method: 'put',
  path: '/opds/publications/{id}/progression',
  operationId: 'opdsProgressionPut',
  tags: openApiTag,
  security: patronSecurity,
  summary: 'OPDS Progression 1.0: save the position (the newest `modified` wins)',
  request: {
    params: idParam,
    body: {
      required: true,
      content: {
        [opdsMediaTypes.progression]: { schema: ProgressionSchema },
        'application/json': { schema: ProgressionSchema },
      },
    },
  },
  responses: {
    200: {
      description: 'Saved: the position as stored',
      content: { [opdsMediaTypes.progression]: { schema: ProgressionSchema } },
    },
    400: problemContent('VALIDATION_FAILED', ['VALIDATION_FAILED']),
    401: signInProblem,
    403: problemContent('FORBIDDEN (partner members)', ['FORBIDDEN']),
    404: problemContent('TITLE_NOT_FOUND', ['TITLE_NOT_FOUND']),
    409: problemContent('STALE_PROGRESS: a newer position is stored (in `current`)', ['STALE_PROGRESS']),
    413: problemContent('BODY_TOO_LARGE', ['BODY_TOO_LARGE']),
    429: signInLimits,
    503: busy,
  },
});

function opdsDocument(c: Context, body: unknown, type: string, status: 200 | 201 = 200): never {
  c.header('Cache-Control', 'private, no-store');
  return c.body(JSON.stringify(body), status, { 'Content-Type': type }) as never;
}

/** The publication as the patron sees it after a change (their loans and holds read again). */
async function publicationForPatron(deps: AppDeps, title: Title, caller: Caller) {
  const [publication] = await publicationsFor(deps, [title], caller);
  return publication;
}

const stateOf = async (deps: AppDeps, caller: Caller, titleId: string): Promise<PatronTitleState> =>
  (await callerStates(deps, caller)).get(titleId) ?? {};

/** What an earlier borrow already made stands: a concurrent or repeated borrow is not an error. */
const alreadyDone = (error: unknown) =>
  error instanceof PustakaError && (error.code === 'ALREADY_ON_LOAN' || error.code === 'ALREADY_ON_HOLD');

/** Whether lending refused the loan only because no copy is free to this patron: then a hold is placed. */
const noCopyForPatron = (error: unknown) =>
  error instanceof PustakaError && (error.code === 'NO_COPY_AVAILABLE' || error.code === 'HOLDS_WAITING');

async function borrow(c: Context<AppEnv>) {
  const deps = c.get('deps');
  const caller = opdsPatron(callerOf(c));
  const title = await activeTitle(deps, c.req.param('id') ?? '');
  if (title.access !== 'licensed') throw lendingErrors.notLendable(title.id);
  const state = await stateOf(deps, caller, title.id);
  // A current loan, or a hold still waiting: nothing to do but show it.
  if (state.loan || state.hold?.status === 'waiting')
    return opdsDocument(c, await publicationForPatron(deps, title, caller), opdsMediaTypes.publication);
  const now = deps.clock.now();
  const { patronId } = caller;
  const usage = usageContextOf(c, deps, caller);
  const placeHold = async () => {
    try {
      await deps.lending.placeHold({ patronId, titleId: title.id });
    } catch (error) {
      if (!alreadyDone(error)) throw error;
    }
  };
  const [availability] = [...(await availabilities(deps, [title])).values()];
  const free = availability && (availability.available === null || availability.available > 0);
  // A reserved hold is the patron's own copy: always a loan. Otherwise the availability decides, and a race
  // lost either way (the last copy just went, or one just came back) is settled by the other step.
  if (state.hold?.status === 'reserved' || free) {
    try {
      await deps.lending.checkout({ patronId, titleId: title.id });
    } catch (error) {
      if (noCopyForPatron(error)) {
        await deps.usage.record({ titleId: title.id, metric: 'Limit_Exceeded', at: now, ...usage });
        await placeHold();
      } else if (!alreadyDone(error)) throw error;
    }
  } else {
    await deps.usage.record({ titleId: title.id, metric: 'Limit_Exceeded', at: now, ...usage });
    try {
      await placeHold();
    } catch (error) {
      if (!(error instanceof PustakaError && error.code === 'COPY_AVAILABLE')) throw error;
      await deps.lending.checkout({ patronId, titleId: title.id });
    }
  }
  return opdsDocument(c, await publicationForPatron(deps, title, caller), opdsMediaTypes.publication, 201);
}

async function revoke(c: Context<AppEnv>) {
  const deps = c.get('deps');
  const caller = opdsPatron(callerOf(c));
  const id = c.req.param('id') ?? '';
  const title = await deps.titles.get(id);
  if (!title) throw lendingErrors.titleNotFound(id);
  const state = await stateOf(deps, caller, title.id);
  if (state.loan) await deps.lending.returnLoan({ patronId: caller.patronId, loanId: state.loan.id });
  else if (state.hold) await deps.lending.cancelHold({ patronId: caller.patronId, holdId: state.hold.id });
  else
    throw new NotFoundError({
      code: 'NO_LOAN_OR_HOLD',
      detail: `You have no loan or hold of title ${title.id}.`,
      context: { id: title.id },
    });
  return opdsDocument(c, await publicationForPatron(deps, title, caller), opdsMediaTypes.publication);
}

export function opdsBorrowingRoutes(app: ContractApp<AppEnv>): void {
  for (const method of ['post', 'get', 'put'] as const) app.openapi(borrowRoute(method), borrow as never);
  app.openapi(revokeRoute('delete', 'borrow'), revoke as never);
  for (const method of ['put', 'get', 'post', 'delete'] as const)
    app.openapi(revokeRoute(method, 'revoke'), revoke as never);

  app.openapi(shelfRoute, async (c) => {
    const deps = c.get('deps');
    const caller = opdsPatron(callerOf(c));
    const states = await callerStates(deps, caller);
    const titles = (await Promise.all([...states.keys()].map((id) => deps.titles.get(id)))).filter(
      (t): t is Title => t !== undefined,
    );
    const [available] = await Promise.all([availabilities(deps, titles)]);
    const base = publicBase(deps);
    const now = deps.clock.now();
    // Loans first (what can be read now), then holds ready to borrow, then the queue.
    const rank = (s: PatronTitleState | undefined) => (s?.loan ? 0 : s?.hold?.status === 'reserved' ? 1 : 2);
    titles.sort((a, b) => rank(states.get(a.id)) - rank(states.get(b.id)) || a.title.localeCompare(b.title));
    const publications = titles.map((t) =>
      publicationOf(t, available.get(t.id), { base, now, signedIn: true, state: states.get(t.id) }),
    );
    return opdsDocument(
      c,
      {
        metadata: { title: 'My loans and holds', numberOfItems: publications.length },
        links: [
          { rel: 'self', href: `${base}${opdsPaths.shelf}`, type: opdsMediaTypes.feed },
          { rel: 'start', href: `${base}${opdsPaths.root}`, type: opdsMediaTypes.feed },
          {
            rel: 'http://opds-spec.org/auth/document',
            href: `${base}${opdsPaths.authentication}`,
            type: opdsMediaTypes.authentication,
          },
          shelfLink(base),
        ],
        // The schema wants at least one publication; an empty shelf offers the way to the catalogue instead.
        ...(publications.length
          ? { publications }
          : {
              navigation: [
                {
                  href: `${base}${opdsPaths.root}`,
                  title: 'Find something to read',
                  type: opdsMediaTypes.feed,
                },
              ],
            }),
      },
      opdsMediaTypes.feed,
    );
  });

  app.openapi(getProgressionRoute, async (c) => {
    const deps = c.get('deps');
    const { patronId } = opdsPatron(callerOf(c));
    const id = c.req.valid('param').id;
    const title = await deps.titles.get(id);
    if (!title) throw lendingErrors.titleNotFound(id);
    const stored = await deps.reading.getProgress(patronId, title.id);
    c.header('Cache-Control', 'private, no-store');
    if (!stored) return c.body(null, 204);
    return opdsDocument(c, progressionOf(stored, title), opdsMediaTypes.progression);
  });

  app.openapi(putProgressionRoute, async (c) => {
    const deps = c.get('deps');
    const { patronId } = opdsPatron(callerOf(c));
    const id = c.req.valid('param').id;
    const title = await deps.titles.get(id);
    if (!title) throw lendingErrors.titleNotFound(id);
    const document = c.req.valid('json');
    const current = await deps.reading.getProgress(patronId, title.id);
    const progress = progressFromProgression(
      {
        ...document,
        ...(document.references ? { references: document.references } : {}),
      } as Parameters<typeof progressFromProgression>[0],
      title,
      current,
    );
    const { stored, saved } = await deps.reading.putProgress(patronId, progress);
    if (!saved)
      throw new ConflictError({
        code: 'STALE_PROGRESS',
        detail: 'A newer reading position is already saved.',
        context: { current: progressionOf(stored, title) },
      });
    await countTowardsProgrammes(deps, patronId, stored);
    return opdsDocument(c, progressionOf(stored, title), opdsMediaTypes.progression);
  });
}
