import { ValidationError } from './errors';
import { sortTitleOf, type Title } from './title';

/**
 * An OpenURL resolver over the catalogue, for both spellings citations come in: OpenURL 1.0 (Z39.88-2004) KEV
 * as EBSCO and reference managers send it, and the older 0.1 links Google Scholar and PubMed still send
 * (`sid=…&id=doi:…`, `id=pmid:…`, `isbn=`, `issn=`, `title=`, `atitle=`). A citation links here; the gateway
 * answers with the one title it means, a menu of candidates, or what it looked for and did not find.
 *
 * Identifiers decide first (`rft_id=info:doi/…`, `info:isbn/…`, `info:pmid/…`, `urn:isbn:…`, `rft.isbn`,
 * `rft.issn`, `rft.eissn`; in 0.1 `id=doi:…`, `id=pmid:…`, `isbn`, `issn`, `eissn`); only when none is given,
 * or none matches, titles do (`rft.btitle`, `rft.jtitle`, `rft.atitle`, `rft.title`; in 0.1 `title`, `atitle`).
 * ISBN-10 and ISBN-13 of one book are the same book, and an ISBN whose check digit is wrong is no ISBN; DOIs
 * compare without case.
 */

export interface OpenUrlQuery {
  isbn: string[];
  issn: string[];
  doi: string[];
  pmid: string[];
  titles: string[];
}

/** KEV keys that carry an identifier: 1.0 (`rft_id`, `rft.*`) and 0.1 (`id`, bare names). */
const identifierKeys = [
  'rft_id',
  'rft.isbn',
  'rft.issn',
  'rft.eissn',
  'id',
  'isbn',
  'issn',
  'eissn',
] as const;
const titleKeys = ['rft.btitle', 'rft.jtitle', 'rft.atitle', 'rft.title', 'title', 'atitle'] as const;

function isbn10CheckDigit(stem: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(stem[i]) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

function isbn13CheckDigit(stem: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(stem[i]) * (i % 2 === 0 ? 1 : 3);
  return String((10 - (sum % 10)) % 10);
}

/**
 * ISBN-10 or -13 (hyphens, spaces allowed) → ISBN-13; undefined when it is not an ISBN, a wrong check digit
 * included (a mistyped ISBN would otherwise find another book).
 */
export function isbn13Of(raw: string): string | undefined {
  const value = raw
    .replace(/^(?:urn:isbn:|info:isbn\/|isbn:?)/i, '')
    .replace(/[\s-]/g, '')
    .toUpperCase();
  if (/^\d{13}$/.test(value)) return isbn13CheckDigit(value) === value[12] ? value : undefined;
  if (!/^\d{9}[\dX]$/.test(value)) return undefined;
  if (isbn10CheckDigit(value) !== value[9]) return undefined;
  const stem = `978${value.slice(0, 9)}`;
  return `${stem}${isbn13CheckDigit(stem)}`;
}

/** A DOI in any common spelling → lower-case `10.x/y` (DOIs are case-insensitive). */
export function doiOf(raw: string): string | undefined {
  const match = /^(?:info:doi\/|urn:doi:|doi:\s*|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/\S+)$/i.exec(
    raw.trim(),
  );
  return match ? match[1]!.toLowerCase() : undefined;
}

export function issnOf(raw: string): string | undefined {
  const match = /^(?:urn:issn:|info:issn\/)?(\d{4})-?(\d{3}[\dXx])$/i.exec(raw.trim());
  return match ? `${match[1]}-${match[2]!.toUpperCase()}` : undefined;
}

/** A PubMed id (`info:pmid/123`, `pmid:123`, `123`) → its digits. */
export function pmidOf(raw: string): string | undefined {
  const match = /^(?:info:pmid\/|pmid:\s*)?(\d{1,10})$/i.exec(raw.trim());
  return match ? match[1]!.replace(/^0+(?=\d)/, '') : undefined;
}

/**
 * Reads the KEV parameters (a query string or a POSTed form, 1.0 or 0.1); refuses another OpenURL version and
 * a request that names nothing to look for.
 */
export function parseOpenUrl(params: readonly (readonly [string, string])[]): OpenUrlQuery {
  const version = params.filter(([k]) => k === 'url_ver').map(([, v]) => v);
  if (version.some((v) => v !== 'Z39.88-2004')) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: 'Only OpenURL 1.0 (url_ver=Z39.88-2004) and 0.1 (no url_ver) are understood.',
      context: { url_ver: version },
    });
  }
  const query: OpenUrlQuery = { isbn: [], issn: [], doi: [], pmid: [], titles: [] };
  const add = (list: string[], value: string | undefined) => {
    if (value !== undefined && !list.includes(value)) list.push(value);
  };
  for (const [key, rawValue] of params) {
    const value = rawValue.trim();
    if (!value || value.length > 512) continue;
    if ((identifierKeys as readonly string[]).includes(key)) {
      if (key === 'rft.isbn' || key === 'isbn') add(query.isbn, isbn13Of(value));
      else if (key.endsWith('issn')) add(query.issn, issnOf(value));
      else if (/^(?:info:doi\/|urn:doi:|doi:|https?:\/\/(?:dx\.)?doi\.org\/)/i.test(value))
        add(query.doi, doiOf(value));
      else if (/^(?:info:isbn\/|urn:isbn:|isbn:)/i.test(value)) add(query.isbn, isbn13Of(value));
      else if (/^(?:info:issn\/|urn:issn:|issn:)/i.test(value))
        add(query.issn, issnOf(value.replace(/^issn:/i, '')));
      else if (/^(?:info:pmid\/|pmid:)/i.test(value)) add(query.pmid, pmidOf(value));
    } else if ((titleKeys as readonly string[]).includes(key)) {
      const normal = sortTitleOf(value);
      if (normal) add(query.titles, normal);
    }
  }
  if (![query.isbn, query.issn, query.doi, query.pmid, query.titles].some((list) => list.length)) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail:
        'The OpenURL names nothing to look for: give rft_id (info:doi/…, info:pmid/…), rft.isbn, rft.issn or ' +
        'a title (0.1: id=doi:…, id=pmid:…, isbn, issn, title, atitle).',
    });
  }
  return query;
}

/** PubMed ids a title carries among its other identifiers (`info:pmid/…` or `pmid:…`). */
function pmidsOf(title: Title): (string | undefined)[] {
  return (title.identifiers.other ?? []).filter((o) => /^(?:info:pmid\/|pmid:)/i.test(o)).map(pmidOf);
}

function identifierMatch(title: Title, query: OpenUrlQuery): boolean {
  const isbns = (title.identifiers.isbn ?? []).map(isbn13Of);
  const dois = (title.identifiers.doi ?? []).map(doiOf);
  const issns = (title.identifiers.issn ?? []).map(issnOf);
  return (
    query.isbn.some((i) => isbns.includes(i)) ||
    query.doi.some((d) => dois.includes(d)) ||
    query.issn.some((i) => issns.includes(i)) ||
    (query.pmid.length > 0 && query.pmid.some((p) => pmidsOf(title).includes(p)))
  );
}

/** The catalogue's titles the query means (active titles only), best evidence first. */
export function resolveOpenUrl(query: OpenUrlQuery, titles: Iterable<Title>): Title[] {
  const active = [...titles].filter((t) => t.status === 'active');
  const byIdentifier = active.filter((t) => identifierMatch(t, query));
  if (byIdentifier.length > 0 || query.titles.length === 0) return byIdentifier;
  const exact = active.filter((t) => query.titles.includes(sortTitleOf(t.title)));
  if (exact.length > 0) return exact;
  return active.filter((t) => query.titles.some((q) => q.length >= 3 && sortTitleOf(t.title).includes(q)));
}

/** What was looked for, for the 404 problem. */
export function describeQuery(query: OpenUrlQuery): Record<string, string[]> {
  const looked: Record<string, string[]> = {};
  for (const key of ['doi', 'isbn', 'issn', 'pmid', 'titles'] as const)
    if (query[key].length) looked[key] = query[key];
  return looked;
}
