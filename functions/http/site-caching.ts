/**
 * How long browsers keep the reader app's files, one rule for CloudFront (infra/constructs/reader-site.ts) and
 * the local gateway. Vite names everything under /assets/ by its content hash, so a changed file is a new URL:
 * those are kept a year and never revalidated. Everything else (index.html, the service worker, the manifest,
 * config.json) keeps its name across releases and is revalidated on each use, so a deploy is seen at once.
 */
export const hashedAssetsPath = '/assets/*';
export const immutableCacheControl = 'public, max-age=31536000, immutable';
export const revalidateCacheControl = 'no-cache';

export function siteCacheControl(path: string): string {
  return path.startsWith(hashedAssetsPath.slice(0, -1)) ? immutableCacheControl : revalidateCacheControl;
}

/** Text types worth compressing on the way out (images, fonts in WOFF2, EPUB and PDF bytes already are). */
export const compressibleType =
  /^(text\/|application\/(javascript|json|manifest\+json|problem\+json|xml)|image\/svg)/;
