/** The gateway's JSON contract as the reader uses it (see /openapi.json). */
export type Format = 'epub' | 'pdf';
export type AccessMode = 'open' | 'licensed' | 'partner';

export interface Availability {
  /** null: unlimited copies (e.g. open access or an unlimited licence). */
  copies: number | null;
  available: number | null;
  holds: number;
  access: AccessMode;
}

export interface Title {
  id: string;
  title: string;
  authors: string[];
  language?: string;
  publisher?: string;
  published?: string;
  description?: string;
  subjects: string[];
  format: Format;
  access: AccessMode;
  status: 'active' | 'withdrawn';
  pageCount?: number;
  /** Everyone credited who is not an author (functions/domain/title.ts ContributorRole). */
  contributors?: {
    name: string;
    role: 'translator' | 'editor' | 'illustrator' | 'artist' | 'narrator' | 'contributor';
  }[];
  alternateTitles?: string[];
  alternateNames?: string[];
  readingProgression?: 'ltr' | 'rtl';
  spineLength?: number;
  /** Found at publication (functions/domain/title.ts TitleWarning). */
  warnings?: ('EPUB_SCRIPTED' | 'ISBN_IN_CATALOGUE')[];
  /** ISBN_IN_CATALOGUE: the titles with one of its ISBNs when it was published. */
  sameIsbnAs?: { id: string; title: string }[];
  contentType: string;
  size: number;
  cover?: string;
  /** Smaller copies of the cover, narrowest first; absent on titles published before they existed. */
  coverSizes?: { width: number; height: number; type: string; url: string }[];
  availability?: Availability;
}

export interface Page<T> {
  data: T[];
  cursor: string | null;
}

export interface Patron {
  id: string;
  cardNumber: string;
  name: string;
  roles: string[];
  /** The patron's own choice (My account); absent: the device's. */
  language?: 'id' | 'en';
}

export interface CampusPartner {
  id: string;
  name: string;
}

/** POST /auth/oidc/session: a partner member's tokens (no patron profile). */
export interface CampusSignedIn {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  partnerId: string;
  partnerName: string;
  entitlements: string[];
  /** App-relative (#/…). */
  returnPath: string;
}

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  /** Seconds. */
  expiresIn: number;
  patron: Patron;
}

export interface Loan {
  id: string;
  titleId: string;
  status: 'active' | 'returned' | 'expired';
  days?: number;
  checkedOutAt?: string;
  expiresAt: string;
  renewals?: number;
  title?: Title;
}

export interface Hold {
  id: string;
  titleId: string;
  status: 'waiting' | 'reserved' | 'fulfilled' | 'cancelled' | 'lapsed';
  position?: number;
  placedAt?: string;
  reservedUntil?: string;
  /** While set, the hold keeps its place and copies pass to the next in line ("deliver later"). */
  suspendedUntil?: string;
  estimatedWaitDays?: number;
  title?: Title;
}

export interface AccessLink {
  url: string;
  expiresAt: string;
  contentType: string;
  format: Format;
  size?: number;
}

export interface Locations {
  progression?: number;
  totalProgression?: number;
  position?: number;
  cfi?: string;
  /** Readium media fragments (`page=3` in a PDF) or element ids. */
  fragments?: string[];
  partialCfi?: string;
  cssSelector?: string;
  /** The PDF page, as stored before `fragments`. */
  page?: number;
  /** What a Readium app stored beyond these, kept. */
  [extension: string]: unknown;
}

export interface Locator {
  href: string;
  type: string;
  title?: string;
  locations: Locations;
  text?: { before?: string; highlight?: string; after?: string };
}

export interface ReadingProgress {
  titleId: string;
  locator: Locator;
  modified: string;
  device?: string;
}

export interface Bookmark {
  id: string;
  titleId: string;
  locator: Locator;
  label?: string;
  created: string;
}

export interface CatalogueQuery {
  q?: string;
  lang?: string;
  format?: Format;
  subject?: string;
  access?: AccessMode;
  available?: boolean;
  /** relevance (default), newest, borrowed (last 30 days), title. */
  sort?: CatalogueSort;
  cursor?: string;
  limit?: number;
}

export type CatalogueSort = 'relevance' | 'newest' | 'borrowed' | 'title';

/** GET /collections and /collections/{id}: a curated collection as patrons see it. */
export interface Collection {
  id: string;
  name: { id: string; en: string };
  description: { id: string; en: string };
  cover?: string;
  featuredFrom?: string;
  featuredUntil?: string;
  titleCount: number;
  titles: Title[];
  updatedAt: string;
}

/** GET /browse: subjects and languages with how many titles each. */
export interface BrowseCounts {
  total: number;
  subjects: { value: string; count: number }[];
  languages: { value: string; count: number }[];
}

/** RFC 9457 problem details with the gateway's stable `code`. */
export interface Problem {
  status: number;
  code: string;
  detail: string;
  title?: string;
  [extension: string]: unknown;
}
