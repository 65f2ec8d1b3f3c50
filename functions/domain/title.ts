/** A title in the catalogue: one publication (EPUB or PDF) and how it may be read. */
export type Format = 'epub' | 'pdf';
/** open: anyone may read; licensed: a loan is needed; partner: an entitlement from a partner is needed. */
export type AccessMode = 'open' | 'licensed' | 'partner';
export type TitleStatus = 'active' | 'withdrawn';

export interface Identifiers {
  isbn?: string[];
  doi?: string[];
  issn?: string[];
  /** Any other identifier from the publication (URN, UUID, ...), verbatim. */
  other?: string[];
}

export interface Title {
  id: string;
  title: string;
  /** Sort key for catalogue order: lower-cased, accents and leading articles removed. */
  sortTitle: string;
  authors: string[];
  language?: string;
  publisher?: string;
  published?: string;
  description?: string;
  subjects: string[];
  identifiers: Identifiers;
  format: Format;
  access: AccessMode;
  status: TitleStatus;
  pageCount?: number;
  contentKey: string;
  contentType: string;
  size: number;
  sha256: string;
  coverKey?: string;
  coverType?: string;
  createdAt: string;
  updatedAt: string;
}

export const contentTypeOf: Record<Format, string> = {
  epub: 'application/epub+zip',
  pdf: 'application/pdf',
};

const leadingArticles = /^(the|a|an|sang|si)\s+/;

/** Catalogue order ignores case, accents and a leading article ("The Waste Land" sorts under W). */
export function sortTitleOf(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .trim()
    .replace(leadingArticles, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
