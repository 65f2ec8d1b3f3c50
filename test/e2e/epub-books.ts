import { createHash } from 'node:crypto';
import { strToU8, zlibSync, zipSync, type Zippable } from 'fflate';
import { expect } from 'vitest';
import { S3ContentStore } from '../../functions/adapters/content-store';
import { objectKeys } from '../../functions/adapters/keys';
import { sortTitleOf, type Title } from '../../functions/domain/title';
import type { E2eGateway } from './browser';

/**
 * Small EPUBs built inside the browser tests, one per trait the reader must handle (the shared fixtures have
 * none of them), and a way to put one in the catalogue as an open-access title.
 */

export interface BookFile {
  path: string;
  content: Uint8Array | string;
  /** Manifest media type; omitted for files that are not in the manifest (container, encryption.xml). */
  mediaType?: string;
  properties?: string;
  id?: string;
}

export interface BookSpec {
  title: string;
  language?: string;
  identifier?: string;
  /** Where the package document sits. */
  opfPath?: string;
  files: BookFile[];
  /** Manifest ids in reading order. */
  spine: string[];
  spineAttributes?: string;
  extraMetadata?: string;
  /** Extra entries outside the manifest (e.g. META-INF/encryption.xml). */
  extra?: Record<string, Uint8Array | string>;
  /** Deflate level of the entries other than `mimetype` (0: stored). */
  level?: 0 | 6;
}

export const xhtml = (title: string, body: string, head = '', htmlAttributes = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"${htmlAttributes}>
<head><title>${title}</title>${head}</head>
<body>${body}</body></html>`;

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** The zip of an EPUB: `mimetype` first and stored, the rest deflated. */
export function buildEpub(spec: BookSpec): Uint8Array {
  const opfPath = spec.opfPath ?? 'OEBPS/content.opf';
  const opfDir = opfPath.includes('/') ? opfPath.slice(0, opfPath.lastIndexOf('/') + 1) : '';
  const relative = (path: string) =>
    path.startsWith(opfDir)
      ? path.slice(opfDir.length)
      : `${'../'.repeat(opfDir.split('/').length - 1)}${path}`;
  const manifest = spec.files
    .filter((f) => f.mediaType)
    .map(
      (f, i) =>
        `<item id="${f.id ?? `f${i}`}" href="${escapeXml(encodeURI(relative(f.path)))}" media-type="${f.mediaType}"${f.properties ? ` properties="${f.properties}"` : ''}/>`,
    )
    .join('\n    ');
  const identifier = spec.identifier ?? 'urn:uuid:5f1c2b7e-8d3a-4c1e-9b2f-0a1b2c3d4e5f';
  const opf = `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">${escapeXml(identifier)}</dc:identifier>
    <dc:title>${escapeXml(spec.title)}</dc:title>
    <dc:language>${spec.language ?? 'en'}</dc:language>
    <meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
    ${spec.extraMetadata ?? ''}
  </metadata>
  <manifest>
    ${manifest}
  </manifest>
  <spine${spec.spineAttributes ?? ''}>${spec.spine.map((id) => `<itemref idref="${id}"/>`).join('')}</spine>
</package>`;
  const container = `<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="${opfPath}" media-type="application/oebps-package+xml"/></rootfiles>
</container>`;
  const bytes = (content: Uint8Array | string) => (typeof content === 'string' ? strToU8(content) : content);
  const entries: Zippable = {
    mimetype: [strToU8('application/epub+zip'), { level: 0 }],
    'META-INF/container.xml': strToU8(container),
    [opfPath]: strToU8(opf),
  };
  for (const [path, content] of Object.entries(spec.extra ?? {})) entries[path] = bytes(content);
  for (const file of spec.files) entries[file.path] = bytes(file.content);
  return zipSync(entries, { level: spec.level ?? 6 });
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Uint8Array) => {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** A PNG of one colour (RGB), so a test can tell images apart by their pixels. */
export function solidPng(width: number, height: number, [r, g, b]: [number, number, number]): Uint8Array {
  const row = new Uint8Array(1 + width * 3);
  for (let x = 0; x < width; x += 1) row.set([r, g, b], 1 + x * 3);
  const raw = new Uint8Array(row.length * height);
  for (let y = 0; y < height; y += 1) raw.set(row, y * row.length);
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(strToU8(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlibSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    png.set(p, at);
    at += p.length;
  }
  return png;
}

/** The EPUB 3 font obfuscation (IDPF): XOR of the first 1040 bytes with SHA-1 of the unique identifier. */
export function obfuscateIdpf(font: Uint8Array, identifier: string): Uint8Array {
  const key = createHash('sha1')
    .update(identifier.replace(/[ \t\r\n]/g, ''))
    .digest();
  const out = new Uint8Array(font); // a copy (Buffer#slice would share the bytes)
  for (let i = 0; i < Math.min(1040, out.length); i += 1) out[i] = out[i]! ^ key[i % key.length]!;
  return out;
}

/** Adobe's font obfuscation: XOR of the first 1024 bytes with the 16 bytes of the identifier's UUID. */
export function obfuscateAdobe(font: Uint8Array, identifier: string): Uint8Array {
  const key = Buffer.from(identifier.replace(/^urn:uuid:/, '').replace(/-/g, ''), 'hex');
  const out = new Uint8Array(font); // a copy (Buffer#slice would share the bytes)
  for (let i = 0; i < Math.min(1024, out.length); i += 1) out[i] = out[i]! ^ key[i % key.length]!;
  return out;
}

/** Writes an EPUB straight into the store and the catalogue as an open-access title (no upload API needed). */
export async function addOpenEpub(
  gateway: E2eGateway,
  id: string,
  name: string,
  bytes: Uint8Array,
  language = 'en',
): Promise<void> {
  const content = new S3ContentStore(gateway.clients.s3, gateway.config.CONTENT_BUCKET);
  const contentKey = objectKeys.content(id, 'epub');
  await content.put(contentKey, bytes, 'application/epub+zip', bytes.byteLength);
  const now = new Date().toISOString();
  const title: Title = {
    id,
    title: name,
    sortTitle: sortTitleOf(name),
    authors: ['Test'],
    subjects: [],
    identifiers: {},
    language,
    format: 'epub',
    access: 'open',
    status: 'active',
    contentKey,
    contentType: 'application/epub+zip',
    size: bytes.byteLength,
    sha256: 'test',
    createdAt: now,
    updatedAt: now,
  };
  expect(await gateway.deps.titles.create(title)).toBe(true);
}
