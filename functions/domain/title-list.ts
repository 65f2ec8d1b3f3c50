import { foldText } from './catalogue';
import { licenceState, type Licence } from './licence';
import type { Page } from './ports';
import type { AccessMode, Format, Title } from './title';

/**
 * The librarians' list of every title (the console's "titles" tab): search over title, authors and ISBN, the
 * filters, and each row's licence summary. Pure logic plus the paging loop over a port; the adapter
 * (functions/adapters/title-listing.ts) reads the titles' catalogue index (gsi1) and each title's licences.
 */

export interface TitleListQuery {
  /** Words that must all occur (case and accents ignored) in the title, an author, or an ISBN. */
  q?: string;
  access?: AccessMode;
  format?: Format;
  /** true: withdrawn titles only; false: titles in the catalogue only; absent: both (catalogue first). */
  withdrawn?: boolean;
  /** Licensed titles with no active licence (none at all, or every one expired, used up or deactivated). */
  withoutLicence?: boolean;
  /** Titles with an active licence that expires within this many days. */
  licenceExpiringWithin?: number;
  /** Titles with an active metered licence that is nearly used up (see `nearlyUsedUp`). */
  checkoutsNearlyUsedUp?: boolean;
}

export interface LicenceSummary {
  /** Licences that lend now (active, not expired, checkouts left). */
  active: number;
  /** All licences of the title, whatever their state. */
  total: number;
  /** The soonest expiry among the active licences; null when none of them expires. */
  soonestExpiry: string | null;
  /** Checkouts left across the active licences; null when one of them is unlimited (0 with none active). */
  checkoutsLeft: number | null;
}

export interface TitleListRow {
  id: string;
  title: string;
  authors: string[];
  format: Format;
  access: AccessMode;
  withdrawn: boolean;
  isbn: string[];
  licences: LicenceSummary;
  /** The console's management page of the title. */
  link: string;
}

/**
 * "Nearly used up": an active licence with a checkout limit that has at most 5 checkouts left, or at most
 * 10 % of its checkouts left, whichever allows more (a 1 000-checkout licence is flagged at 100 left, a
 * 20-checkout one at 5). A used-up licence is no longer active: its title shows under "without licence".
 */
export const nearlyUsedUp = { checkoutsLeft: 5, fraction: 0.1 } as const;

export function isNearlyUsedUp(licence: Licence, now: Date): boolean {
  if (licenceState(licence, now) !== 'active') return false;
  const total = licence.terms.checkouts;
  const left = licence.checkoutsLeft;
  if (total === null || left === null) return false;
  return left <= Math.max(nearlyUsedUp.checkoutsLeft, Math.floor(total * nearlyUsedUp.fraction));
}

export function summariseLicences(licences: readonly Licence[], now: Date): LicenceSummary {
  const active = licences.filter((l) => licenceState(l, now) === 'active');
  let soonest: number | undefined;
  let left: number | null = 0;
  for (const licence of active) {
    if (licence.terms.expires !== null) {
      const at = Date.parse(licence.terms.expires);
      if (soonest === undefined || at < soonest) soonest = at;
    }
    left = left === null || licence.checkoutsLeft === null ? null : left + licence.checkoutsLeft;
  }
  return {
    active: active.length,
    total: licences.length,
    soonestExpiry: soonest === undefined ? null : new Date(soonest).toISOString(),
    checkoutsLeft: left,
  };
}

/** An ISBN as compared: digits (and a final X) only, ISBN-10 turned into its ISBN-13. */
export function isbnKey(isbn: string): string {
  const compact = isbn.replace(/[^0-9Xx]/g, '').toUpperCase();
  if (!/^\d{9}[\dX]$/.test(compact)) return compact;
  const body = `978${compact.slice(0, 9)}`;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[i]) * (i % 2 === 0 ? 1 : 3);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

const words = (q: string) => foldText(q).split(/\s+/).filter(Boolean);

/** The search and the filters that need only the title record. */
export function matchesTitle(title: Title, query: TitleListQuery): boolean {
  if (query.access && title.access !== query.access) return false;
  if (query.format && title.format !== query.format) return false;
  if (query.withdrawn !== undefined && (title.status === 'withdrawn') !== query.withdrawn) return false;
  const q = query.q?.trim();
  if (!q) return true;
  const isbns = title.identifiers.isbn ?? [];
  const compactQuery = q.replace(/[\s-]/g, '');
  if (/^[0-9Xx]{4,13}$/.test(compactQuery)) {
    const wanted = compactQuery.toUpperCase();
    if (isbns.some((i) => isbnKey(i).includes(wanted) || i.replace(/[\s-]/g, '').includes(wanted)))
      return true;
    if (compactQuery.length === 10 && isbns.some((i) => isbnKey(i) === isbnKey(compactQuery))) return true;
  }
  const haystack = foldText(
    [
      title.title,
      ...(title.alternateTitles ?? []),
      ...title.authors,
      ...(title.alternateNames ?? []),
      ...isbns,
      title.id,
    ].join('\n'),
  );
  return words(q).every((word) => haystack.includes(word));
}

/** Whether the licence filters ask for a title's licences at all. */
export function needsLicences(query: TitleListQuery): boolean {
  return Boolean(
    query.withoutLicence || query.licenceExpiringWithin !== undefined || query.checkoutsNearlyUsedUp,
  );
}

/** The filters that need the title's licences (all asked for must hold). */
export function matchesLicences(
  title: Title,
  licences: readonly Licence[],
  query: TitleListQuery,
  now: Date,
): boolean {
  const active = licences.filter((l) => licenceState(l, now) === 'active');
  if (query.withoutLicence && (title.access !== 'licensed' || active.length > 0)) return false;
  if (query.licenceExpiringWithin !== undefined) {
    const until = now.getTime() + query.licenceExpiringWithin * 86_400_000;
    const expiring = active.some((l) => l.terms.expires !== null && Date.parse(l.terms.expires) <= until);
    if (!expiring) return false;
  }
  if (query.checkoutsNearlyUsedUp && !active.some((l) => isNearlyUsedUp(l, now))) return false;
  return true;
}

export function titleListRow(title: Title, licences: readonly Licence[], now: Date): TitleListRow {
  return {
    id: title.id,
    title: title.title,
    authors: [...title.authors],
    format: title.format,
    access: title.access,
    withdrawn: title.status === 'withdrawn',
    isbn: [...(title.identifiers.isbn ?? [])],
    licences: summariseLicences(licences, now),
    link: `#/console/titles/${encodeURIComponent(title.id)}`,
  };
}

// ---- paging ------------------------------------------------------------------------------------------

/** The two listings of titles, in the order the list walks them. */
export type TitleListing = 'catalogue' | 'withdrawn';

/** Where a page ends: after this title (by its place in catalogue order) of this listing. */
export interface TitleListPosition {
  listing: TitleListing;
  after?: { sortTitle: string; id: string };
}

export interface TitleListSource {
  /** Up to `limit` titles of a listing in catalogue order, after `after`; `more` when the listing goes on. */
  titles(
    listing: TitleListing,
    after: TitleListPosition['after'],
    limit: number,
  ): Promise<{ titles: Title[]; more: boolean }>;
  /** Every licence of the title (any state). */
  licences(titleId: string): Promise<Licence[]>;
}

export interface TitleListLimits {
  /** Titles read from the index per request at most: a page may come back short, with a cursor. */
  maxExamined: number;
  /** Titles whose licences are read per request at most (one query each). */
  maxLicenceReads: number;
  /** Titles read from the index at a time. */
  chunk: number;
}

export const defaultTitleListLimits: TitleListLimits = {
  maxExamined: 2_000,
  maxLicenceReads: 300,
  chunk: 100,
};

export function listingsOf(query: TitleListQuery): TitleListing[] {
  if (query.withdrawn === true) return ['withdrawn'];
  if (query.withdrawn === false) return ['catalogue'];
  return ['catalogue', 'withdrawn'];
}

/**
 * One page of the list: walks the listings from `start`, keeps the titles that match, until `limit` rows,
 * the end, or the request's reading budget. `next` is where the next page starts (absent at the end); a page
 * cut short by the budget has fewer rows (possibly none) and a `next`, so a very selective filter over a
 * large catalogue answers in bounded time and the client asks on.
 */
export async function listTitles(
  source: TitleListSource,
  query: TitleListQuery,
  options: { limit: number; start?: TitleListPosition; now: Date; limits?: Partial<TitleListLimits> },
): Promise<{ rows: TitleListRow[]; next?: TitleListPosition }> {
  const limits = { ...defaultTitleListLimits, ...options.limits };
  const listings = listingsOf(query);
  const rows: TitleListRow[] = [];
  let examined = 0;
  let licenceReads = 0;
  let index = options.start ? listings.indexOf(options.start.listing) : 0;
  if (index < 0) return { rows };
  let after = options.start?.after;
  while (index < listings.length) {
    const listing = listings[index]!;
    const { titles, more } = await source.titles(listing, after, limits.chunk);
    const candidates = titles.filter((t) => matchesTitle(t, query));
    // Licences of the candidates, read a batch at a time (as many as rows are still wanted, at least 8).
    let position = 0;
    let stopAt: Title | undefined;
    while (position < candidates.length) {
      const batch = candidates.slice(position, position + Math.max(8, options.limit - rows.length));
      const pools = await Promise.all(batch.map((t) => source.licences(t.id)));
      licenceReads += batch.length;
      for (let i = 0; i < batch.length; i++) {
        const title = batch[i]!;
        const licences = pools[i]!;
        if (needsLicences(query) && !matchesLicences(title, licences, query, options.now)) continue;
        rows.push(titleListRow(title, licences, options.now));
        if (rows.length === options.limit) {
          stopAt = title;
          break;
        }
      }
      if (stopAt) break;
      position += batch.length;
      if (licenceReads >= limits.maxLicenceReads && position < candidates.length) {
        // Out of licence reads mid-chunk: end the page after the last candidate read.
        stopAt = candidates[position - 1];
        break;
      }
    }
    examined += titles.length;
    const last = stopAt ?? titles.at(-1);
    const listingGoesOn = stopAt ? stopAt !== titles.at(-1) || more : more;
    const nextInListing = last ? { sortTitle: last.sortTitle, id: last.id } : after;
    const budgetLeft = examined < limits.maxExamined && licenceReads < limits.maxLicenceReads;
    if (rows.length === options.limit || stopAt || !budgetLeft) {
      if (listingGoesOn)
        return { rows, next: { listing, ...(nextInListing ? { after: nextInListing } : {}) } };
      const following = listings[index + 1];
      return { rows, ...(following ? { next: { listing: following } } : {}) };
    }
    if (more) {
      after = nextInListing;
      continue;
    }
    index += 1;
    after = undefined;
  }
  return { rows };
}

/** The list as the HTTP layer asks for it: filters, a page size and the opaque cursor of the previous page. */
export interface TitleListReader {
  list(
    query: TitleListQuery,
    page: { limit: number; cursor?: string; now: Date },
  ): Promise<Page<TitleListRow>>;
}
