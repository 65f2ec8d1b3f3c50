import { institutionOf, type UsageContext } from '../application/usage';
import type { Caller } from '../domain/caller';
import { requestAddress } from './campus';
import type { AppDeps } from './deps';

// Defined beside the use cases that count (functions/application/usage.ts); re-exported for the routes.
export { institutionOf, type UsageContext };

/**
 * The user COUNTER's double-click filter and user-sessions follow (07-processing_02, option 4 then 1): the
 * signed-in patron or member (or campus reader), else the client address with the browser's user agent.
 * Never stored: the counter keeps only a hash of it on markers that expire.
 */
export function usageContextOf(
  c: { env: unknown; req: { header(name: string): string | undefined } },
  deps: Pick<AppDeps, 'config'>,
  caller: Caller | undefined,
  options: { renewal?: boolean } = {},
): UsageContext {
  const address = caller ? undefined : requestAddress(c, deps.config.TRUSTED_PROXY_CIDRS);
  const user = caller
    ? `patron:${caller.patronId}`
    : `client:${address ?? 'unknown'}|${c.req.header('User-Agent') ?? ''}`;
  return { user, institution: institutionOf(caller), ...(options.renewal ? { renewal: true } : {}) };
}
