import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../config';
import { createPartnerApp } from '../http/partner-api';
import { createDepsWithPartnerAccess } from './partner-composition';

/**
 * Partner API on Lambda (partner members' sign-in, SUSHI): its own function, so that the OpenID relying party
 * stays out of the patron API's bundle and only this function reads the partners' OIDC client secrets.
 */
export const handler = handle(
  createPartnerApp(createDepsWithPartnerAccess(loadConfig(process.env, 'partnerApi'))),
);
