import type { Format, Title } from './title';

/**
 * Paging, facets and groups of the catalogue as reading apps browse it (the OPDS feeds), over the in-memory
 * catalogue index: every page is a slice of one ordered list, so `first`/`previous`/`next`/`last` and the
 * number of items are known exactly, for a search as for the whole catalogue.
 */

export interface PageRequest {
  /** 1-based. */
  page: number;
  size: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  size: number;
  total: number;
  /** The last page with items (1 when there are none). */
  lastPage: number;
}

export function pageOf<T>(all: readonly T[], request: PageRequest): Page<T> {
  const lastPage = Math.max(1, Math.ceil(all.length / request.size));
  const start = (request.page - 1) * request.size;
  return {
    items: all.slice(start, start + request.size),
    page: request.page,
    size: request.size,
    total: all.length,
    lastPage,
  };
}

/** The facets an app may narrow a list with. `availability=available`: a copy can be read or borrowed now. */
export interface FacetSelection {
  language?: string;
  format?: Format;
  availability?: 'available';
}

export type FacetName = keyof FacetSelection;

/** A title's primary language subtag, lower case (`en-GB` → `en`), the value the language facet offers. */
export function languageKey(title: Title): string | undefined {
  const primary = title.language?.split('-')[0]?.toLowerCase();
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

/** How many titles each value of the language and format facets would leave (with the other facets applied). */
export function facetCounts(
  titles: readonly Title[],
  selection: FacetSelection,
  isAvailable: (title: Title) => boolean,
): { language: Map<string, number>; format: Map<Format, number> } {
  const language = new Map<string, number>();
  const format = new Map<Format, number>();
  for (const title of titles) {
    if (selection.availability && !isAvailable(title)) continue;
    const lang = languageKey(title);
    if (lang && (!selection.format || title.format === selection.format))
      language.set(lang, (language.get(lang) ?? 0) + 1);
    if (!selection.language || lang === selection.language)
      format.set(title.format, (format.get(title.format) ?? 0) + 1);
  }
  return {
    language: new Map([...language].sort(([a], [b]) => (a < b ? -1 : 1))),
    format: new Map([...format].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

export function matchesFacets(
  title: Title,
  selection: FacetSelection,
  isAvailable: (title: Title) => boolean,
): boolean {
  if (selection.language && languageKey(title) !== selection.language) return false;
  if (selection.format && title.format !== selection.format) return false;
  if (selection.availability && !isAvailable(title)) return false;
  return true;
}

/** Newest first: what the "new titles" group and the `sort=new` list show. */
export function newestFirst(titles: readonly Title[]): Title[] {
  return [...titles].sort((a, b) =>
    a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? -1 : 1,
  );
}

/**
 * A curated group of the catalogue's root: a few titles and where the whole list is. The library's collections
 * will be one more source of groups (a `GroupSource` over their store); "new titles" is the first.
 */
export interface CatalogueGroup {
  /** Stable, used for the group's own list (e.g. `new`, `collection:<id>`). */
  key: string;
  title: string;
  /** The full list's size. */
  numberOfItems: number;
  /** The first few titles, shown in the group itself. */
  titles: Title[];
  /** Query of the publications feed listing the whole group (e.g. `{ sort: 'new' }`). */
  list: Record<string, string>;
  /** The group's own feed, where it has one (a collection's); else the publications feed with `list`. */
  href?: string;
}

export interface GroupSourceInput {
  /** The active titles, in catalogue order. */
  titles: readonly Title[];
  /** How many titles a group shows. */
  size: number;
}

export type GroupSource = (input: GroupSourceInput) => Promise<CatalogueGroup[]>;

export const newTitlesGroup: GroupSource = async ({ titles, size }) =>
  titles.length === 0
    ? []
    : [
        {
          key: 'new',
          title: 'New titles',
          numberOfItems: titles.length,
          titles: newestFirst(titles).slice(0, size),
          list: { sort: 'new' },
        },
      ];

/** Every source's groups, in the order given; an empty group is left out (a feed group needs content). */
export async function catalogueGroups(
  sources: readonly GroupSource[],
  input: GroupSourceInput,
): Promise<CatalogueGroup[]> {
  const all = await Promise.all(sources.map((source) => source(input)));
  return all.flat().filter((group) => group.titles.length > 0);
}
