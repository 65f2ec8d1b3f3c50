import { Inflate } from 'fflate';
import { UnprocessableError } from '../errors';
import type { ByteSink } from './byte-source';
import type { ZipDirectory, ZipEntry } from './zip';

/** Absolute caps on what inflating really yields, whatever the headers declare. */
export interface InflationCaps {
  maxEntryBytes: number;
  maxTotalBytes: number;
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_SIZE = 30;
const STORED = 0;
/**
 * Compressed bytes handed to the inflater per step. Deflate expands at most about 1032:1, so one step yields
 * at most ~16 MiB, which bounds both the memory of a step and how far a cap can be passed before the step
 * that passes it is refused. Much smaller steps cost fflate dearly per byte (4 KiB: several times slower).
 */
const INFLATE_STEP = 16 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: false });

interface Reading {
  entry: ZipEntry;
  dataEnd: number;
  produced: number;
  inflater?: Inflate;
}

/**
 * Inflates every entry of a zip as its bytes stream past, in file order, counting what each really yields and
 * keeping none of it: an entry that inflates past its declared size or past a cap, or the whole past its cap,
 * is refused as a zip bomb; a stream that does not inflate is refused as corrupt. Entries are located by the
 * central directory (already read and checked), each through its own local header.
 */
export function zipInflationMeter(directory: ZipDirectory, caps: InflationCaps): ByteSink {
  const entries = [...directory.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  let position = 0;
  let next = 0;
  let total = 0;
  let header: Uint8Array | undefined;
  let headerFill = 0;
  let reading: Reading | undefined;
  let failure: unknown;

  const bomb = (message: string, entry: ZipEntry, produced: number) =>
    new UnprocessableError({
      code: 'EPUB_ZIP_BOMB',
      detail: message,
      context: {
        entry: entry.name,
        declaredBytes: entry.uncompressedSize,
        inflatedBytes: produced,
        inflatedTotalBytes: total,
        maxEntryBytes: caps.maxEntryBytes,
        maxTotalBytes: caps.maxTotalBytes,
      },
    });

  const count = (current: Reading, bytes: number): void => {
    current.produced += bytes;
    total += bytes;
    const { entry, produced } = current;
    if (produced > entry.uncompressedSize) {
      throw bomb(`The entry ${entry.name} inflates to more than its declared size.`, entry, produced);
    }
    if (produced > caps.maxEntryBytes) {
      throw bomb(`The entry ${entry.name} inflates to more than an entry may.`, entry, produced);
    }
    if (total > caps.maxTotalBytes) {
      throw bomb('The EPUB inflates to more than a publication may.', entry, produced);
    }
  };

  /** The local header is complete: find where the entry's data lies and make sure it lies alone. */
  const startEntry = (entry: ZipEntry, bytes: Uint8Array): Reading => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const nameLength = view.getUint16(26, true);
    const localName = utf8.decode(bytes.subarray(LOCAL_HEADER_SIZE, LOCAL_HEADER_SIZE + nameLength));
    if (localName !== entry.name) {
      throw new UnprocessableError({
        code: 'EPUB_CONTAINER_INVALID',
        detail: 'A zip entry is named differently in its two headers.',
        context: { entry: entry.name, localName },
      });
    }
    const dataEnd = entry.localHeaderOffset + bytes.byteLength + entry.compressedSize;
    if (dataEnd > directory.centralDirectoryOffset) {
      throw new UnprocessableError({
        code: 'TRUNCATED_FILE',
        detail: 'A zip entry runs past the start of the central directory.',
        context: { entry: entry.name },
      });
    }
    const following = entries[next + 1];
    if (following && dataEnd > following.localHeaderOffset) {
      // Entries sharing compressed bytes multiply what a small file inflates to (an overlapping zip bomb).
      throw new UnprocessableError({
        code: 'EPUB_ZIP_BOMB',
        detail: 'Entries of the zip overlap one another.',
        context: {
          entry: entry.name,
          overlaps: following.name,
        },
      });
    }
    if (entry.method === STORED) {
      if (entry.compressedSize !== entry.uncompressedSize) {
        throw bomb(`The sizes of the entry ${entry.name} are inconsistent.`, entry, 0);
      }
      return { entry, dataEnd, produced: 0 };
    }
    const current: Reading = { entry, dataEnd, produced: 0 };
    current.inflater = new Inflate((chunk) => count(current, chunk.byteLength));
    return current;
  };

  const finishEntry = (current: Reading): void => {
    if (current.inflater && current.entry.compressedSize === 0 && current.entry.uncompressedSize > 0) {
      throw corrupt(current.entry, 'no compressed data');
    }
    if (current.produced !== current.entry.uncompressedSize) {
      throw new UnprocessableError({
        code: 'EPUB_CONTAINER_INVALID',
        detail: `The entry ${current.entry.name} is shorter than declared.`,
        context: {
          entry: current.entry.name,
          declaredBytes: current.entry.uncompressedSize,
          inflatedBytes: current.produced,
        },
      });
    }
    next += 1;
    reading = undefined;
  };

  /** Feeds this entry's share of the chunk, from `at`; returns where its share ends. */
  const feed = (current: Reading, chunk: Uint8Array, at: number): number => {
    const end = Math.min(chunk.byteLength, at + (current.dataEnd - position));
    if (!current.inflater) {
      count(current, end - at);
    } else {
      for (let p = at; p < end; p += INFLATE_STEP) {
        const stepEnd = Math.min(p + INFLATE_STEP, end);
        const final = position + (stepEnd - at) === current.dataEnd;
        try {
          current.inflater.push(chunk.subarray(p, stepEnd), final);
        } catch (error) {
          if (error instanceof UnprocessableError) throw error;
          throw corrupt(current.entry, error instanceof Error ? error.message : String(error));
        }
      }
    }
    position += end - at;
    if (position === current.dataEnd) finishEntry(current);
    return end;
  };

  const consume = (chunk: Uint8Array): void => {
    let at = 0;
    while (at < chunk.byteLength) {
      if (reading) {
        at = feed(reading, chunk, at);
        continue;
      }
      const entry = entries[next];
      if (!entry || position < entry.localHeaderOffset) {
        // Between entries (a data descriptor) or after the last one (the central directory): nothing to inflate.
        const until = entry ? entry.localHeaderOffset : Infinity;
        const skip = Math.min(chunk.byteLength - at, until - position);
        at += skip;
        position += skip;
        continue;
      }
      // The local header: 30 fixed bytes that give the length of the name and extra field after them.
      header ??= new Uint8Array(LOCAL_HEADER_SIZE);
      const wanted = header.byteLength - headerFill;
      const taken = Math.min(wanted, chunk.byteLength - at);
      header.set(chunk.subarray(at, at + taken), headerFill);
      headerFill += taken;
      at += taken;
      position += taken;
      if (headerFill < header.byteLength) continue;
      const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
      if (view.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) {
        throw new UnprocessableError({
          code: 'TRUNCATED_FILE',
          detail: 'A zip local header is missing where the central directory points.',
          context: { entry: entry.name },
        });
      }
      const full = LOCAL_HEADER_SIZE + view.getUint16(26, true) + view.getUint16(28, true);
      if (header.byteLength < full) {
        const grown = new Uint8Array(full);
        grown.set(header);
        header = grown;
        continue;
      }
      const bytes = header;
      header = undefined;
      headerFill = 0;
      reading = startEntry(entry, bytes);
      if (position === reading.dataEnd) finishEntry(reading);
    }
  };

  // A refusal is final: whatever is pushed after it, the answer stays the same.
  const guarded =
    <A extends unknown[]>(step: (...args: A) => void) =>
    (...args: A): void => {
      if (failure !== undefined) throw failure;
      try {
        step(...args);
      } catch (error) {
        failure = error;
        throw error;
      }
    };

  return {
    push: guarded(consume),
    end: guarded(() => {
      if (reading || next < entries.length) {
        throw new UnprocessableError({
          code: 'TRUNCATED_FILE',
          detail: 'The file ends before its last zip entry does.',
          context: {
            entry: (reading?.entry ?? entries[next])?.name,
          },
        });
      }
    }),
  };
}

function corrupt(entry: ZipEntry, reason: string): UnprocessableError {
  return new UnprocessableError({
    code: 'EPUB_CONTAINER_INVALID',
    detail: `The entry ${entry.name} is corrupt.`,
    context: {
      entry: entry.name,
      reason,
    },
  });
}
