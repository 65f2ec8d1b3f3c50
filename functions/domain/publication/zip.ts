import { Inflate } from 'fflate';
import { UnprocessableError } from '../errors';
import { readExactly, type ByteSource } from './byte-source';

/**
 * Just enough of the zip format to validate an EPUB without loading it: the End-Of-Central-Directory record
 * and the central directory come from the tail of the file; entries are then read one by one from their
 * local headers. Inflation is done by fflate in small steps so a lying size header cannot blow up memory.
 */
export interface ZipEntry {
  name: string;
  nameByteLength: number;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  byName: Map<string, ZipEntry>;
  centralDirectoryOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATED = 8;
/** Compressed bytes handed to the inflater per step: deflate expands at most ~1032x, so one step stays small. */
const INFLATE_STEP = 4096;
/** Bytes read past a local header's name in the hope of covering its extra field in the same request. */
const LOCAL_EXTRA_ROOM = 256;

const utf8 = new TextDecoder('utf-8', { fatal: false });

function truncated(message: string, context: Record<string, unknown> = {}): UnprocessableError {
  return new UnprocessableError({ code: 'TRUNCATED_FILE', detail: message, context });
}

export async function readZipDirectory(
  source: ByteSource,
  maxCentralDirectoryBytes: number,
): Promise<ZipDirectory> {
  const tailLength = Math.min(source.size, EOCD_SIZE + MAX_COMMENT);
  const tailOffset = source.size - tailLength;
  const tail = await readExactly(source, tailOffset, tailLength);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.byteLength - EOCD_SIZE; i >= 0; i--) {
    // The comment must run exactly to the end of the file, which rules out a signature inside the comment.
    if (
      view.getUint32(i, true) === EOCD_SIGNATURE &&
      i + EOCD_SIZE + view.getUint16(i + 20, true) === tailLength
    ) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    throw truncated('The zip end-of-central-directory record is missing; the file looks cut off.');

  let entryCount = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (entryCount === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR_SIGNATURE) {
      throw truncated('The zip64 end-of-central-directory locator is missing.');
    }
    const zip64Offset = Number(view.getBigUint64(locator + 8, true));
    const record = await readExactly(source, zip64Offset, 56);
    const rv = new DataView(record.buffer, record.byteOffset, record.byteLength);
    if (rv.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE)
      throw truncated('The zip64 end-of-central-directory is broken.');
    entryCount = Number(rv.getBigUint64(32, true));
    cdSize = Number(rv.getBigUint64(40, true));
    cdOffset = Number(rv.getBigUint64(48, true));
  }
  if (cdSize > maxCentralDirectoryBytes) {
    throw new UnprocessableError({
      code: 'EPUB_ZIP_BOMB',
      detail: 'The zip lists too many entries to be a publication.',
      context: {
        centralDirectoryBytes: cdSize,
      },
    });
  }
  if (cdOffset + cdSize > source.size) {
    throw truncated('The zip central directory lies beyond the end of the file.', { cdOffset, cdSize });
  }
  // Usually the central directory is already inside the tail just read: no second request for it.
  const cd =
    cdOffset >= tailOffset
      ? tail.subarray(cdOffset - tailOffset, cdOffset - tailOffset + cdSize)
      : await readExactly(source, cdOffset, cdSize);
  const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < entryCount; n++) {
    if (p + 46 > cd.byteLength || cv.getUint32(p, true) !== CENTRAL_HEADER_SIGNATURE) {
      throw truncated('The zip central directory is broken.', { entry: n });
    }
    const nameLength = cv.getUint16(p + 28, true);
    const extraLength = cv.getUint16(p + 30, true);
    const commentLength = cv.getUint16(p + 32, true);
    const end = p + 46 + nameLength + extraLength + commentLength;
    if (end > cd.byteLength) throw truncated('The zip central directory is broken.', { entry: n });
    const entry: ZipEntry = {
      flags: cv.getUint16(p + 8, true),
      method: cv.getUint16(p + 10, true),
      crc32: cv.getUint32(p + 16, true),
      compressedSize: cv.getUint32(p + 20, true),
      uncompressedSize: cv.getUint32(p + 24, true),
      localHeaderOffset: cv.getUint32(p + 42, true),
      name: utf8.decode(cd.subarray(p + 46, p + 46 + nameLength)),
      nameByteLength: nameLength,
    };
    applyZip64Extra(entry, cv, p + 46 + nameLength, extraLength);
    entries.push(entry);
    p = end;
  }
  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) if (!byName.has(entry.name)) byName.set(entry.name, entry);
  return { entries, byName, centralDirectoryOffset: cdOffset };
}

/** Sizes and offsets that do not fit 32 bits live in the zip64 extra field, in this fixed order. */
function applyZip64Extra(entry: ZipEntry, view: DataView, start: number, length: number): void {
  let q = start;
  while (q + 4 <= start + length) {
    const id = view.getUint16(q, true);
    const size = view.getUint16(q + 2, true);
    if (id === 0x0001) {
      let f = q + 4;
      const next = (): number => {
        if (f + 8 > q + 4 + size) throw truncated('A zip64 extra field is broken.', { entry: entry.name });
        const value = Number(view.getBigUint64(f, true));
        f += 8;
        return value;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    q += 4 + size;
  }
}

export function isSupportedMethod(method: number): boolean {
  return method === STORED || method === DEFLATED;
}

/**
 * Reads and inflates one entry, refusing it when its declared size is above `maxBytes` or when inflating
 * produces more than it declared (a zip bomb that lies in its headers).
 */
export async function readZipEntry(
  source: ByteSource,
  directory: ZipDirectory,
  entry: ZipEntry,
  maxBytes: number,
): Promise<Uint8Array> {
  if (entry.uncompressedSize > maxBytes) {
    throw new UnprocessableError({
      code: 'EPUB_ZIP_BOMB',
      detail: `The entry ${entry.name} is larger than allowed.`,
      context: {
        entry: entry.name,
        uncompressedSize: entry.uncompressedSize,
        maxBytes,
      },
    });
  }
  // Deflate never needs much more room than the data it encodes; a larger claim is a lie about sizes.
  if (entry.compressedSize > entry.uncompressedSize + 1024 + entry.uncompressedSize / 100) {
    throw new UnprocessableError({
      code: 'EPUB_ZIP_BOMB',
      detail: `The sizes of the entry ${entry.name} are inconsistent.`,
      context: {
        entry: entry.name,
      },
    });
  }
  // One read for header, name and data (plus room for a local extra field): one request when the source is S3.
  const room = directory.centralDirectoryOffset - entry.localHeaderOffset;
  const block = await readExactly(
    source,
    entry.localHeaderOffset,
    Math.min(room, 30 + entry.nameByteLength + LOCAL_EXTRA_ROOM + entry.compressedSize),
  );
  const hv = new DataView(block.buffer, block.byteOffset, block.byteLength);
  if (block.byteLength < 30 || hv.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) {
    throw truncated('A zip local header is missing where the central directory points.', {
      entry: entry.name,
    });
  }
  const nameLength = hv.getUint16(26, true);
  const dataStart = 30 + nameLength + hv.getUint16(28, true);
  if (dataStart + entry.compressedSize > room) {
    throw truncated('A zip entry runs past the start of the central directory.', { entry: entry.name });
  }
  const localName = utf8.decode(block.subarray(30, 30 + nameLength));
  if (localName !== entry.name) {
    // A local header that disagrees with the directory could show the validator one file and a reader another.
    throw new UnprocessableError({
      code: 'EPUB_CONTAINER_INVALID',
      detail: 'A zip entry is named differently in its two headers.',
      context: {
        entry: entry.name,
        localName,
      },
    });
  }
  const compressed =
    dataStart + entry.compressedSize <= block.byteLength
      ? block.subarray(dataStart, dataStart + entry.compressedSize)
      : await readExactly(source, entry.localHeaderOffset + dataStart, entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === STORED) {
    if (entry.compressedSize !== entry.uncompressedSize) {
      throw new UnprocessableError({
        code: 'EPUB_ZIP_BOMB',
        detail: `The sizes of the entry ${entry.name} are inconsistent.`,
        context: {
          entry: entry.name,
        },
      });
    }
    data = compressed;
  } else if (entry.method === DEFLATED) {
    data = inflateBounded(compressed, entry);
  } else {
    throw new UnprocessableError({
      code: 'EPUB_CONTAINER_INVALID',
      detail: `The entry ${entry.name} uses an unsupported compression.`,
      context: {
        entry: entry.name,
        method: entry.method,
      },
    });
  }
  if (crc32(data) !== entry.crc32) {
    throw new UnprocessableError({
      code: 'EPUB_CONTAINER_INVALID',
      detail: `The entry ${entry.name} is corrupt (checksum mismatch).`,
      context: {
        entry: entry.name,
      },
    });
  }
  return data;
}

function inflateBounded(compressed: Uint8Array, entry: ZipEntry): Uint8Array {
  const limit = entry.uncompressedSize;
  const out = new Uint8Array(limit);
  let written = 0;
  let failure: Error | undefined;
  const inflater = new Inflate((chunk) => {
    if (failure) return;
    if (written + chunk.byteLength > limit) {
      failure = new UnprocessableError({
        code: 'EPUB_ZIP_BOMB',
        detail: `The entry ${entry.name} inflates to more than its declared size.`,
        context: { entry: entry.name, declared: limit },
      });
      return;
    }
    out.set(chunk, written);
    written += chunk.byteLength;
  });
  try {
    for (let p = 0; p < compressed.byteLength && !failure; p += INFLATE_STEP) {
      const end = Math.min(p + INFLATE_STEP, compressed.byteLength);
      inflater.push(compressed.subarray(p, end), end === compressed.byteLength);
    }
    if (compressed.byteLength === 0) inflater.push(new Uint8Array(0), true);
  } catch (error) {
    if (failure) throw failure;
    throw new UnprocessableError({
      code: 'EPUB_CONTAINER_INVALID',
      detail: `The entry ${entry.name} is corrupt.`,
      context: {
        entry: entry.name,
        reason: error instanceof Error ? error.message : String(error),
      },
    });
  }
  if (failure) throw failure;
  if (written !== limit) {
    throw new UnprocessableError({
      code: 'EPUB_CONTAINER_INVALID',
      detail: `The entry ${entry.name} is shorter than declared.`,
      context: {
        entry: entry.name,
      },
    });
  }
  return out;
}

const crcTable = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc32(data: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < data.byteLength; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
