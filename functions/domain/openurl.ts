import { ValidationError } from './errors';
import { sortTitleOf, type Title } from './title';

/**
 * An OpenURL 1.0 (Z39.88-2004) key/encoded-value resolver over the catalogue. A citation in a partner's
 * database or a reference manager links here; the gateway answers with the one title it means, a menu of
 * candidates, or what it looked for and did not find.
 *
 * Identifiers decide first (`rft_id=info:doi/…`, `info:isbn/…`, `urn:isbn:…`, `rft.isbn`, `rft.issn`,
 * `rft.eissn`); only when none is given, or none matches, titles do (`rft.btitle`, `rft.jtitle`, `rft.atitle`,
 * `rft.title`). ISBN-10 and ISBN-13 of one book are the same book; DOIs compare without case.
 */

export interface OpenUrlQuery {
  isbn: string[];
  issn: string[];
  doi: string[];
  titles: string[];
}

const identifierKeys = ['rft_id', 'rft.isbn', 'rft.issn', 'rft.eissn'] as const;
const titleKeys = ['rft.btitle', 'rft.jtitle', 'rft.atitle', 'rft.title'] as const;

/** ISBN-10 or -13 (hyphens, spaces allowed) → ISBN-13; undefined when it is not an ISBN. */
export function isbn13Of(raw: string): string | undefined {
  const value = raw
    .replace(/^(?:urn:isbn:|info:isbn\/|isbn:?)/i, '')
    .replace(/[\s-]/g, '')
    .toUpperCase();
  if (/^\d{13}$/.test(value)) return value;
  if (!/^\d{9}[\dX]$/.test(value)) return undefined;
  const stem = `978${value.slice(0, 9)}`;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(stem[i]) * (i % 2 === 0 ? 1 : 3);
  return `${stem}${(10 - (sum % 10)) % 10}`;
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

/** Reads the KEV parameters; refuses another OpenURL version and a request that names nothing to look for. */
export function parseOpenUrl(params: readonly (readonly [string, string])[]): OpenUrlQuery {
  const version = params.filter(([k]) => k === 'url_ver').map(([, v]) => v);
  if (version.some((v) => v !== 'Z39.88-2004')) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: 'Only OpenURL 1.0 (url_ver=Z39.88-2004) is understood.',
      context: { url_ver: version },
    });
  }
  const query: OpenUrlQuery = { isbn: [], issn: [], doi: [], titles: [] };
  const add = (list: string[], value: string | undefined) => {
    if (value !== undefined && !list.includes(value)) list.push(value);
  };
  for (const [key, rawValue] of params) {
    const value = rawValue.trim();
    if (!value || value.length > 512) continue;
    if ((identifierKeys as readonly string[]).includes(key)) {
      if (key === 'rft.isbn') add(query.isbn, isbn13Of(value));
      else if (key === 'rft.issn' || key === 'rft.eissn') add(query.issn, issnOf(value));
      else if (/^(?:info:doi\/|urn:doi:|doi:|https?:\/\/(?:dx\.)?doi\.org\/)/i.test(value))
        add(query.doi, doiOf(value));
      else if (/^(?:info:isbn\/|urn:isbn:)/i.test(value)) add(query.isbn, isbn13Of(value));
      else if (/^(?:info:issn\/|urn:issn:)/i.test(value)) add(query.issn, issnOf(value));
    } else if ((titleKeys as readonly string[]).includes(key)) {
      const normal = sortTitleOf(value);
      if (normal) add(query.titles, normal);
    }
  }
  if (!query.isbn.length && !query.issn.length && !query.doi.length && !query.titles.length) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail:
        'The OpenURL names nothing to look for: give rft_id (info:doi/…), rft.isbn, rft.issn or a title.',
    });
  }
  return query;
}

function identifierMatch(title: Title, query: OpenUrlQuery): boolean {
  const isbns = (title.identifiers.isbn ?? []).map(isbn13Of);
  const dois = (title.identifiers.doi ?? []).map(doiOf);
  const issns = (title.identifiers.issn ?? []).map(issnOf);
  return (
    query.isbn.some((i) => isbns.includes(i)) ||
    query.doi.some((d) => dois.includes(d)) ||
    query.issn.some((i) => issns.includes(i))
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
  for (const key of ['doi', 'isbn', 'issn', 'titles'] as const)
    if (query[key].length) looked[key] = query[key];
  return looked;
}
