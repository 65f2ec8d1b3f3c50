import type {
  AccessLink,
  CampusPartner,
  CampusSignedIn,
  Bookmark,
  BrowseCounts,
  CatalogueQuery,
  Collection,
  Hold,
  Loan,
  Locator,
  Answer,
  Patron,
  Problem,
  ReadingProgress,
  Refreshed,
  RequestBody,
  SignedIn,
  TitleDetail,
} from './types';

/** A refused request: the problem the API sent (or a stand-in for a network failure). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token stops working. */
  accessExpiresAt: number;
  patron: Patron;
}

export type SignOutReason = 'signed-out' | 'revoked';

export interface ApiClientOptions {
  /** Where the API answers; '' = same origin. */
  base?: string;
  storage?: Storage;
  fetch?: typeof fetch;
  now?: () => number;
}

const sessionKey = 'pustaka.session';
/** Refresh a little before the access token runs out, so a request never starts with a dying token. */
const refreshMarginMs = 30_000;

interface RequestOptions {
  /** Sent as JSON, except a Blob, which goes as it is with its own type (e.g. a CSV file). */
  body?: unknown;
  headers?: Record<string, string>;
  /** true: needs a session (refreshes as needed); false: anonymous. */
  auth?: boolean;
  signal?: AbortSignal;
  keepalive?: boolean;
}

/**
 * The typed API client. It keeps the session in localStorage (so a reload and other tabs stay signed in),
 * refreshes the access token before it expires or after a 401, with one refresh in flight at a time — across
 * tabs too (Web Locks), since refresh tokens rotate and a second use of an old one would revoke the family —
 * and signs out when the server says the family is revoked.
 */
export class ApiClient {
  private base: string;
  private readonly storage: Storage | undefined;
  private readonly fetcher: typeof fetch;
  private readonly now: () => number;
  private refreshing: Promise<Session | undefined> | undefined;
  private readonly listeners = new Set<(session: Session | undefined, reason?: SignOutReason) => void>();

  constructor(options: ApiClientOptions = {}) {
    this.base = options.base ?? '';
    this.storage = options.storage ?? (typeof localStorage === 'undefined' ? undefined : localStorage);
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    if (typeof window !== 'undefined') {
      // Another tab signed in, out or refreshed.
      window.addEventListener('storage', (event) => {
        if (event.key === sessionKey) this.emit(this.session);
      });
    }
  }

  /** Where the API answers (from the deployment's /config.json; '' = the page's own origin). */
  setBase(base: string): void {
    this.base = base.replace(/\/+$/, '');
  }

  /** An API path as a URL the browser can load (e.g. a cover image). */
  url(path: string): string {
    return `${this.base}${path}`;
  }

  get session(): Session | undefined {
    try {
      const raw = this.storage?.getItem(sessionKey);
      return raw ? (JSON.parse(raw) as Session) : undefined;
    } catch {
      return undefined;
    }
  }

  private set session(session: Session | undefined) {
    if (session) this.storage?.setItem(sessionKey, JSON.stringify(session));
    else this.storage?.removeItem(sessionKey);
  }

  onSessionChange(listener: (session: Session | undefined, reason?: SignOutReason) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(session: Session | undefined, reason?: SignOutReason): void {
    for (const listener of this.listeners) listener(session, reason);
  }

  private adopt(
    tokens: Pick<SignedIn, 'accessToken' | 'refreshToken' | 'expiresIn'>,
    patron: Patron | undefined,
  ): Session {
    const session: Session = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      accessExpiresAt: this.now() + tokens.expiresIn * 1000,
      // A partner member's refresh carries no profile: the one from their campus sign-in stays.
      patron: patron ?? this.session?.patron ?? { id: '', cardNumber: '', name: '', roles: [] },
    };
    this.session = session;
    return session;
  }

  // ---- auth -------------------------------------------------------------------------------------
  async signIn(cardNumber: string, pin: string): Promise<Session> {
    const signedIn = await this.request<SignedIn>('POST', '/auth/login', {
      body: { cardNumber, pin } satisfies RequestBody<'/auth/login', 'post'>,
      auth: false,
    });
    const session = this.adopt(signedIn, signedIn.patron);
    this.emit(session);
    return session;
  }

  /** Institutions offering campus sign-in (for the chooser). */
  async campusPartners(): Promise<CampusPartner[]> {
    return listOf<CampusPartner>(await this.request('GET', '/auth/oidc/partners', { auth: false }));
  }

  /** Where the browser goes to sign in at the institution (the API's start, which redirects there). */
  campusStartUrl(partnerId: string, returnPath: string): string {
    const query = new URLSearchParams({ return: returnPath });
    return this.url(`/auth/oidc/${encodeURIComponent(partnerId)}/start?${query}`);
  }

  /** Redeems the one-time code of a finished campus sign-in; the member's profile is their institution. */
  async redeemCampusSignIn(handoff: string): Promise<{ session: Session; returnPath: string }> {
    const signedIn = await this.request<CampusSignedIn>('POST', '/auth/oidc/session', {
      body: { handoff } satisfies RequestBody<'/auth/oidc/session', 'post'>,
      auth: false,
    });
    const session = this.adopt(signedIn, {
      id: signedIn.partnerId,
      cardNumber: '',
      name: signedIn.partnerName,
      roles: [],
    });
    this.emit(session);
    return { session, returnPath: signedIn.returnPath };
  }

  async signOut(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.emit(undefined, 'signed-out');
    if (session) {
      await this.request('POST', '/auth/logout', {
        body: { refreshToken: session.refreshToken } satisfies RequestBody<'/auth/logout', 'post'>,
        auth: false,
      }).catch(() => {});
    }
  }

  /**
   * One refresh at a time: callers that arrive while one runs share it. Inside the cross-tab lock the stored
   * session is read again: if another tab already rotated the token, its result is used instead.
   */
  refresh(stale: Session): Promise<Session | undefined> {
    this.refreshing ??= this.withLock(async () => {
      const current = this.session;
      if (!current) return undefined;
      if (
        current.refreshToken !== stale.refreshToken &&
        current.accessExpiresAt - refreshMarginMs > this.now()
      ) {
        return current;
      }
      try {
        const refreshed = await this.request<Refreshed>('POST', '/auth/refresh', {
          body: { refreshToken: current.refreshToken } satisfies RequestBody<'/auth/refresh', 'post'>,
          auth: false,
        });
        return this.adopt(refreshed, 'patron' in refreshed ? refreshed.patron : undefined);
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          // The family was revoked (reuse detected, signed out elsewhere, blocked card): sign out here too.
          this.session = undefined;
          this.emit(undefined, 'revoked');
          return undefined;
        }
        throw error;
      }
    }).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    return locks ? locks.request('pustaka-refresh', work) : work();
  }

  private async validSession(): Promise<Session | undefined> {
    const session = this.session;
    if (!session) return undefined;
    if (session.accessExpiresAt - refreshMarginMs > this.now()) return session;
    return this.refresh(session);
  }

  // ---- transport ----------------------------------------------------------------------------------
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? true;
    let session = auth ? await this.validSession() : undefined;
    if (auth && !session) throw new ApiError(signInNeeded(path));
    for (let attempt = 0; ; attempt += 1) {
      const response = await this.send(method, path, options, session);
      if (response.status === 401 && auth && session && attempt === 0) {
        // The token was refused (expired early, keys rotated): refresh once and retry.
        session = await this.refresh(session);
        if (!session) throw new ApiError(signInNeeded(path));
        continue;
      }
      if (!response.ok) throw new ApiError(await problemOf(response));
      if (response.status === 204) return undefined as T;
      const type = response.headers.get('content-type') ?? '';
      // Tabular reports (COUNTER TSV) come as text; everything else the console and reader read is JSON.
      if (type.startsWith('text/tab-separated-values') || type.startsWith('text/csv'))
        return (await response.text()) as T;
      return (type.includes('json') ? await response.json() : undefined) as T;
    }
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    session: Session | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    const raw = options.body instanceof Blob ? options.body : undefined;
    if (options.body !== undefined) headers['Content-Type'] = raw ? raw.type : 'application/json';
    if (session) headers.Authorization = `Bearer ${session.accessToken}`;
    try {
      return await this.fetcher(`${this.base}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: raw ?? JSON.stringify(options.body) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.keepalive ? { keepalive: true } : {}),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError({ status: 0, code: 'NETWORK', detail: (error as Error).message });
    }
  }

  // ---- catalogue ----------------------------------------------------------------------------------
  searchTitles(query: CatalogueQuery): Promise<Answer<'/titles', 'get'>> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '' && value !== false) params.set(key, String(value));
    }
    return this.request('GET', `/titles?${params}`, { auth: false });
  }

  title(id: string): Promise<TitleDetail> {
    return this.request('GET', `/titles/${encodeURIComponent(id)}`, { auth: false });
  }

  // ---- collections and browsing -------------------------------------------------------------------
  async featuredCollections(): Promise<Collection[]> {
    return listOf<Collection>(await this.request('GET', '/collections', { auth: false }));
  }

  collection(id: string): Promise<Collection> {
    return this.request('GET', `/collections/${encodeURIComponent(id)}`, { auth: false });
  }

  browse(query: Pick<CatalogueQuery, 'q' | 'lang' | 'subject' | 'format' | 'access'>): Promise<BrowseCounts> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, String(value));
    return this.request('GET', `/browse?${params}`, { auth: false });
  }

  // ---- lending ------------------------------------------------------------------------------------
  borrow(titleId: string, days: LoanDays, idempotencyKey: string): Promise<Loan> {
    return this.request('POST', '/loans', {
      body: { titleId, days } satisfies RequestBody<'/loans', 'post'>,
      headers: { 'Idempotency-Key': idempotencyKey },
    });
  }

  async loans(): Promise<Loan[]> {
    return listOf<Loan>(await this.request('GET', '/me/loans'));
  }

  /** One of the patron's loans, whatever its state (404 when it is not theirs). */
  loan(loanId: string): Promise<Loan> {
    return this.request('GET', `/loans/${encodeURIComponent(loanId)}`);
  }

  returnLoan(loanId: string): Promise<void> {
    return this.request('DELETE', `/loans/${encodeURIComponent(loanId)}`);
  }

  renewLoan(loanId: string): Promise<Loan> {
    return this.request('POST', `/loans/${encodeURIComponent(loanId)}/renew`);
  }

  placeHold(titleId: string): Promise<Hold> {
    return this.request('POST', '/holds', { body: { titleId } satisfies RequestBody<'/holds', 'post'> });
  }

  async holds(): Promise<Hold[]> {
    return listOf<Hold>(await this.request('GET', '/me/holds'));
  }

  cancelHold(holdId: string): Promise<void> {
    return this.request('DELETE', `/holds/${encodeURIComponent(holdId)}`);
  }

  /** "Deliver later": the hold keeps its place for 7, 14 or 28 days while copies pass to the next in line. */
  suspendHold(holdId: string, days: SuspendDays): Promise<Hold> {
    return this.request('POST', `/holds/${encodeURIComponent(holdId)}/suspend`, {
      body: { days } satisfies RequestBody<'/holds/{id}/suspend', 'post'>,
    });
  }

  resumeHold(holdId: string): Promise<Hold> {
    return this.request('POST', `/holds/${encodeURIComponent(holdId)}/resume`);
  }

  // ---- my account ---------------------------------------------------------------------------------
  changePin(currentPin: string, newPin: string): Promise<void> {
    return this.request('PUT', '/me/pin', {
      body: { currentPin, newPin } satisfies RequestBody<'/me/pin', 'put'>,
    });
  }

  /** Stores the language on the patron and keeps the session's copy of the profile in step. */
  async saveLanguage(language: RequestBody<'/me/language', 'put'>['language']): Promise<Patron> {
    const patron = await this.request<Patron>('PUT', '/me/language', {
      body: { language } satisfies RequestBody<'/me/language', 'put'>,
    });
    const session = this.session;
    if (session) this.session = { ...session, patron: { ...session.patron, language: patron.language } };
    return patron;
  }

  /**
   * A short-lived signed link to the publication (open titles need no session). `renewal`: the reader renews
   * an expired link mid-book, which COUNTER does not count as a new request.
   */
  access(titleId: string, options: { renewal?: boolean } = {}): Promise<AccessLink> {
    const query = options.renewal ? '?renewal=true' : '';
    return this.request('POST', `/titles/${encodeURIComponent(titleId)}/access${query}`, {
      auth: this.session !== undefined,
    });
  }

  // ---- reading ------------------------------------------------------------------------------------
  async progress(titleId: string): Promise<ReadingProgress | undefined> {
    try {
      return await this.request<ReadingProgress>('GET', `/me/progress/${encodeURIComponent(titleId)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  saveProgress(
    titleId: string,
    locator: Locator,
    device: string,
    keepalive = false,
  ): Promise<ReadingProgress> {
    return this.request('PUT', `/me/progress/${encodeURIComponent(titleId)}`, {
      body: {
        locator,
        modified: new Date(this.now()).toISOString(),
        device,
      } satisfies RequestBody<'/me/progress/{titleId}', 'put'>,
      keepalive,
    });
  }

  async bookmarks(titleId: string): Promise<Bookmark[]> {
    return listOf<Bookmark>(await this.request('GET', `/me/bookmarks/${encodeURIComponent(titleId)}`));
  }

  addBookmark(titleId: string, locator: Locator, label?: string): Promise<Bookmark> {
    return this.request('POST', `/me/bookmarks/${encodeURIComponent(titleId)}`, {
      body: { locator, ...(label ? { label } : {}) } satisfies RequestBody<'/me/bookmarks/{titleId}', 'post'>,
    });
  }

  removeBookmark(titleId: string, bookmarkId: string): Promise<void> {
    return this.request(
      'DELETE',
      `/me/bookmarks/${encodeURIComponent(titleId)}/${encodeURIComponent(bookmarkId)}`,
    );
  }
}

function listOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  const data = (body as { data?: unknown } | undefined)?.data;
  return Array.isArray(data) ? (data as T[]) : [];
}

function signInNeeded(path: string): Problem {
  return { status: 401, code: 'UNAUTHORIZED', detail: `Sign in first (${path}).` };
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    const body = (await response.json()) as Partial<Problem>;
    return {
      ...body,
      status: response.status,
      code: body.code ?? `HTTP_${response.status}`,
      detail: body.detail ?? response.statusText,
    };
  } catch {
    return { status: response.status, code: `HTTP_${response.status}`, detail: response.statusText };
  }
}

/** The loan periods a patron may ask for (POST /loans `days`). */
export type LoanDays = NonNullable<RequestBody<'/loans', 'post'>['days']>;

/** How long a hold may be suspended (POST /holds/{id}/suspend `days`). */
export type SuspendDays = RequestBody<'/holds/{id}/suspend', 'post'>['days'];

/** The one client of the app. */
export const api = new ApiClient();
