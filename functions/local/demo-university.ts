import { randomBytes } from 'node:crypto';
import type { PartnerSecretStore } from '../domain/campus-sign-in';
import { buildPartner, type Partner } from '../domain/partner';
import type { Clock, PartnerRepository } from '../domain/ports';
import {
  demoCampusScope,
  demoMembers,
  libraryTermsEntitlement,
  startCampusIdp,
  type CampusIdp,
} from './campus-idp';

/**
 * Local mode's demo university: its OpenID Provider in process (functions/local/campus-idp.ts) and its partner
 * record, so a person trying `npm start` can sign in with a campus account end to end. Lecturers (the
 * library-terms entitlement) read both partner sample titles; every member (a scoped `member` affiliation)
 * reads the EPUB only.
 */
export const demoPartnerId = 'universitas-contoh';
export const demoClientId = 'pustaka-lokal';
export { demoMembers };

export interface DemoUniversityDeps {
  partners: PartnerRepository;
  partnerSecrets: PartnerSecretStore;
  clock: Clock;
}

export interface DemoUniversity {
  idp: CampusIdp;
  partner: Partner;
  stop(): Promise<void>;
}

export async function startDemoUniversity(
  deps: DemoUniversityDeps,
  options: {
    /** The gateway's exact redirect URI. */
    redirectUri: string;
    /** Title ids by sample file name (the seed report). */
    titleIds: Record<string, string>;
    /** The provider's port: a fixed one keeps the issuer, and so members' pseudonyms, across restarts. */
    port?: number;
  },
): Promise<DemoUniversity> {
  // Kept in DATA_DIR like any partner's secret, so it survives restarts; generated on the first one.
  let clientSecret = await deps.partnerSecrets.get(demoPartnerId);
  if (!clientSecret) {
    clientSecret = randomBytes(24).toString('base64url');
    await deps.partnerSecrets.put(demoPartnerId, clientSecret);
  }
  const idp = await startCampusIdp({
    clients: [{ clientId: demoClientId, clientSecret, redirectUris: [options.redirectUri] }],
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  try {
    const partner = await registerDemoPartner(deps, idp, options.titleIds);
    return { idp, partner, stop: () => idp.close() };
  } catch (error) {
    await idp.close();
    throw error;
  }
}

/** Creates the partner, or points it at this run's provider (the port may have changed). */
async function registerDemoPartner(
  deps: DemoUniversityDeps,
  idp: CampusIdp,
  titleIds: Record<string, string>,
): Promise<Partner> {
  const ids = (...files: string[]) => files.map((f) => titleIds[f]).filter((id): id is string => !!id);
  const input = {
    id: demoPartnerId,
    name: idp.name,
    issuer: idp.issuer,
    jwksUri: idp.jwksUri,
    algorithms: ['RS256' as const],
    audience: demoClientId,
    ipRanges: [],
    entitlementRules: [
      {
        kind: 'values' as const,
        claim: 'eduperson_entitlement',
        values: [libraryTermsEntitlement],
        entitlement: 'contoh-library-terms',
      },
      {
        kind: 'scoped-affiliation' as const,
        claim: 'eduperson_scoped_affiliation',
        affiliations: ['member'],
        scopes: [demoCampusScope],
        entitlement: 'contoh-member',
      },
    ],
    grants: [
      {
        entitlement: 'contoh-library-terms',
        collections: [],
        titles: ids('R-intro.pdf', 'internallinks.epub'),
      },
      { entitlement: 'contoh-member', collections: [], titles: ids('internallinks.epub') },
    ],
    campusEntitlements: [],
    databases: [],
    oidc: { clientId: demoClientId, scopes: ['openid', 'profile', 'eduperson'], clientSecretSet: true },
  };
  const policy = { allowLoopbackHttpJwks: true };
  const now = deps.clock.now();
  const existing = await deps.partners.get(demoPartnerId);
  if (!existing) {
    const partner = buildPartner(input, policy, now);
    if (await deps.partners.create(partner)) return partner;
    return (await deps.partners.get(demoPartnerId))!;
  }
  const partner = buildPartner({ ...input, status: existing.status }, policy, now, existing);
  await deps.partners.update(partner, existing);
  return partner;
}
