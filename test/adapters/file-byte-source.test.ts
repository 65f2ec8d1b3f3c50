import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileByteSource, withFileByteSource } from '../../functions/adapters/file-byte-source';
import { inspectPublication } from '../../functions/domain/publication';
import { epub } from '../domain/publication/builders';

const dir = mkdtempSync(join(tmpdir(), 'pustaka-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('file byte source', () => {
  it('reads ranges by position and stops at the end of the file', async () => {
    // Prepare
    const path = join(dir, 'ten.bin');
    writeFileSync(path, Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const source = await fileByteSource(path);

    // Act
    const middle = await source.read(3, 4);
    const pastEnd = await source.read(8, 10);
    const beyond = await source.read(20, 5);
    await source.close();

    // Assess
    expect(source.size).toBe(10);
    expect([...middle]).toEqual([3, 4, 5, 6]);
    expect([...pastEnd]).toEqual([8, 9]);
    expect(beyond.byteLength).toBe(0);
  });

  it('feeds the inspector from a file and closes it afterwards, also on refusal', async () => {
    // Prepare
    const book = join(dir, 'book.epub');
    const junk = join(dir, 'junk.bin');
    writeFileSync(book, epub());
    writeFileSync(junk, 'not a publication');

    // Act
    const inspection = await withFileByteSource(book, (source) => inspectPublication(source));
    const refusal = await withFileByteSource(junk, (source) => inspectPublication(source)).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(inspection.metadata.title).toBe('Laskar Pelangi');
    expect(refusal).toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
  });
});
