import { XMLParser } from 'fast-xml-parser';

/**
 * XML from uploads is untrusted: entities are never expanded (no DOCTYPE tricks, no billion laughs), only the
 * five predefined entities and numeric character references are decoded, by hand, in the values we keep, and a
 * document that declares entities at all (a DOCTYPE with an internal subset) is refused before parsing.
 * Namespace prefixes are dropped so `dc:title`, `opf:package` and an unprefixed `package` read the same.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
});

export type XmlNode = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: false });

export interface XmlParse {
  document?: XmlNode;
  /** Why there is no document. */
  refusal?: 'malformed' | 'entity-declarations';
}

/** Parses a document, or says why it will not: not well-formed enough to read, or declaring entities. */
export function parseXmlDocument(bytes: Uint8Array): XmlParse {
  let text = utf8.decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (declaresEntities(text)) return { refusal: 'entity-declarations' };
  try {
    const parsed: unknown = parser.parse(text, true);
    return isNode(parsed) ? { document: parsed } : { refusal: 'malformed' };
  } catch {
    return { refusal: 'malformed' };
  }
}

/** Parses a document; returns undefined when it is not well-formed enough to read or declares entities. */
export function parseXml(bytes: Uint8Array): XmlNode | undefined {
  return parseXmlDocument(bytes).document;
}

/**
 * True for a DOCTYPE with an internal subset (the only place entities can be declared) and for any entity
 * declaration at all. A DOCTYPE that only names an external DTD (`PUBLIC "…" "…"`, as OEB-era packages and
 * NCX files carry) is harmless: nothing is ever fetched, so it is allowed.
 */
export function declaresEntities(text: string): boolean {
  if (/<!ENTITY/i.test(text)) return true;
  const start = text.search(/<!DOCTYPE/i);
  if (start < 0) return false;
  let quote: string | undefined;
  for (let i = start + '<!DOCTYPE'.length; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[') {
      return true;
    } else if (c === '>') {
      return false;
    }
  }
  return false;
}

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Child elements with a local name (every element is an array because of `isArray`). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (!node) return [];
  const value = node[name];
  if (!Array.isArray(value)) return [];
  return value.map((item: unknown) => (isNode(item) ? item : { '#text': String(item ?? '') }));
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@_${name}`];
  return typeof value === 'string' ? decodeXmlEntities(value) : undefined;
}

/** All text inside an element, in document order, with whitespace collapsed. */
export function textOf(node: XmlNode | undefined): string {
  if (!node) return '';
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string' || typeof value === 'number') parts.push(String(value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (isNode(value)) {
      for (const [key, inner] of Object.entries(value)) if (!key.startsWith('@_')) walk(inner);
    }
  };
  walk(node);
  return decodeXmlEntities(parts.join(' ')).replace(/\s+/g, ' ').trim();
}

const predefined: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (match, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
        ? String.fromCodePoint(code)
        : match;
    }
    return predefined[ref] ?? match;
  });
}
