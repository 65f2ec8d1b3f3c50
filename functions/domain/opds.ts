import type { Hold } from './hold';
import type { Availability } from './lending';
import type { HoldView } from './lending-ports';
import { isLoanCurrent, type Loan } from './loan';
import type { Patron } from './patron';
import type { Locator, ReadingProgress } from './reading';
import type { Title } from './title';

/**
 * What OPDS reading apps (Palace, Thorium) are told about signing in, borrowing and reading positions, as
 * plain documents: Authentication for OPDS 1.0, the OPDS 2.0 borrowing best practice (borrow links returning
 * the publication, availability per caller, a shelf with revoke links), the OPDS User Profile and OPDS
 * Progression 1.0. Every absolute URL starts from the configured public base URL, never from a request.
 */

export const opdsMediaTypes = {
  feed: 'application/opds+json',
  publication: 'application/opds-publication+json',
  authentication: 'application/opds-authentication+json',
  profile: 'application/opds-profile+json',
  progression: 'application/opds-progression+json',
} as const;

export const opdsRels = {
  authDocument: 'http://opds-spec.org/auth/document',
  shelf: 'http://opds-spec.org/shelf',
  borrow: 'http://opds-spec.org/acquisition/borrow',
  acquisition: 'http://opds-spec.org/acquisition',
  progression: 'http://opds-spec.org/progression',
  /** Palace's (Library Simplified's) relation for returning a loan or cancelling a hold. */
  revoke: 'http://librarysimplified.org/terms/rel/revoke',
} as const;

export interface OpdsLink {
  href: string;
  type?: string;
  rel?: string | string[];
  title?: string;
  templated?: boolean;
  width?: number;
  height?: number;
  properties?: Record<string, unknown>;
}

/** Paths of the OPDS services, from the API's root. */
export const opdsPaths = {
  root: '/opds',
  authentication: '/opds/authentication',
  token: '/auth/token',
  logo: '/opds/logo.png',
  help: '/opds/help',
  shelf: '/opds/shelf',
  profile: '/opds/profile',
  publication: (titleId: string) => `/opds/publications/${encodeURIComponent(titleId)}`,
  borrow: (titleId: string) => `/opds/publications/${encodeURIComponent(titleId)}/borrow`,
  revoke: (titleId: string) => `/opds/publications/${encodeURIComponent(titleId)}/revoke`,
  content: (titleId: string) => `/opds/publications/${encodeURIComponent(titleId)}/content`,
  progression: (titleId: string) => `/opds/publications/${encodeURIComponent(titleId)}/progression`,
} as const;

export const logoSize = { width: 90, height: 90 } as const;

const cardLabels = { login: 'Library card number', password: 'PIN' } as const;

/** Where the Authentication Document is, for `authenticate` hints on links that need signing in. */
export const authenticateHint = (base: string) => ({
  href: `${base}${opdsPaths.authentication}`,
  type: opdsMediaTypes.authentication,
});

/** The shelf link every feed carries (the borrowing best practice recommends it in all feeds). */
export const shelfLink = (base: string): OpdsLink => ({
  rel: opdsRels.shelf,
  href: `${base}${opdsPaths.shelf}`,
  type: opdsMediaTypes.feed,
  title: 'My loans and holds',
  properties: { authenticate: authenticateHint(base) },
});

/** The Authentication Document, every link absolute from `base`, the API's public base URL. */
export function authenticationDocument(base: string) {
  return {
    id: `${base}${opdsPaths.authentication}`,
    title: 'Pustaka — Kota Nusantara libraries',
    description:
      'Sign in with your library card number and PIN. / Masuk dengan nomor kartu perpustakaan dan PIN Anda.',
    links: [
      { rel: 'logo', href: `${base}${opdsPaths.logo}`, type: 'image/png', ...logoSize },
      { rel: 'help', href: `${base}${opdsPaths.help}`, type: 'text/html', title: 'Help' },
      { rel: 'start', href: `${base}${opdsPaths.root}`, type: opdsMediaTypes.feed, title: 'Catalogue' },
      {
        rel: opdsRels.shelf,
        href: `${base}${opdsPaths.shelf}`,
        type: opdsMediaTypes.feed,
        title: 'My loans and holds',
      },
      {
        rel: 'profile',
        href: `${base}${opdsPaths.profile}`,
        type: opdsMediaTypes.profile,
        title: 'My account',
      },
    ],
    authentication: [
      {
        type: 'http://opds-spec.org/auth/oauth/password',
        labels: cardLabels,
        links: [
          { rel: 'authenticate', href: `${base}${opdsPaths.token}`, type: 'application/json' },
          { rel: 'refresh', href: `${base}${opdsPaths.token}`, type: 'application/json' },
        ],
      },
      {
        type: 'http://opds-spec.org/auth/basic',
        labels: cardLabels,
        // Palace shows a number pad for these.
        inputs: { login: { keyboard: 'Number pad' }, password: { keyboard: 'Number pad' } },
      },
    ],
  };
}

/** The caller's own standing with one title. */
export interface PatronTitleState {
  loan?: Loan;
  hold?: HoldView;
}

/** The signed-in patron's loans and holds by title (what the shelf lists and every publication reflects). */
export function patronStates(loans: Loan[], holds: HoldView[], now: Date): Map<string, PatronTitleState> {
  const states = new Map<string, PatronTitleState>();
  for (const loan of loans) {
    if (!isLoanCurrent(loan, now)) continue;
    states.set(loan.titleId, { ...states.get(loan.titleId), loan });
  }
  for (const hold of holds) {
    if (hold.status !== 'waiting' && hold.status !== 'reserved') continue;
    states.set(hold.titleId, { ...states.get(hold.titleId), hold });
  }
  return states;
}

const dayMs = 86_400_000;

function copiesAndHolds(availability: Availability | undefined): Record<string, unknown> {
  if (!availability || availability.access !== 'licensed') return {};
  return {
    ...(availability.copies !== null && availability.available !== null
      ? { copies: { total: availability.copies, available: availability.available } }
      : {}),
    holds: { total: availability.holds },
  };
}

function reservedHold(hold: Hold): hold is Hold & { reservedAt: string; reservedUntil: string } {
  return hold.status === 'reserved' && hold.reservedAt !== undefined && hold.reservedUntil !== undefined;
}

/**
 * The acquisition links of a title for one caller, as the borrowing best practice describes them:
 * - open titles: the open-access link to the content;
 * - partner titles: the acquisition link (entitlement decided when it is followed);
 * - licensed titles, to the holder of a current loan: the acquisition link to the content (a redirect to a
 *   short signed link), `available` from the loan's start to its end, and a revoke link (return);
 * - licensed titles, to everyone else: the borrow link, which answers the publication
 *   (`application/opds-publication+json`, the file's type in `indirectAcquisition`), with this caller's
 *   availability: `available` / `unavailable` for a stranger, `reserved` with the place in the queue for a
 *   waiting hold, `ready` until the reservation lapses for a reserved one (plus a revoke link: cancel).
 * Borrowed (and, for a signed-in patron, open) titles link their OPDS Progression service.
 */
export function acquisitionLinks(input: {
  title: Title;
  availability: Availability | undefined;
  state: PatronTitleState | undefined;
  /** A signed-in patron: open titles link their reading position too. */
  signedIn: boolean;
  base: string;
  now: Date;
}): OpdsLink[] {
  const { title, availability, state, base, now } = input;
  const id = title.id;
  const progression: OpdsLink = {
    rel: opdsRels.progression,
    href: `${base}${opdsPaths.progression(id)}`,
    type: opdsMediaTypes.progression,
    properties: { authenticate: authenticateHint(base) },
  };
  if (title.access === 'open')
    return [
      {
        rel: 'http://opds-spec.org/acquisition/open-access',
        href: `${base}${opdsPaths.content(id)}`,
        type: title.contentType,
        properties: { availability: { state: 'available' } },
      },
      ...(input.signedIn ? [progression] : []),
    ];
  if (title.access === 'partner')
    return [
      {
        rel: opdsRels.acquisition,
        href: `${base}${opdsPaths.content(id)}`,
        type: title.contentType,
        properties: {
          availability: { state: title.status === 'active' ? 'available' : 'unavailable' },
          authenticate: authenticateHint(base),
        },
      },
    ];
  const counts = copiesAndHolds(availability);
  const revoke = (what: string): OpdsLink => ({
    rel: ['revoke', opdsRels.revoke],
    href: `${base}${opdsPaths.revoke(id)}`,
    type: opdsMediaTypes.publication,
    title: what,
  });
  if (state?.loan && isLoanCurrent(state.loan, now)) {
    return [
      {
        rel: opdsRels.acquisition,
        href: `${base}${opdsPaths.content(id)}`,
        type: title.contentType,
        properties: {
          availability: { state: 'available', since: state.loan.checkedOutAt, until: state.loan.expiresAt },
          ...counts,
          authenticate: authenticateHint(base),
        },
      },
      revoke('Return'),
      progression,
    ];
  }
  const borrow = (availabilityState: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    rel: opdsRels.borrow,
    href: `${base}${opdsPaths.borrow(id)}`,
    type: opdsMediaTypes.publication,
    properties: {
      availability: availabilityState,
      ...counts,
      ...extra,
      indirectAcquisition: [{ type: title.contentType }],
      authenticate: authenticateHint(base),
    },
  });
  const hold = state?.hold;
  if (hold && reservedHold(hold)) {
    return [
      borrow({ state: 'ready', since: hold.reservedAt, until: hold.reservedUntil }, { cancellable: true }),
      revoke('Cancel hold'),
    ];
  }
  if (hold?.status === 'waiting') {
    const expected = new Date(now.getTime() + hold.estimatedWaitDays * dayMs).toISOString().slice(0, 10);
    return [
      borrow(
        { state: 'reserved', since: hold.placedAt, until: expected },
        {
          holds: { total: availability?.holds ?? hold.position, position: hold.position },
          cancellable: true,
        },
      ),
      revoke('Cancel hold'),
    ];
  }
  const free =
    title.status === 'active' &&
    availability !== undefined &&
    (availability.available === null || availability.available > 0);
  return [borrow({ state: free ? 'available' : 'unavailable' })];
}

/** The OPDS User Profile of a patron: name, loans and holds allowed and left, where to manage the account. */
export function profileDocument(
  patron: Patron,
  counts: { loans: number; holds: number },
  accountUrl: string,
) {
  return {
    name: patron.name,
    ...(patron.email ? { email: patron.email } : {}),
    links: [{ rel: 'edit', href: accountUrl, type: 'text/html', title: 'My account' }],
    loans: { total: patron.loanLimit, available: Math.max(0, patron.loanLimit - counts.loans) },
    holds: { total: patron.holdLimit, available: Math.max(0, patron.holdLimit - counts.holds) },
  };
}

/** An OPDS Progression 1.0 document, as a reading app sends it. */
export interface ProgressionDocument {
  title?: string;
  modified: string;
  device: { id: string; name: string };
  progression: number;
  references?: string[];
}

const webReaderDevice = { id: 'urn:pustaka:web-reader', name: 'Pustaka web reader' } as const;

/** The page a PDF reference names (`#page=12`, RFC 3778), if any. */
function pageOf(reference: string | undefined): number | undefined {
  const match = reference ? /#page=(\d{1,7})\b/.exec(reference) : null;
  const page = match ? Number(match[1]) : NaN;
  return page >= 1 ? page : undefined;
}

/**
 * The stored position (the one /me/progress reads and writes) as a Progression document: `progression` is the
 * position in the whole publication, `references` the resource (EPUB) or the page (PDF).
 */
export function progressionOf(progress: ReadingProgress, title: Pick<Title, 'format' | 'pageCount'>) {
  const { locator } = progress;
  const { locations } = locator;
  let progression = locations.totalProgression;
  if (progression === undefined && title.format === 'pdf' && locations.page && title.pageCount)
    progression = locations.page / title.pageCount;
  const references =
    title.format === 'pdf'
      ? locations.page
        ? [`#page=${locations.page}`]
        : []
      : locator.href
        ? [locator.href]
        : [];
  return {
    ...(locator.title ? { title: locator.title } : {}),
    modified: progress.modified,
    device: {
      id: progress.deviceId ?? webReaderDevice.id,
      name: progress.device ?? webReaderDevice.name,
    },
    progression: Math.min(1, Math.max(0, progression ?? 0)),
    ...(references.length ? { references } : {}),
  };
}

/**
 * A reading app's Progression document as the stored position. A PDF position keeps its page (from
 * `#page=N`, else from the progression and the page count), so the web reader opens there; an EPUB's keeps
 * the resource the app names and the position in the whole book. Device names are cut to what the web
 * reader's own saves may carry.
 */
export function progressFromProgression(
  document: ProgressionDocument,
  title: Pick<Title, 'id' | 'format' | 'pageCount' | 'contentType'>,
  stored: ReadingProgress | undefined,
): ReadingProgress {
  const reference = document.references?.[0];
  let locator: Locator;
  if (title.format === 'pdf') {
    const pages = title.pageCount && title.pageCount > 0 ? title.pageCount : undefined;
    // The web reader saves page N as N / pages; the inverse keeps a round trip on the same page.
    const fromProgression = pages
      ? Math.min(pages, Math.max(1, Math.round(document.progression * pages)))
      : undefined;
    const page = pageOf(reference) ?? fromProgression ?? 1;
    locator = {
      href: stored?.locator.href ?? `/titles/${title.id}/publication.pdf`,
      type: 'application/pdf',
      ...(document.title ? { title: document.title } : {}),
      locations: { page, position: page, progression: 0, totalProgression: document.progression },
    };
  } else {
    const href = reference?.split('#')[0] || stored?.locator.href || '';
    locator = {
      href,
      type: 'application/xhtml+xml',
      ...(document.title ? { title: document.title } : {}),
      locations: { totalProgression: document.progression },
    };
  }
  return {
    titleId: title.id,
    locator,
    modified: new Date(document.modified).toISOString(),
    device: document.device.name.slice(0, 64),
    deviceId: document.device.id,
  };
}
