import MiniSearch, { type SearchOptions, type SearchResult } from 'minisearch';
import type { AccessMode, Format, Title } from './title';

/**
 * The catalogue index: every active title held in memory once per process (one Lambda container), searched
 * with MiniSearch. Matching ignores case and accents ("Bumi Manusia" finds "bumi manusia", "cafe" finds
 * "café"), so it suits Indonesian and English alike; there is no stemming (Indonesian affixes would need a
 * proper stemmer), prefix search on the last word and small typo tolerance on long words cover most of it.
 * Ranking is BM25 with the title weighing most, then authors, subjects and the description.
 */

export interface CatalogueQuery {
  /** Free text; empty means "everything that matches the filters", in catalogue order. */
  q?: string;
  /** BCP 47 language; `en` matches `en`, `en-US`, `en-GB`. */
  lang?: string;
  format?: Format;
  /** A subject heading, matched like the text (case and accents ignored), whole words. */
  subject?: string;
  access?: AccessMode;
}

export interface CatalogueHit {
  title: Title;
  score: number;
}

/** Lower case, no accents, letters and digits only: the same on both sides of a match. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

const tokenPattern = /[\p{L}\p{N}]+/gu;

export function tokenize(text: string): string[] {
  return foldText(text).match(tokenPattern) ?? [];
}

/** Stop words of both languages: they match nearly everything and only add cost. */
const stopWords = new Set([
  'the',
  'a',
  'an',
  'of',
  'and',
  'or',
  'in',
  'on',
  'to',
  'for',
  'yang',
  'dan',
  'di',
  'ke',
  'dari',
  'untuk',
  'dengan',
  'atau',
  'si',
  'sang',
]);

interface IndexedTitle {
  id: string;
  title: string;
  authors: string;
  subjects: string;
  description: string;
  /** The title in other scripts or languages (a Devanagari epic found by "Mahabharata"). */
  alternateTitles: string;
  /** Translators, editors and the rest, and every name's other scripts. */
  contributors: string;
}

/** Fewer exact matches than this and the search also tries prefixes and near matches. */
const widenBelow = 20;

const searchOptions: SearchOptions = {
  boost: { title: 3, authors: 2, subjects: 1.5, description: 1, alternateTitles: 3, contributors: 1.5 },
  combineWith: 'AND',
  // When widened: prefix matching for words of 3+ letters ("mob" → "moby"); typo tolerance only for long
  // words, where it helps most ("melvile" → "melville").
  prefix: (term) => term.length >= 3,
  fuzzy: (term) => (term.length >= 6 ? 1 : false),
  maxFuzzy: 1,
};

export class CatalogueIndex {
  private readonly search = new MiniSearch<IndexedTitle>({
    fields: ['title', 'authors', 'subjects', 'description', 'alternateTitles', 'contributors'],
    storeFields: [],
    // tokenize() already folds case and accents; terms only lose the stop words.
    tokenize: (text) => tokenize(text),
    processTerm: (term) => (stopWords.has(term) ? null : term),
    searchOptions,
  });
  private readonly byId = new Map<string, Title>();
  /** Active titles in catalogue order, for listings without text. */
  private ordered: Title[] = [];

  constructor(
    titles: Iterable<Title>,
    /** The catalogue version the titles were read at (see the catalogue marker in the adapter). */
    readonly version: number = 0,
  ) {
    const active: Title[] = [];
    for (const title of titles) {
      if (title.status !== 'active') continue;
      active.push(title);
      this.byId.set(title.id, title);
    }
    this.search.addAll(
      active.map((t) => ({
        id: t.id,
        title: t.title,
        authors: t.authors.join(' '),
        subjects: t.subjects.join(' '),
        description: t.description ?? '',
        alternateTitles: (t.alternateTitles ?? []).join(' '),
        contributors: [...(t.contributors ?? []).map((c) => c.name), ...(t.alternateNames ?? [])].join(' '),
      })),
    );
    this.ordered = active.sort((a, b) =>
      a.sortTitle < b.sortTitle ? -1 : a.sortTitle > b.sortTitle ? 1 : a.id < b.id ? -1 : 1,
    );
  }

  get size(): number {
    return this.byId.size;
  }

  /** The active titles, in catalogue order. */
  titles(): readonly Title[] {
    return this.ordered;
  }

  /** Every match, best first (or in catalogue order without text). The caller pages through the result. */
  query(query: CatalogueQuery): CatalogueHit[] {
    const accept = filterOf(query);
    const text = (query.q ?? '').trim();
    if (tokenize(text).filter((t) => !stopWords.has(t)).length === 0) {
      return this.ordered.filter(accept).map((title) => ({ title, score: 0 }));
    }
    // Exact words first: cheap, and plenty for common words. Only when that finds little (a partly typed word,
    // a typo) is the search widened to prefixes and near matches, which cost far more on a large catalogue.
    const exact = this.collect(this.search.search(text, { prefix: false, fuzzy: false }), accept);
    if (exact.length >= widenBelow) return exact;
    return this.collect(this.search.search(text), accept);
  }

  private collect(results: SearchResult[], accept: (title: Title) => boolean): CatalogueHit[] {
    const hits: CatalogueHit[] = [];
    for (const result of results) {
      const title = this.byId.get(result.id as string);
      if (title && accept(title)) hits.push({ title, score: result.score });
    }
    return hits;
  }
}

function filterOf(query: CatalogueQuery): (title: Title) => boolean {
  const lang = query.lang?.toLowerCase();
  const subjectTokens = query.subject ? tokenize(query.subject) : [];
  return (title) => {
    if (query.format && title.format !== query.format) return false;
    if (query.access && title.access !== query.access) return false;
    if (lang) {
      const own = title.language?.toLowerCase();
      if (!own || (own !== lang && !own.startsWith(`${lang}-`))) return false;
    }
    if (subjectTokens.length > 0) {
      const matches = title.subjects.some((subject) => {
        const words = new Set(tokenize(subject));
        return subjectTokens.every((token) => words.has(token));
      });
      if (!matches) return false;
    }
    return true;
  };
}
