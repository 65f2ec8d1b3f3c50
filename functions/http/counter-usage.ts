import type { Caller } from '../domain/caller';
import { libraryInstitutionId } from '../domain/counter';
import { requestAddress } from './campus';
import type { AppDeps } from './deps';

/** Who a use is counted for (COUNTER): a pseudonymous user, the institution, and whether it renews a link. */
export interface UsageContext {
  user?: string;
  institution: string;
  renewal?: boolean;
}

/** The institution a caller's use is reported under: the member's partner, else the library. */
export function institutionOf(caller: Caller | undefined): string {
  return caller?.partnerId ?? libraryInstitutionId;
}

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
