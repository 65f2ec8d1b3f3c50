import type { AccessMode, Format, Title } from './title';

/**
 * The catalogue index: every active title of the catalogue, searched in memory once per process (one Lambda
 * container). Matching ignores case and accents ("Bumi Manusia" finds "bumi manusia", "cafe" finds "café"),
 * so it suits Indonesian and English alike; there is no stemming (Indonesian affixes would need a proper
 * stemmer), prefix search and small typo tolerance on long words cover most of it. Han, kana and Hangul are
 * written without spaces, so they are indexed as overlapping pairs of characters (a word inside a title is
 * found); Arabic and Hebrew lose their vowel signs and tatweel. Ranking is BM25 (MiniSearch's formula and
 * defaults) with the title weighing most, then authors, subjects and the description.
 *
 * Why not MiniSearch's own index: at 100,000 titles it is ~100 MB of Maps, takes seconds to load from JSON,
 * and allocates several objects per matching title on every search (a word in most titles made p95 ~100 ms).
 * Here the postings are typed arrays (a snapshot loads by slicing one buffer, searches allocate per query,
 * not per match); words are one sorted list, so exact words and prefixes are binary searches.
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
  readonly title: Title;
  readonly score: number;
}

/**
 * The text fields searched, each with its weight. Another field (alternate-script titles, contributors) is one
 * more entry here; snapshots record the field names, so one built with other fields is rebuilt, not misread.
 */
export interface IndexedField {
  name: string;
  boost: number;
  text(title: Title): readonly (string | undefined)[];
}

export const indexedFields: readonly IndexedField[] = [
  { name: 'title', boost: 3, text: (t) => [t.title] },
  { name: 'authors', boost: 2, text: (t) => t.authors },
  { name: 'subjects', boost: 1.5, text: (t) => t.subjects },
  { name: 'description', boost: 1, text: (t) => [t.description] },
  // The title in other scripts or languages (a Devanagari epic found by "Mahabharata").
  { name: 'alternateTitles', boost: 3, text: (t) => t.alternateTitles ?? [] },
  // Translators, editors and the rest, and every name's other scripts.
  {
    name: 'contributors',
    boost: 1.5,
    text: (t) => [...(t.contributors ?? []).map((c) => c.name), ...(t.alternateNames ?? [])],
  },
];

// ---- folding and words ------------------------------------------------------------------------------

const cjkClass = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\u30fc';
const notCjkRun = new RegExp(`[^${cjkClass}]+`, 'gu');
const cjkChar = new RegExp(`[${cjkClass}]`, 'u');
const cjkOrOtherRun = new RegExp(`[${cjkClass}]+|[^${cjkClass}]+`, 'gu');
const cjkStart = new RegExp(`^[${cjkClass}]`, 'u');

/**
 * Lower case, no accents: the same on both sides of a match. Han, kana and Hangul keep their composed form
 * (decomposing would split a Hangul syllable into letters and strip kana of their voicing marks); elsewhere
 * marks go (accents, Arabic harakat, Hebrew niqqud), and so does the Arabic tatweel, a stretch with no sound.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(notCjkRun, (part) => part.normalize('NFKD').replace(/\p{M}+/gu, ''))
    .replace(/\u0640/g, '')
    .toLowerCase();
}

const tokenPattern = /[\p{L}\p{N}]+/gu;

/** Words of the folded text; runs of Han, kana or Hangul become overlapping pairs (one character stays one). */
export function tokenize(text: string): string[] {
  const words: string[] = [];
  for (const word of foldText(text).match(tokenPattern) ?? []) {
    if (!cjkChar.test(word)) {
      words.push(word);
      continue;
    }
    for (const part of word.match(cjkOrOtherRun) ?? []) {
      if (!cjkStart.test(part)) {
        words.push(part);
        continue;
      }
      const chars = Array.from(part);
      if (chars.length === 1) words.push(part);
      for (let i = 0; i + 1 < chars.length; i++) words.push(chars[i]! + chars[i + 1]!);
    }
  }
  return words;
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

/** The words of a query or a field that are searched: stop words dropped. */
export function searchTerms(text: string): string[] {
  return tokenize(text).filter((term) => !stopWords.has(term));
}

// ---- the postings --------------------------------------------------------------------------------------

const formats: readonly Format[] = ['epub', 'pdf'];
const accessModes: readonly AccessMode[] = ['open', 'licensed', 'partner'];

/** Fewer exact matches than this and the search also tries prefixes and near matches. */
const widenBelow = 20;
/** MiniSearch's defaults, so ranking stays what it was. */
const bm25 = { k: 1.2, b: 0.7, d: 0.5 };
const prefixWeight = 0.375;
const fuzzyWeight = 0.45;
const prefixFrom = (term: string) => term.length >= 3 || cjkStart.test(term);
const fuzzyFrom = 6;

/** Where the titles' own records are: in memory (built here) or as JSON slices of a snapshot, read on demand. */
type TitleStore =
  | { kind: 'objects'; titles: readonly Title[] }
  | { kind: 'slices'; blob: Uint8Array; offsets: Uint32Array; cache: (Title | undefined)[] };

/** Everything a search needs about a set of titles, in flat arrays ("doc" = a title's position here). */
interface Postings {
  fields: readonly string[];
  /** Titles. */
  n: number;
  ids: readonly string[];
  /** Words, each with its postings at postStart[t]..postStart[t+1]. */
  terms: readonly string[];
  postStart: Uint32Array;
  postDoc: Uint32Array;
  /** Per posting, the word's count in each field (capped at 255). */
  postTf: Uint8Array;
  /** Per word and field, how many titles have it there. */
  termFieldDf: Uint32Array;
  /** Per title and field, its number of words (capped at 65,535). */
  fieldLength: Uint16Array;
  avgFieldLength: Float64Array;
  format: Uint8Array;
  access: Uint8Array;
  /** Index into `languages` (lower case); 0 is "none". */
  lang: Uint16Array;
  languages: readonly string[];
  /** Each title's subject headings, as indexes into `subjects`. */
  subjectStart: Uint32Array;
  subjectIds: Uint32Array;
  subjects: readonly string[];
  /** Titles in catalogue order (sort title, then id). */
  ordered: Uint32Array;
  store: TitleStore;
}

function buildPostings(titles: readonly Title[], fields: readonly IndexedField[]): Postings {
  const f = fields.length;
  const n = titles.length;
  const termIds = new Map<string, number>();
  const postings: number[][] = [];
  const fieldLength = new Uint16Array(n * f);
  const lengthSums = new Float64Array(f);
  const languageIds = new Map<string, number>([['', 0]]);
  const subjectIds = new Map<string, number>();
  const lang = new Uint16Array(n);
  const format = new Uint8Array(n);
  const access = new Uint8Array(n);
  const subjectStart = new Uint32Array(n + 1);
  const subjectList: number[] = [];
  for (let doc = 0; doc < n; doc++) {
    const title = titles[doc]!;
    const counts = new Map<string, Uint8Array>();
    for (let field = 0; field < f; field++) {
      const words = tokenize(fields[field]!.text(title).filter(Boolean).join(' '));
      const length = Math.min(words.length, 0xffff);
      fieldLength[doc * f + field] = length;
      lengthSums[field]! += length;
      for (const word of words) {
        if (stopWords.has(word)) continue;
        let tf = counts.get(word);
        if (!tf) counts.set(word, (tf = new Uint8Array(f)));
        if (tf[field]! < 255) tf[field]!++;
      }
    }
    for (const [word, tf] of counts) {
      let id = termIds.get(word);
      if (id === undefined) {
        id = postings.length;
        termIds.set(word, id);
        postings.push([]);
      }
      const list = postings[id]!;
      list.push(doc);
      for (let field = 0; field < f; field++) list.push(tf[field]!);
    }
    const language = title.language?.toLowerCase() ?? '';
    if (!languageIds.has(language)) languageIds.set(language, languageIds.size);
    lang[doc] = languageIds.get(language)!;
    format[doc] = Math.max(0, formats.indexOf(title.format));
    access[doc] = Math.max(0, accessModes.indexOf(title.access));
    for (const subject of title.subjects) {
      if (!subjectIds.has(subject)) subjectIds.set(subject, subjectIds.size);
      subjectList.push(subjectIds.get(subject)!);
    }
    subjectStart[doc + 1] = subjectList.length;
  }
  // Words in code-unit order, so a word is found by binary search and its longer forms sit right after it.
  const terms = [...termIds.keys()].sort();
  const t = terms.length;
  const postStart = new Uint32Array(t + 1);
  for (let id = 0; id < t; id++)
    postStart[id + 1] = postStart[id]! + postings[termIds.get(terms[id]!)!]!.length / (1 + f);
  const p = postStart[t]!;
  const postDoc = new Uint32Array(p);
  const postTf = new Uint8Array(p * f);
  const termFieldDf = new Uint32Array(t * f);
  for (let id = 0; id < t; id++) {
    const list = postings[termIds.get(terms[id]!)!]!;
    let at = postStart[id]!;
    for (let i = 0; i < list.length; i += 1 + f, at++) {
      postDoc[at] = list[i]!;
      for (let field = 0; field < f; field++) {
        const tf = list[i + 1 + field]!;
        postTf[at * f + field] = tf;
        if (tf > 0) termFieldDf[id * f + field]!++;
      }
    }
  }
  const ordered = Uint32Array.from(titles.keys()).sort((a, b) => {
    const x = titles[a]!;
    const y = titles[b]!;
    return x.sortTitle < y.sortTitle ? -1 : x.sortTitle > y.sortTitle ? 1 : x.id < y.id ? -1 : 1;
  });
  return {
    fields: fields.map((field) => field.name),
    n,
    ids: titles.map((title) => title.id),
    terms,
    postStart,
    postDoc,
    postTf,
    termFieldDf,
    fieldLength,
    avgFieldLength: lengthSums.map((sum) => (n > 0 ? sum / n : 0)),
    format,
    access,
    lang,
    languages: [...languageIds.keys()],
    subjectStart,
    subjectIds: Uint32Array.from(subjectList),
    subjects: [...subjectIds.keys()],
    ordered,
    store: { kind: 'objects', titles },
  };
}

/** Whether two words of lengths at most one apart are exactly one insertion, deletion or substitution apart. */
function oneEdit(a: string, b: string): boolean {
  if (a.length < b.length) [a, b] = [b, a];
  let i = 0;
  while (i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.slice(i + 1) === b.slice(i);
}

/** A set of postings with what searching it needs beside the arrays. */
class Part {
  private idMap: Map<string, number> | undefined;
  private readonly decoder = new TextDecoder();

  constructor(readonly data: Postings) {}

  /** The first word not before `word` (words are sorted by code unit). */
  private lowerBound(word: string): number {
    const terms = this.data.terms;
    let lo = 0;
    let hi = terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (terms[mid]! < word) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The word's number, if any title has it. */
  term(word: string): number | undefined {
    const at = this.lowerBound(word);
    return this.data.terms[at] === word ? at : undefined;
  }

  /** Words that start with `prefix` and are longer, with their numbers. */
  *longer(prefix: string): Generator<[string, number]> {
    const terms = this.data.terms;
    for (let at = this.lowerBound(prefix); at < terms.length && terms[at]!.startsWith(prefix); at++)
      if (terms[at]!.length > prefix.length) yield [terms[at]!, at];
  }

  /**
   * Words one edit (insertion, deletion, substitution) from `word`: a scan of every word with a length
   * check first. Tens of thousands of words take about a millisecond, and only a widened search asks.
   */
  *oneEditAway(word: string): Generator<[string, number]> {
    const terms = this.data.terms;
    for (let at = 0; at < terms.length; at++) {
      const term = terms[at]!;
      if (Math.abs(term.length - word.length) <= 1 && term !== word && oneEdit(term, word)) yield [term, at];
    }
  }

  docOf(id: string): number | undefined {
    this.idMap ??= new Map(this.data.ids.map((titleId, doc) => [titleId, doc]));
    return this.idMap.get(id);
  }

  title(doc: number): Title {
    const store = this.data.store;
    if (store.kind === 'objects') return store.titles[doc]!;
    let title = store.cache[doc];
    if (!title) {
      const json = this.decoder.decode(store.blob.subarray(store.offsets[doc], store.offsets[doc + 1]));
      title = store.cache[doc] = JSON.parse(json) as Title;
    }
    return title;
  }

  df(term: number, field: number): number {
    return this.data.termFieldDf[term * this.data.fields.length + field]!;
  }

  /** The filters as a test on this part's titles, worked out once per query. */
  acceptor(query: CatalogueQuery): (doc: number) => boolean {
    const d = this.data;
    const format = query.format ? formats.indexOf(query.format) : -1;
    const access = query.access ? accessModes.indexOf(query.access) : -1;
    const lang = query.lang?.toLowerCase();
    const languages = lang
      ? Uint8Array.from(d.languages, (own) =>
          own !== '' && (own === lang || own.startsWith(`${lang}-`)) ? 1 : 0,
        )
      : undefined;
    const subjectTokens = query.subject ? tokenize(query.subject) : [];
    const subjects =
      subjectTokens.length > 0
        ? Uint8Array.from(d.subjects, (subject) => {
            const words = new Set(tokenize(subject));
            return subjectTokens.every((token) => words.has(token)) ? 1 : 0;
          })
        : undefined;
    return (doc) => {
      if (format >= 0 && d.format[doc] !== format) return false;
      if (access >= 0 && d.access[doc] !== access) return false;
      if (languages && !languages[d.lang[doc]!]) return false;
      if (subjects) {
        let found = false;
        for (let i = d.subjectStart[doc]!; i < d.subjectStart[doc + 1]! && !found; i++)
          found = subjects[d.subjectIds[i]!] === 1;
        if (!found) return false;
      }
      return true;
    };
  }
}

/** Scratch arrays for one search, reused across searches of a part (searches never interleave: no awaits). */
class Scratch {
  scores = new Float64Array(0);
  matched = new Uint16Array(0);
  touched = new Uint32Array(0);

  fit(n: number): void {
    if (this.scores.length >= n) return;
    this.scores = new Float64Array(n);
    this.matched = new Uint16Array(n);
    this.touched = new Uint32Array(n);
  }
}

interface Stats {
  n: number;
  df(term: string, part: Part, id: number, field: number): number;
  avgFieldLength: Float64Array;
}

/**
 * Scores every title of `part` that has every query word (AND), MiniSearch's way: per word, the exact word,
 * and when widened its longer forms (prefix) and forms one edit away (long words), each weighted down; BM25
 * per field times the field's boost, summed. Calls `emit` for each matching title.
 */
function scorePart(
  part: Part,
  words: readonly string[],
  widen: boolean,
  stats: Stats,
  boosts: readonly number[],
  scratch: Scratch,
  emit: (doc: number, score: number) => void,
): void {
  const d = part.data;
  const f = d.fields.length;
  scratch.fit(d.n);
  const { scores, matched, touched } = scratch;
  let touchedCount = 0;
  for (let qi = 0; qi < words.length; qi++) {
    const word = words[qi]!;
    const forms: [string, number, number][] = [];
    const exact = part.term(word);
    if (exact !== undefined) forms.push([word, exact, 1]);
    if (widen) {
      const prefixed = new Set<string>();
      if (prefixFrom(word)) {
        for (const [term, id] of part.longer(word)) {
          const distance = term.length - word.length;
          prefixed.add(term);
          forms.push([term, id, (prefixWeight * term.length) / (term.length + 0.3 * distance)]);
        }
      }
      if (word.length >= fuzzyFrom) {
        for (const [term, id] of part.oneEditAway(word)) {
          if (prefixed.has(term)) continue;
          forms.push([term, id, (fuzzyWeight * term.length) / (term.length + 1)]);
        }
      }
    }
    for (const [term, id, weight] of forms) {
      for (let field = 0; field < f; field++) {
        const df = stats.df(term, part, id, field);
        if (df === 0) continue;
        const idf = Math.log(1 + (stats.n - df + 0.5) / (df + 0.5));
        const avg = stats.avgFieldLength[field]! || 1;
        const factor = weight * boosts[field]! * idf;
        for (let p = d.postStart[id]!, end = d.postStart[id + 1]!; p < end; p++) {
          const tf = d.postTf[p * f + field]!;
          if (tf === 0) continue;
          const doc = d.postDoc[p]!;
          const seen = matched[doc]!;
          if (seen !== qi && seen !== qi + 1) continue; // missed an earlier word: out (AND)
          const length = d.fieldLength[doc * f + field]!;
          const s =
            factor * (bm25.d + (tf * (bm25.k + 1)) / (tf + bm25.k * (1 - bm25.b + (bm25.b * length) / avg)));
          if (seen === qi) {
            matched[doc] = qi + 1;
            if (qi === 0) {
              touched[touchedCount++] = doc;
              scores[doc] = s;
            } else scores[doc]! += s;
          } else scores[doc]! += s;
        }
      }
    }
  }
  for (let i = 0; i < touchedCount; i++) {
    const doc = touched[i]!;
    // MiniSearch multiplies by the number of query words matched; with AND that is all of them.
    if (matched[doc] === words.length) emit(doc, scores[doc]! * words.length);
    matched[doc] = 0;
  }
}

/** One result; its title record is read only when asked for (most results are never shown). */
class Hit implements CatalogueHit {
  constructor(
    private readonly part: Part,
    private readonly doc: number,
    readonly score: number,
  ) {}

  get title(): Title {
    return this.part.title(this.doc);
  }
}

// Sort keys: a result's score as float32 bits (enough to rank) above 21 bits of position; a plain numeric
// sort of one Float64Array then ranks every result without a comparator call per pair.
const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);
const positionBits = 2 ** 21;

// ---- the index -------------------------------------------------------------------------------------------

export class CatalogueIndex {
  private readonly base: Part;
  /** Titles changed since the base was built (from a snapshot): searched beside it, shadowing it. */
  private readonly overlay: Part | undefined;
  /** Base titles that are changed (or withdrawn) since: left out. */
  private readonly shadowed: Uint8Array | undefined;
  private readonly scratch = new Scratch();
  private all: readonly Title[] | undefined;
  /** The catalogue version the base was built at (a snapshot's version; equals `version` unless changed). */
  readonly baseVersion: number;

  constructor(
    titles: Iterable<Title>,
    /** The catalogue version the titles were read at (see the catalogue marker in the adapter). */
    readonly version: number = 0,
    from?: { base: Part; overlay?: Part; shadowed?: Uint8Array; baseVersion: number },
  ) {
    if (from) {
      this.base = from.base;
      this.overlay = from.overlay;
      this.shadowed = from.shadowed;
      this.baseVersion = from.baseVersion;
      return;
    }
    const active = [...titles].filter((title) => title.status === 'active');
    this.base = new Part(buildPostings(active, indexedFields));
    this.baseVersion = version;
  }

  /** The titles of this index as one buffer, for `fromSnapshot` in another process. */
  toSnapshot(): Uint8Array {
    if (this.overlay) return new CatalogueIndex(this.titles(), this.version).toSnapshot();
    return encodeSnapshot(this.base, this.version);
  }

  /** Loads what `toSnapshot` wrote; throws SnapshotMismatch when it was made for other fields or format. */
  static fromSnapshot(bytes: Uint8Array): CatalogueIndex {
    const { data, version } = decodeSnapshot(bytes);
    return new CatalogueIndex([], version, { base: new Part(data), baseVersion: version });
  }

  /**
   * This index with `changed` titles (created, edited or withdrawn since it was built) in force, at catalogue
   * version `version`; `removedIds` leave it. Always from the base: pass every title changed since the base,
   * not since the last call.
   */
  withChanges(
    changed: readonly Title[],
    version: number,
    removedIds: readonly string[] = [],
  ): CatalogueIndex {
    const shadowed = new Uint8Array(this.base.data.n);
    for (const id of [...changed.map((title) => title.id), ...removedIds]) {
      const doc = this.base.docOf(id);
      if (doc !== undefined) shadowed[doc] = 1;
    }
    const active = changed.filter((title) => title.status === 'active');
    return new CatalogueIndex([], version, {
      base: this.base,
      overlay: active.length > 0 ? new Part(buildPostings(active, indexedFields)) : undefined,
      shadowed,
      baseVersion: this.baseVersion,
    });
  }

  get size(): number {
    let shadowedCount = 0;
    if (this.shadowed) for (const s of this.shadowed) shadowedCount += s;
    return this.base.data.n - shadowedCount + (this.overlay?.data.n ?? 0);
  }

  /** The active titles, in catalogue order (every record read: for the few callers that need them all). */
  titles(): readonly Title[] {
    return (this.all ??= this.listing(
      () => true,
      () => true,
    ).map((hit) => hit.title));
  }

  /** Every match, best first (or in catalogue order without text). The caller pages through the result. */
  query(query: CatalogueQuery): CatalogueHit[] {
    const baseAccepts = this.base.acceptor(query);
    const overlayAccepts = this.overlay?.acceptor(query);
    const words = searchTerms((query.q ?? '').trim());
    if (words.length === 0) return this.listing(baseAccepts, overlayAccepts ?? (() => false));
    // Exact words first: cheap, and plenty for common words. Only when that finds little (a partly typed word,
    // a typo) is the search widened to prefixes and near matches, which cost more.
    const exact = this.search(words, false, baseAccepts, overlayAccepts);
    if (exact.length >= widenBelow) return exact;
    return this.search(words, true, baseAccepts, overlayAccepts);
  }

  private search(
    words: readonly string[],
    widen: boolean,
    baseAccepts: (doc: number) => boolean,
    overlayAccepts: ((doc: number) => boolean) | undefined,
  ): CatalogueHit[] {
    const boosts = indexedFields.map((field) => field.boost);
    const parts: Part[] = [this.base];
    // Parallel plain arrays, not an object per result: a word in most titles matches most of the catalogue.
    const foundPart: number[] = [];
    const foundDoc: number[] = [];
    const foundScore: number[] = [];
    const keys: number[] = [];
    const shadowed = this.shadowed;
    const baseStats: Stats = {
      n: this.base.data.n,
      df: (_term, part, id, field) => part.df(id, field),
      avgFieldLength: this.base.data.avgFieldLength,
    };
    const record = (part: number, doc: number, score: number) => {
      f32[0] = score;
      keys.push(f32Bits[0]! * positionBits + (positionBits - 1 - foundDoc.length));
      foundPart.push(part);
      foundDoc.push(doc);
      foundScore.push(score);
    };
    scorePart(this.base, words, widen, baseStats, boosts, this.scratch, (doc, score) => {
      if ((!shadowed || !shadowed[doc]) && baseAccepts(doc)) record(0, doc, score);
    });
    if (this.overlay && overlayAccepts) {
      const overlay = this.overlay;
      parts.push(overlay);
      // Word weights as if the changed titles were part of the base, so they rank among the others fairly.
      const overlayStats: Stats = {
        n: this.base.data.n + overlay.data.n,
        df: (term, part, id, field) => {
          const inBase = this.base.term(term);
          return part.df(id, field) + (inBase === undefined ? 0 : this.base.df(inBase, field));
        },
        avgFieldLength: this.base.data.avgFieldLength,
      };
      scorePart(overlay, words, widen, overlayStats, boosts, new Scratch(), (doc, score) => {
        if (overlayAccepts(doc)) record(1, doc, score);
      });
    }
    const sorted = Float64Array.from(keys).sort();
    const hits: CatalogueHit[] = new Array<CatalogueHit>(sorted.length);
    for (let i = 0; i < sorted.length; i++) {
      const at = positionBits - 1 - (sorted[sorted.length - 1 - i]! % positionBits);
      hits[i] = new Hit(parts[foundPart[at]!]!, foundDoc[at]!, foundScore[at]!);
    }
    return hits;
  }

  /** The accepted titles in catalogue order, the changed ones merged into their places. */
  private listing(
    baseAccepts: (doc: number) => boolean,
    overlayAccepts: (doc: number) => boolean,
  ): CatalogueHit[] {
    const base = this.base;
    const hits: CatalogueHit[] = [];
    const inserts: { rank: number; hit: CatalogueHit }[] = [];
    const overlay = this.overlay;
    if (overlay) {
      for (const doc of overlay.data.ordered) {
        if (!overlayAccepts(doc)) continue;
        inserts.push({ rank: this.rankInBase(overlay.title(doc)), hit: new Hit(overlay, doc, 0) });
      }
    }
    let next = 0;
    const ordered = base.data.ordered;
    for (let rank = 0; rank < ordered.length; rank++) {
      while (next < inserts.length && inserts[next]!.rank <= rank) hits.push(inserts[next++]!.hit);
      const doc = ordered[rank]!;
      if (this.shadowed?.[doc] || !baseAccepts(doc)) continue;
      hits.push(new Hit(base, doc, 0));
    }
    while (next < inserts.length) hits.push(inserts[next++]!.hit);
    return hits;
  }

  /** Where a title would stand in the base's catalogue order (a binary search reading ~17 records). */
  private rankInBase(title: Title): number {
    const ordered = this.base.data.ordered;
    let lo = 0;
    let hi = ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = this.base.title(ordered[mid]!);
      const before =
        other.sortTitle < title.sortTitle || (other.sortTitle === title.sortTitle && other.id < title.id);
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

// ---- snapshots ---------------------------------------------------------------------------------------

/** A snapshot this code cannot read (other fields, another format): build from the catalogue instead. */
export class SnapshotMismatch extends Error {
  override name = 'SnapshotMismatch';
}

const magic = 0x49_4b_53_50; // "PSKI" little-endian
const formatVersion = 1;

interface SnapshotHeader {
  version: number;
  fields: string[];
  n: number;
  terms: readonly string[];
  ids: readonly string[];
  languages: readonly string[];
  subjects: readonly string[];
  avgFieldLength: number[];
  sections: Record<string, [offset: number, length: number]>;
}

type Section = Uint32Array | Uint16Array | Uint8Array;

/**
 * Layout: "PSKI", format version, header length (u32 little-endian each), the header (JSON: words, ids and
 * small tables), then the typed arrays (4-byte aligned, platform byte order: little-endian on Lambda's x86
 * and Arm alike), last the titles' records as JSON one after another.
 */
function encodeSnapshot(part: Part, version: number): Uint8Array {
  const d = part.data;
  const encoder = new TextEncoder();
  const records = d.ids.map((_, doc) => encoder.encode(JSON.stringify(part.title(doc))));
  const offsets = new Uint32Array(d.n + 1);
  records.forEach((record, doc) => (offsets[doc + 1] = offsets[doc]! + record.length));
  const blob = new Uint8Array(offsets[d.n]!);
  records.forEach((record, doc) => blob.set(record, offsets[doc]));
  const arrays: Record<string, Section> = {
    postStart: d.postStart,
    postDoc: d.postDoc,
    termFieldDf: d.termFieldDf,
    subjectStart: d.subjectStart,
    subjectIds: d.subjectIds,
    ordered: d.ordered,
    offsets,
    fieldLength: d.fieldLength,
    lang: d.lang,
    postTf: d.postTf,
    format: d.format,
    access: d.access,
    blob,
  };
  const sections: SnapshotHeader['sections'] = {};
  let at = 0;
  for (const [name, array] of Object.entries(arrays)) {
    sections[name] = [at, array.length];
    at += Math.ceil(array.byteLength / 4) * 4;
  }
  const header: SnapshotHeader = {
    version,
    fields: [...d.fields],
    n: d.n,
    terms: d.terms,
    ids: d.ids,
    languages: d.languages,
    subjects: d.subjects,
    avgFieldLength: [...d.avgFieldLength],
    sections,
  };
  const headerBytes = encoder.encode(JSON.stringify(header));
  const start = 12 + Math.ceil(headerBytes.length / 4) * 4;
  const out = new Uint8Array(start + at);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, true);
  view.setUint32(4, formatVersion, true);
  view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  for (const [name, array] of Object.entries(arrays)) {
    out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), start + sections[name]![0]);
  }
  return out;
}

function decodeSnapshot(input: Uint8Array): { data: Postings; version: number } {
  // Typed views need 4-byte alignment; a buffer from a pool may start anywhere.
  const bytes = input.byteOffset % 4 === 0 ? input : input.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || view.getUint32(0, true) !== magic)
    throw new SnapshotMismatch('not a catalogue index snapshot');
  if (view.getUint32(4, true) !== formatVersion)
    throw new SnapshotMismatch(`snapshot format ${view.getUint32(4, true)}, expected ${formatVersion}`);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)),
  ) as SnapshotHeader;
  const fields = indexedFields.map((field) => field.name);
  if (header.fields.join('\n') !== fields.join('\n'))
    throw new SnapshotMismatch(
      `snapshot of fields ${header.fields.join(', ')}, expected ${fields.join(', ')}`,
    );
  const start = 12 + Math.ceil(headerLength / 4) * 4;
  const section = <T extends Section>(
    name: string,
    type: { new (b: ArrayBufferLike, o: number, l: number): T },
  ) => {
    const [offset, length] = header.sections[name] ?? [0, 0];
    return new type(bytes.buffer, bytes.byteOffset + start + offset, length);
  };
  const data: Postings = {
    fields,
    n: header.n,
    ids: header.ids,
    terms: header.terms,
    postStart: section('postStart', Uint32Array),
    postDoc: section('postDoc', Uint32Array),
    postTf: section('postTf', Uint8Array),
    termFieldDf: section('termFieldDf', Uint32Array),
    fieldLength: section('fieldLength', Uint16Array),
    avgFieldLength: Float64Array.from(header.avgFieldLength),
    format: section('format', Uint8Array),
    access: section('access', Uint8Array),
    lang: section('lang', Uint16Array),
    languages: header.languages,
    subjectStart: section('subjectStart', Uint32Array),
    subjectIds: section('subjectIds', Uint32Array),
    subjects: header.subjects,
    ordered: section('ordered', Uint32Array),
    store: {
      kind: 'slices',
      blob: section('blob', Uint8Array),
      offsets: section('offsets', Uint32Array),
      cache: new Array<Title | undefined>(header.n),
    },
  };
  return { data, version: header.version };
}
