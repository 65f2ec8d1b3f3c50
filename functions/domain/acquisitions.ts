import type { DailyUsageReader } from './counter-ports';
import { ValidationError } from './errors';
import type { LendingRepository } from './lending-ports';
import { isbn13Of } from './openurl';
import type { TitleRepository } from './ports';
import { everyTitle, holdsAndCopies } from './title-holds';

/**
 * Acquisition suggestions (issue 17, item 5), after OverDrive's holds report and turnaway list: which titles to
 * buy or license more of, and which titles patrons ask for that the library does not have. Pure rules here;
 * the suggestions are stored by functions/adapters/acquisition-store.ts, the signals are read from lending
 * (holds, copies), COUNTER (denials) and wishes.
 */

/** The librarian's default threshold: three holds waiting per copy (OverDrive's usual 3:1). */
export const defaultHoldsRatio = 3;
/** Denials (turnaways) are counted over the last this many days, today included. */
export const denialWindowDays = 30;
export const maxSuggestionNote = 500;
export const maxSuggestionTitle = 300;
export const maxSuggestionAuthor = 200;

// ---- normalisation ------------------------------------------------------------------------------

/** Words dropped at the start of a title: English articles and Indonesian ones used before names. */
const leadingArticles = /^(?:the|a|an|sang|si)\s+(?=\S)/;

/** Lower case, diacritics folded, every run of punctuation or white space one space, trimmed. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A title as suggestions are matched on: folded, a leading article dropped ("The Hobbit" = "hobbit"). */
export function normaliseTitle(title: string): string {
  return foldText(title).replace(leadingArticles, '');
}

/**
 * An author as suggestions are matched on: folded, with the name's words in a fixed order, so "Toer,
 * Pramoedya Ananta" and "Pramoedya Ananta Toer" are the same author.
 */
export function normaliseAuthor(author: string): string {
  return foldText(author).split(' ').filter(Boolean).sort().join(' ');
}

/** ISBN-10 or ISBN-13 (hyphens, spaces allowed, check digit verified) as ISBN-13; undefined when it is none. */
export function normaliseIsbn(raw: string): string | undefined {
  return isbn13Of(raw.trim());
}

// ---- suggestions --------------------------------------------------------------------------------

/** What a patron sends. */
export interface SuggestionInput {
  title: string;
  author: string;
  isbn?: string;
  note?: string;
}

/** A suggestion as checked: cleaned fields and the keys it is deduplicated by. */
export interface CheckedSuggestion {
  title: string;
  author: string;
  isbn?: string;
  note?: string;
  /** `title:<normalised title>|<normalised author>`: always present. */
  titleKey: string;
  /** `isbn:<ISBN-13>`, when an ISBN was given. */
  isbnKey?: string;
}

const clean = (text: string) => text.normalize('NFC').replace(/\s+/g, ' ').trim();

/**
 * Checks and normalises a patron's suggestion; throws a 400 with a stable code for what cannot be used: an ISBN
 * whose check digit (or shape) is wrong (`ISBN_INVALID`), a title with no letter or digit in it
 * (`SUGGESTION_TITLE_INVALID`). Lengths are held by the route's schema.
 */
export function checkSuggestion(input: SuggestionInput): CheckedSuggestion {
  const title = clean(input.title);
  const author = clean(input.author);
  const titlePart = normaliseTitle(title);
  if (!titlePart)
    throw new ValidationError({
      code: 'SUGGESTION_TITLE_INVALID',
      detail: 'The title has no letter or digit in it.',
      context: { field: 'title' },
    });
  const rawIsbn = input.isbn?.trim();
  let isbn: string | undefined;
  if (rawIsbn) {
    isbn = normaliseIsbn(rawIsbn);
    if (!isbn)
      throw new ValidationError({
        code: 'ISBN_INVALID',
        detail: `"${rawIsbn}" is not an ISBN-10 or ISBN-13 (its check digit or length is wrong).`,
        context: { field: 'isbn' },
      });
  }
  const note = input.note === undefined ? undefined : input.note.trim();
  return {
    title,
    author,
    ...(isbn ? { isbn } : {}),
    ...(note ? { note } : {}),
    titleKey: titleKeyOf(title, author),
    ...(isbn ? { isbnKey: isbnKeyOf(isbn) } : {}),
  };
}

export const titleKeyOf = (title: string, author: string) =>
  `title:${normaliseTitle(title)}|${normaliseAuthor(author)}`;
export const isbnKeyOf = (isbn13: string) => `isbn:${isbn13}`;

/** A stored suggestion as librarians see it: never who asked, only how many. */
export interface Suggestion {
  id: string;
  title: string;
  author: string;
  isbn?: string;
  /** Distinct patrons who suggested it. */
  count: number;
  /** The latest notes patrons left (no names), newest first, a few at most. */
  notes: string[];
  createdAt: string;
  lastSuggestedAt: string;
}

/** Where suggestions are kept (functions/adapters/acquisition-store.ts). */
export interface SuggestionStore {
  /**
   * Adds the patron's suggestion, or their vote to the one already stored under the same ISBN or normalised
   * title and author. `counted` is false when the patron had suggested that title before (counted once).
   */
  suggest(
    patronId: string,
    suggestion: CheckedSuggestion,
    at: Date,
  ): Promise<{ suggestion: Suggestion; counted: boolean; created: boolean }>;
  list(): Promise<Suggestion[]>;
}

// ---- the acquisition list -----------------------------------------------------------------------

/** What the list knows of a title in the collection. */
export interface TitleSignals {
  titleId: string;
  title: string;
  authors: readonly string[];
  isbns: readonly string[];
  /** Holds waiting for a copy (a reserved hold has one). */
  holds: number;
  /** Copies lent at once by the active licences; null = unlimited (or not lent: open, partner). */
  copies: number | null;
  denials30d: number;
  wishes: number;
}

export type AcquisitionReason = 'holds-ratio' | 'denials' | 'wishes' | 'suggestions' | 'not-in-collection';

export interface AcquisitionRow {
  kind: 'title' | 'suggestion';
  /** The title's id (kind `title`) or the suggestion's (kind `suggestion`). */
  id: string;
  title: string;
  author: string;
  isbn?: string;
  reasons: AcquisitionReason[];
  holds: number;
  copies: number | null;
  /** Holds per copy (see `ratioOf`). */
  ratio: number | null;
  denials30d: number;
  wishes: number;
  suggestions: number;
  /** A suggestion's latest notes from patrons (no names). */
  notes?: string[];
}

export const acquisitionSortKeys = [
  'title',
  'reasons',
  'holds',
  'copies',
  'ratio',
  'denials30d',
  'wishes',
  'suggestions',
] as const;
export type AcquisitionSort = (typeof acquisitionSortKeys)[number];
export type SortOrder = 'asc' | 'desc';

/**
 * Holds per copy, to two decimals; null when nothing waits, copies are unlimited, or there is no copy at all
 * (every licence expired or used up: no finite ratio, though such a title ranks first, see `ratioRank`).
 */
export function ratioOf(holds: number, copies: number | null): number | null {
  if (holds <= 0 || copies === null || copies === 0) return null;
  return Math.round((holds / copies) * 100) / 100;
}

/** What the ratio column sorts by: holds waiting on no copy rank above any ratio. */
export function ratioRank(row: Pick<AcquisitionRow, 'holds' | 'copies' | 'ratio'>): number | null {
  return row.copies === 0 && row.holds > 0 ? Number.POSITIVE_INFINITY : row.ratio;
}

/** A title over the librarian's threshold: holds per copy at or above `ratio` (4 holds on 1 copy at 3:1). */
export function overRatio(holds: number, copies: number | null, ratio: number): boolean {
  if (holds <= 0 || copies === null) return false;
  return copies === 0 || holds >= ratio * copies;
}

/** Suggestions that name a title the library has (same ISBN, or the same normalised title and author). */
export function matchSuggestions(
  titles: readonly Pick<TitleSignals, 'titleId' | 'title' | 'authors' | 'isbns'>[],
  suggestions: readonly Suggestion[],
): { matched: Map<string, number>; unmatched: Suggestion[] } {
  const byKey = new Map<string, string>();
  for (const t of titles) {
    for (const raw of t.isbns) {
      const isbn = normaliseIsbn(raw);
      if (isbn) byKey.set(isbnKeyOf(isbn), t.titleId);
    }
    for (const author of t.authors.length ? t.authors : [''])
      byKey.set(titleKeyOf(t.title, author), t.titleId);
  }
  const matched = new Map<string, number>();
  const unmatched: Suggestion[] = [];
  for (const s of suggestions) {
    const titleId =
      (s.isbn ? byKey.get(isbnKeyOf(s.isbn)) : undefined) ?? byKey.get(titleKeyOf(s.title, s.author));
    if (titleId) matched.set(titleId, (matched.get(titleId) ?? 0) + s.count);
    else unmatched.push(s);
  }
  return { matched, unmatched };
}

/**
 * The list: every title over the holds ratio, turned away in the window, wished for or suggested, and every
 * suggestion of a title the library lacks, each with the reasons it is there.
 */
export function acquisitionRows(input: {
  titles: readonly TitleSignals[];
  suggestions: readonly Suggestion[];
  ratio: number;
}): AcquisitionRow[] {
  const { matched, unmatched } = matchSuggestions(input.titles, input.suggestions);
  const rows: AcquisitionRow[] = [];
  for (const t of input.titles) {
    const suggestions = matched.get(t.titleId) ?? 0;
    const reasons: AcquisitionReason[] = [];
    if (overRatio(t.holds, t.copies, input.ratio)) reasons.push('holds-ratio');
    if (t.denials30d > 0) reasons.push('denials');
    if (t.wishes > 0) reasons.push('wishes');
    if (suggestions > 0) reasons.push('suggestions');
    if (!reasons.length) continue;
    const isbn = t.isbns.map(normaliseIsbn).find(Boolean);
    rows.push({
      kind: 'title',
      id: t.titleId,
      title: t.title,
      author: t.authors.join('; '),
      ...(isbn ? { isbn } : {}),
      reasons,
      holds: t.holds,
      copies: t.copies,
      ratio: ratioOf(t.holds, t.copies),
      denials30d: t.denials30d,
      wishes: t.wishes,
      suggestions,
    });
  }
  for (const s of unmatched) {
    rows.push({
      kind: 'suggestion',
      id: s.id,
      title: s.title,
      author: s.author,
      ...(s.isbn ? { isbn: s.isbn } : {}),
      reasons: ['not-in-collection', 'suggestions'],
      holds: 0,
      copies: 0,
      ratio: null,
      denials30d: 0,
      wishes: 0,
      suggestions: s.count,
      ...(s.notes.length ? { notes: s.notes } : {}),
    });
  }
  return rows;
}

// Made on first use: building a collator loads ICU's collation data, which a cold start need not wait for.
let collator: Intl.Collator | undefined;
const compareText = (a: string, b: string) =>
  (collator ??= new Intl.Collator('id', { sensitivity: 'base', numeric: true })).compare(a, b);

/** The order a column sorts in when the librarian names no order: the biggest demand first, titles A to Z. */
export const defaultOrderOf = (sort: AcquisitionSort): SortOrder =>
  sort === 'title' || sort === 'reasons' ? 'asc' : 'desc';

/**
 * Sorts by one column; an empty cell (a null ratio, unlimited copies) goes last whichever the order; ties go
 * by demand (ratio, denials, wishes, suggestions, all biggest first), then title.
 */
export function sortAcquisitionRows(
  rows: readonly AcquisitionRow[],
  sort: AcquisitionSort,
  order: SortOrder = defaultOrderOf(sort),
): AcquisitionRow[] {
  const sign = order === 'asc' ? 1 : -1;
  const value = (row: AcquisitionRow): number | string | null =>
    sort === 'title'
      ? row.title
      : sort === 'reasons'
        ? row.reasons.join(',')
        : sort === 'ratio'
          ? ratioRank(row)
          : row[sort];
  const compareValues = (a: number | string | null, b: number | string | null): number => {
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    if (typeof a === 'string' && typeof b === 'string') return sign * compareText(a, b);
    if (a === b) return 0;
    return sign * ((a as number) < (b as number) ? -1 : 1);
  };
  const byDemand = (a: AcquisitionRow, b: AcquisitionRow) =>
    compareValuesDesc(ratioRank(a), ratioRank(b)) ||
    b.denials30d - a.denials30d ||
    b.wishes - a.wishes ||
    b.suggestions - a.suggestions ||
    compareText(a.title, b.title) ||
    a.id.localeCompare(b.id);
  return [...rows].sort((a, b) => compareValues(value(a), value(b)) || byDemand(a, b));
}

function compareValuesDesc(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return a === b ? 0 : a > b ? -1 : 1;
}

/** The CSV's heading row and one row per line (the ratio with a dot, empty when there is none). */
export const acquisitionCsvHeadings = [
  'kind',
  'id',
  'title',
  'author',
  'isbn',
  'reasons',
  'holds',
  'copies',
  'ratio',
  'denials30d',
  'wishes',
  'suggestions',
  'link',
] as const;

export function acquisitionCsvRows(
  rows: readonly AcquisitionRow[],
  linkOf: (row: AcquisitionRow) => string,
): string[][] {
  return [
    [...acquisitionCsvHeadings],
    ...rows.map((row) => [
      row.kind,
      row.id,
      row.title,
      row.author,
      row.isbn ?? '',
      row.reasons.join(' '),
      String(row.holds),
      row.copies === null ? 'unlimited' : String(row.copies),
      row.ratio === null ? '' : String(row.ratio),
      String(row.denials30d),
      String(row.wishes),
      String(row.suggestions),
      linkOf(row),
    ]),
  ];
}

// ---- the window of days -------------------------------------------------------------------------

/** The first and last UTC days (`yyyy-mm-dd`) of the denial window ending today. */
export function denialWindow(now: Date, days = denialWindowDays): { fromDay: string; toDay: string } {
  const toDay = now.toISOString().slice(0, 10);
  const from = new Date(Date.parse(`${toDay}T00:00:00Z`) - (days - 1) * 86_400_000);
  return { fromDay: from.toISOString().slice(0, 10), toDay };
}

/** Turnaways per title over a window of days (the dashboard's daily aggregate). */
export interface DenialCounts {
  denialsByTitle(fromDay: string, toDay: string): Promise<Map<string, number>>;
}

/**
 * Turnaways from the daily usage aggregate (COUNTER-filtered, every institution: the library's patrons and the
 * partners' members), Limit_Exceeded and No_License together.
 */
export function dailyDenials(reader: DailyUsageReader): DenialCounts {
  return {
    async denialsByTitle(fromDay, toDay) {
      const denials = new Map<string, number>();
      for (const row of await reader.dailyTitleUse(fromDay, toDay)) {
        const n = row.limitExceeded + row.noLicense;
        if (n) denials.set(row.titleId, (denials.get(row.titleId) ?? 0) + n);
      }
      return denials;
    },
  };
}

/** What the list is gathered from: the ports the HTTP layer holds. */
export interface AcquisitionSources {
  titles: Pick<TitleRepository, 'list'>;
  lending: Pick<LendingRepository, 'titleLending'>;
  wishCounts: () => Promise<{ titleId: string; wishes: number }[]>;
  suggestions: Pick<SuggestionStore, 'list'>;
  denials: DenialCounts;
}

/**
 * Reads every signal: the catalogue's titles (paged), each licensed title's lending state (holds, copies from
 * its active licences), the wish counts, the suggestions and the turnaways of the window ending `now`.
 */
export async function gatherAcquisitions(
  sources: AcquisitionSources,
  options: { now: Date; ratio: number },
): Promise<AcquisitionRow[]> {
  const { fromDay, toDay } = denialWindow(options.now);
  const [titles, wishes, suggestions, denials] = await Promise.all([
    everyTitle(sources.titles),
    sources.wishCounts(),
    sources.suggestions.list(),
    sources.denials.denialsByTitle(fromDay, toDay),
  ]);
  const wishesOf = new Map(wishes.map((w) => [w.titleId, w.wishes]));
  const active = titles.filter((t) => t.status === 'active');
  const lending = await holdsAndCopies(sources.lending, active, options.now);
  const signals: TitleSignals[] = active.map((title) => ({
    titleId: title.id,
    title: title.title,
    authors: title.authors,
    isbns: title.identifiers.isbn ?? [],
    // Waiting holds (suspended ones too: they still want the book); reserved ones have their copy.
    holds: lending.get(title.id)?.holds ?? 0,
    copies: lending.get(title.id)?.copies ?? null,
    denials30d: denials.get(title.id) ?? 0,
    wishes: wishesOf.get(title.id) ?? 0,
  }));
  return acquisitionRows({ titles: signals, suggestions, ratio: options.ratio });
}
