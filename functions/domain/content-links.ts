/**
 * Port: short-lived links that let a browser read (or a librarian upload) one content object directly from
 * the store, without the API in the data path. The adapter (functions/adapters/presigner.ts) signs S3 URLs.
 *
 * Methods return a promise because the store's credentials may have to be refreshed now and then; on the hot
 * path the promise is already resolved and a link costs a few microseconds.
 */
export interface LinkOptions {
  /** Seconds the link stays valid, 1..604800. Callers keep it short and never past the loan's end. */
  expiresIn: number;
  /** Signing time; defaults to the signer's clock. */
  now?: Date;
}

export interface ReadLinkOptions extends LinkOptions {
  /** Content-Type the store answers with (e.g. `application/epub+zip`). */
  contentType?: string;
  /** File name offered to the browser; the disposition is always `inline`. */
  filename?: string;
}

export interface UploadPartRef {
  uploadId: string;
  /** 1..10000 */
  partNumber: number;
}

export interface ContentLinkSigner {
  /** A GET link to read `key` (inline disposition). */
  signGet(key: string, options: ReadLinkOptions): Promise<string>;
  /** A PUT link to upload a whole object to `key` (single request, small files). */
  signPut(key: string, options: LinkOptions): Promise<string>;
  /** A PUT link for one part of a multipart upload already created for `key`. */
  signUploadPart(key: string, part: UploadPartRef, options: LinkOptions): Promise<string>;
}
