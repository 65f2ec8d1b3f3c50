import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../domain/publication/byte-source';

/** A ByteSource over a local file, read by positioned reads; the caller must close it. */
export interface FileByteSource extends ByteSource {
  close(): Promise<void>;
}

export async function fileByteSource(path: string): Promise<FileByteSource> {
  const handle: FileHandle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return {
      size,
      async read(offset, length) {
        const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
        let filled = 0;
        while (filled < buffer.byteLength) {
          const { bytesRead } = await handle.read(
            buffer,
            filled,
            buffer.byteLength - filled,
            offset + filled,
          );
          if (bytesRead === 0) break; // the file shrank under us: hand back what there is
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Opens a file as a ByteSource for the duration of `use`, and always closes it. */
export async function withFileByteSource<T>(
  path: string,
  use: (source: ByteSource) => Promise<T>,
): Promise<T> {
  const source = await fileByteSource(path);
  try {
    return await use(source);
  } finally {
    await source.close();
  }
}
