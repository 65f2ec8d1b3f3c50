/**
 * Locators as Readium computes them, so a position saved here means the same place in Readium apps (Thorium,
 * Palace) and back: EPUB hrefs from the package root, positions from Readium's positions list, PDF pages as
 * `page=N` fragments.
 */

/** Readium splits each reflowable resource into positions of this many bytes (at least one per resource). */
export const readiumPositionBytes = 1024;

/** The number of positions of each resource in reading order, from their (uncompressed) byte lengths. */
export function positionCounts(lengths: readonly number[]): number[] {
  return lengths.map((length) => Math.max(1, Math.ceil(length / readiumPositionBytes)));
}

/**
 * The 1-based position of a progression (0..1) within the resource at `index`, as in Readium's positions
 * list: the last position starting at or before that progression.
 */
export function positionOf(counts: readonly number[], index: number, progression: number): number {
  const count = counts[index] ?? 1;
  const before = counts.slice(0, index).reduce((a, b) => a + b, 0);
  const within = Math.min(count - 1, Math.max(0, Math.floor(progression * count)));
  return before + within + 1;
}

/**
 * Where a stored EPUB href points in the package's zip: from the package root (Readium, and this reader since
 * its locators follow Readium), else relative to the OPF (positions this reader saved before). `exists` says
 * whether a path is an entry of the package.
 */
export function packageEntryOf(
  href: string,
  opfPath: string,
  exists: (path: string) => boolean,
): string | undefined {
  const path = decodeURIComponent(href.split('#')[0] ?? '').replace(/^\/+/, '');
  if (!path) return undefined;
  if (exists(path)) return path;
  const base = new URL(opfPath, 'https://package.invalid/');
  const relative = new URL(href.split('#')[0] ?? '', base);
  const fromOpf = decodeURIComponent(relative.pathname.replace(/^\/+/, ''));
  return relative.origin === base.origin && exists(fromOpf) ? fromOpf : undefined;
}

/** A PDF page as a Readium locator's locations: `page=N` fragment, position, real progression. */
export function pdfLocations(page: number, pageCount: number) {
  const progression = pageCount > 0 ? (page - 1) / pageCount : 0;
  return {
    fragments: [`page=${page}`],
    position: page,
    progression,
    totalProgression: progression,
    // Kept for readers of positions stored before fragments.
    page,
  };
}

/** The page a PDF locator points at: its `page=N` fragment, or the position, or the older `page`. */
export function pdfPageOf(locations: {
  fragments?: string[];
  position?: number;
  page?: number;
}): number | undefined {
  for (const fragment of locations.fragments ?? []) {
    const match = /^page=(\d+)$/.exec(fragment);
    if (match) return Number(match[1]);
  }
  return locations.page ?? locations.position;
}
