import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { ConflictError, NotFoundError, ServiceUnavailableError } from '../../domain/errors';
import {
  asymmetricAlgorithms,
  buildPartner,
  type PartnerInput,
  type PartnerOidcInput,
  type PartnerPolicy,
} from '../../domain/partner';
import type { AppDeps, AppEnv } from '../deps';
import { problemContent } from '../schemas';

/**
 * `GET|POST|PATCH /admin/partners`: librarians register academic partners. Librarian-only through the
 * `/admin/*` guard in app.ts; every rule that weakens trust is refused by the domain (buildPartner).
 */

const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const shortList = <T extends z.ZodMiniType>(item: T, max = 50) => z.array(item).check(z.maxLength(max));

const RuleSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('values'),
    claim: z.string().check(z.minLength(1), z.maxLength(100)),
    values: shortList(z.string().check(z.minLength(1), z.maxLength(500))).check(z.minLength(1)),
    shape: z.optional(z.enum(['array', 'array-or-string'])),
    entitlement: z.string().check(z.minLength(1), z.maxLength(100)),
  }),
  z.object({
    kind: z.literal('scoped-affiliation'),
    claim: z.string().check(z.minLength(1), z.maxLength(100)),
    affiliations: shortList(z.string().check(z.minLength(1), z.maxLength(100))).check(z.minLength(1)),
    scopes: shortList(z.string().check(z.minLength(1), z.maxLength(253))).check(z.minLength(1)),
    shape: z.optional(z.enum(['array', 'array-or-string'])),
    entitlement: z.string().check(z.minLength(1), z.maxLength(100)),
  }),
]);

const GrantSchema = z.object({
  entitlement: z.string().check(z.minLength(1), z.maxLength(100)),
  collections: z._default(shortList(z.string().check(z.minLength(1), z.maxLength(200)), 200), []),
  titles: z._default(shortList(z.string().check(z.minLength(1), z.maxLength(128)), 1000), []),
});

const DatabaseSchema = z.object({
  name,
  host: z.optional(z.string().check(z.minLength(1), z.maxLength(253))),
  domain: z.optional(z.string().check(z.minLength(1), z.maxLength(253))),
  startUrl: z.string().check(z.minLength(1), z.maxLength(2048)),
});

/** Campus sign-in as a librarian sends it: the secret is write-only (kept in the secret store, never returned). */
const OidcInputSchema = doc(
  z.strictObject({
    clientId: doc(z.string().check(z.minLength(1), z.maxLength(255)), { example: 'pustaka-library' }),
    scopes: doc(z.optional(shortList(z.string().check(z.minLength(1), z.maxLength(100)), 20)), {
      example: ['openid', 'eduperson'],
      description: 'Must include openid (the default)',
    }),
    clientSecret: doc(z.optional(z.string().check(z.minLength(1), z.maxLength(512))), {
      description: 'Write-only: stored in the secret store, never returned or logged',
    }),
  }),
  { id: 'PartnerOidcInput' },
);

const OidcSchema = doc(
  z.object({
    clientId: z.string(),
    scopes: z.array(z.string()),
    clientSecretSet: doc(z.boolean(), { description: 'Whether a client secret is stored (never shown)' }),
  }),
  { id: 'PartnerOidc' },
);

const fields = {
  name,
  status: z.optional(z.enum(['active', 'suspended'])),
  issuer: doc(z.string().check(z.minLength(1), z.maxLength(500)), { example: 'https://idp.partner.edu' }),
  jwksUri: doc(z.string().check(z.minLength(1), z.maxLength(2048)), {
    example: 'https://idp.partner.edu/.well-known/jwks.json',
  }),
  algorithms: shortList(z.enum(asymmetricAlgorithms), 11).check(z.minLength(1)),
  audience: z.string().check(z.minLength(1), z.maxLength(500)),
  maxTokenAgeSeconds: z.optional(z.int().check(z.gte(30), z.lte(3600))),
  ipRanges: shortList(z.string().check(z.minLength(1), z.maxLength(64)), 200),
  campusEntitlements: z.optional(shortList(z.string().check(z.minLength(1), z.maxLength(100)))),
  entitlementRules: shortList(RuleSchema),
  grants: shortList(GrantSchema, 100),
  databases: shortList(DatabaseSchema, 100),
  oidc: z.optional(OidcInputSchema),
};

const PartnerInputSchema = doc(
  z.strictObject({
    id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{1,62}$/)),
    ...fields,
    ipRanges: z._default(fields.ipRanges, []),
    databases: z._default(fields.databases, []),
  }),
  { id: 'PartnerInput' },
);
// No defaults here: zod applies a default even to a field of a partial object, so a PATCH naming only `status`
// would otherwise replace the stored ranges and databases with empty lists.
const PartnerPatchSchema = doc(
  z.partial(
    z.strictObject({
      ...fields,
      oidc: doc(z.union([OidcInputSchema, z.null()]), { description: 'null removes campus sign-in' }),
    }),
  ),
  { id: 'PartnerPatch' },
);

const PartnerSchema = doc(
  z.object({
    id: z.string(),
    ...fields,
    status: z.enum(['active', 'suspended']),
    maxTokenAgeSeconds: z.int(),
    campusEntitlements: z.array(z.string()),
    oidc: z.optional(OidcSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
  { id: 'Partner' },
);

const idParam = z.object({ id: z.string().check(z.minLength(1), z.maxLength(64)) });

export function partnerPolicy(config: AppDeps['config']): PartnerPolicy {
  return { allowLoopbackHttpJwks: config.MODE === 'local' };
}

const listPartners = createRoute({
  method: 'get',
  path: '/admin/partners',
  summary: 'Academic partners (librarians)',
  security: [{ bearer: [] }],
  responses: {
    200: {
      description: 'Every partner',
      content: { 'application/json': { schema: z.object({ data: z.array(PartnerSchema) }) } },
    },
    401: problemContent('Not signed in'),
    403: problemContent('Not a librarian'),
  },
});

const createPartner = createRoute({
  method: 'post',
  path: '/admin/partners',
  summary: 'Register an academic partner',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: PartnerInputSchema } } } },
  responses: {
    201: { description: 'Registered', content: { 'application/json': { schema: PartnerSchema } } },
    400: problemContent('Invalid partner (e.g. a /0 range, an http JWKS, a symmetric algorithm)'),
    409: problemContent('PARTNER_EXISTS: the id or the issuer is taken', ['PARTNER_EXISTS']),
    503: problemContent('FEDERATION_UNAVAILABLE: no secret store for an OIDC client secret', [
      'FEDERATION_UNAVAILABLE',
      'SERVICE_UNAVAILABLE',
    ]),
  },
});

const getPartner = createRoute({
  method: 'get',
  path: '/admin/partners/{id}',
  summary: 'One partner',
  security: [{ bearer: [] }],
  request: { params: idParam },
  responses: {
    200: { description: 'The partner', content: { 'application/json': { schema: PartnerSchema } } },
    404: problemContent('No such partner'),
  },
});

const patchPartner = createRoute({
  method: 'patch',
  path: '/admin/partners/{id}',
  summary: 'Change a partner (the fields given replace the stored ones)',
  security: [{ bearer: [] }],
  request: {
    params: idParam,
    body: { required: true, content: { 'application/json': { schema: PartnerPatchSchema } } },
  },
  responses: {
    200: { description: 'Changed', content: { 'application/json': { schema: PartnerSchema } } },
    400: problemContent('Invalid change'),
    404: problemContent('No such partner'),
    409: problemContent('PARTNER_CONFLICT', ['PARTNER_CONFLICT']),
    503: problemContent('FEDERATION_UNAVAILABLE: no secret store for an OIDC client secret', [
      'FEDERATION_UNAVAILABLE',
      'SERVICE_UNAVAILABLE',
    ]),
  },
});

/**
 * Stores a client secret the request carries (before the record that says one is set), so a partner is never
 * saved as having a secret the store lacks. Returns nothing: the secret goes no further.
 */
async function keepClientSecret(deps: AppDeps, partnerId: string, secret: string | undefined): Promise<void> {
  if (secret === undefined) return;
  if (!deps.partnerSecrets) {
    throw new ServiceUnavailableError({
      code: 'FEDERATION_UNAVAILABLE',
      detail: 'No secret store is configured for partners’ client secrets.',
    });
  }
  await deps.partnerSecrets.put(partnerId, secret);
}

const notFound = (id: string) =>
  new NotFoundError({ code: 'PARTNER_NOT_FOUND', detail: `Partner ${id} was not found.`, context: { id } });

export function partnerRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(listPartners, async (c) => {
    const partners = await c.get('deps').partners.list();
    return c.json({ data: [...partners].sort((a, b) => a.id.localeCompare(b.id)) }, 200);
  });

  app.openapi(createPartner, async (c) => {
    const deps = c.get('deps');
    const input = c.req.valid('json') as PartnerInput & { oidc?: PartnerOidcInput };
    const partner = buildPartner(input, partnerPolicy(deps.config), deps.clock.now());
    const exists = () =>
      new ConflictError({
        code: 'PARTNER_EXISTS',
        detail: 'A partner with this id or issuer is already registered.',
        context: {
          id: partner.id,
          issuer: partner.issuer,
        },
      });
    // Checked first so a taken id never has its secret overwritten.
    if (await deps.partners.get(partner.id)) throw exists();
    await keepClientSecret(deps, partner.id, input.oidc?.clientSecret);
    if (!(await deps.partners.create(partner))) throw exists();
    return c.json(partner, 201, { Location: `/admin/partners/${partner.id}` });
  });

  app.openapi(getPartner, async (c) => {
    const { id } = c.req.valid('param');
    const partner = await c.get('deps').partners.get(id);
    if (!partner) throw notFound(id);
    return c.json(partner, 200);
  });

  app.openapi(patchPartner, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const previous = await deps.partners.get(id);
    if (!previous) throw notFound(id);
    const { createdAt: _c, updatedAt: _u, ...stored } = previous;
    const patch = c.req.valid('json');
    const merged = { ...stored, ...patch, id } as PartnerInput;
    const partner = buildPartner(merged, partnerPolicy(deps.config), deps.clock.now(), previous);
    await keepClientSecret(deps, id, patch.oidc?.clientSecret);
    await deps.partners.update(partner, previous);
    return c.json(partner, 200);
  });
}
