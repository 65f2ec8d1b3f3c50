/**
 * Hash routes (`#/titles/<id>`): the path part of the URL stays `/`, so app routes never collide with the
 * API's paths on the same origin, and a static host needs no rewrite rules.
 */
export type Route =
  | { name: 'catalogue'; params: URLSearchParams }
  | { name: 'title'; id: string }
  | { name: 'shelf' }
  | { name: 'account' }
  | { name: 'read'; id: string }
  | { name: 'signin'; next: string | undefined }
  | { name: 'campus'; params: URLSearchParams }
  | { name: 'notifications' }
  | { name: 'account-notifications' }
  | { name: 'programmes' }
  | { name: 'programme'; id: string }
  | { name: 'certificate'; id: string }
  | { name: 'console'; section: ConsoleSection; id?: string }
  | { name: 'collection'; id: string }
  | { name: 'suggest'; params: URLSearchParams }
  | { name: 'not-found' };

/** The librarian console's tabs, in the order the console shows them (#/console/<tab>; uploads is #/console). */
export const consoleTabs = [
  'uploads',
  'titles',
  'patrons',
  'audit',
  'collections',
  'programmes',
  'reports',
  'partners',
  'dashboard',
  'acquisitions',
] as const;
export type ConsoleTab = (typeof consoleTabs)[number];

/** The librarian console's pages (web/src/console/, loaded only when a librarian opens it). */
export type ConsoleSection = ConsoleTab | 'title';

const isConsoleTab = (section: string | undefined): section is ConsoleTab =>
  (consoleTabs as readonly (string | undefined)[]).includes(section);

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?', 2);
  const params = new URLSearchParams(query);
  const decodedParts = path.split('/').filter(Boolean).map(decoded);
  // A broken escape (`#/titles/%E0`) names no page: the not-found page, not an error.
  if (decodedParts.includes(undefined)) return { name: 'not-found' };
  const parts = decodedParts as string[];
  if (parts.length === 0) return { name: 'catalogue', params };
  const [head, id] = parts;
  if (head === 'titles' && id && parts.length === 2) return { name: 'title', id };
  if (head === 'read' && id && parts.length === 2) return { name: 'read', id };
  if (head === 'shelf' && parts.length === 1) return { name: 'shelf' };
  if (head === 'collections' && id && parts.length === 2) return { name: 'collection', id };
  if (head === 'account' && parts.length === 1) return { name: 'account' };
  if (head === 'suggest' && parts.length === 1) return { name: 'suggest', params };
  if (head === 'console') {
    const [, section, titleId] = parts;
    if (parts.length === 1) return { name: 'console', section: 'uploads' };
    if (section === 'titles' && titleId && parts.length === 3)
      return { name: 'console', section: 'title', id: titleId };
    if (isConsoleTab(section) && section !== 'uploads' && parts.length === 2)
      return { name: 'console', section };
    if (section === 'collections' && titleId && parts.length === 3)
      return { name: 'console', section: 'collections', id: titleId };
  }
  if (head === 'programmes' && parts.length === 1) return { name: 'programmes' };
  if (head === 'programmes' && id && parts.length === 2) return { name: 'programme', id };
  if (head === 'programmes' && id && parts[2] === 'certificate' && parts.length === 3)
    return { name: 'certificate', id };
  if (head === 'signin' && id === 'campus' && parts.length === 2) return { name: 'campus', params };
  if (head === 'notifications' && parts.length === 1) return { name: 'notifications' };
  if (head === 'account' && id === 'notifications' && parts.length === 2)
    return { name: 'account-notifications' };
  if (head === 'signin' && parts.length === 1)
    return { name: 'signin', next: params.get('next') ?? undefined };
  return { name: 'not-found' };
}

function decoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export const href = {
  catalogue: (params?: URLSearchParams) => (params && params.size ? `#/?${params}` : '#/'),
  title: (id: string) => `#/titles/${encodeURIComponent(id)}`,
  read: (id: string) => `#/read/${encodeURIComponent(id)}`,
  shelf: () => '#/shelf',
  account: () => '#/account',
  suggest: (title?: string) => (title ? `#/suggest?${new URLSearchParams({ title })}` : '#/suggest'),
  collection: (id: string) => `#/collections/${encodeURIComponent(id)}`,
  consoleCollection: (id: string) => `#/console/collections/${encodeURIComponent(id)}`,
  console: (section: ConsoleTab = 'uploads') =>
    section === 'uploads' ? '#/console' : `#/console/${section}`,
  consoleTitle: (id: string) => `#/console/titles/${encodeURIComponent(id)}`,
  signin: (next?: string) => (next ? `#/signin?next=${encodeURIComponent(next)}` : '#/signin'),
  campus: (next?: string) => (next ? `#/signin/campus?next=${encodeURIComponent(next)}` : '#/signin/campus'),
};

export function navigate(to: string): void {
  if (location.hash === to) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = to;
}
