import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ConflictError, UnprocessableError } from '../domain/errors';
import type { UploadObjectStore } from '../domain/ports';
import type { ByteSource } from '../domain/publication/byte-source';
import { s3ByteSource } from './s3-byte-source';

const errorName = (error: unknown) => (error instanceof Error ? error.name : '');
const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

const MiB = 1024 * 1024;

/**
 * How large objects move. Publishing a 2 GiB upload copies it twice and reads it once inside one librarian
 * request (29 s on AWS), and one S3 connection carries far less than S3 can serve: large copies go as parallel
 * part copies (what the AWS CLI does above 8 MiB) and the SHA-256 read as parallel ranged GETs hashed in order
 * (S3's own advice for throughput). Memory stays bounded: at most `readConcurrency` chunks are held at once.
 */
export interface TransferOptions {
  /** Objects at least this large are copied in parts (UploadPartCopy) instead of one CopyObject. */
  multipartCopyThreshold: number;
  /** Part size of a part copy; S3 wants ≥ 5 MiB (but the last) and ≤ 10,000 parts. */
  copyPartSize: number;
  copyConcurrency: number;
  /** Chunk size and parallel chunks of the hashing read. */
  readChunkSize: number;
  readConcurrency: number;
}

export const defaultTransferOptions: TransferOptions = {
  multipartCopyThreshold: 64 * MiB,
  copyPartSize: 64 * MiB,
  copyConcurrency: 8,
  readChunkSize: 16 * MiB,
  readConcurrency: 4,
};

/** The content bucket as the upload pipeline uses it; S3 errors become domain errors here. */
export class S3UploadStore implements UploadObjectStore {
  private readonly transfer: TransferOptions;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    transfer: Partial<TransferOptions> = {},
  ) {
    this.transfer = { ...defaultTransferOptions, ...transfer };
  }

  async startMultipart(key: string, contentType: string): Promise<string> {
    const { UploadId } = await this.s3.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    );
    if (!UploadId) throw new Error('S3 returned no UploadId');
    return UploadId;
  }

  async completeMultipart(
    key: string,
    multipartId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<void> {
    try {
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: multipartId,
          MultipartUpload: {
            Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: quoted(p.etag) })),
          },
        }),
      );
    } catch (error) {
      const name = errorName(error);
      if (name === 'NoSuchUpload') {
        throw new ConflictError({
          code: 'UPLOAD_NOT_FOUND_IN_STORE',
          detail: 'The store no longer has this upload.',
        });
      }
      if (['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall'].includes(name)) {
        throw new UnprocessableError({
          code: 'UPLOAD_PARTS_INVALID',
          detail: 'Some parts are missing or their ETags do not match what was stored; upload them again.',
          context: { reason: name },
        });
      }
      throw error;
    }
  }

  async abortMultipart(key: string, multipartId: string): Promise<void> {
    try {
      await this.s3.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: multipartId }),
      );
    } catch (error) {
      if (errorName(error) !== 'NoSuchUpload' && statusOf(error) !== 404) throw error;
    }
  }

  async sizeOf(key: string): Promise<number | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (errorName(error) === 'NotFound' || statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  open(key: string, size: number): ByteSource {
    return s3ByteSource(this.s3, this.bucket, key, size);
  }

  async sha256(key: string, size: number, onChunk?: (chunk: Uint8Array) => void): Promise<string> {
    const { readChunkSize: chunk, readConcurrency } = this.transfer;
    const hash = createHash('sha256');
    const chunks = Math.ceil(size / chunk);
    const source = s3ByteSource(this.s3, this.bucket, key, size);
    const readChunk = async (index: number): Promise<Uint8Array> => {
      const start = index * chunk;
      const length = Math.min(size, start + chunk) - start;
      const bytes = await source.read(start, length);
      if (bytes.byteLength !== length) {
        throw new Error(`${key}: ${length} bytes at ${start} came back as ${bytes.byteLength}`);
      }
      return bytes;
    };
    // A window of chunks in flight, hashed strictly in order as each arrives.
    const inFlight = new Map<number, Promise<Uint8Array>>();
    const request = (index: number) => {
      const read = readChunk(index);
      read.catch(() => undefined); // awaited below, in order; a later chunk failing first is not unhandled
      inFlight.set(index, read);
    };
    let next = 0;
    for (let index = 0; index < chunks; index++) {
      while (next < chunks && next < index + readConcurrency) request(next++);
      const bytes = await inFlight.get(index)!;
      inFlight.delete(index);
      onChunk?.(bytes);
      hash.update(bytes);
    }
    return hash.digest('hex');
  }

  async remove(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /**
   * Server side: GetObject on the source (incoming/*) and PutObject on the target (content/*); the bytes never
   * pass through the function. One CopyObject for small objects, parallel part copies for large ones.
   */
  async copy(fromKey: string, toKey: string, contentType: string, size: number): Promise<void> {
    const copySource = `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`;
    if (size < this.transfer.multipartCopyThreshold) {
      await this.s3.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: toKey,
          CopySource: copySource,
          ContentType: contentType,
          MetadataDirective: 'REPLACE',
        }),
      );
      return;
    }
    const multipartId = await this.startMultipart(toKey, contentType);
    try {
      const { copyPartSize, copyConcurrency } = this.transfer;
      const count = Math.ceil(size / copyPartSize);
      const etags: string[] = new Array<string>(count);
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const index = next++;
          const start = index * copyPartSize;
          const end = Math.min(size, start + copyPartSize) - 1;
          const { CopyPartResult } = await this.s3.send(
            new UploadPartCopyCommand({
              Bucket: this.bucket,
              Key: toKey,
              UploadId: multipartId,
              PartNumber: index + 1,
              CopySource: copySource,
              CopySourceRange: `bytes=${start}-${end}`,
            }),
          );
          if (!CopyPartResult?.ETag) throw new Error(`S3 returned no ETag for part ${index + 1} of ${toKey}`);
          etags[index] = CopyPartResult.ETag;
        }
      };
      await Promise.all(Array.from({ length: Math.min(copyConcurrency, count) }, worker));
      await this.completeMultipart(
        toKey,
        multipartId,
        etags.map((etag, index) => ({ partNumber: index + 1, etag })),
      );
    } catch (error) {
      await this.abortMultipart(toKey, multipartId).catch(() => undefined);
      // A range past the source's end: the object shrank after its size was checked (replaced through a link).
      if (errorName(error) === 'InvalidRange') {
        throw new UnprocessableError({
          code: 'SIZE_MISMATCH',
          detail: 'The stored file no longer has the declared size.',
          context: {
            declared: size,
          },
        });
      }
      throw error;
    }
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }),
    );
  }
}

const quoted = (etag: string) => (etag.startsWith('"') ? etag : `"${etag}"`);
