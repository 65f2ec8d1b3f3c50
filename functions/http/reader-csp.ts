/**
 * The reader's strict Content-Security-Policy, one definition for CloudFront (infra/constructs/reader-site.ts)
 * and the local gateway. epubjs renders chapters in blob: iframes (frame-src/child-src blob:), pdf.js runs its
 * worker from 'self' or blob:, books and covers come from the content store, and everything else from the site
 * itself. Inline styles are allowed (EPUB stylesheets and epubjs themes inject <style>); inline scripts are not.
 *
 * @param contentOrigin where signed content links point (the S3 bucket, or the emulator locally)
 * @param apiOrigin the API when it is not the page's own origin (CloudFront + API Gateway); omitted locally
 */
export function readerContentSecurityPolicy(contentOrigin: string, apiOrigin?: string): string {
  const connect = ["'self'", ...(apiOrigin && apiOrigin !== "'self'" ? [apiOrigin] : []), contentOrigin];
  return [
    "default-src 'self'",
    "script-src 'self'",
    `connect-src ${connect.join(' ')}`,
    `img-src 'self' blob: data: ${contentOrigin}`,
    `media-src 'self' blob: ${contentOrigin}`,
    "style-src 'self' 'unsafe-inline' blob:",
    "font-src 'self' blob: data:",
    "frame-src 'self' blob:",
    "child-src 'self' blob:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
