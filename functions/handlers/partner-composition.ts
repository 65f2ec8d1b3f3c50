import { createAssertionVerifier } from '../adapters/assertion-verifier';
import { createCampusFlowSealer } from '../adapters/campus-flows';
import { DynamoCampusHandoffs } from '../adapters/campus-handoffs';
import { createCampusProvider } from '../adapters/campus-provider';
import { createDynamoClients, type DynamoClients } from '../adapters/dynamo-clients';
import { hmacPseudonyms, type PseudonymSecretSource } from '../adapters/pseudonyms';
import { DynamoReplayGuard } from '../adapters/replay-guard';
import type { Config } from '../config';
import type { PartnerSecretStore } from '../domain/campus-sign-in';
import type { AppDeps, CampusSignIn, FederatedSignIn } from '../http/deps';
import { composeApi, type DepsOptions } from './api-composition';

/** A partner's assertion is checked against its key set, used once, and its member given a pseudonymous id. */
function federatedSignIn(
  config: Config,
  clients: DynamoClients,
  secretSource: PseudonymSecretSource | undefined,
): FederatedSignIn | undefined {
  if (!secretSource) return undefined;
  return {
    assertions: createAssertionVerifier({
      timeoutMs: config.JWKS_TIMEOUT_MS,
      cooldownMs: config.JWKS_COOLDOWN_MS,
      cacheMaxAgeMs: config.JWKS_CACHE_MAX_AGE_MS,
      clockToleranceSeconds: 30,
    }),
    replays: new DynamoReplayGuard(clients.documents, config.TABLE_NAME),
    pseudonyms: hmacPseudonyms(secretSource),
  };
}

/**
 * Campus sign-in needs the API's public URL (the exact redirect URI), the secret store and the server secret
 * the flow cookie's key derives from; without any of them it is off (503).
 */
function campusSignIn(
  config: Config,
  clients: DynamoClients,
  secrets: PartnerSecretStore | undefined,
  secretSource: PseudonymSecretSource | undefined,
): CampusSignIn | undefined {
  const publicUrl =
    config.PUBLIC_API_URL ?? (config.MODE === 'local' ? `http://localhost:${config.PORT}` : undefined);
  if (!publicUrl || !secrets || !secretSource) return undefined;
  const redirectUri = `${publicUrl.replace(/\/+$/, '')}/auth/oidc/callback`;
  return {
    provider: createCampusProvider({
      redirectUri,
      timeoutMs: config.JWKS_TIMEOUT_MS,
      metadataMaxAgeMs: config.JWKS_CACHE_MAX_AGE_MS,
      allowLoopbackHttp: config.MODE === 'local',
      secrets,
    }),
    flows: createCampusFlowSealer(secretSource),
    handoffs: new DynamoCampusHandoffs(clients.documents, config.TABLE_NAME),
    redirectUri,
    appUrl: config.WEB_ORIGIN !== '*' ? config.WEB_ORIGIN : publicUrl.replace(/\/+$/, ''),
  };
}

/**
 * Every API function's deps (./api-composition.ts) and partner members' sign-in: what the partner API
 * (./partner.ts) builds, and what runs wherever the whole gateway is one app (`npm start`, the tests).
 */
export function createDepsWithPartnerAccess(
  config: Config,
  clients: DynamoClients = createDynamoClients(config),
  options: DepsOptions = {},
): AppDeps {
  const { deps, pseudonymSecret, partnerSecrets } = composeApi(config, clients, options);
  return {
    ...deps,
    federation: federatedSignIn(config, clients, pseudonymSecret),
    campus: campusSignIn(config, clients, partnerSecrets, pseudonymSecret),
  };
}
