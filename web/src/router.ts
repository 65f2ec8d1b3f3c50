/**
 * Hash routes (`#/titles/<id>`): the path part of the URL stays `/`, so app routes never collide with the
 * API's paths on the same origin, and a static host needs no rewrite rules.
 */
export type Route =
  | { name: 'catalogue'; params: URLSearchParams }
  | { name: 'title'; id: string }
  | { name: 'shelf' }
  | { name: 'read'; id: string }
  | { name: 'signin'; next: string | undefined }
  | { name: 'not-found' };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?', 2);
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'catalogue', params };
  const [head, id] = parts;
  if (head === 'titles' && id && parts.length === 2) return { name: 'title', id };
  if (head === 'read' && id && parts.length === 2) return { name: 'read', id };
  if (head === 'shelf' && parts.length === 1) return { name: 'shelf' };
  if (head === 'signin' && parts.length === 1)
    return { name: 'signin', next: params.get('next') ?? undefined };
  return { name: 'not-found' };
}

export const href = {
  catalogue: (params?: URLSearchParams) => (params && params.size ? `#/?${params}` : '#/'),
  title: (id: string) => `#/titles/${encodeURIComponent(id)}`,
  read: (id: string) => `#/read/${encodeURIComponent(id)}`,
  shelf: () => '#/shelf',
  signin: (next?: string) => (next ? `#/signin?next=${encodeURIComponent(next)}` : '#/signin'),
};

export function navigate(to: string): void {
  if (location.hash === to) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = to;
}
