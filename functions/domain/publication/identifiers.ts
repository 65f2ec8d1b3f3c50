import type { Identifiers } from '../title';

/**
 * Sorts identifiers as a cataloguer would: ISBNs (urn:isbn:, or a bare 10/13-digit form with a valid check
 * digit), DOIs (10.prefix/suffix), ISSNs (NNNN-NNNC with a valid check digit); anything else is kept verbatim.
 * A `scheme` hint (EPUB 2's opf:scheme="ISBN") counts as much as a urn:isbn: prefix.
 */
export function classifyIdentifiers(values: { value: string; scheme?: string }[]): Identifiers {
  const result: Required<Identifiers> = { isbn: [], doi: [], issn: [], other: [] };
  for (const { value, scheme } of values) {
    const raw = value.trim();
    if (!raw) continue;
    const hint = scheme?.trim().toLowerCase();
    const isbn = isbnOf(raw, hint === 'isbn');
    const doi = isbn ? undefined : doiOf(raw, hint === 'doi');
    const issn = isbn || doi ? undefined : issnOf(raw, hint === 'issn');
    if (isbn) pushUnique(result.isbn, isbn);
    else if (doi) pushUnique(result.doi, doi);
    else if (issn) pushUnique(result.issn, issn);
    else pushUnique(result.other, raw);
  }
  const identifiers: Identifiers = {};
  for (const key of ['isbn', 'doi', 'issn', 'other'] as const)
    if (result[key].length) identifiers[key] = result[key];
  return identifiers;
}

function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

function isbnOf(raw: string, hinted: boolean): string | undefined {
  const prefixed = /^(?:urn:isbn:|isbn[:\s]\s*)(.+)$/i.exec(raw);
  const candidate = (prefixed ? prefixed[1]! : raw).replace(/[\s-]/g, '').toUpperCase();
  if (!/^(?:\d{9}[\dX]|\d{13})$/.test(candidate)) return undefined;
  // A declared ISBN is kept even with a bad check digit (publishers do ship those); a bare number must prove it.
  if (prefixed || hinted || validIsbn(candidate)) return candidate;
  return undefined;
}

function validIsbn(isbn: string): boolean {
  if (isbn.length === 10) {
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += (isbn[i] === 'X' ? 10 : Number(isbn[i])) * (10 - i);
    return sum % 11 === 0;
  }
  if (!/^97[89]/.test(isbn)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(isbn[i]) * (i % 2 === 0 ? 1 : 3);
  return sum % 10 === 0;
}

function doiOf(raw: string, hinted: boolean): string | undefined {
  const match = /^(?:urn:doi:|doi:\s*|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/\S+)$/i.exec(raw);
  if (match) return match[1];
  return hinted && /^10\.\S+\/\S+$/.test(raw) ? raw : undefined;
}

function issnOf(raw: string, hinted: boolean): string | undefined {
  const match = /^(urn:issn:|issn[:\s]\s*)?(\d{4})(-?)(\d{3}[\dXx])$/i.exec(raw);
  if (!match) return undefined;
  const issn = `${match[2]}-${match[4]!.toUpperCase()}`;
  // A bare number needs the hyphenated form and a valid check digit to be taken for an ISSN.
  if (match[1] || hinted || (match[3] && validIssn(issn))) return issn;
  return undefined;
}

function validIssn(issn: string): boolean {
  const digits = issn.replace('-', '');
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (digits[i] === 'X' ? 10 : Number(digits[i])) * (8 - i);
  return sum % 11 === 0;
}
