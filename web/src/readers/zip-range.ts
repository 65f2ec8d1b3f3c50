import { inflateSync } from 'fflate';

/** Where the bytes of a zip come from: ranges of a file of known length. */
export interface RangeReader {
  readonly length: number;
  read(begin: number, end: number): Promise<Uint8Array>;
}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** Length of the name and extra field in the central directory (a first guess for the local header). */
  headerGuess: number;
}

/** The file is not a zip we can read (truncated, damaged, or not a zip at all). */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** The end record is 22 bytes plus a comment of at most 65,535. */
const TAIL = 22 + 0xffff;
/** Inflated entries kept in memory (chapters are asked for again on the way back). */
const KEEP_BYTES = 24 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8');

/**
 * A zip read by ranges: the end record and central directory first (one read of the file's tail, usually), then
 * each entry on demand: its local header and compressed data in one range, inflated here with fflate. The whole
 * zip is never held, unless the store sent it whole anyway.
 */
export class RangeZip {
  private readonly kept = new Map<string, Uint8Array>();
  private keptBytes = 0;

  private constructor(
    private readonly source: RangeReader,
    readonly entries: Map<string, ZipEntry>,
    private readonly tail: { begin: number; bytes: Uint8Array },
  ) {}

  static async open(source: RangeReader): Promise<RangeZip> {
    const length = source.length;
    if (length < 22) throw new ZipFormatError('too short for a zip');
    const tailBegin = Math.max(0, length - TAIL);
    const tail = await source.read(tailBegin, length);
    let view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    let at = -1;
    for (let p = tail.byteLength - 22; p >= 0; p -= 1) {
      if (view.getUint32(p, true) === EOCD) {
        at = p;
        break;
      }
    }
    if (at < 0) throw new ZipFormatError('no end of central directory');
    let count = view.getUint16(at + 10, true);
    let cdSize = view.getUint32(at + 12, true);
    let cdOffset = view.getUint32(at + 16, true);
    if (cdOffset === 0xffffffff || count === 0xffff || cdSize === 0xffffffff) {
      // ZIP64: the locator sits just before the end record and points at the 64-bit end record.
      if (at < 20 || view.getUint32(at - 20, true) !== ZIP64_LOCATOR) throw new ZipFormatError('bad zip64');
      const recordAt = Number(view.getBigUint64(at - 20 + 8, true));
      const record = await source.read(recordAt, recordAt + 56);
      const r = new DataView(record.buffer, record.byteOffset, record.byteLength);
      if (r.getUint32(0, true) !== ZIP64_EOCD) throw new ZipFormatError('bad zip64 record');
      count = Number(r.getBigUint64(32, true));
      cdSize = Number(r.getBigUint64(40, true));
      cdOffset = Number(r.getBigUint64(48, true));
    }
    if (cdOffset + cdSize > length) throw new ZipFormatError('central directory past the end (truncated?)');
    let cd: Uint8Array;
    let kept = { begin: tailBegin, bytes: tail };
    if (cdOffset >= tailBegin) {
      cd = tail.subarray(cdOffset - tailBegin, cdOffset - tailBegin + cdSize);
    } else {
      // A long central directory: read the part before the tail and keep both as one piece.
      const head = await source.read(cdOffset, tailBegin);
      const joined = new Uint8Array(head.byteLength + tail.byteLength);
      joined.set(head, 0);
      joined.set(tail, head.byteLength);
      kept = { begin: cdOffset, bytes: joined };
      cd = joined.subarray(0, cdSize);
    }
    view = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
    const entries = new Map<string, ZipEntry>();
    let p = 0;
    for (let i = 0; i < count; i += 1) {
      if (p + 46 > cd.byteLength || view.getUint32(p, true) !== CENTRAL)
        throw new ZipFormatError('damaged central directory');
      const method = view.getUint16(p + 10, true);
      let compressedSize = view.getUint32(p + 20, true);
      let size = view.getUint32(p + 24, true);
      const nameLength = view.getUint16(p + 28, true);
      const extraLength = view.getUint16(p + 30, true);
      const commentLength = view.getUint16(p + 32, true);
      let localHeaderOffset = view.getUint32(p + 42, true);
      const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLength));
      // ZIP64 extra field: 64-bit values for the fields that say 0xffffffff, in this order.
      let e = p + 46 + nameLength;
      const extraEnd = e + extraLength;
      while (e + 4 <= extraEnd) {
        const id = view.getUint16(e, true);
        const len = view.getUint16(e + 2, true);
        if (id === 1) {
          let q = e + 4;
          if (size === 0xffffffff) {
            size = Number(view.getBigUint64(q, true));
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(view.getBigUint64(q, true));
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(view.getBigUint64(q, true));
        }
        e += 4 + len;
      }
      if (!name.endsWith('/')) {
        entries.set(name, {
          name,
          method,
          compressedSize,
          size,
          localHeaderOffset,
          headerGuess: nameLength + extraLength,
        });
      }
      p += 46 + nameLength + extraLength + commentLength;
    }
    return new RangeZip(source, entries, kept);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  private async bytes(begin: number, end: number): Promise<Uint8Array> {
    const { begin: tailBegin, bytes } = this.tail;
    if (begin >= tailBegin && end <= tailBegin + bytes.byteLength)
      return bytes.subarray(begin - tailBegin, end - tailBegin);
    return this.source.read(begin, end);
  }

  /** The inflated content of an entry. */
  async read(name: string): Promise<Uint8Array> {
    const cached = this.kept.get(name);
    if (cached) {
      // Most recently used last.
      this.kept.delete(name);
      this.kept.set(name, cached);
      return cached;
    }
    const entry = this.entries.get(name);
    if (!entry) throw new ZipFormatError(`no entry ${name}`);
    // The local header's extra field may differ from the central one: guess, and read more if it was longer.
    const slack = 64;
    const start = entry.localHeaderOffset;
    let chunk = await this.bytes(
      start,
      Math.min(this.source.length, start + 30 + entry.headerGuess + slack + entry.compressedSize),
    );
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (chunk.byteLength < 30 || view.getUint32(0, true) !== LOCAL)
      throw new ZipFormatError(`damaged entry ${name}`);
    const dataStart = 30 + view.getUint16(26, true) + view.getUint16(28, true);
    const dataEnd = dataStart + entry.compressedSize;
    if (dataEnd > chunk.byteLength) {
      if (start + dataEnd > this.source.length) throw new ZipFormatError(`truncated entry ${name}`);
      const rest = await this.bytes(start + chunk.byteLength, start + dataEnd);
      const joined = new Uint8Array(dataEnd);
      joined.set(chunk, 0);
      joined.set(rest, chunk.byteLength);
      chunk = joined;
    }
    const data = chunk.subarray(dataStart, dataEnd);
    let content: Uint8Array;
    if (entry.method === 0) content = data.slice();
    else if (entry.method === 8) {
      try {
        content = inflateSync(data, { out: new Uint8Array(entry.size) });
      } catch {
        throw new ZipFormatError(`cannot inflate ${name}`);
      }
    } else throw new ZipFormatError(`compression method ${entry.method} in ${name}`);
    this.keep(name, content);
    return content;
  }

  private keep(name: string, content: Uint8Array): void {
    if (content.byteLength > KEEP_BYTES / 4) return;
    this.kept.set(name, content);
    this.keptBytes += content.byteLength;
    for (const [oldest, bytes] of this.kept) {
      if (this.keptBytes <= KEEP_BYTES) break;
      this.kept.delete(oldest);
      this.keptBytes -= bytes.byteLength;
    }
  }
}
