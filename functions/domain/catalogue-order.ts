import type { CatalogueHit } from './catalogue';
import { languageKey } from './catalogue-feeds';
import type { Title } from './title';
import { foldText } from './catalogue';

/**
 * Sorting and browsing over whatever the search found. The search (functions/domain/catalogue.ts and its index)
 * hands over its hits, best first; this module only reorders and counts them, so the two can change apart.
 */

export const catalogueSorts = ['relevance', 'newest', 'borrowed', 'title'] as const;
export type CatalogueSort = (typeof catalogueSorts)[number];

/** The window of "most borrowed". */
export const borrowedWindowDays = 30;

/** Loans started per title and day, counted when a checkout succeeds. */
export interface LoanStartCounter {
  count(titleId: string, at: Date): Promise<void>;
  /** Loans started per title over the `days` days up to and including `now`'s day. */
  since(days: number, now: Date): Promise<Map<string, number>>;
}

const byTitle = (a: Title, b: Title) =>
  a.sortTitle < b.sortTitle ? -1 : a.sortTitle > b.sortTitle ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

const byNewest = (a: Title, b: Title) =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : byTitle(a, b);

/**
 * The hits in the order asked for. `relevance` keeps the search's order (best first; catalogue order when no
 * words were given); the others are stable on ties (title order), so pages never shuffle between requests.
 * `borrowed` needs the loan counts of the window; titles never borrowed in it come last, in title order.
 */
export function orderHits(
  hits: readonly CatalogueHit[],
  sort: CatalogueSort,
  loans: ReadonlyMap<string, number> = new Map(),
): CatalogueHit[] {
  switch (sort) {
    case 'relevance':
      return [...hits];
    case 'title':
      return [...hits].sort((a, b) => byTitle(a.title, b.title));
    case 'newest':
      return [...hits].sort((a, b) => byNewest(a.title, b.title));
    case 'borrowed':
      return [...hits].sort(
        (a, b) => (loans.get(b.title.id) ?? 0) - (loans.get(a.title.id) ?? 0) || byTitle(a.title, b.title),
      );
  }
}

export interface BrowseCount {
  value: string;
  count: number;
}

/**
 * Subjects with how many titles carry each. Headings that differ only in case or accents are one subject,
 * shown as most titles spell it. Most titles first, then alphabetically; at most `limit`.
 */
export function subjectCounts(titles: readonly Title[], limit = 50): BrowseCount[] {
  const groups = new Map<string, { count: number; spellings: Map<string, number> }>();
  for (const title of titles) {
    const seen = new Set<string>();
    for (const subject of title.subjects) {
      const shown = subject.trim();
      const key = foldText(shown).replace(/\s+/g, ' ');
      if (!key || seen.has(key)) continue;
      seen.add(key);
      const group = groups.get(key) ?? { count: 0, spellings: new Map<string, number>() };
      group.count++;
      group.spellings.set(shown, (group.spellings.get(shown) ?? 0) + 1);
      groups.set(key, group);
    }
  }
  return [...groups.values()]
    .map((g) => ({
      value: [...g.spellings].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0]![0],
      count: g.count,
    }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, limit);
}

/** Languages (primary subtag, `en-GB` counts as `en`) with how many titles are in each; most first. */
export function languageCounts(titles: readonly Title[]): BrowseCount[] {
  const counts = new Map<string, number>();
  for (const title of titles) {
    const key = languageKey(title);
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
}
