import { UnprocessableError } from '../errors';

/**
 * Random-access bytes of a publication. Uploads can be large and live in S3, so the inspector asks for the
 * ranges it needs (a zip's central directory, a few entries, a PDF's trailer) and never for the whole file.
 */
export interface ByteSource {
  readonly size: number;
  /** Bytes [offset, offset + length); may return fewer only at the end of the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A ByteSource over bytes already in memory (tests, small files). */
export function bytesByteSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    async read(offset, length) {
      const start = Math.max(0, Math.min(offset, bytes.byteLength));
      const end = Math.max(start, Math.min(offset + length, bytes.byteLength));
      return bytes.subarray(start, end);
    },
  };
}

/**
 * Reads exactly [offset, offset + length). A range outside the source or a short read means the file is not
 * what its own structure claims (a cut-off upload), so it is refused as truncated rather than half-parsed.
 */
export async function readExactly(source: ByteSource, offset: number, length: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw truncated({ offset, length });
  }
  if (offset + length > source.size) throw truncated({ offset, length, size: source.size });
  if (length === 0) return new Uint8Array(0);
  const bytes = await source.read(offset, length);
  if (bytes.byteLength !== length) throw truncated({ offset, length, got: bytes.byteLength });
  return bytes;
}

function truncated(context: Record<string, unknown>): UnprocessableError {
  return new UnprocessableError({
    code: 'TRUNCATED_FILE',
    detail: 'The file ends before its own structure says it should; it may have been cut off during upload.',
    context,
  });
}

/**
 * A check that needs every byte of the file, fed in order by a read the pipeline makes anyway (the one that
 * hashes the file), so the file is still read once and never held whole. `push` and `end` throw the refusal.
 */
export interface ByteSink {
  push(chunk: Uint8Array): void;
  end(): void;
}
