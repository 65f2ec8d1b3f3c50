import { createHash, randomBytes } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3UploadStore } from '../../functions/adapters/upload-store';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * How the upload store moves large objects on the S3 emulator: part copies and the hashing read in parallel
 * ranges. Small transfer sizes stand in for the 64 MiB parts and 16 MiB chunks used on AWS.
 */

const MiB = 1024 * 1024;
let stack: TestStack;
let store: S3UploadStore;

beforeAll(async () => {
  stack = await createTestStack();
  store = new S3UploadStore(stack.clients.s3, stack.config.CONTENT_BUCKET, {
    multipartCopyThreshold: 6 * MiB,
    copyPartSize: 5 * MiB,
    copyConcurrency: 2,
    readChunkSize: 1 * MiB,
    readConcurrency: 3,
  });
});
afterAll(() => stack.destroy());

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function putObject(key: string, bytes: Uint8Array): Promise<void> {
  await stack.clients.s3.send(
    new PutObjectCommand({ Bucket: stack.config.CONTENT_BUCKET, Key: key, Body: bytes }),
  );
}

async function stored(key: string): Promise<{ bytes: Uint8Array; contentType?: string }> {
  const { Body, ContentType } = await stack.clients.s3.send(
    new GetObjectCommand({ Bucket: stack.config.CONTENT_BUCKET, Key: key }),
  );
  return { bytes: await Body!.transformToByteArray(), ...(ContentType ? { contentType: ContentType } : {}) };
}

describe('copy', () => {
  it('copies an object over the threshold in parallel parts, byte for byte, with the new content type', async () => {
    // Prepare: three parts, the last one short
    const bytes = randomBytes(12 * MiB + 12_345);
    await putObject('incoming/u-large.frozen', bytes);
    // Act
    await store.copy(
      'incoming/u-large.frozen',
      'content/t-large/publication.pdf',
      'application/pdf',
      bytes.length,
    );
    // Assess
    const copy = await stored('content/t-large/publication.pdf');
    expect(copy.bytes.byteLength).toBe(bytes.byteLength);
    expect(sha256(copy.bytes)).toBe(sha256(bytes));
    expect(copy.contentType).toBe('application/pdf');
  });

  it('copies an object under the threshold in one request', async () => {
    // Prepare
    const bytes = randomBytes(MiB);
    await putObject('incoming/u-small.frozen', bytes);
    // Act
    await store.copy(
      'incoming/u-small.frozen',
      'content/t-small/publication.epub',
      'application/epub+zip',
      MiB,
    );
    // Assess
    const copy = await stored('content/t-small/publication.epub');
    expect(sha256(copy.bytes)).toBe(sha256(bytes));
    expect(copy.contentType).toBe('application/epub+zip');
  });

  it('leaves no target when a part cannot be copied (the source is gone)', async () => {
    // Act
    const copying = store.copy(
      'incoming/u-missing.frozen',
      'content/t-missing/publication.pdf',
      'application/pdf',
      11 * MiB,
    );
    // Assess
    await expect(copying).rejects.toThrow();
    expect(await store.sizeOf('content/t-missing/publication.pdf')).toBeUndefined();
  });

  it('refuses with SIZE_MISMATCH, and leaves no target, when the source is shorter than the size given', async () => {
    // Prepare: the upload was replaced by a shorter file after its size was checked
    await putObject('incoming/u-shrunk.frozen', randomBytes(7 * MiB));
    // Act
    const copying = store.copy(
      'incoming/u-shrunk.frozen',
      'content/t-shrunk/publication.pdf',
      'application/pdf',
      12 * MiB,
    );
    // Assess
    await expect(copying).rejects.toMatchObject({ code: 'SIZE_MISMATCH', status: 422 });
    expect(await store.sizeOf('content/t-shrunk/publication.pdf')).toBeUndefined();
  });

  it('is refused by the emulator, like AWS, for a range past the end of the source', async () => {
    // Prepare
    await putObject('incoming/u-short.frozen', randomBytes(1000));
    const multipartId = await store.startMultipart('content/t-short/publication.pdf', 'application/pdf');
    // Act
    const copying = stack.clients.s3.send(
      new UploadPartCopyCommand({
        Bucket: stack.config.CONTENT_BUCKET,
        Key: 'content/t-short/publication.pdf',
        UploadId: multipartId,
        PartNumber: 1,
        CopySource: `${stack.config.CONTENT_BUCKET}/incoming/u-short.frozen`,
        CopySourceRange: 'bytes=0-4999',
      }),
    );
    // Assess
    await expect(copying).rejects.toMatchObject({ name: 'InvalidRange' });
    await store.abortMultipart('content/t-short/publication.pdf', multipartId);
  });
});

describe('sha256', () => {
  it.each([
    ['several chunks and a short last one', 5 * MiB + 17],
    ['exactly one chunk', MiB],
    ['one byte', 1],
  ])('hashes %s in order', async (_, size) => {
    // Prepare
    const bytes = randomBytes(size);
    const key = `incoming/u-hash-${size}.frozen`;
    await putObject(key, bytes);
    // Act
    const hash = await store.sha256(key, size);
    // Assess
    expect(hash).toBe(sha256(bytes));
  });

  it('hands every byte, once and in order, to the check that rides on the hashing read', async () => {
    // Prepare: chunks arrive out of order (3 in flight); the check must still see the file as it is
    const bytes = randomBytes(5 * MiB + 17);
    await putObject('incoming/u-observed.frozen', bytes);
    const seen: Uint8Array[] = [];

    // Act
    const hash = await store.sha256('incoming/u-observed.frozen', bytes.length, (chunk) => {
      seen.push(chunk.slice());
    });

    // Assess
    expect(hash).toBe(sha256(bytes));
    expect(seen).toHaveLength(6);
    expect(Buffer.concat(seen).equals(bytes)).toBe(true);
  });

  it("stops reading and fails with the check's refusal when the check throws", async () => {
    // Prepare
    const bytes = randomBytes(5 * MiB);
    await putObject('incoming/u-refused.frozen', bytes);
    let calls = 0;
    const refusal = new Error('refused by the check');

    // Act
    const hashing = store.sha256('incoming/u-refused.frozen', bytes.length, () => {
      calls += 1;
      if (calls === 2) throw refusal;
    });

    // Assess
    await expect(hashing).rejects.toBe(refusal);
    expect(calls).toBe(2);
  });

  it('fails (and leaves no stray rejection) when the object is shorter than the size given', async () => {
    // Prepare: the object lost its tail after the size was read
    const bytes = randomBytes(3 * MiB);
    await putObject('incoming/u-cut.frozen', bytes);
    const head = await stack.clients.s3.send(
      new HeadObjectCommand({ Bucket: stack.config.CONTENT_BUCKET, Key: 'incoming/u-cut.frozen' }),
    );
    // Act
    const hashing = store.sha256('incoming/u-cut.frozen', Number(head.ContentLength) + 2 * MiB);
    // Assess
    await expect(hashing).rejects.toThrow();
  });
});
