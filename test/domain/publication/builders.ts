import { createCipheriv, createHash } from 'node:crypto';
import { constants as zlibConstants, crc32 as crc32Of, deflateRawSync } from 'node:zlib';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { ByteSource } from '../../../functions/domain/publication';

/** Hostile and hand-made publications for tests; the shared fixtures are never edited. */
export const containerXml = (fullPath = 'OEBPS/content.opf') =>
  `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">` +
  `<rootfiles><rootfile full-path="${fullPath}" media-type="application/oebps-package+xml"/></rootfiles></container>`;

export const packageOpf = ({
  metadata = '<dc:title>Laskar Pelangi</dc:title><dc:creator>Andrea Hirata</dc:creator><dc:language>id</dc:language>',
  manifest = '<item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>',
  spine = '<itemref idref="c1"/>',
  spineAttributes = '',
} = {}) =>
  `<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">` +
  `<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">${metadata}</metadata>` +
  `<manifest>${manifest}</manifest><spine${spineAttributes}>${spine}</spine></package>`;

export const chapter =
  '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Bab 1</p></body></html>';

type Entry = Uint8Array | string | [Uint8Array | string, { level: 0 | 9 }];

/** Zips entries in the given order; `mimetype` is stored, everything else deflated, as an EPUB should be. */
export function zip(entries: Record<string, Entry>): Uint8Array {
  const zippable: Zippable = {};
  for (const [name, entry] of Object.entries(entries)) {
    const [content, options] = Array.isArray(entry) ? entry : [entry, { level: name === 'mimetype' ? 0 : 9 }];
    zippable[name] = [typeof content === 'string' ? strToU8(content) : content, options as { level: 0 | 9 }];
  }
  return zipSync(zippable);
}

export function epub(overrides: Record<string, Entry | undefined> = {}): Uint8Array {
  const entries: Record<string, Entry | undefined> = {
    mimetype: 'application/epub+zip',
    'META-INF/container.xml': containerXml(),
    'OEBPS/content.opf': packageOpf(),
    'OEBPS/chapter1.xhtml': chapter,
    ...overrides,
  };
  return zip(
    Object.fromEntries(Object.entries(entries).filter((e): e is [string, Entry] => e[1] !== undefined)),
  );
}

/**
 * Rewrites the uncompressed size an entry declares, in both its local header and the central directory,
 * leaving the data alone: a zip that lies about how big its entries are.
 */
export function lieAboutUncompressedSize(zipBytes: Uint8Array, name: string, declared: number): Uint8Array {
  const bytes = zipBytes.slice();
  const view = new DataView(bytes.buffer);
  const nameBytes = strToU8(name);
  const matchesAt = (at: number) => nameBytes.every((b, i) => bytes[at + i] === b);
  for (let p = 0; p + 4 <= bytes.length; p++) {
    const signature = view.getUint32(p, true);
    if (signature === 0x04034b50 && view.getUint16(p + 26, true) === nameBytes.length && matchesAt(p + 30)) {
      view.setUint32(p + 22, declared, true);
    }
    if (signature === 0x02014b50 && view.getUint16(p + 28, true) === nameBytes.length && matchesAt(p + 46)) {
      view.setUint32(p + 24, declared, true);
    }
  }
  return bytes;
}

export function compressedSizeOf(zipBytes: Uint8Array, name: string): number {
  const view = new DataView(zipBytes.buffer, zipBytes.byteOffset, zipBytes.byteLength);
  const nameBytes = strToU8(name);
  for (let p = 0; p + 46 <= zipBytes.length; p++) {
    if (
      view.getUint32(p, true) === 0x02014b50 &&
      view.getUint16(p + 28, true) === nameBytes.length &&
      nameBytes.every((b, i) => zipBytes[p + 46 + i] === b)
    ) {
      return view.getUint32(p + 20, true);
    }
  }
  throw new Error(`no entry ${name}`);
}

/**
 * A minimal, well-formed PDF written by hand: one empty page, an Info dictionary, and whatever the test adds
 * to the trailer (an /Encrypt dictionary, for instance). Offsets in the xref table are computed, not guessed.
 */
export function handWrittenPdf({ info = '', trailerExtra = '', root = '1 0 R' } = {}): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
    `<< ${info} >>`,
  ];
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefOffset = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root ${root} /Info 4 0 R ${trailerExtra} >>\n`;
  body += `startxref\n${xrefOffset}\n%%EOF\n`;
  return Uint8Array.from(body, (c) => c.charCodeAt(0));
}

/** Wraps a source and counts what is read through it. */
export function countingSource(inner: ByteSource): ByteSource & { bytesRead: number; reads: number } {
  const counting = {
    size: inner.size,
    bytesRead: 0,
    reads: 0,
    read(offset: number, length: number) {
      counting.bytesRead += length;
      counting.reads += 1;
      return inner.read(offset, length);
    },
  };
  return counting;
}

/** The 32-byte padding of the standard security handler (ISO 32000-1, 7.6.3.3, algorithm 2 step a). */
const PASSWORD_PADDING = Uint8Array.from([
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56, 0xff, 0xfa, 0x01, 0x08, 0x2e, 0x2e,
  0x00, 0xb6, 0xd0, 0x68, 0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
]);

const md5 = (...parts: Uint8Array[]) => {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

/** RC4, written out: OpenSSL 3 keeps it in the legacy provider, which Node does not load. */
function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = new Uint8Array(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

const padded = (password: string) => {
  const bytes = Uint8Array.from(Buffer.from(password, 'latin1')).subarray(0, 32);
  const out = new Uint8Array(32);
  out.set(bytes);
  out.set(PASSWORD_PADDING.subarray(0, 32 - bytes.length), bytes.length);
  return out;
};

/** RC4 with the key, then 19 more times with the key XOR 1..19 (algorithms 3 g and 5 d, revision 3 and up). */
function rc4Rounds(key: Uint8Array, data: Uint8Array): Uint8Array {
  let out = rc4(key, data);
  for (let i = 1; i <= 19; i++)
    out = rc4(
      key.map((b) => b ^ i),
      out,
    );
  return out;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * A one-page PDF protected by the standard security handler, revision 3 (RC4, 128-bit key) or revision 4
 * (AES-128, crypt filter AESV2), with its /O and /U entries computed as ISO 32000-1 §7.6.3 says
 * (algorithms 2, 3 and 5) and its Info strings encrypted (algorithm 1). An empty user password is the
 * "permissions only" case: any reader opens the file without asking, and the owner password only restricts.
 */
export function encryptedPdf({
  userPassword = '',
  ownerPassword = 'pemilik-rahasia',
  cipher = 'rc4' as 'rc4' | 'aes',
  title = 'Dokumen Terkunci',
  permissions = -3904, // printing and copying not allowed
} = {}): Uint8Array {
  const revision = cipher === 'aes' ? 4 : 3;
  const keyLength = 16;
  const fileId = md5(Buffer.from(`pustaka-${title}-${cipher}`));
  // Algorithm 3: the O entry, from the owner password (or the user password when there is none).
  let ownerKey = md5(padded(ownerPassword || userPassword));
  for (let i = 0; i < 50; i++) ownerKey = md5(ownerKey);
  const owner = rc4Rounds(ownerKey.subarray(0, keyLength), padded(userPassword));
  // Algorithm 2: the file key, from the user password, O, P and the first file identifier.
  const p = new Uint8Array(4);
  new DataView(p.buffer).setInt32(0, permissions, true);
  let key = md5(padded(userPassword), owner, p, fileId);
  for (let i = 0; i < 50; i++) key = md5(key.subarray(0, keyLength));
  key = key.subarray(0, keyLength);
  // Algorithm 5: the U entry (16 bytes that count, then 16 arbitrary ones).
  const user = new Uint8Array(32);
  user.set(rc4Rounds(key, md5(PASSWORD_PADDING, fileId)));
  // Algorithm 1: a string of object 4 (the Info dictionary), generation 0.
  const objectKey = md5(
    key,
    Uint8Array.of(4, 0, 0, 0, 0),
    cipher === 'aes' ? strToU8('sAlT') : new Uint8Array(0),
  );
  const plain = strToU8(title);
  let encryptedTitle: Uint8Array;
  if (cipher === 'aes') {
    const iv = md5(strToU8(`iv-${title}`));
    const aes = createCipheriv('aes-128-cbc', objectKey.subarray(0, 16), iv);
    encryptedTitle = new Uint8Array(Buffer.concat([iv, aes.update(plain), aes.final()]));
  } else {
    encryptedTitle = rc4(objectKey.subarray(0, Math.min(keyLength + 5, 16)), plain);
  }
  const filter =
    cipher === 'aes'
      ? `/V 4 /R ${revision} /Length 128 /CF << /StdCF << /CFM /AESV2 /AuthEvent /DocOpen /Length 16 >> >> /StmF /StdCF /StrF /StdCF`
      : `/V 2 /R ${revision} /Length 128`;
  return handWrittenPdf({
    info: `/Title <${hex(encryptedTitle)}>`,
    trailerExtra:
      `/Encrypt << /Filter /Standard ${filter} /O <${hex(owner)}> /U <${hex(user)}> /P ${permissions} >> ` +
      `/ID [<${hex(fileId)}> <${hex(fileId)}>]`,
  });
}

export interface RawZipEntry {
  name: string;
  /** The bytes as stored: already deflated when `method` is 8. */
  data: Uint8Array;
  method: 0 | 8;
  /** The uncompressed size each header declares (true or not). */
  centralSize: number;
  localSize?: number;
  crc?: number;
  /** Sizes and checksum after the data (flag bit 3) instead of in the local header, as streaming zippers write. */
  dataDescriptor?: boolean;
}

/** A zip written by hand, so that each header can say what a test wants about sizes. */
export function rawZip(entries: RawZipEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = strToU8(entry.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    const flags = entry.dataDescriptor ? 0x08 : 0;
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, entry.method, true);
    if (!entry.dataDescriptor) {
      lv.setUint32(14, entry.crc ?? 0, true);
      lv.setUint32(18, entry.data.length, true);
      lv.setUint32(22, entry.localSize ?? entry.centralSize, true);
    }
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const header = new Uint8Array(46 + name.length);
    const cv = new DataView(header.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, entry.method, true);
    cv.setUint32(16, entry.crc ?? 0, true);
    cv.setUint32(20, entry.data.length, true);
    cv.setUint32(24, entry.centralSize, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    header.set(name, 46);
    const descriptor = new Uint8Array(entry.dataDescriptor ? 16 : 0);
    if (entry.dataDescriptor) {
      const dv = new DataView(descriptor.buffer);
      dv.setUint32(0, 0x08074b50, true);
      dv.setUint32(4, entry.crc ?? 0, true);
      dv.setUint32(8, entry.data.length, true);
      dv.setUint32(12, entry.centralSize, true);
    }
    chunks.push(local, entry.data, descriptor);
    central.push(header);
    offset += local.length + entry.data.length + descriptor.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const chunk of [...chunks, ...central, eocd]) {
    out.set(chunk, p);
    p += chunk.length;
  }
  return out;
}

/**
 * A raw deflate stream that inflates to `pattern` repeated `times` times, built without ever holding the
 * inflated bytes: one sync-flushed (byte-aligned, non-final) piece that only refers to itself, repeated, then
 * an empty final block. 300 MiB of spaces come to about 300 KB.
 */
export function repeatedDeflate(pattern: Uint8Array, times: number): Uint8Array {
  const piece = deflateRawSync(pattern, { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
  const end = deflateRawSync(new Uint8Array(0));
  const out = new Uint8Array(piece.length * times + end.length);
  for (let i = 0; i < times; i++) out.set(piece, i * piece.length);
  out.set(end, piece.length * times);
  return out;
}

/** A stored entry with its true size and checksum, for `rawZip`. */
export function storedEntry(name: string, content: string | Uint8Array): RawZipEntry {
  const data = typeof content === 'string' ? strToU8(content) : content;
  return { name, data, method: 0, centralSize: data.length, crc: crc32Of(data) };
}

/** A deflated entry (zlib: fast) with its true size and checksum, for `rawZip`. */
export function deflatedEntry(name: string, text: string): RawZipEntry {
  const plain = strToU8(text);
  return {
    name,
    data: deflateRawSync(plain, { level: 9 }),
    method: 8,
    centralSize: plain.length,
    crc: crc32Of(plain),
  };
}

/**
 * A valid EPUB whose second chapter really inflates to `realMiB` MiB of spaces but whose headers declare
 * `declaredBytes` (both headers unless `lieIn` names one): a zip bomb that lies about its sizes.
 */
export function lyingBombEpub({
  realMiB,
  declaredBytes,
  lieIn = 'both',
  before = [],
}: {
  realMiB: number;
  declaredBytes: number;
  lieIn?: 'both' | 'central' | 'local';
  /** Entries placed before the bomb (e.g. a large image, so the bomb comes late in the file). */
  before?: RawZipEntry[];
}): Uint8Array {
  const realBytes = realMiB * 1024 * 1024;
  const bomb: RawZipEntry = {
    name: 'OEBPS/chapter2.xhtml',
    data: repeatedDeflate(new Uint8Array(1024 * 1024).fill(0x20), realMiB),
    method: 8,
    centralSize: lieIn === 'local' ? realBytes : declaredBytes,
    localSize: lieIn === 'central' ? realBytes : declaredBytes,
  };
  const manifest =
    '<item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>' +
    '<item id="c2" href="chapter2.xhtml" media-type="application/xhtml+xml"/>';
  return rawZip([
    storedEntry('mimetype', 'application/epub+zip'),
    deflatedEntry('META-INF/container.xml', containerXml()),
    deflatedEntry(
      'OEBPS/content.opf',
      packageOpf({ manifest, spine: '<itemref idref="c1"/><itemref idref="c2"/>' }),
    ),
    deflatedEntry('OEBPS/chapter1.xhtml', chapter),
    ...before,
    bomb,
  ]);
}

/**
 * A textbook heavy with MathML: markup that compresses about 25:1, like a real 955 KB book that inflates to
 * 25 MB. Numbers and identifiers vary (a seeded generator), so deflate cannot do much better than on real
 * markup. Deflated by zlib (fast), zipped by hand with true sizes and checksums.
 */
export function mathTextbookEpub({ chapters = 25, chapterBytes = 1024 * 1024 } = {}): Uint8Array {
  let seed = 20240611;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const letters = ['x', 'y', 'z', 'n', 'k'];
  const operators = ['+', '−', '='];
  const formula = () =>
    `<math xmlns="http://www.w3.org/1998/Math/MathML"><mrow><msup><mi>${letters[random(5)]}</mi><mn>${random(3) + 2}</mn></msup>` +
    `<mo>${operators[random(3)]}</mo><mfrac><mrow><mn>${random(10)}</mn><mi>${letters[random(5)]}</mi></mrow>` +
    `<mrow><mn>${random(40)}</mn></mrow></mfrac></mrow></math>`;
  const entries: RawZipEntry[] = [];
  const items: string[] = [];
  const refs: string[] = [];
  for (let c = 1; c <= chapters; c++) {
    const parts = ['<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'];
    let length = parts[0]!.length;
    while (length < chapterBytes) {
      const paragraph = `<p>Soal ${random(100)}: hitunglah ${formula()} untuk ${formula()}.</p>\n`;
      parts.push(paragraph);
      length += paragraph.length;
    }
    parts.push('</body></html>');
    entries.push(deflatedEntry(`OEBPS/bab${c}.xhtml`, parts.join('')));
    items.push(`<item id="b${c}" href="bab${c}.xhtml" media-type="application/xhtml+xml"/>`);
    refs.push(`<itemref idref="b${c}"/>`);
  }
  const metadata =
    '<dc:title>Matematika Diskrit</dc:title><dc:creator>Tim Penulis</dc:creator><dc:language>id</dc:language>';
  return rawZip([
    storedEntry('mimetype', 'application/epub+zip'),
    deflatedEntry('META-INF/container.xml', containerXml()),
    deflatedEntry(
      'OEBPS/content.opf',
      packageOpf({ metadata, manifest: items.join(''), spine: refs.join('') }),
    ),
    ...entries,
  ]);
}

/**
 * A one-page text PDF written by hand: lines of Helvetica at the sizes given (top to bottom), an optional Info
 * dictionary and an optional XMP metadata stream on the catalogue. Offsets in the xref table are computed.
 */
export function textPdf({
  lines,
  info,
  xmp,
}: {
  lines: { text: string; size: number }[];
  info?: string;
  xmp?: string;
}): Uint8Array {
  const escape = (text: string) => text.replace(/[\\()]/g, (ch) => `\\${ch}`);
  let y = 800;
  const content = lines
    .map(({ text, size }) => {
      y -= size * 1.6;
      return `BT /F1 ${size} Tf 56 ${Math.round(y)} Td (${escape(text)}) Tj ET`;
    })
    .join('\n');
  const objects = [
    `<< /Type /Catalog /Pages 2 0 R${xmp === undefined ? '' : ' /Metadata 6 0 R'} >>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  if (xmp !== undefined) {
    const packet = Buffer.from(xmp, 'utf8').toString('latin1');
    objects.push(
      `<< /Type /Metadata /Subtype /XML /Length ${packet.length} >>\nstream\n${packet}\nendstream`,
    );
  }
  if (info !== undefined) objects.push(`<< ${info} >>`);
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefOffset = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  const infoRef = info === undefined ? '' : ` /Info ${objects.length} 0 R`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${infoRef} >>\n`;
  body += `startxref\n${xrefOffset}\n%%EOF\n`;
  return Uint8Array.from(body, (c) => c.charCodeAt(0));
}

/** An XMP packet with a Dublin Core title (x-default and, optionally, other languages) and creators. */
export function xmpPacket({
  title,
  otherLanguages = {},
  creators = [],
}: {
  title: string;
  otherLanguages?: Record<string, string>;
  creators?: string[];
}): string {
  const li = (lang: string, text: string) => `<rdf:li xml:lang="${lang}">${text}</rdf:li>`;
  return (
    `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>` +
    `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
    `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
    `<dc:title><rdf:Alt>${Object.entries(otherLanguages)
      .map(([lang, text]) => li(lang, text))
      .join('')}${li('x-default', title)}</rdf:Alt></dc:title>` +
    (creators.length
      ? `<dc:creator><rdf:Seq>${creators.map((c) => `<rdf:li>${c}</rdf:li>`).join('')}</rdf:Seq></dc:creator>`
      : '') +
    `</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
  );
}
