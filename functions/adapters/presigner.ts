import { createHash, createHmac } from 'node:crypto';
import type { ContentLinkSigner, LinkOptions, ReadLinkOptions, UploadPartRef } from '../domain/content-links';

export type { ContentLinkSigner } from '../domain/content-links';

/**
 * Signature Version 4 query-string presigning for S3 (AWS "Authenticating Requests: Using Query Parameters").
 *
 * Why not `getSignedUrl`: every read of a book goes through a signed link and the SDK's presigner runs the whole
 * middleware stack per link (~1 ms of CPU). A link is one SHA-256 of the canonical request and one HMAC with a
 * signing key that only changes per day, region and secret, so we cache that key and do the rest by hand.
 * The output is byte-for-byte what `@smithy/signature-v4` and the SDK produce (see the tests).
 *
 * Only the `host` header is signed and the payload is `UNSIGNED-PAYLOAD`, as the SDK does for S3 links.
 */

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working; absent for long-lived keys. */
  expiration?: Date;
}

/** The AWS SDK's shape, e.g. `s3.config.credentials` or `fromNodeProviderChain()`. */
export type CredentialProvider = () => Promise<Credentials>;

export type HttpMethod = 'GET' | 'PUT';

export interface PresignRequest {
  method: HttpMethod;
  bucket: string;
  /** The object key as stored (not encoded). */
  key: string;
  region: string;
  credentials: Credentials;
  /** Seconds, 1..604800 (7 days, the SigV4 maximum). */
  expiresIn: number;
  now: Date;
  /** Custom endpoint (S3 emulator), e.g. `http://127.0.0.1:4569`. Absent on AWS. */
  endpoint?: string | URL;
  forcePathStyle?: boolean;
  responseContentType?: string;
  responseContentDisposition?: string;
  /** More signed query parameters, e.g. `partNumber` and `uploadId` for a multipart upload part. */
  query?: Readonly<Record<string, string>>;
}

const SERVICE = 's3';
const ALGORITHM = 'AWS4-HMAC-SHA256';
export const MAX_EXPIRES_IN = 604_800;

// ---- encoding (RFC 3986 unreserved characters only, as SigV4 requires) -----------------------------------

/** encodeURIComponent leaves `!'()*` alone; SigV4 (and the SDK) encode them. */
const SUB_DELIMS = /[!'()*]/g;
const percent = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** Encodes a query name or value. Throws URIError on a lone surrogate (no valid UTF-8 exists for it). */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(SUB_DELIMS, percent);
}

/** Encodes an object key for the path: each segment encoded, `/` kept, nothing normalised (S3 keys are literal). */
export function encodeKeyPath(key: string): string {
  return encodeRfc3986(key).replace(/%2F/g, '/');
}

// ---- where the bucket lives ---------------------------------------------------------------------------------

const VIRTUAL_HOSTABLE_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const IP_V4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

export interface BucketLocation {
  /** `https://host[:port]` */
  origin: string;
  /** The `host` header value: host plus port when the port is not the scheme's default. */
  host: string;
  /** Encoded path prefix to which `/key` is appended: '' (virtual-hosted) or `/bucket` (path style). */
  pathPrefix: string;
}

/**
 * Mirrors the SDK's S3 endpoint rules for the cases we use: virtual-hosted style for DNS-compatible bucket
 * names without dots (`https://bucket.s3.region.amazonaws.com`), path style otherwise, when forced, or when the
 * custom endpoint is an IP address (the emulator on 127.0.0.1).
 */
export function locateBucket(
  bucket: string,
  region: string,
  endpoint?: string | URL,
  forcePathStyle = false,
): BucketLocation {
  if (bucket.length === 0) throw new RangeError('bucket must not be empty');
  const base =
    endpoint === undefined
      ? new URL(`https://s3.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`)
      : new URL(endpoint);
  const basePath = base.pathname.replace(/\/+$/, '');
  const isIp = IP_V4.test(base.hostname) || base.hostname.startsWith('[');
  const virtual = !forcePathStyle && !isIp && VIRTUAL_HOSTABLE_BUCKET.test(bucket);
  const host = virtual ? `${bucket}.${base.host}` : base.host;
  return {
    origin: `${base.protocol}//${host}`,
    host,
    pathPrefix: virtual ? basePath : `${basePath}/${encodeRfc3986(bucket)}`,
  };
}

// ---- the signing key, derived once per secret, day and region ------------------------------------------

const signingKeys = new Map<string, Buffer>();
const MAX_CACHED_KEYS = 32;

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"), cached. */
export function signingKeyFor(
  secretAccessKey: string,
  shortDate: string,
  region: string,
  service = SERVICE,
): Buffer {
  const cacheKey = `${shortDate}\n${region}\n${service}\n${secretAccessKey}`;
  let key = signingKeys.get(cacheKey);
  if (key === undefined) {
    key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, shortDate), region), service), 'aws4_request');
    // Days roll over and secrets rotate: a small bound keeps stale keys from piling up in a warm Lambda.
    if (signingKeys.size >= MAX_CACHED_KEYS) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}

// ---- the link -------------------------------------------------------------------------------------------

/** `20130524T000000Z` */
function amzDate(now: Date): string {
  const iso = now.toISOString(); // 2013-05-24T00:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

function assertExpiresIn(expiresIn: number): void {
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) {
    throw new RangeError(
      `expiresIn must be a whole number of seconds in 1..${MAX_EXPIRES_IN}, got ${expiresIn}`,
    );
  }
}

/**
 * Builds a presigned URL. Pure and synchronous: given the same inputs it returns the same string.
 * `location` may be passed in (from `locateBucket`) so a long-lived signer does not parse the endpoint per link.
 */
export function presignUrl(request: PresignRequest, location?: BucketLocation): string {
  assertExpiresIn(request.expiresIn);
  if (request.key.length === 0) throw new RangeError('key must not be empty');
  const { accessKeyId, secretAccessKey, sessionToken } = request.credentials;
  const where =
    location ?? locateBucket(request.bucket, request.region, request.endpoint, request.forcePathStyle);
  const longDate = amzDate(request.now);
  const shortDate = longDate.slice(0, 8);
  const scope = `${shortDate}/${request.region}/${SERVICE}/aws4_request`;

  // Query parameters as [encoded name, encoded value]; the canonical query sorts them by encoded name.
  const params: [string, string][] = [
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', encodeRfc3986(`${accessKeyId}/${scope}`)],
    ['X-Amz-Date', longDate],
    ['X-Amz-Expires', String(request.expiresIn)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  if (sessionToken) params.push(['X-Amz-Security-Token', encodeRfc3986(sessionToken)]);
  if (request.responseContentDisposition !== undefined) {
    params.push(['response-content-disposition', encodeRfc3986(request.responseContentDisposition)]);
  }
  if (request.responseContentType !== undefined) {
    params.push(['response-content-type', encodeRfc3986(request.responseContentType)]);
  }
  if (request.query !== undefined) {
    for (const name of Object.keys(request.query)) {
      if (name === 'X-Amz-Signature') throw new RangeError('X-Amz-Signature cannot be a query parameter');
      params.push([encodeRfc3986(name), encodeRfc3986(request.query[name] as string)]);
    }
  }
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (let i = 1; i < params.length; i++) {
    const name = params[i]![0];
    if (name === params[i - 1]![0]) throw new RangeError(`query parameter ${name} is given twice`);
  }
  const canonicalQuery = params.map((p) => `${p[0]}=${p[1]}`).join('&');
  const path = `${where.pathPrefix}/${encodeKeyPath(request.key)}`;

  const canonicalRequest = `${request.method}\n${path}\n${canonicalQuery}\nhost:${where.host}\n\nhost\nUNSIGNED-PAYLOAD`;
  const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
  const signature = createHmac('sha256', signingKeyFor(secretAccessKey, shortDate, request.region))
    .update(stringToSign, 'utf8')
    .digest('hex');

  // The SDK lists the signature in sorted position too; doing the same keeps URLs comparable as strings.
  let at = params.findIndex((p) => p[0] > 'X-Amz-Signature');
  if (at < 0) at = params.length;
  params.splice(at, 0, ['X-Amz-Signature', signature]);
  return `${where.origin}${path}?${params.map((p) => `${p[0]}=${p[1]}`).join('&')}`;
}

// ---- content disposition ------------------------------------------------------------------------------

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `inline` with a file name: a plain ASCII `filename` for every browser, plus RFC 5987/6266 `filename*` in UTF-8
 * when the name has anything the plain form cannot carry.
 */
export function inlineDisposition(filename?: string): string {
  if (filename === undefined || filename === '') return 'inline';
  // eslint-disable-next-line no-control-regex
  const cleaned = filename.replace(/[\u0000-\u001f\u007f]/g, '');
  const ascii = cleaned.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  if (ascii === cleaned) return `inline; filename="${ascii}"`;
  // A lone surrogate has no UTF-8 form: it becomes U+FFFD rather than an exception.
  const extended = encodeRfc3986(cleaned.replace(LONE_SURROGATE, '\ufffd'));
  return `inline; filename="${ascii}"; filename*=UTF-8''${extended}`;
}

// ---- the signer the rest of the code uses ---------------------------------------------------------------

export interface PresignerOptions {
  bucket: string;
  region: string;
  endpoint?: string | URL;
  forcePathStyle?: boolean;
  /** Static keys, or a provider such as `s3.config.credentials` (the SDK's default chain). */
  credentials: Credentials | CredentialProvider;
  /** Defaults to the system clock. */
  clock?: () => Date;
  /** Refresh temporary credentials this long before they expire (default 5 minutes). */
  refreshBeforeMs?: number;
}

const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * Creates the content-link signer. The bucket location is worked out once; credentials are resolved on first
 * use and kept until `refreshBeforeMs` before they expire, so the per-link path never calls the provider.
 */
export function createPresigner(options: PresignerOptions): ContentLinkSigner {
  const { bucket, region, credentials: source } = options;
  const location = locateBucket(bucket, region, options.endpoint, options.forcePathStyle);
  const clock = options.clock ?? (() => new Date());
  const refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;

  let current: Credentials | undefined = typeof source === 'function' ? undefined : source;
  let pending: Promise<Credentials> | undefined;

  const usable = (c: Credentials | undefined, now: Date): c is Credentials =>
    c !== undefined &&
    (c.expiration === undefined || c.expiration.getTime() - refreshBeforeMs > now.getTime());

  const refresh = (): Promise<Credentials> => {
    if (typeof source !== 'function') return Promise.resolve(source);
    pending ??= source().then(
      (fresh) => {
        current = fresh;
        pending = undefined;
        return fresh;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };

  const sign = (
    method: HttpMethod,
    key: string,
    link: LinkOptions,
    extra: Pick<PresignRequest, 'responseContentType' | 'responseContentDisposition' | 'query'>,
  ): Promise<string> => {
    const now = link.now ?? clock();
    const build = (credentials: Credentials) =>
      presignUrl(
        { method, bucket, key, region, credentials, expiresIn: link.expiresIn, now, ...extra },
        location,
      );
    // Hot path: no provider call, no awaiting, just the signature.
    if (usable(current, now)) {
      try {
        return Promise.resolve(build(current));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    // A provider that hands out almost-expired credentials still gets used: it is the best there is.
    return refresh().then(build);
  };

  return {
    signGet: (key: string, link: ReadLinkOptions) =>
      sign('GET', key, link, {
        responseContentType: link.contentType,
        responseContentDisposition: inlineDisposition(link.filename),
      }),
    signPut: (key: string, link: LinkOptions) => sign('PUT', key, link, {}),
    signUploadPart: (key: string, part: UploadPartRef, link: LinkOptions) => {
      if (!Number.isInteger(part.partNumber) || part.partNumber < 1 || part.partNumber > 10_000) {
        return Promise.reject(new RangeError(`partNumber must be in 1..10000, got ${part.partNumber}`));
      }
      if (part.uploadId === '') return Promise.reject(new RangeError('uploadId must not be empty'));
      return sign('PUT', key, link, {
        query: { partNumber: String(part.partNumber), uploadId: part.uploadId },
      });
    },
  };
}
