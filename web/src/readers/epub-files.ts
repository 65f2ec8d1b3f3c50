import { bookTextAttrs } from '../dom';
import type { RangeZip } from './zip-range';

/**
 * The files of an EPUB as epub.js sees them: an unpacked package at a virtual base URL (same origin as the app,
 * so the `<base>` epub.js puts in each chapter passes the CSP's `base-uri 'self'`), served from a zip read by
 * ranges through epub.js's `requestMethod` hook. Nothing is ever fetched from the virtual URL itself: every
 * resource a chapter uses is resolved against that chapter's own URL and replaced by a blob URL of the entry's
 * bytes (CSS likewise, against the stylesheet's own URL), so `4.jpg` and `14.jpg` each get their own bytes.
 */

const XML_TYPES = new Set(['xml', 'opf', 'ncx', 'rdf']);
const mediaTypes: Record<string, string> = {
  xhtml: 'application/xhtml+xml',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  svg: 'image/svg+xml',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ttf: 'font/ttf',
  otf: 'font/otf',
  woff: 'font/woff',
  woff2: 'font/woff2',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  ncx: 'application/x-dtbncx+xml',
  opf: 'application/oebps-package+xml',
  xml: 'application/xml',
};

const IDPF_OBFUSCATION = 'http://www.idpf.org/2008/embedding';
const ADOBE_OBFUSCATION = 'http://ns.adobe.com/pdf/enc#RC';
const MATHML = 'http://www.w3.org/1998/Math/MathML';
const XLINK = 'http://www.w3.org/1999/xlink';

const extensionOf = (path: string) => /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';

/** Decodes text in the encoding its XML declaration or CSS `@charset` names, UTF-8 otherwise. */
function decodeText(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const label =
    /^[^>]*encoding=["']([\w.:-]+)["']/.exec(head)?.[1] ?? /^@charset\s+"([\w.:-]+)"/.exec(head)?.[1];
  if (label && !/^utf-?8$/i.test(label)) {
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // an unknown label: read it as UTF-8
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

interface FaceRule {
  family: string;
  style: string;
  weight: string;
  entry: string;
}

const parseFailed = (doc: Document) => doc.getElementsByTagName('parsererror').length > 0;

export class BookFiles {
  /** Zip entry name → media type, from the OPF manifest (once epub.js has read it). */
  private types = new Map<string, string>();
  private readonly blobs = new Map<string, Promise<string>>();
  private readonly blobUrls: string[] = [];
  /** Zip entry name → obfuscation algorithm, from META-INF/encryption.xml. */
  private obfuscated = new Map<string, string>();
  /** The package's unique identifier (the key of font obfuscation). */
  uniqueIdentifier = '';
  /** Case-folded names, for books whose links disagree with their files' case. */
  private readonly folded = new Map<string, string>();

  constructor(
    private readonly zip: RangeZip,
    /** The virtual URL of the zip's root, ending in `/`. */
    readonly base: string,
  ) {
    for (const name of zip.entries.keys()) this.folded.set(name.toLowerCase(), name);
  }

  async readEncryption(): Promise<void> {
    const name = 'META-INF/encryption.xml';
    if (!this.zip.has(name)) return;
    const doc = new DOMParser().parseFromString(decodeText(await this.zip.read(name)), 'application/xml');
    if (parseFailed(doc)) return;
    for (const data of Array.from(doc.getElementsByTagNameNS('*', 'EncryptedData'))) {
      const algorithm = data.getElementsByTagNameNS('*', 'EncryptionMethod')[0]?.getAttribute('Algorithm');
      const uri = data.getElementsByTagNameNS('*', 'CipherReference')[0]?.getAttribute('URI');
      if (!algorithm || !uri) continue;
      // Paths in encryption.xml are relative to the container's root.
      const entry = this.entryOf(new URL(uri, this.base).href);
      if (entry && (algorithm === IDPF_OBFUSCATION || algorithm === ADOBE_OBFUSCATION))
        this.obfuscated.set(entry, algorithm);
    }
  }

  /** What the package document says each file is (media types), and which items are scripted. */
  private readManifest(doc: Document, opfUrl: string): void {
    const uid = doc.documentElement.getAttribute('unique-identifier');
    const identifiers = Array.from(
      doc.getElementsByTagNameNS('http://purl.org/dc/elements/1.1/', 'identifier'),
    );
    const unique = identifiers.find((el) => el.getAttribute('id') === uid) ?? identifiers[0];
    this.uniqueIdentifier = unique?.textContent?.trim() ?? '';
    for (const item of Array.from(doc.getElementsByTagNameNS('*', 'item'))) {
      const href = item.getAttribute('href');
      const type = item.getAttribute('media-type');
      if (!href || !type) continue;
      const entry = this.entryOf(new URL(href, opfUrl).href);
      if (entry) this.types.set(entry, type);
      if (/(^|\s)scripted(\s|$)/.test(item.getAttribute('properties') ?? '')) this.scripted = true;
    }
  }

  /** The manifest marks items `scripted` (their scripts never run here). */
  scripted = false;

  /** The zip entry a virtual URL names (query and fragment ignored), if there is one. */
  entryOf(url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url, this.base);
    } catch {
      return undefined;
    }
    const base = new URL(this.base);
    if (parsed.origin !== base.origin || !parsed.pathname.startsWith(base.pathname)) return undefined;
    const raw = parsed.pathname.slice(base.pathname.length);
    let decoded = raw;
    try {
      decoded = raw
        .split('/')
        .map((segment) => decodeURIComponent(segment))
        .join('/');
    } catch {
      // a stray % in a name: try it as written
    }
    for (const name of [decoded, raw]) if (this.zip.has(name)) return name;
    return this.folded.get(decoded.toLowerCase());
  }

  mediaTypeOf(entry: string): string {
    return this.types.get(entry) ?? mediaTypes[extensionOf(entry)] ?? 'application/octet-stream';
  }

  async bytes(entry: string): Promise<Uint8Array> {
    const content = await this.zip.read(entry);
    const algorithm = this.obfuscated.get(entry);
    return algorithm ? deobfuscate(content, algorithm, this.uniqueIdentifier) : content;
  }

  /**
   * epub.js's request hook: `(url, type)` → the parsed document, JSON, text or binary it expects. Spine items
   * that are images or SVG become a generated XHTML page showing them (epub.js can only lay out documents).
   */
  readonly request = async (url: string, type?: string): Promise<unknown> => {
    const entry = this.entryOf(url);
    if (!entry) throw Object.assign(new Error(`not in this book: ${url}`), { status: 404 });
    const mediaType = this.mediaTypeOf(entry);
    const kind = type || extensionOf(entry);
    if (kind === 'binary') return (await this.bytes(entry)).slice().buffer;
    if (kind === 'blob') return new Blob([(await this.bytes(entry)).slice()], { type: mediaType });
    if (kind === 'json') return JSON.parse(decodeText(await this.bytes(entry))) as unknown;
    if (XML_TYPES.has(kind)) {
      const doc = new DOMParser().parseFromString(decodeText(await this.bytes(entry)), 'application/xml');
      if (doc.documentElement?.localName === 'package') this.readManifest(doc, url);
      return doc;
    }
    if (mediaType.startsWith('image/')) return imagePage(entry);
    if (mediaType === 'application/xhtml+xml' || mediaType === 'text/html' || /^x?html?$/.test(kind)) {
      const text = decodeText(await this.bytes(entry));
      if (mediaType !== 'text/html' && kind !== 'html' && kind !== 'htm') {
        const doc = new DOMParser().parseFromString(text, 'application/xhtml+xml');
        if (!parseFailed(doc)) return doc;
      }
      // Not well-formed XHTML (or plain HTML): read it as the browser would read HTML.
      return new DOMParser().parseFromString(text, 'text/html');
    }
    return decodeText(await this.bytes(entry));
  };

  /** A blob URL for an entry (CSS rewritten so its own links resolve), made once per entry. */
  blobUrl(entry: string, importing: ReadonlySet<string> = new Set()): Promise<string> {
    let made = this.blobs.get(entry);
    if (!made) {
      made = (async () => {
        const type = this.mediaTypeOf(entry);
        let blob: Blob;
        if (type === 'text/css') {
          const css = await this.rewriteCss(
            decodeText(await this.bytes(entry)),
            this.base + entry,
            importing,
          );
          blob = new Blob([css], { type });
        } else {
          blob = new Blob([(await this.bytes(entry)).slice()], { type });
        }
        const url = URL.createObjectURL(blob);
        this.blobUrls.push(url);
        return url;
      })();
      this.blobs.set(entry, made);
      made.catch(() => this.blobs.delete(entry));
    }
    return made;
  }

  /** A URL as written in a document at `from`, replaced by the blob URL of what it names (or left alone). */
  private async replacement(value: string, from: string, importing: ReadonlySet<string>): Promise<string> {
    const trimmed = value.trim();
    if (!trimmed || /^(#|data:|blob:|about:|javascript:)/i.test(trimmed)) return value;
    let resolved: URL;
    try {
      resolved = new URL(trimmed, from);
    } catch {
      return value;
    }
    const entry = this.entryOf(resolved.href);
    if (!entry) return value;
    if (importing.has(entry)) return value; // an @import cycle
    try {
      return (await this.blobUrl(entry, importing)) + resolved.hash;
    } catch {
      return value;
    }
  }

  /**
   * `@font-face` rules are taken out of the CSS and kept here, so that a font is read from the zip only when a
   * page uses it (a blob URL needs its bytes up front; the browser would fetch every face of every stylesheet).
   */
  private readonly faces = new Map<string, FaceRule>();

  private takeFontFaces(css: string, from: string): string {
    return css.replace(/@font-face\s*\{([^}]*)\}/gi, (whole, body: string) => {
      const family = /font-family\s*:\s*([^;]+)/i
        .exec(body)?.[1]
        ?.trim()
        .replace(/^['"]|['"]$/g, '');
      const style = /font-style\s*:\s*([^;]+)/i.exec(body)?.[1]?.trim() ?? 'normal';
      const weight = /font-weight\s*:\s*([^;]+)/i.exec(body)?.[1]?.trim() ?? 'normal';
      const src = /src\s*:([^;]+)/i.exec(body)?.[1] ?? '';
      let entry: string | undefined;
      for (const match of src.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/g)) {
        try {
          entry = this.entryOf(new URL(match[2] ?? '', from).href);
        } catch {
          entry = undefined;
        }
        if (entry) break;
      }
      // A face that is not in the book (a system font, a remote one) stays for the browser to deal with.
      if (!family || !entry) return whole;
      this.faces.set(`${family.toLowerCase()}|${style}|${weight}|${entry}`, { family, style, weight, entry });
      return '';
    });
  }

  /**
   * Loads, into a shown chapter, the book's font faces its text uses (by computed font-family, style and
   * weight), before epub.js measures the pages.
   */
  async loadUsedFonts(doc: Document): Promise<void> {
    if (!this.faces.size || !doc.body) return;
    const byFamily = new Map<string, FaceRule[]>();
    for (const face of this.faces.values()) {
      const key = face.family.toLowerCase();
      byFamily.set(key, [...(byFamily.get(key) ?? []), face]);
    }
    const wanted = new Set<FaceRule>();
    const view = doc.defaultView;
    if (!view) return;
    const seen = new Set<string>();
    for (const element of Array.from(doc.body.querySelectorAll('*')).concat(doc.body)) {
      const hasText = Array.from(element.childNodes).some((n) => n.nodeType === 3 && n.textContent?.trim());
      if (!hasText) continue;
      const cs = view.getComputedStyle(element);
      const signature = `${cs.fontFamily}|${cs.fontStyle}|${cs.fontWeight}`;
      if (seen.has(signature)) continue;
      seen.add(signature);
      const family = cs.fontFamily
        .split(',')
        .map((name) =>
          name
            .trim()
            .replace(/^['"]|['"]$/g, '')
            .toLowerCase(),
        )
        .find((name) => byFamily.has(name));
      if (!family) continue;
      const candidates = byFamily.get(family)!;
      const italic = cs.fontStyle !== 'normal';
      const weight = Number(cs.fontWeight) || 400;
      const weightOf = (face: FaceRule) =>
        face.weight === 'bold' ? 700 : face.weight === 'normal' ? 400 : Number(face.weight) || 400;
      const styled = candidates.filter((face) => (face.style !== 'normal') === italic);
      const pool = styled.length ? styled : candidates;
      const best = pool.reduce((a, b) =>
        Math.abs(weightOf(b) - weight) < Math.abs(weightOf(a) - weight) ? b : a,
      );
      wanted.add(best);
    }
    await Promise.all(
      Array.from(wanted).map(async (rule) => {
        try {
          const bytes = await this.bytes(rule.entry);
          // The frame runs no scripts (its own FontFace is not there): the app's constructor serves it.
          const face = new FontFace(rule.family, bytes.slice().buffer, {
            style: rule.style,
            weight: rule.weight,
          });
          doc.fonts.add(face);
          await face.load();
        } catch (error) {
          console.warn(`font ${rule.entry} not loaded`, error);
        }
      }),
    );
  }

  async rewriteCss(css: string, from: string, importing: ReadonlySet<string> = new Set()): Promise<string> {
    css = this.takeFontFaces(css, from);
    const self = this.entryOf(from);
    const inner = self ? new Set([...importing, self]) : importing;
    const found = new Map<string, string>();
    const pattern = /url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s+(['"])([^'"]+)\3/g;
    for (const match of css.matchAll(pattern)) {
      const value = match[2] ?? match[4] ?? '';
      if (!found.has(value)) found.set(value, await this.replacement(value, from, inner));
    }
    return css.replace(pattern, (whole, q1: string | undefined, v1: string | undefined, q3, v3) => {
      if (v1 !== undefined) return `url(${q1 || '"'}${found.get(v1) ?? v1}${q1 || '"'})`;
      return `@import ${q3 as string}${found.get(v3 as string) ?? (v3 as string)}${q3 as string}`;
    });
  }

  /**
   * epub.js spine content hook: every URL a chapter uses resolved against the chapter's own location and replaced
   * by its entry's blob URL, `mfenced` rewritten for browsers that do not draw it, the book's language kept.
   */
  async prepareDocument(
    doc: Document,
    sectionUrl: string,
    language: string | undefined,
    direction?: 'rtl',
  ): Promise<void> {
    const jobs: Promise<void>[] = [];
    const swap = (element: Element, attribute: string, namespace: string | null = null) => {
      const value = namespace ? element.getAttributeNS(namespace, 'href') : element.getAttribute(attribute);
      if (value === null) return;
      jobs.push(
        this.replacement(value, sectionUrl, new Set()).then((url) => {
          if (url === value) return;
          if (namespace) element.setAttributeNS(namespace, 'xlink:href', url);
          else element.setAttribute(attribute, url);
        }),
      );
    };
    const all = (selector: string) => Array.from(doc.querySelectorAll(selector));
    for (const el of all('[src]'))
      if (el.localName !== 'iframe' && el.localName !== 'script') swap(el, 'src');
    for (const el of all('video[poster]')) swap(el, 'poster');
    for (const el of all('object[data]')) swap(el, 'data');
    for (const el of all('link[href]')) {
      if (/(^|\s)stylesheet(\s|$)/i.test(el.getAttribute('rel') ?? '')) swap(el, 'href');
    }
    for (const el of Array.from(doc.getElementsByTagNameNS('*', 'image'))) {
      swap(el, 'href');
      if (el.hasAttributeNS(XLINK, 'href')) swap(el, 'href', XLINK);
    }
    for (const el of all('[srcset]')) {
      const value = el.getAttribute('srcset') ?? '';
      jobs.push(
        Promise.all(
          value.split(',').map(async (candidate) => {
            const [url = '', ...descriptor] = candidate.trim().split(/\s+/);
            return [await this.replacement(url, sectionUrl, new Set()), ...descriptor].join(' ');
          }),
        ).then((parts) => el.setAttribute('srcset', parts.join(', '))),
      );
    }
    for (const el of all('style')) {
      jobs.push(
        this.rewriteCss(el.textContent ?? '', sectionUrl).then((css) => {
          el.textContent = css;
        }),
      );
    }
    for (const el of all('[style]')) {
      const value = el.getAttribute('style') ?? '';
      if (value.includes('url('))
        jobs.push(this.rewriteCss(value, sectionUrl).then((css) => el.setAttribute('style', css)));
    }
    rewriteMfenced(doc);
    const root = doc.documentElement;
    const own =
      root.getAttribute('lang') || root.getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang');
    if (!own && language) root.setAttribute('lang', language);
    else if (own && !root.getAttribute('lang')) root.setAttribute('lang', own);
    // Right to left when the document's (or else the book's) language is written so, unless it states its own
    // direction. Never from page progression alone: Japanese books progress rtl but their text runs ltr.
    const textLanguage = own || language;
    const dir = textLanguage ? bookTextAttrs(textLanguage).dir : direction;
    if (dir && !root.getAttribute('dir') && !doc.body?.getAttribute('dir')) root.setAttribute('dir', dir);
    await Promise.all(jobs);
  }

  destroy(): void {
    for (const url of this.blobUrls) URL.revokeObjectURL(url);
    this.blobUrls.length = 0;
    this.blobs.clear();
  }
}

/** A generated page for a spine item that is an image (bitmap or SVG): the image, whole, centred. */
function imagePage(entry: string): Document {
  const name = entry.slice(entry.lastIndexOf('/') + 1);
  const xhtml = `<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title></title>
<style>html, body { margin: 0; padding: 0; height: 100%; } body { display: flex; align-items: center; justify-content: center; }
img { display: block; max-width: 100%; max-height: 100vh; object-fit: contain; margin: auto; }</style></head>
<body><img src="" alt="" data-generated-page="image" /></body></html>`;
  const doc = new DOMParser().parseFromString(xhtml, 'application/xhtml+xml');
  // Set as an attribute (not in the markup) so any name, with spaces or quotes, stays one relative URL.
  doc.querySelector('img')?.setAttribute('src', encodeURIComponent(name));
  return doc;
}

/**
 * MathML `mfenced` (not drawn by Chromium) as the `mrow` + `mo` it stands for: the open and close fences around
 * the children, separated by the separators (the last one repeated).
 */
export function rewriteMfenced(doc: Document): void {
  const fenced = Array.from(doc.getElementsByTagNameNS(MATHML, 'mfenced'));
  // Innermost first, so nested fences are rewritten before their parents move them.
  for (const element of fenced.reverse()) {
    const open = element.getAttribute('open') ?? '(';
    const close = element.getAttribute('close') ?? ')';
    const separators = (element.getAttribute('separators') ?? ',').replace(/\s+/g, '');
    const row = doc.createElementNS(MATHML, 'mrow');
    const mo = (text: string, role: 'fence' | 'separator') => {
      const op = doc.createElementNS(MATHML, 'mo');
      op.setAttribute(role, 'true');
      op.textContent = text;
      return op;
    };
    if (open) row.append(mo(open, 'fence'));
    const children = Array.from(element.children);
    children.forEach((child, index) => {
      if (index > 0 && separators)
        row.append(mo(separators[Math.min(index - 1, separators.length - 1)]!, 'separator'));
      row.append(child);
    });
    if (close) row.append(mo(close, 'fence'));
    element.replaceWith(row);
  }
}

/**
 * Reverses EPUB font obfuscation: IDPF (key: SHA-1 of the unique identifier without whitespace, first 1040
 * bytes) or Adobe (key: the 16 bytes of the identifier's UUID, first 1024 bytes), both XOR.
 */
export async function deobfuscate(
  bytes: Uint8Array,
  algorithm: string,
  identifier: string,
): Promise<Uint8Array> {
  let key: Uint8Array;
  let length: number;
  if (algorithm === IDPF_OBFUSCATION) {
    const cleaned = identifier.replace(/[ \t\r\n]/g, '');
    key = new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(cleaned)));
    length = 1040;
  } else {
    const hex = identifier.replace(/^urn:uuid:/i, '').replace(/[^0-9a-f]/gi, '');
    if (hex.length < 32) return bytes;
    key = new Uint8Array(16);
    for (let i = 0; i < 16; i += 1) key[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    length = 1024;
  }
  const out = bytes.slice();
  for (let i = 0; i < Math.min(length, out.length); i += 1) out[i] = out[i]! ^ key[i % key.length]!;
  return out;
}
