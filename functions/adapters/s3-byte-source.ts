import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ByteSource } from '../domain/publication/byte-source';

/**
 * A ByteSource over one S3 object: each read is a ranged GET, so inspecting a 2 GiB upload costs a few
 * small requests (zip tail, central directory, the entries read) and never the whole file in memory.
 * Small adjacent reads are common (headers, then the data behind them), so the last range is kept.
 */
export function s3ByteSource(
  s3: S3Client,
  bucket: string,
  key: string,
  size: number,
): ByteSource & {
  /** Ranged GETs made so far, and bytes they fetched (for tests and logs). */
  readonly stats: { requests: number; bytes: number };
} {
  const stats = { requests: 0, bytes: 0 };
  let cached: { offset: number; bytes: Uint8Array } | undefined;
  const minimumRead = 64 * 1024;

  return {
    size,
    stats,
    async read(offset, length) {
      const end = Math.min(size, offset + length);
      if (offset >= end) return new Uint8Array(0);
      if (cached && offset >= cached.offset && end <= cached.offset + cached.bytes.byteLength) {
        return cached.bytes.subarray(offset - cached.offset, end - cached.offset);
      }
      // Read a little ahead for small reads: a zip local header is always followed by its entry's data.
      const fetchEnd = Math.min(size, Math.max(end, offset + minimumRead));
      const response = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-${fetchEnd - 1}` }),
      );
      const bytes = response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0);
      stats.requests += 1;
      stats.bytes += bytes.byteLength;
      cached = { offset, bytes };
      return bytes.subarray(0, Math.min(bytes.byteLength, end - offset));
    },
  };
}
