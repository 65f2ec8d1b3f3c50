import { createHash } from 'node:crypto';
import type { Config } from '../config';
import type { Caller } from '../domain/caller';
import { NotFoundError } from '../domain/errors';
import type { LendingRepository, UsageRecorder } from '../domain/lending-ports';
import { decidePartnerAccess, partnerLimitExceeded, type ReadingSlots } from '../domain/partner-access';
import type { Clock, PartnerRepository } from '../domain/ports';
import type { Title } from '../domain/title';
import { institutionOf, type UsageContext } from './usage';

/** What deciding a partner title's access reads and writes. */
export interface PartnerAccessDeps {
  partners: Pick<PartnerRepository, 'get'>;
  usage: UsageRecorder;
  clock: Clock;
  lending: Pick<LendingRepository, 'titleLending'>;
  readingSlots: ReadingSlots;
  config: Pick<Config, 'LINK_TTL_SECONDS'>;
}

/**
 * Applies the partner access decision for a `partner` title (shared by `POST /titles/{id}/access` and the OPDS
 * acquisition link): entitlement, usable licences, and a reading slot when the licences cap concurrency.
 * Denials are counted like lending's turnaways (`No_License`, `Limit_Exceeded`). Returns how long the link may
 * live (the slot's lease is exactly that long).
 */
export async function partnerAccess(
  deps: PartnerAccessDeps,
  title: Title,
  caller: Caller | undefined,
  usage: UsageContext = { institution: institutionOf(caller) },
): Promise<{ expiresIn: number }> {
  if (title.access !== 'partner')
    throw new NotFoundError({
      code: 'TITLE_NOT_FOUND',
      detail: `Title ${title.id} was not found.`,
      context: { id: title.id },
    });
  const now = deps.clock.now();
  const [partner, lending] = await Promise.all([
    caller?.partnerId ? deps.partners.get(caller.partnerId) : undefined,
    deps.lending.titleLending(title.id),
  ]);
  const decision = decidePartnerAccess({
    title: { id: title.id, status: title.status, collections: collectionsOf(title) },
    caller,
    partner,
    licences: lending?.licences ?? [],
    now,
  });
  if (!decision.allowed) {
    if (decision.metric)
      await deps.usage.record({
        titleId: title.id,
        metric: decision.metric,
        at: now,
        user: usage.user,
        institution: usage.institution,
      });
    throw decision.error;
  }
  const expiresIn = deps.config.LINK_TTL_SECONDS;
  if (decision.slots !== null) {
    const claimed = await deps.readingSlots.claim({
      titleId: title.id,
      holder: caller!.patronId,
      slots: decision.slots,
      now,
      until: new Date(now.getTime() + expiresIn * 1000),
    });
    if (!claimed) {
      await deps.usage.record({
        titleId: title.id,
        metric: 'Limit_Exceeded',
        at: now,
        user: usage.user,
        institution: usage.institution,
      });
      throw partnerLimitExceeded(title.id);
    }
  }
  return { expiresIn };
}

/** A title's collections for partner grants: its subjects (the catalogue's collections). */
export function collectionsOf(title: Pick<Title, 'subjects'>): string[] {
  return title.subjects;
}

/** Campus readers share no account: each client address is its own reader (hashed; the address is not kept). */
export function campusReaderId(partnerId: string, address: string): string {
  return `campus:${partnerId}:${createHash('sha256').update(address).digest('base64url').slice(0, 16)}`;
}

export type { ReadingSlots };
