import type { GatewaySessionIssuer } from '../domain/federation';
import { ServiceUnavailableError } from '../domain/errors';

/** Placeholder until identity's token service is wired in: federated sign-in answers 503. */
export const unavailableMemberSessions: GatewaySessionIssuer = {
  issue() {
    return Promise.reject(
      new ServiceUnavailableError('Partner sign-in is not available yet.', 'FEDERATION_UNAVAILABLE'),
    );
  },
};
