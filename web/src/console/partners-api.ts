import { api } from '../api/client';
import type { components } from '../api/contract';
import type { Answer, RequestBody } from '../api/types';

/**
 * The partner API as the console uses it (functions/http/routes/partners.ts; librarian-only): aliases of the
 * types generated from the OpenAPI document (../api/contract.ts), so a drift fails the type check.
 */
type Schemas = components['schemas'];

/** A partner as the API answers it: the client secret never comes back, only whether one is stored. */
export type PartnerRecord = Schemas['Partner'];
export type PartnerAlgorithm = PartnerRecord['algorithms'][number];
export type PartnerRule = PartnerRecord['entitlementRules'][number];
export type PartnerGrant = Schemas['PartnerInput']['grants'][number];
/** A licensed database patrons are sent to through `/go` (a host, a domain or both). */
export type PartnerDatabase = Schemas['PartnerInput']['databases'][number];
/** What the form sends (the id is given apart, on creation only); the secret is write-only. */
export type PartnerFields = Omit<Schemas['PartnerInput'], 'id'>;

/** A change: the fields given replace the stored ones; `oidc: null` removes campus sign-in. */
export type PartnerPatch = Schemas['PartnerPatch'];

/**
 * Every algorithm the API accepts, in the order the form offers them: a record over the generated union, so an
 * algorithm the server adds (or drops) fails the type check here until the form follows.
 */
const algorithmOffered: Record<PartnerAlgorithm, true> = {
  RS256: true,
  RS384: true,
  RS512: true,
  PS256: true,
  PS384: true,
  PS512: true,
  ES256: true,
  ES384: true,
  ES512: true,
  EdDSA: true,
  Ed25519: true,
};
export const partnerAlgorithms = Object.keys(algorithmOffered) as PartnerAlgorithm[];

const enc = encodeURIComponent;

export const partnerAdmin = {
  async list(): Promise<PartnerRecord[]> {
    return (await api.request<Answer<'/admin/partners', 'get'>>('GET', '/admin/partners')).data;
  },
  get(id: string): Promise<PartnerRecord> {
    return api.request('GET', `/admin/partners/${enc(id)}`);
  },
  create(body: RequestBody<'/admin/partners', 'post'>): Promise<PartnerRecord> {
    return api.request('POST', '/admin/partners', { body });
  },
  update(id: string, body: PartnerPatch): Promise<PartnerRecord> {
    return api.request('PATCH', `/admin/partners/${enc(id)}`, { body });
  },
};
