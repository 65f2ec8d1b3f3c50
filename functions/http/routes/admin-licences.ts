import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc, extend } from '../schema-doc';
import { randomUUID } from 'node:crypto';
import { availabilityOf, decideAddLicence } from '../../domain/lending';
import { lendingErrors } from '../../domain/lending-errors';
import { compareLicences, isUsable, licenceState, newLicence, type Licence } from '../../domain/licence';
import { librarianId, noteAudit } from '../admin';
import type { AppDeps, AppEnv } from '../deps';
import { AvailabilitySchema, problemContent } from '../schemas';

/** ODL terms as a librarian enters them; null means unlimited, perpetual or the library's default. */
const TermsSchema = doc(
  z.strictObject({
    concurrency: doc(z.nullable(z.int().check(z.gte(1), z.lte(100_000))), {
      description: 'Concurrent loans; null = unlimited',
    }),
    checkouts: doc(z._default(z.nullable(z.int().check(z.gte(1), z.lte(10_000_000))), null), {
      description: 'Checkouts over the licence’s life; null = unlimited',
    }),
    expires: doc(z._default(z.nullable(z.iso.datetime({ offset: true })), null), {
      description: 'ISO 8601 instant, in the future; null = perpetual',
    }),
    loanLength: doc(z._default(z.nullable(z.int().check(z.gte(3_600), z.lte(365 * 86_400))), null), {
      description: 'Longest loan in seconds (at least an hour); null = the library default',
    }),
  }),
  { id: 'LicenceTerms' },
);

const LicenceSchema = doc(
  z.object({
    id: z.string(),
    titleId: z.string(),
    supplierLicenceId: z.optional(z.string()),
    note: z.optional(z.string()),
    terms: z.object({
      concurrency: z.nullable(z.int()),
      checkouts: z.nullable(z.int()),
      expires: z.nullable(z.string()),
      loanLength: z.nullable(z.int()),
    }),
    checkoutsLeft: z.nullable(z.int()),
    available: doc(z.nullable(z.int()), {
      description: 'Free slots; the rest are loans out and copies kept for reserved holds',
    }),
    state: doc(z.enum(['active', 'inactive', 'expired', 'exhausted']), {
      description: 'Only an active licence lends',
    }),
    createdAt: z.string(),
    createdBy: z.optional(z.string()),
    deactivatedAt: z.optional(z.string()),
  }),
  { id: 'Licence' },
);

const params = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });
const licenceParams = extend(params, { licenceId: z.string().check(z.minLength(1), z.maxLength(128)) });

const listLicences = createRoute({
  method: 'get',
  path: '/admin/titles/{id}/licences',
  summary: "A title's licence pool and its availability",
  security: [{ bearer: [] }],
  request: { params },
  responses: {
    200: {
      description: 'The licences, in the order loans are drawn from them',
      content: {
        'application/json': {
          schema: z.object({
            titleId: z.string(),
            availability: AvailabilitySchema,
            data: z.array(LicenceSchema),
          }),
        },
      },
    },
    404: problemContent('No such title'),
  },
});

const addLicence = createRoute({
  method: 'post',
  path: '/admin/titles/{id}/licences',
  summary: 'Add a lending licence (ODL terms); its copies go to waiting holds first',
  security: [{ bearer: [] }],
  request: {
    params,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            terms: TermsSchema,
            supplierLicenceId: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
            note: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000))),
          }),
        },
      },
    },
  },
  responses: {
    201: { description: 'The licence', content: { 'application/json': { schema: LicenceSchema } } },
    400: problemContent('Invalid terms (e.g. an expiry in the past)'),
    404: problemContent('No such title'),
    409: problemContent('TITLE_WITHDRAWN, or LICENCE_EXISTS for a supplier identifier already used', [
      'TITLE_WITHDRAWN',
      'LICENCE_EXISTS',
    ]),
  },
});

const changeLicence = createRoute({
  method: 'patch',
  path: '/admin/titles/{id}/licences/{licenceId}',
  summary:
    'Deactivate a licence (loans out run to their end, nothing new is lent) or reactivate it (copies to waiting holds first)',
  security: [{ bearer: [] }],
  request: {
    params: licenceParams,
    body: {
      required: true,
      content: { 'application/json': { schema: z.strictObject({ active: z.boolean() }) } },
    },
  },
  responses: {
    200: { description: 'The licence', content: { 'application/json': { schema: LicenceSchema } } },
    404: problemContent('No such title or licence'),
  },
});

function licenceView(licence: Licence, now: Date): z.infer<typeof LicenceSchema> {
  return { ...licence, state: licenceState(licence, now) };
}

export function adminLicenceRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(listLicences, async (c) => {
    const { id } = c.req.valid('param');
    const deps = c.get('deps');
    const lending = await deps.lending.titleLending(id);
    if (!lending) throw lendingErrors.titleNotFound(id);
    const now = deps.clock.now();
    return c.json(
      {
        titleId: id,
        availability: availabilityOf(lending, now),
        data: [...lending.licences].sort(compareLicences).map((l) => licenceView(l, now)),
      },
      200,
    );
  });

  app.openapi(addLicence, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const deps = c.get('deps');
    const now = deps.clock.now();
    const licenceId = `lic-${randomUUID()}`;
    noteAudit(c, {
      action: 'licence.add',
      targetType: 'licence',
      targetId: licenceId,
      details: {
        titleId: id,
        terms: body.terms,
        ...(body.supplierLicenceId ? { supplierLicenceId: body.supplierLicenceId } : {}),
      },
    });
    const title = await deps.lending.titleLending(id);
    if (!title) throw lendingErrors.titleNotFound(id);
    const { expires } = body.terms;
    const licence = decideAddLicence({
      title,
      licence: {
        ...newLicence(
          licenceId,
          id,
          { ...body.terms, expires: expires === null ? null : new Date(expires).toISOString() },
          now,
        ),
        ...(body.supplierLicenceId ? { supplierLicenceId: body.supplierLicenceId } : {}),
        ...(body.note ? { note: body.note } : {}),
        createdBy: librarianId(c),
      },
      now,
    });
    await deps.lending.addLicence(licence);
    // Patrons who asked to be told when the library has copies: told once each, after the licence is in.
    if (isUsable(licence, deps.clock.now())) await tellWishers(deps, id);
    const stored = (await deps.lending.titleLending(id))?.licences.find((l) => l.id === licenceId) ?? licence;
    return c.json(licenceView(stored, deps.clock.now()), 201, {
      Location: `/admin/titles/${id}/licences/${licenceId}`,
    });
  });

  app.openapi(changeLicence, async (c) => {
    const { id, licenceId } = c.req.valid('param');
    const { active } = c.req.valid('json');
    noteAudit(c, {
      action: active ? 'licence.reactivate' : 'licence.deactivate',
      targetType: 'licence',
      targetId: licenceId,
      details: { titleId: id },
    });
    const deps = c.get('deps');
    await deps.lending.setLicenceActive({ titleId: id, licenceId, active });
    const stored = (await deps.lending.titleLending(id))?.licences.find((l) => l.id === licenceId);
    if (!stored) throw lendingErrors.licenceNotFound(licenceId);
    if (active && isUsable(stored, deps.clock.now())) await tellWishers(deps, id);
    return c.json(licenceView(stored, deps.clock.now()), 200);
  });
}

/**
 * The fast path of "a wished-for title became available". The licence change wrote an outbox marker in its
 * own transaction, so a failure here loses nothing: the licence is in, and the next sweep tells the wishers.
 */
async function tellWishers(deps: AppDeps, titleId: string): Promise<void> {
  try {
    await deps.notifications.fulfilWishes(titleId);
  } catch (error) {
    deps.logger.warn('wishers left to the sweeper', { titleId, error: error as Error });
  }
}
