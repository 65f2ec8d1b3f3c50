import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { ServiceUnavailableError } from '../../domain/errors';
import { exchangeAssertion } from '../../domain/federation';
import type { AppEnv } from '../deps';
import { memberSessions } from '../../application/member-sessions';
import { MemberSignedInSchema, problemContent } from '../schemas';

const FederatedRequestSchema = doc(
  z.strictObject({
    assertion: doc(z.string().check(z.minLength(1), z.maxLength(8192)), {
      description: 'The member token (a JWT) from the partner IdP',
    }),
  }),
  { id: 'FederatedSignInRequest' },
);

const federatedRoute = createRoute({
  method: 'post',
  path: '/auth/federated',
  summary: 'Exchange a partner member token for gateway tokens',
  description:
    'The token must come from a registered partner (exact issuer), be signed with a key from its pinned JWKS ' +
    'with one of its algorithms, name its audience, be fresh, carry exp, iat, sub and jti, and be used once.',
  request: { body: { required: true, content: { 'application/json': { schema: FederatedRequestSchema } } } },
  responses: {
    200: { description: 'Signed in', content: { 'application/json': { schema: MemberSignedInSchema } } },
    400: problemContent('Invalid body'),
    401: problemContent('INVALID_ASSERTION, UNKNOWN_ISSUER, ASSERTION_REPLAYED or NOT_ENTITLED', [
      'INVALID_ASSERTION',
      'UNKNOWN_ISSUER',
      'ASSERTION_REPLAYED',
      'NOT_ENTITLED',
    ]),
    503: problemContent(
      'PARTNER_KEYS_UNAVAILABLE: the partner’s key set cannot be fetched right now; FEDERATION_UNAVAILABLE: ' +
        'the pseudonym secret cannot be read (or is not configured)',
      ['PARTNER_KEYS_UNAVAILABLE', 'FEDERATION_UNAVAILABLE'],
    ),
  },
});

export function federationRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(federatedRoute, async (c) => {
    const deps = c.get('deps');
    if (!deps.federation) {
      throw new ServiceUnavailableError({
        code: 'FEDERATION_UNAVAILABLE',
        detail: 'Partner sign-in is not configured.',
      });
    }
    const result = await exchangeAssertion(
      { ...deps.federation, clock: deps.clock, partners: deps.partners, sessions: memberSessions(deps) },
      c.req.valid('json').assertion,
    );
    c.header('Cache-Control', 'no-store');
    return c.json(result, 200);
  });
}
