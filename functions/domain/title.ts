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

/**
 * What a librarian should know about a publication that was still accepted. EPUB_SCRIPTED: the manifest marks
 * items `scripted`, and the reader never runs book scripts, so their interactive parts will not work.
 * ISBN_IN_CATALOGUE: another title already carries one of its ISBNs (named in `sameIsbnAs`).
 */
export type TitleWarning = 'EPUB_SCRIPTED' | 'ISBN_IN_CATALOGUE';
export const titleWarnings = [
  'EPUB_SCRIPTED',
  'ISBN_IN_CATALOGUE',
] as const satisfies readonly TitleWarning[];

/**
 * A credited role other than author, in the words of OPDS 2.0 / Readium Web Publication Manifest contributor
 * roles (publications name them with MARC relator codes: trl, edt, ill, ...).
 */
export type ContributorRole = 'translator' | 'editor' | 'illustrator' | 'artist' | 'narrator' | 'contributor';
export const contributorRoles = [
  'translator',
  'editor',
  'illustrator',
  'artist',
  'narrator',
  'contributor',
] as const satisfies readonly ContributorRole[];

export interface Contributor {
  name: string;
  role: ContributorRole;
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
  /** Everyone credited who is not an author, by role (absent when the publication names none). */
  contributors?: Contributor[];
  /** The title in other scripts or languages, searchable beside the title. */
  alternateTitles?: string[];
  /** Authors' and contributors' names in other scripts, searchable beside them. */
  alternateNames?: string[];
  /** The spine's page-progression-direction, when the publication declares one. */
  readingProgression?: 'ltr' | 'rtl';
  /** EPUB: how many readable items its spine has (a PDF's length is `pageCount`). */
  spineLength?: number;
  contentKey: string;
  contentType: string;
  size: number;
  sha256: string;
  coverKey?: string;
  coverType?: string;
  /** The stored cover's size in pixels, read at publication (titles published earlier have none). */
  coverWidth?: number;
  coverHeight?: number;
  /** Smaller copies of the cover made at publication, narrowest first (absent on titles published before). */
  coverRenditions?: CoverRendition[];
  createdAt: string;
  updatedAt: string;
  /** When a librarian withdrew it (status 'withdrawn'). */
  withdrawnAt?: string;
  /** Found when it was published (see TitleWarning). */
  warnings?: TitleWarning[];
  /** ISBN_IN_CATALOGUE: the titles that carried one of its ISBNs when it was published. */
  sameIsbnAs?: { id: string; title: string }[];
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

/** The catalogue fields a librarian may set on upload or edit later. */
export interface TitleMetadata {
  title?: string;
  authors?: string[];
  language?: string;
  publisher?: string;
  published?: string;
  description?: string;
  subjects?: string[];
  identifiers?: Identifiers;
}

/** What an edit or a withdrawal may change on a stored title. */
export type TitleChanges = TitleMetadata & {
  access?: AccessMode;
  status?: TitleStatus;
  sortTitle?: string;
  withdrawnAt?: string;
};

/** A display-size copy of a title's cover, kept beside the original in the content store. */
export interface CoverRendition {
  width: number;
  height: number;
  type: string;
  key: string;
}

/** Where the validated publication was stored, and what it is. */
export interface StoredPublication {
  contentKey: string;
  size: number;
  sha256: string;
  cover?: {
    key: string;
    contentType: string;
    width?: number;
    height?: number;
    renditions?: CoverRendition[];
  };
}

/** What a publication says about itself (see publication/types.ts), as far as the catalogue needs it. */
export interface InspectedPublication {
  format: Format;
  contentType: string;
  metadata: TitleMetadata & {
    title: string;
    authors: string[];
    subjects: string[];
    pageCount?: number;
    warnings?: TitleWarning[];
    contributors?: Contributor[];
    alternateTitles?: string[];
    alternateNames?: string[];
    direction?: 'ltr' | 'rtl';
    spineLength?: number;
  };
}

/**
 * A new catalogue title from an inspected publication: the file's own metadata, with anything the librarian
 * gave taking precedence. The one place an inspection becomes a Title (upload route and sample seed).
 */
export function titleFromPublication(input: {
  id: string;
  inspection: InspectedPublication;
  stored: StoredPublication;
  access: AccessMode;
  overrides?: TitleMetadata;
  now: Date;
}): Title {
  const { metadata } = input.inspection;
  const merged = { ...withoutUndefined(metadata), ...withoutUndefined(input.overrides ?? {}) };
  const now = input.now.toISOString();
  const optional = <K extends 'language' | 'publisher' | 'published' | 'description'>(key: K) =>
    merged[key] ? { [key]: merged[key] } : {};
  return {
    id: input.id,
    title: merged.title,
    sortTitle: sortTitleOf(merged.title),
    authors: merged.authors,
    subjects: merged.subjects,
    identifiers: merged.identifiers ?? {},
    ...optional('language'),
    ...optional('publisher'),
    ...optional('published'),
    ...optional('description'),
    ...(metadata.pageCount ? { pageCount: metadata.pageCount } : {}),
    ...(metadata.warnings?.length ? { warnings: [...metadata.warnings] } : {}),
    ...(metadata.contributors?.length ? { contributors: metadata.contributors.map((c) => ({ ...c })) } : {}),
    ...(metadata.alternateTitles?.length ? { alternateTitles: [...metadata.alternateTitles] } : {}),
    ...(metadata.alternateNames?.length ? { alternateNames: [...metadata.alternateNames] } : {}),
    ...(metadata.direction ? { readingProgression: metadata.direction } : {}),
    ...(metadata.spineLength ? { spineLength: metadata.spineLength } : {}),
    format: input.inspection.format,
    access: input.access,
    status: 'active',
    contentKey: input.stored.contentKey,
    contentType: input.inspection.contentType,
    size: input.stored.size,
    sha256: input.stored.sha256,
    ...(input.stored.cover
      ? {
          coverKey: input.stored.cover.key,
          coverType: input.stored.cover.contentType,
          ...(input.stored.cover.width && input.stored.cover.height
            ? { coverWidth: input.stored.cover.width, coverHeight: input.stored.cover.height }
            : {}),
        }
      : {}),
    ...(input.stored.cover?.renditions?.length ? { coverRenditions: input.stored.cover.renditions } : {}),
    createdAt: now,
    updatedAt: now,
  };
}

/** The changes an edit makes, with the catalogue sort key kept in step with the title. */
export function titleEdit(metadata: TitleMetadata & { access?: AccessMode }): TitleChanges {
  const changes: TitleChanges = withoutUndefined(metadata);
  if (changes.title !== undefined) changes.sortTitle = sortTitleOf(changes.title);
  return changes;
}

/** File extension for a cover image's content type (`image/jpeg` → `jpg`, `image/svg+xml` → `svg`). */
export function coverExtension(contentType: string): string {
  // The type comes from the (untrusted) publication: only a short plain token may become part of a key.
  const extension = contentType.split('/')[1]?.replace('jpeg', 'jpg').replace(/\+.*$/, '') ?? '';
  return /^[a-z0-9]{1,8}$/.test(extension) ? extension : 'img';
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
