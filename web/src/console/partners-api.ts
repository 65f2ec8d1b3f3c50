import { api } from '../api/client';

/** The partner API as the console uses it (functions/http/routes/partners.ts; librarian-only). */

export const partnerAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export type PartnerAlgorithm = (typeof partnerAlgorithms)[number];

export type PartnerRule =
  | {
      kind: 'values';
      claim: string;
      values: string[];
      shape?: 'array' | 'array-or-string';
      entitlement: string;
    }
  | {
      kind: 'scoped-affiliation';
      claim: string;
      affiliations: string[];
      scopes: string[];
      shape?: 'array' | 'array-or-string';
      entitlement: string;
    };

export interface PartnerGrant {
  entitlement: string;
  collections: string[];
  titles: string[];
}

/** A licensed database patrons are sent to through `/go` (a host, a domain or both). */
export interface PartnerDatabase {
  name: string;
  host?: string;
  domain?: string;
  startUrl: string;
}

export interface PartnerFields {
  name: string;
  status?: 'active' | 'suspended';
  issuer: string;
  jwksUri: string;
  algorithms: PartnerAlgorithm[];
  audience: string;
  maxTokenAgeSeconds?: number;
  ipRanges: string[];
  campusEntitlements?: string[];
  entitlementRules: PartnerRule[];
  grants: PartnerGrant[];
  databases: PartnerDatabase[];
  /** The secret is write-only: sent to be stored, never returned. */
  oidc?: { clientId: string; scopes?: string[]; clientSecret?: string };
}

export interface PartnerRecord extends Omit<PartnerFields, 'oidc'> {
  id: string;
  status: 'active' | 'suspended';
  maxTokenAgeSeconds: number;
  campusEntitlements: string[];
  oidc?: { clientId: string; scopes: string[]; clientSecretSet: boolean };
  createdAt: string;
  updatedAt: string;
}

/** A change: the fields given replace the stored ones; `oidc: null` removes campus sign-in. */
export type PartnerPatch = Partial<Omit<PartnerFields, 'oidc'>> & { oidc?: PartnerFields['oidc'] | null };

const enc = encodeURIComponent;

export const partnerAdmin = {
  async list(): Promise<PartnerRecord[]> {
    return (await api.request<{ data: PartnerRecord[] }>('GET', '/admin/partners')).data;
  },
  get(id: string): Promise<PartnerRecord> {
    return api.request('GET', `/admin/partners/${enc(id)}`);
  },
  create(body: PartnerFields & { id: string }): Promise<PartnerRecord> {
    return api.request('POST', '/admin/partners', { body });
  },
  update(id: string, body: PartnerPatch): Promise<PartnerRecord> {
    return api.request('PATCH', `/admin/partners/${enc(id)}`, { body });
  },
};
