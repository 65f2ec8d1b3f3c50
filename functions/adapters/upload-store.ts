import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ConflictError, UnprocessableError } from '../domain/errors';
import type { UploadObjectStore } from '../domain/ports';
import type { ByteSource } from '../domain/publication/byte-source';
import { s3ByteSource } from './s3-byte-source';

const errorName = (error: unknown) => (error instanceof Error ? error.name : '');
const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** The content bucket as the upload pipeline uses it; S3 errors become domain errors here. */
export class S3UploadStore implements UploadObjectStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

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
        throw new ConflictError('UPLOAD_NOT_FOUND_IN_STORE', 'The store no longer has this upload.');
      }
      if (['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall'].includes(name)) {
        throw new UnprocessableError(
          'UPLOAD_PARTS_INVALID',
          'Some parts are missing or their ETags do not match what was stored; upload them again.',
          { reason: name },
        );
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

  async sha256(key: string): Promise<string> {
    const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of Body as Readable) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async remove(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** CopyObject: GetObject on the source (incoming/*) and PutObject on the target (content/*), server side. */
  async copy(fromKey: string, toKey: string, contentType: string): Promise<void> {
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: toKey,
        CopySource: `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
        ContentType: contentType,
        MetadataDirective: 'REPLACE',
      }),
    );
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }),
    );
  }
}

const quoted = (etag: string) => (etag.startsWith('"') ? etag : `"${etag}"`);
