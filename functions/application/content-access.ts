import { signedIn, type Caller } from '../domain/caller';
import type { ContentLinkSigner } from '../domain/content-links';
import { accessTypeOf } from '../domain/counter';
import { decideAccess, denialMetricOf } from '../domain/lending';
import type { LendingRepository } from '../domain/lending-ports';
import { sortTitleOf, type Title } from '../domain/title';
import { partnerAccess, type PartnerAccessDeps } from './partner-reading';
import { institutionOf, type UsageContext } from './usage';

/** What issuing a content link reads and writes (the partner decision's ports, the loan, the link signer). */
export interface ContentAccessDeps extends PartnerAccessDeps {
  lending: Pick<LendingRepository, 'titleLending' | 'activeLoanOf'>;
  links: Pick<ContentLinkSigner, 'signGet'>;
}

export interface ContentLink {
  url: string;
  expiresAt: string;
}

/**
 * A signed link to read a title, for whoever may read it now: anyone for open titles, the holder of an active
 * loan for licensed ones (refused after `expiresAt` whether or not the sweeper has run), a partner entitlement
 * within the licences' concurrency for partner titles. Denials are counted (Limit_Exceeded / No_License) and
 * every link issued is counted as a request, except a reader's renewal mid-book (`usage.renewal`, see
 * functions/adapters/counter-store.ts). One path for POST /titles/{id}/access and OPDS acquisition.
 */
export async function issueContentLink(
  deps: ContentAccessDeps,
  title: Title,
  caller: Caller | undefined,
  usage: UsageContext = { institution: institutionOf(caller) },
): Promise<ContentLink> {
  const now = deps.clock.now();
  const counted = { user: usage.user, institution: usage.institution } as const;
  let expiresIn: number;
  if (title.access === 'partner') {
    ({ expiresIn } = await partnerAccess(deps, title, caller, usage));
  } else {
    // Campus access (no token) counts for partner titles only; for the rest the caller is not signed in.
    const patron = signedIn(caller);
    const loan =
      title.access === 'licensed' && patron
        ? await deps.lending.activeLoanOf(patron.patronId, title.id)
        : undefined;
    try {
      ({ expiresIn } = decideAccess({
        title,
        caller: patron,
        loan,
        linkTtlSeconds: deps.config.LINK_TTL_SECONDS,
        now,
      }));
    } catch (error) {
      const metric = denialMetricOf(error);
      if (metric) await deps.usage.record({ titleId: title.id, metric, at: now, ...counted });
      throw error;
    }
  }
  const url = await deps.links.signGet(title.contentKey, {
    expiresIn,
    now,
    contentType: title.contentType,
    filename: `${sortTitleOf(title.title).replaceAll(' ', '-') || title.id}.${title.format}`,
  });
  await deps.usage.record({
    titleId: title.id,
    metric: 'Total_Item_Requests',
    at: now,
    ...counted,
    accessType: accessTypeOf(title.access),
    ...(usage.renewal ? { renewal: true } : {}),
  });
  return { url, expiresAt: new Date(now.getTime() + expiresIn * 1000).toISOString() };
}
