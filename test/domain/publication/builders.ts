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
