import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(() => stack.destroy());

it('stores a streamed upload byte for byte on the S3 emulator (no aws-chunked framing in the object)', async () => {
  // Prepare: a body larger than one 64 KiB chunk, sent as a stream like the seed does
  const bytes = randomBytes(300_000);
  const key = 'content/t-stream/publication.pdf';
  // Act
  await stack.content.put(key, Readable.from([bytes]), 'application/pdf', bytes.byteLength);
  const url = await stack.deps.links.signGet(key, { expiresIn: 60 });
  const stored = Buffer.from(await (await fetch(url)).arrayBuffer());
  // Assess
  expect(stored.byteLength).toBe(bytes.byteLength);
  expect(createHash('sha256').update(stored).digest('hex')).toBe(
    createHash('sha256').update(bytes).digest('hex'),
  );
});
