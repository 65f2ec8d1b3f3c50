import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { createMiddleware } from 'hono/factory';
import type { Caller } from '../../domain/caller';
import type { Hold } from '../../domain/hold';
import { denialMetricOf } from '../../domain/lending';
import { lendingErrors } from '../../domain/lending-errors';
import type { HoldView } from '../../domain/lending-ports';
import type { Loan } from '../../domain/loan';
import { requireCaller } from '../auth';
import type { AppEnv } from '../deps';
import { issueContentLink } from '../../application/content-access';
import { usageContextOf } from '../counter-usage';
import { problemContent } from '../schemas';

// ---- schemas (the contract at /openapi.json) ------------------------------------------------------

const LoanSchema = doc(
  z.object({
    id: z.string(),
    titleId: z.string(),
    status: z.enum(['active', 'returned', 'expired']),
    days: doc(z.int(), { example: 14 }),
    checkedOutAt: z.string(),
    expiresAt: doc(z.string(), { description: 'The loan ends here; links are refused after it.' }),
    renewals: z.int(),
    endedAt: z.optional(z.string()),
  }),
  { id: 'Loan' },
);

const HoldSchema = doc(
  z.object({
    id: z.string(),
    titleId: z.string(),
    status: z.enum(['waiting', 'reserved', 'fulfilled', 'cancelled', 'lapsed']),
    placedAt: z.string(),
    position: doc(z.int(), { description: '1 = next in line; 0 once a copy is reserved' }),
    estimatedWaitDays: z.int(),
    reservedUntil: doc(z.optional(z.string()), { description: 'Borrow before this or the copy passes on' }),
    suspendedUntil: doc(z.optional(z.string()), {
      description:
        'While set, the hold keeps its place in line and copies pass to the next hold; it is served again from this instant',
    }),
    endedAt: z.optional(z.string()),
  }),
  { id: 'Hold' },
);

const AccessLinkSchema = doc(
  z.object({
    url: z.string(),
    expiresAt: z.string(),
    contentType: z.string(),
    format: z.enum(['epub', 'pdf']),
    size: z.int(),
  }),
  { id: 'AccessLink' },
);

const idParam = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });
const idempotencyKeyPattern = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Every lending path but reading needs a signed-in caller (requireCaller: 401 otherwise). */
const bearer = [{ bearer: [] }];

/**
 * Reading: open titles need no sign-in, so the caller is established only when a token is sent (and a bad
 * token is still a 401, never silently anonymous).
 */
function callerIfSignedIn() {
  const verify = requireCaller();
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.header('Authorization')) await verify(c, next);
    else await next();
  });
}

export function loanView(loan: Loan): z.infer<typeof LoanSchema> {
  const { patronId: _p, licenceId: _l, ...view } = loan;
  return view;
}

export function holdView(hold: HoldView | Hold): z.infer<typeof HoldSchema> {
  return {
    id: hold.id,
    titleId: hold.titleId,
    status: hold.status,
    placedAt: hold.placedAt,
    position: 'position' in hold ? hold.position : 0,
    estimatedWaitDays: 'estimatedWaitDays' in hold ? hold.estimatedWaitDays : 0,
    ...(hold.reservedUntil && hold.status === 'reserved' ? { reservedUntil: hold.reservedUntil } : {}),
    ...(hold.suspendedUntil && hold.status === 'waiting' ? { suspendedUntil: hold.suspendedUntil } : {}),
    ...(hold.endedAt ? { endedAt: hold.endedAt } : {}),
  };
}

// ---- routes -------------------------------------------------------------------------------------

const checkout = createRoute({
  method: 'post',
  path: '/loans',
  summary: 'Borrow a title',
  description:
    'Send an Idempotency-Key: a retry with the same key and body returns the same loan (200), never a second one.',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: {
    headers: z.object({
      'idempotency-key': z.optional(z.string().check(z.regex(idempotencyKeyPattern))),
    }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            titleId: z.string().check(z.minLength(1), z.maxLength(128)),
            days: z.optional(z.union([z.literal(7), z.literal(14), z.literal(21)])),
          }),
        },
      },
    },
  },
  responses: {
    201: { description: 'The new loan', content: { 'application/json': { schema: LoanSchema } } },
    200: {
      description: 'The loan made earlier under this key',
      content: { 'application/json': { schema: LoanSchema } },
    },
    400: problemContent('Invalid request'),
    401: problemContent('Not signed in'),
    403: problemContent('LOAN_LIMIT_REACHED, ACCOUNT_BLOCKED', ['LOAN_LIMIT_REACHED', 'ACCOUNT_BLOCKED']),
    404: problemContent('No such title'),
    409: problemContent('NO_COPY_AVAILABLE, ALREADY_ON_LOAN, TITLE_WITHDRAWN, NOT_LENDABLE', [
      'NO_COPY_AVAILABLE',
      'ALREADY_ON_LOAN',
      'TITLE_WITHDRAWN',
      'NOT_LENDABLE',
    ]),
    422: problemContent('IDEMPOTENCY_KEY_REUSED', ['IDEMPOTENCY_KEY_REUSED']),
    503: problemContent('Busy; try again'),
  },
});

const myLoans = createRoute({
  method: 'get',
  path: '/me/loans',
  summary: 'My active loans',
  security: bearer,
  middleware: [requireCaller()] as const,
  responses: {
    200: {
      description: 'Active loans',
      content: { 'application/json': { schema: z.object({ data: z.array(LoanSchema) }) } },
    },
    401: problemContent('Not signed in'),
  },
});

const getLoan = createRoute({
  method: 'get',
  path: '/loans/{id}',
  summary: 'One of my loans',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: { params: idParam },
  responses: {
    200: { description: 'The loan', content: { 'application/json': { schema: LoanSchema } } },
    401: problemContent('Not signed in'),
    404: problemContent('No such loan of yours'),
  },
});

const returnLoan = createRoute({
  method: 'delete',
  path: '/loans/{id}',
  summary: 'Return a loan early',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: { params: idParam },
  responses: {
    200: { description: 'The ended loan', content: { 'application/json': { schema: LoanSchema } } },
    401: problemContent('Not signed in'),
    404: problemContent('No such loan of yours'),
    409: problemContent('LOAN_ENDED', ['LOAN_ENDED']),
    503: problemContent('Busy; try again'),
  },
});

const renewLoan = createRoute({
  method: 'post',
  path: '/loans/{id}/renew',
  summary: 'Renew a loan (only when nobody waits)',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: { params: idParam },
  responses: {
    200: { description: 'The renewed loan', content: { 'application/json': { schema: LoanSchema } } },
    401: problemContent('Not signed in'),
    403: problemContent('LOAN_EXPIRED', ['LOAN_EXPIRED']),
    404: problemContent('No such loan of yours'),
    409: problemContent('HOLDS_WAITING, LICENCE_EXHAUSTED, LOAN_ENDED', [
      'HOLDS_WAITING',
      'LICENCE_EXHAUSTED',
      'LOAN_ENDED',
    ]),
    503: problemContent('Busy; try again'),
  },
});

const placeHold = createRoute({
  method: 'post',
  path: '/holds',
  summary: 'Join the queue for a title with no free copy',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({ titleId: z.string().check(z.minLength(1), z.maxLength(128)) }),
        },
      },
    },
  },
  responses: {
    201: { description: 'The hold', content: { 'application/json': { schema: HoldSchema } } },
    400: problemContent('Invalid request'),
    401: problemContent('Not signed in'),
    403: problemContent('HOLD_LIMIT_REACHED, ACCOUNT_BLOCKED', ['HOLD_LIMIT_REACHED', 'ACCOUNT_BLOCKED']),
    404: problemContent('No such title'),
    409: problemContent(
      'COPY_AVAILABLE, ALREADY_ON_HOLD, ALREADY_ON_LOAN, TITLE_WITHDRAWN, NOT_LENDABLE (no licence that can lend)',
      ['COPY_AVAILABLE', 'ALREADY_ON_HOLD', 'ALREADY_ON_LOAN', 'TITLE_WITHDRAWN', 'NOT_LENDABLE'],
    ),
    503: problemContent('Busy; try again'),
  },
});

const myHolds = createRoute({
  method: 'get',
  path: '/me/holds',
  summary: 'My holds, with place in line and estimated wait',
  security: bearer,
  middleware: [requireCaller()] as const,
  responses: {
    200: {
      description: 'Live holds',
      content: { 'application/json': { schema: z.object({ data: z.array(HoldSchema) }) } },
    },
    401: problemContent('Not signed in'),
  },
});

const cancelHold = createRoute({
  method: 'delete',
  path: '/holds/{id}',
  summary: 'Cancel a hold (a reserved copy passes to the next in line)',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: { params: idParam },
  responses: {
    200: { description: 'The cancelled hold', content: { 'application/json': { schema: HoldSchema } } },
    401: problemContent('Not signed in'),
    404: problemContent('No such hold of yours'),
    503: problemContent('Busy; try again'),
  },
});

const suspendHold = createRoute({
  method: 'post',
  path: '/holds/{id}/suspend',
  operationId: 'suspendHold',
  tags: ['holds'],
  summary: 'Deliver later: suspend a waiting hold, keeping its place in line',
  description:
    'For 7, 14 or 28 days from now (again: a new end). Meanwhile a freed copy goes to the next hold that is not ' +
    'suspended; from the end on, the hold is served in its old place.',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: {
    params: idParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: doc(
            z.strictObject({
              days: doc(z.union([z.literal(7), z.literal(14), z.literal(28)]), { example: 14 }),
            }),
            { id: 'SuspendHoldRequest' },
          ),
        },
      },
    },
  },
  responses: {
    200: { description: 'The suspended hold', content: { 'application/json': { schema: HoldSchema } } },
    400: problemContent('Invalid request', ['VALIDATION_FAILED', 'BAD_REQUEST']),
    401: problemContent('Not signed in', ['UNAUTHORIZED', 'INVALID_TOKEN']),
    404: problemContent('No such live hold of yours', ['HOLD_NOT_FOUND']),
    409: problemContent('HOLD_RESERVED: a copy is ready, borrow it or cancel the hold', ['HOLD_RESERVED']),
    503: problemContent('Busy; try again', ['SERVICE_UNAVAILABLE']),
  },
});

const resumeHold = createRoute({
  method: 'post',
  path: '/holds/{id}/resume',
  operationId: 'resumeHold',
  tags: ['holds'],
  summary: 'End a suspension early',
  description:
    'The hold is back in line at its old place; a copy free now is reserved for the queue at once.',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: { params: idParam },
  responses: {
    200: { description: 'The hold, in line again', content: { 'application/json': { schema: HoldSchema } } },
    400: problemContent('Invalid request', ['VALIDATION_FAILED']),
    401: problemContent('Not signed in', ['UNAUTHORIZED', 'INVALID_TOKEN']),
    404: problemContent('No such live hold of yours', ['HOLD_NOT_FOUND']),
    503: problemContent('Busy; try again', ['SERVICE_UNAVAILABLE']),
  },
});

const access = createRoute({
  method: 'post',
  path: '/titles/{id}/access',
  summary: 'A short-lived link to read a title',
  description:
    'Open titles: anyone. Licensed titles: a patron with an active loan, never past its end. Partner titles: an entitlement.',
  middleware: callerIfSignedIn(),
  request: {
    params: idParam,
    query: z.object({
      renewal: doc(z.optional(z.enum(['true', 'false'])), {
        description:
          'true when the reader renews an expired link mid-book: not counted as a new COUNTER request ' +
          'while the same reading goes on (the server checks that one does)',
      }),
    }),
  },
  responses: {
    200: { description: 'A signed link', content: { 'application/json': { schema: AccessLinkSchema } } },
    401: problemContent('Sign in to read a licensed title'),
    403: problemContent('NO_ACTIVE_LOAN, LOAN_EXPIRED, NOT_ENTITLED', [
      'NO_ACTIVE_LOAN',
      'LOAN_EXPIRED',
      'NOT_ENTITLED',
    ]),
    404: problemContent('No such title'),
    409: problemContent('TITLE_WITHDRAWN', ['TITLE_WITHDRAWN']),
  },
});

export function lendingRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(checkout, async (c) => {
    const { patronId } = c.get('caller');
    const { titleId, days } = c.req.valid('json');
    const idempotencyKey = c.req.valid('header')['idempotency-key'];
    const deps = c.get('deps');
    try {
      const { loan, replayed } = await deps.lending.checkout({
        patronId,
        titleId,
        ...(days ? { days } : {}),
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
      c.header('Location', `/loans/${loan.id}`);
      return c.json(loanView(loan), replayed ? 200 : 201);
    } catch (error) {
      const metric = denialMetricOf(error);
      if (metric)
        await deps.usage.record({
          titleId,
          metric,
          at: deps.clock.now(),
          ...usageContextOf(c, deps, c.get('caller')),
        });
      throw error;
    }
  });

  app.openapi(myLoans, async (c) => {
    const loans = await c.get('deps').lending.loansOf(c.get('caller').patronId);
    return c.json({ data: loans.map(loanView) }, 200);
  });

  app.openapi(getLoan, async (c) => {
    const { id } = c.req.valid('param');
    const loan = await c.get('deps').lending.loanOf(c.get('caller').patronId, id);
    if (!loan) throw lendingErrors.loanNotFound(id);
    return c.json(loanView(loan), 200);
  });

  app.openapi(returnLoan, async (c) => {
    const loan = await c
      .get('deps')
      .lending.returnLoan({ patronId: c.get('caller').patronId, loanId: c.req.valid('param').id });
    return c.json(loanView(loan), 200);
  });

  app.openapi(renewLoan, async (c) => {
    const loan = await c
      .get('deps')
      .lending.renew({ patronId: c.get('caller').patronId, loanId: c.req.valid('param').id });
    return c.json(loanView(loan), 200);
  });

  app.openapi(placeHold, async (c) => {
    const hold = await c
      .get('deps')
      .lending.placeHold({ patronId: c.get('caller').patronId, titleId: c.req.valid('json').titleId });
    return c.json(holdView(hold), 201);
  });

  app.openapi(myHolds, async (c) => {
    const holds = await c.get('deps').lending.holdsOf(c.get('caller').patronId);
    return c.json({ data: holds.map(holdView) }, 200);
  });

  app.openapi(cancelHold, async (c) => {
    const hold = await c
      .get('deps')
      .lending.cancelHold({ patronId: c.get('caller').patronId, holdId: c.req.valid('param').id });
    return c.json(holdView(hold), 200);
  });

  app.openapi(suspendHold, async (c) => {
    const hold = await c.get('deps').lending.suspendHold({
      patronId: c.get('caller').patronId,
      holdId: c.req.valid('param').id,
      days: c.req.valid('json').days,
    });
    return c.json(holdView(hold), 200);
  });

  app.openapi(resumeHold, async (c) => {
    const hold = await c
      .get('deps')
      .lending.resumeHold({ patronId: c.get('caller').patronId, holdId: c.req.valid('param').id });
    return c.json(holdView(hold), 200);
  });

  app.openapi(access, async (c) => {
    const { id } = c.req.valid('param');
    const deps = c.get('deps');
    const title = await deps.titles.get(id);
    if (!title) throw lendingErrors.titleNotFound(id);
    const caller = c.get('caller') as Caller | undefined;
    const renewal = c.req.valid('query').renewal === 'true';
    const { url, expiresAt } = await issueContentLink(
      deps,
      title,
      caller,
      usageContextOf(c, deps, caller, { renewal }),
    );
    return c.json(
      {
        url,
        expiresAt,
        contentType: title.contentType,
        format: title.format,
        size: title.size,
      },
      200,
    );
  });
}
