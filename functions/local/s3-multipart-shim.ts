import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * s3rver 3.7.1 creates, fills and completes multipart uploads but answers AbortMultipartUpload and ListParts
 * with 405, refuses UploadPartCopy as not implemented, and lets a part land on an upload that no longer exists.
 * AWS does all four, and the librarian API relies on them (aborting an upload, refusing parts of an aborted one,
 * copying large objects in parts). This Koa middleware, placed in front of s3rver's router, answers those
 * requests from s3rver's own store and upload folders. Local mode and tests only.
 */

/** The parts of s3rver's FilesystemStore an UploadPartCopy needs. */
interface S3rverStore {
  getObject(
    bucket: string,
    key: string,
    range?: { start: number; end: number },
  ): Promise<{ content: NodeJS.ReadableStream | null; range?: { start: number; end: number } } | null>;
  putPart(
    bucket: string,
    uploadId: string,
    partNumber: number,
    content: NodeJS.ReadableStream,
  ): Promise<{ md5: string }>;
}

interface KoaContext {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  store: S3rverStore;
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  type: string;
  set(field: string, value: string): void;
}
type Next = () => Promise<void>;

/** s3rver keeps an upload's parts in `<dir>/<bucket>/._S3rver_uploads/<uploadId>/<partNumber>`. */
const uploadsFolder = (directory: string, bucket: string) => join(directory, bucket, '._S3rver_uploads');
const s3rverUploadId = /^[0-9a-f]{32}$/;

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;

function noSuchUpload(ctx: KoaContext, uploadId: string): void {
  ctx.status = 404;
  ctx.type = 'application/xml';
  ctx.body = xml(
    `<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message>` +
      `<UploadId>${uploadId}</UploadId></Error>`,
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export function multipartShim(directory: string) {
  return async function multipart(ctx: KoaContext, next: Next): Promise<void> {
    const uploadId = typeof ctx.query.uploadId === 'string' ? ctx.query.uploadId : undefined;
    const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    if (uploadId === undefined || !match) return next();
    const bucket = decodeURIComponent(match[1]!);
    const key = decodeURIComponent(match[2]!);
    if (!s3rverUploadId.test(uploadId) || bucket.includes('..')) return noSuchUpload(ctx, uploadId);
    const folder = join(uploadsFolder(directory, bucket), uploadId);
    const known = await exists(folder);

    if (ctx.method === 'DELETE') {
      if (!known) return noSuchUpload(ctx, uploadId);
      await rm(folder, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = null;
      return;
    }
    if (ctx.method === 'GET') {
      if (!known) return noSuchUpload(ctx, uploadId);
      const names = (await readdir(folder)).filter((name) => /^\d+$/.test(name));
      const parts = await Promise.all(
        names
          .map(Number)
          .sort((a, b) => a - b)
          .map(async (number) => ({ number, size: (await stat(join(folder, String(number)))).size })),
      );
      ctx.status = 200;
      ctx.type = 'application/xml';
      ctx.body = xml(
        `<ListPartsResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId>` +
          `<IsTruncated>false</IsTruncated>` +
          parts
            .map((p) => `<Part><PartNumber>${p.number}</PartNumber><Size>${p.size}</Size></Part>`)
            .join('') +
          `</ListPartsResult>`,
      );
      return;
    }
    // A part (PUT) or the completion (POST) of an upload that was aborted or never created.
    if (!known && (ctx.method === 'PUT' || ctx.method === 'POST')) return noSuchUpload(ctx, uploadId);
    const copySource = ctx.headers['x-amz-copy-source'];
    if (ctx.method === 'PUT' && typeof copySource === 'string') {
      return uploadPartCopy(ctx, bucket, uploadId, copySource);
    }
    return next();
  };
}

/** UploadPartCopy: a byte range of an existing object becomes one part, as AWS does it. */
async function uploadPartCopy(
  ctx: KoaContext,
  bucket: string,
  uploadId: string,
  copySource: string,
): Promise<void> {
  const partNumber = Number(ctx.query.partNumber);
  const source = /^\/?([^/]+)\/([^?]+)$/.exec(decodeURIComponent(copySource));
  const rangeHeader = ctx.headers['x-amz-copy-source-range'];
  const range = typeof rangeHeader === 'string' ? /^bytes=(\d+)-(\d+)$/.exec(rangeHeader) : undefined;
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000 || !source) {
    return s3Error(ctx, 400, 'InvalidArgument', 'The part number or copy source is not valid.');
  }
  const [start, end] = range ? [Number(range[1]), Number(range[2])] : [0, Infinity];
  const object = await ctx.store.getObject(source[1]!, source[2]!, { start, end });
  if (!object) return s3Error(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
  if (!object.content || (range && object.range?.end !== end)) {
    (object.content as { destroy?: () => void } | null)?.destroy?.();
    return s3Error(ctx, 400, 'InvalidRange', 'The copy source range is not satisfiable.');
  }
  const { md5 } = await ctx.store.putPart(bucket, uploadId, partNumber, object.content);
  ctx.status = 200;
  ctx.type = 'application/xml';
  ctx.body = xml(
    `<CopyPartResult><LastModified>${new Date().toISOString()}</LastModified>` +
      `<ETag>&quot;${md5}&quot;</ETag></CopyPartResult>`,
  );
}

function s3Error(ctx: KoaContext, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = xml(`<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
