import type { Caller } from '../domain/caller';
import { libraryInstitutionId } from '../domain/counter';

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
