import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentLinkCheck } from '../../functions/adapters/health-checks';
import { localCredentials } from '../../functions/adapters/aws-clients';
import { createPresigner } from '../../functions/adapters/presigner';
import { createTestStack, type TestStack } from '../helpers/stack';

/** Signed links against the S3 emulator: what the reader actually fetches. */
let stack: TestStack;
const key = 'content/t-links/publication.pdf';
const bytes = randomBytes(4096);

beforeAll(async () => {
  stack = await createTestStack();
  await stack.content.put(key, bytes, 'application/pdf', bytes.length);
});

afterAll(async () => {
  await stack?.destroy();
});

describe('signed GET links on the emulator', () => {
  it('return exactly the bytes of the object, inline, with the content type asked for', async () => {
    // Prepare
    const url = await stack.deps.links.signGet(key, {
      expiresIn: 60,
      contentType: 'application/pdf',
      filename: 'Buku.pdf',
    });
    // Act
    const response = await fetch(url);
    // Assess
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe('inline; filename="Buku.pdf"');
  });

  it('answer a Range request with 206 and the right slice', async () => {
    // Prepare
    const url = await stack.deps.links.signGet(key, { expiresIn: 60 });
    // Act
    const response = await fetch(url, { headers: { Range: 'bytes=10-99' } });
    // Assess
    expect(response.status).toBe(206);
    const slice = Buffer.from(await response.arrayBuffer());
    expect(slice.length).toBe(90);
    expect(slice.equals(bytes.subarray(10, 100))).toBe(true);
    expect(response.headers.get('content-range')).toBe(`bytes 10-99/${bytes.length}`);
  });

  it('are refused by the emulator once expired', async () => {
    // Prepare
    const url = await stack.deps.links.signGet(key, { expiresIn: 1 });
    expect((await fetch(url, { headers: { Range: 'bytes=0-0' } })).status).toBe(206);
    // Act
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const response = await fetch(url);
    // Assess
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('AccessDenied');
  });
});

describe('the S3 health probe through a signed link', () => {
  it('is up when S3 answers NoSuchKey for the probe key', async () => {
    await expect(contentLinkCheck(stack.deps.links).check()).resolves.toBeUndefined();
  });

  it('is down when the bucket does not exist', async () => {
    const links = createPresigner({
      bucket: 'no-such-bucket-here',
      region: stack.config.AWS_REGION,
      endpoint: stack.config.S3_ENDPOINT!,
      forcePathStyle: true,
      credentials: localCredentials,
    });
    await expect(contentLinkCheck(links).check()).rejects.toThrow(/404 NoSuchBucket/);
  });

  it('is down when S3 says the link has expired (our clock is off)', async () => {
    const links = createPresigner({
      bucket: stack.config.CONTENT_BUCKET,
      region: stack.config.AWS_REGION,
      endpoint: stack.config.S3_ENDPOINT!,
      forcePathStyle: true,
      credentials: localCredentials,
      clock: () => new Date(Date.now() - 3_600_000),
    });
    await expect(contentLinkCheck(links).check()).rejects.toThrow(/403/);
  });

  it('is down, quickly, when nothing answers', async () => {
    const links = createPresigner({
      bucket: 'pustaka-content',
      region: stack.config.AWS_REGION,
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: localCredentials,
    });
    const started = Date.now();
    await expect(contentLinkCheck(links).check()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
