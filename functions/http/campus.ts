import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { campusPartnerFor, clientAddress } from '../domain/campus';
import { checkIpRange } from '../domain/partner';
import type { AppEnv } from './deps';
import { campusReaderId } from '../application/partner-reading';

/**
 * Campus access, as a middleware factory: a request without a token that comes from one of a partner's campus
 * ranges gets a caller holding that partner's campus entitlements (no patron id of its own, no roles).
 *
 * The address is the network's: API Gateway's request context (`requestContext.http.sourceIp`) on Lambda, the
 * socket's peer address under `npm start`. `X-Forwarded-For` counts only when the peer is one of
 * `trustedProxies` (config TRUSTED_PROXY_CIDRS, empty by default). A request that carries a token is left to
 * the token check, so a bad token is refused rather than quietly replaced by campus access.
 *
 *   app.use('/opds/*', campusAccess({ trustedProxies: config.TRUSTED_PROXY_CIDRS }));
 */

export interface CampusAccessOptions {
  trustedProxies: readonly string[];
}

interface NetworkBindings {
  /** hono/aws-lambda: the API Gateway event. */
  event?: { requestContext?: { http?: { sourceIp?: unknown }; identity?: { sourceIp?: unknown } } };
  /** @hono/node-server: the incoming request. */
  incoming?: { socket?: { remoteAddress?: unknown } };
}

/** The network peer's address, from whichever runtime serves the app; undefined when there is none. */
export function peerAddress(env: unknown): string | undefined {
  const bindings = (env ?? {}) as NetworkBindings;
  const fromGateway =
    bindings.event?.requestContext?.http?.sourceIp ?? bindings.event?.requestContext?.identity?.sourceIp;
  if (typeof fromGateway === 'string') return fromGateway;
  const fromSocket = bindings.incoming?.socket?.remoteAddress;
  return typeof fromSocket === 'string' ? fromSocket : undefined;
}

/**
 * The client's address as the gateway can vouch for it: the network peer, or what a trusted proxy forwarded
 * (see clientAddress). Undefined when the app is called without a network (in-process).
 */
export function requestAddress(
  c: { env: unknown; req: { header(name: string): string | undefined } },
  trustedProxies: readonly string[],
): string | undefined {
  return clientAddress({
    peer: peerAddress(c.env),
    forwardedFor: c.req.header('X-Forwarded-For'),
    trustedProxies,
  });
}

export function campusAccess(options: CampusAccessOptions): MiddlewareHandler<AppEnv> {
  const trustedProxies = options.trustedProxies.map((range) => checkIpRange(range));
  return createMiddleware<AppEnv>(async (c, next) => {
    const signedIn = (c.get('caller') as AppEnv['Variables']['caller'] | undefined) !== undefined;
    if (!signedIn && c.req.header('Authorization') === undefined) {
      const address = requestAddress(c, trustedProxies);
      if (address !== undefined) {
        const partner = campusPartnerFor(await c.get('deps').partners.list(), address);
        if (partner && partner.campusEntitlements.length > 0) {
          c.set('caller', {
            patronId: campusReaderId(partner.id, address),
            roles: [],
            partnerId: partner.id,
            entitlements: partner.campusEntitlements,
            campus: true,
          });
        }
      }
    }
    await next();
  });
}
