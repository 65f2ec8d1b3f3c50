import { NotFoundError, UnauthorizedError } from '../domain/errors';
import { decidePartnerAccess } from '../domain/partner-access';
import type { Caller } from '../domain/caller';
import type { Title } from '../domain/title';
import type { AppDeps } from './deps';

/**
 * Applies the partner access decision for a `partner` title and records denials as usage events
 * (`No_License`, `Limit_Exceeded`). Licence concurrency comes from lending once it is wired in; until then a
 * partner title without licences is unlimited (see the federation notes in the report).
 */
export async function assertPartnerAccess(
  deps: Pick<AppDeps, 'partners' | 'usage' | 'clock'>,
  title: Title,
  caller: Caller | undefined,
): Promise<void> {
  if (title.access !== 'partner') throw new NotFoundError('Title', title.id, 'TITLE_NOT_FOUND');
  if (!caller) throw new UnauthorizedError('Sign in through your university, or connect from its network.');
  const partner = caller.partnerId ? await deps.partners.get(caller.partnerId) : undefined;
  const decision = decidePartnerAccess({
    title: { id: title.id, access: 'partner', status: title.status, collections: collectionsOf(title) },
    caller,
    partner,
    concurrency: undefined,
    inUse: 0,
  });
  if (decision.allowed) return;
  await deps.usage.record({ titleId: title.id, metric: decision.metric, at: deps.clock.now() });
  throw decision.error;
}

/** A title's collections for partner grants: its subjects (the catalogue's collections). */
export function collectionsOf(title: Pick<Title, 'subjects'>): string[] {
  return title.subjects;
}
