import { UnprocessableError } from '../errors';
import type { CodeOfStatus } from '../problem-codes';
import { contentTypeOf, type Contributor, type ContributorRole } from '../title';
import type { ByteSource } from './byte-source';
import { classifyIdentifiers } from './identifiers';
import { maxInflatedTotal, type InspectionLimits } from './limits';
import { sniffImageType } from './images';
import type { Inspection, PublicationCover, PublicationMetadata } from './types';
import { titleFromFileName, UNTITLED } from './types';
import { attr, child, children, parseXmlDocument, textOf, type XmlNode } from './xml';
import { isSupportedMethod, readZipDirectory, readZipEntry, type ZipDirectory, type ZipEntry } from './zip';
import { zipInflationMeter } from './zip-stream';

const EPUB_MIMETYPE = 'application/epub+zip';
const CONTAINER_PATH = 'META-INF/container.xml';
const ENCRYPTION_PATH = 'META-INF/encryption.xml';
/** Files that only DRM schemes put in an EPUB (Adobe ADEPT rights, Readium LCP licence). */
const DRM_PATHS = ['META-INF/rights.xml', 'META-INF/license.lcpl'];
/** Font obfuscation is not encryption of the content: the reader can still show the book. */
const FONT_OBFUSCATION = new Set(['http://www.idpf.org/2008/embedding', 'http://ns.adobe.com/pdf/enc#RC']);
const OPF_MEDIA_TYPE = 'application/oebps-package+xml';

export async function inspectEpub(
  source: ByteSource,
  limits: InspectionLimits,
  declaredName?: string,
): Promise<Inspection> {
  const directory = await readZipDirectory(source, limits.maxCentralDirectoryBytes);
  checkEntries(source, directory, limits);
  await checkMimetype(source, directory);
  await checkNotEncrypted(source, directory, limits);

  const opfPath = await findPackageDocument(source, directory, limits);
  const opf = await readXml(source, directory, opfPath, limits, 'EPUB_CONTAINER_INVALID');
  const pkg = opf && child(opf, 'package');
  if (!pkg) {
    throw new UnprocessableError({
      code: 'EPUB_CONTAINER_INVALID',
      detail: 'The package document (OPF) cannot be read.',
      context: {
        path: opfPath,
      },
    });
  }
  const manifest = readManifest(pkg, opfPath);
  const spine = child(pkg, 'spine');
  const readable = children(spine, 'itemref').filter((itemref) => {
    const item = manifest.get(attr(itemref, 'idref') ?? '');
    return item?.path !== undefined && directory.byName.has(item.path);
  });
  if (readable.length === 0) {
    throw new UnprocessableError({
      code: 'EPUB_SPINE_EMPTY',
      detail: 'The publication has no readable content in its spine.',
      context: {
        path: opfPath,
      },
    });
  }

  const metadata = readMetadata(pkg, declaredName);
  metadata.spineLength = readable.length;
  const direction = attr(spine, 'page-progression-direction');
  if (direction === 'ltr' || direction === 'rtl') metadata.direction = direction;
  // Accepted (the reader keeps scripts off), but the librarian is told the interactive parts will not work.
  if ([...manifest.values()].some((item) => item.properties.includes('scripted'))) {
    metadata.warnings = ['EPUB_SCRIPTED'];
  }
  const cover = await readCover(source, directory, pkg, manifest, limits);
  // Headers can lie about sizes: what the entries really inflate to is counted on the whole-file read.
  const caps = {
    maxEntryBytes: limits.maxEntryUncompressedBytes,
    maxTotalBytes: maxInflatedTotal(source.size, limits),
  };
  return {
    format: 'epub',
    contentType: contentTypeOf.epub,
    metadata,
    ...(cover ? { cover } : {}),
    streamCheck: () => zipInflationMeter(directory, caps),
  };
}

/**
 * Every entry is checked before any is read: names, zip encryption, compression and the declared sizes (a
 * first, cheap refusal; what the entries really inflate to is counted later, see zip-stream.ts).
 */
function checkEntries(source: ByteSource, directory: ZipDirectory, limits: InspectionLimits): void {
  const seen = new Set<string>();
  let total = 0;
  for (const entry of directory.entries) {
    if (isUnsafeEntryName(entry.name)) {
      throw new UnprocessableError({
        code: 'EPUB_UNSAFE_PATH',
        detail: 'The EPUB contains an entry with an unsafe path.',
        context: {
          entry: entry.name,
        },
      });
    }
    if (seen.has(entry.name)) {
      // Two entries with one name could show the validator one file and the reader another.
      throw new UnprocessableError({
        code: 'EPUB_CONTAINER_INVALID',
        detail: 'The EPUB contains the same entry twice.',
        context: {
          entry: entry.name,
        },
      });
    }
    seen.add(entry.name);
    if (entry.flags & 0x1) {
      throw new UnprocessableError({
        code: 'EPUB_ENCRYPTED',
        detail: 'The EPUB is a password-protected zip.',
        context: {
          entry: entry.name,
        },
      });
    }
    if (!isSupportedMethod(entry.method)) {
      throw new UnprocessableError({
        code: 'EPUB_CONTAINER_INVALID',
        detail: 'The EPUB uses an unsupported zip compression.',
        context: {
          entry: entry.name,
          method: entry.method,
        },
      });
    }
    if (entry.localHeaderOffset + 30 + entry.compressedSize > directory.centralDirectoryOffset) {
      throw new UnprocessableError({
        code: 'TRUNCATED_FILE',
        detail: 'A zip entry lies beyond the end of the file.',
        context: {
          entry: entry.name,
        },
      });
    }
    if (entry.uncompressedSize > limits.maxEntryUncompressedBytes) {
      throw new UnprocessableError({
        code: 'EPUB_ZIP_BOMB',
        detail: `The entry ${entry.name} is larger than an entry may be.`,
        context: {
          entry: entry.name,
          declaredBytes: entry.uncompressedSize,
          maxEntryBytes: limits.maxEntryUncompressedBytes,
        },
      });
    }
    total += entry.uncompressedSize;
  }
  const maxTotal = maxInflatedTotal(source.size, limits);
  if (total > maxTotal) {
    throw new UnprocessableError({
      code: 'EPUB_ZIP_BOMB',
      detail: 'The EPUB would expand to far more than its own size.',
      context: {
        uncompressedBytes: total,
        fileBytes: source.size,
        maxUncompressedBytes: maxTotal,
      },
    });
  }
}

/** Relative, forward-slash paths only: no `..` segment, no leading slash, no backslash, no drive letter. */
export function isUnsafeEntryName(name: string): boolean {
  if (name === '' || name.includes('\\') || name.includes('\0')) return true;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return true;
  return name.split('/').some((segment) => segment === '..');
}

async function checkMimetype(source: ByteSource, directory: ZipDirectory): Promise<void> {
  const first = [...directory.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset)[0];
  const refuse = (reason: string): UnprocessableError =>
    new UnprocessableError({
      code: 'EPUB_MIMETYPE_INVALID',
      detail:
        'This is a zip file but not an EPUB: its first entry must be "mimetype" containing application/epub+zip.',
      context: { reason, firstEntry: first?.name },
    });
  if (!first || first.name !== 'mimetype' || first.localHeaderOffset !== 0)
    throw refuse('mimetype is not first');
  if (first.uncompressedSize !== EPUB_MIMETYPE.length) throw refuse('wrong content');
  const content = new TextDecoder().decode(
    await readZipEntry(source, directory, first, EPUB_MIMETYPE.length),
  );
  if (content !== EPUB_MIMETYPE) throw refuse('wrong content');
}

async function checkNotEncrypted(source: ByteSource, directory: ZipDirectory, limits: InspectionLimits) {
  for (const path of DRM_PATHS) {
    if (directory.byName.has(path)) {
      throw new UnprocessableError({
        code: 'EPUB_ENCRYPTED',
        detail: 'The EPUB is protected by DRM and cannot be lent here.',
        context: {
          path,
        },
      });
    }
  }
  if (!directory.byName.has(ENCRYPTION_PATH)) return;
  const encryption = child(
    await readXml(source, directory, ENCRYPTION_PATH, limits, 'EPUB_CONTAINER_INVALID'),
    'encryption',
  );
  if (!encryption) {
    throw new UnprocessableError({
      code: 'EPUB_CONTAINER_INVALID',
      detail: 'META-INF/encryption.xml cannot be read.',
      context: {
        path: ENCRYPTION_PATH,
      },
    });
  }
  if (children(encryption, 'EncryptedKey').length > 0) {
    throw new UnprocessableError({
      code: 'EPUB_ENCRYPTED',
      detail: 'The EPUB carries encryption keys (DRM).',
      context: {
        path: ENCRYPTION_PATH,
      },
    });
  }
  for (const data of children(encryption, 'EncryptedData')) {
    const algorithm = attr(child(data, 'EncryptionMethod'), 'Algorithm');
    if (!algorithm || !FONT_OBFUSCATION.has(algorithm)) {
      throw new UnprocessableError({
        code: 'EPUB_ENCRYPTED',
        detail: 'The EPUB has encrypted content and cannot be read here.',
        context: {
          algorithm,
          resource: attr(child(child(data, 'CipherData'), 'CipherReference'), 'URI'),
        },
      });
    }
  }
}

async function findPackageDocument(source: ByteSource, directory: ZipDirectory, limits: InspectionLimits) {
  if (!directory.byName.has(CONTAINER_PATH)) {
    throw new UnprocessableError({
      code: 'EPUB_CONTAINER_INVALID',
      detail: 'The EPUB has no META-INF/container.xml.',
    });
  }
  const container = child(
    await readXml(source, directory, CONTAINER_PATH, limits, 'EPUB_CONTAINER_INVALID'),
    'container',
  );
  const rootfiles = children(child(container, 'rootfiles'), 'rootfile');
  const rootfile = rootfiles.find((r) => attr(r, 'media-type') === OPF_MEDIA_TYPE) ?? rootfiles[0];
  const fullPath = attr(rootfile, 'full-path');
  const path = fullPath === undefined ? undefined : resolveHref('', fullPath);
  if (!path || !directory.byName.has(path)) {
    throw new UnprocessableError({
      code: 'EPUB_CONTAINER_INVALID',
      detail: 'META-INF/container.xml does not point to a package document in the EPUB.',
      context: { fullPath },
    });
  }
  return path;
}

async function readXml(
  source: ByteSource,
  directory: ZipDirectory,
  path: string,
  limits: InspectionLimits,
  code: CodeOfStatus<422>,
): Promise<XmlNode | undefined> {
  const entry = directory.byName.get(path) as ZipEntry;
  if (entry.uncompressedSize > limits.maxXmlBytes) {
    throw new UnprocessableError({
      code,
      detail: `${path} is larger than an XML document may be.`,
      context: {
        path,
        size: entry.uncompressedSize,
        maxXmlBytes: limits.maxXmlBytes,
      },
    });
  }
  const parsed = parseXmlDocument(await readZipEntry(source, directory, entry, limits.maxXmlBytes));
  if (parsed.refusal === 'entity-declarations') {
    // Entities are never expanded; a document that declares some is refused rather than read half-literally.
    throw new UnprocessableError({
      code,
      detail: `${path} declares entities (a DOCTYPE with an internal subset).`,
      context: {
        path,
      },
    });
  }
  if (!parsed.document)
    throw new UnprocessableError({ code, detail: `${path} is not well-formed XML.`, context: { path } });
  return parsed.document;
}

/**
 * Resolves a (percent-encoded) href against the path of the document that contains it, inside the zip.
 * Returns the decoded entry name, or undefined for remote or malformed references. Lookups go through the
 * zip's own entry list, so an href that climbs above the root can only fail to match, never escape.
 */
export function resolveHref(documentPath: string, href: string): string | undefined {
  const origin = 'http://epub.invalid';
  const base = `${origin}/${documentPath.split('/').map(encodeURIComponent).join('/')}`;
  try {
    const url = new URL(href, base);
    if (url.origin !== origin) return undefined;
    const path = decodeURIComponent(url.pathname.slice(1));
    return path || undefined;
  } catch {
    return undefined;
  }
}

interface ManifestItem {
  id: string;
  path?: string;
  mediaType?: string;
  properties: string[];
}

function readManifest(pkg: XmlNode, opfPath: string): Map<string, ManifestItem> {
  const items = new Map<string, ManifestItem>();
  for (const item of children(child(pkg, 'manifest'), 'item')) {
    const id = attr(item, 'id');
    const href = attr(item, 'href');
    if (!id || items.has(id)) continue;
    items.set(id, {
      id,
      path: href === undefined ? undefined : resolveHref(opfPath, href),
      mediaType: attr(item, 'media-type'),
      properties: (attr(item, 'properties') ?? '').split(/\s+/).filter(Boolean),
    });
  }
  return items;
}

/** MARC relator codes (as EPUB 2 `opf:role` and EPUB 3 `role` refinements give them) by catalogue role. */
const relatorRoles: Record<string, ContributorRole | 'author'> = {
  aut: 'author',
  cre: 'author',
  trl: 'translator',
  edt: 'editor',
  ill: 'illustrator',
  art: 'artist',
  nrt: 'narrator',
};

interface Refinement {
  property: string;
  value: string;
  scheme?: string;
}

function readMetadata(pkg: XmlNode, declaredName: string | undefined): PublicationMetadata {
  const metadata = child(pkg, 'metadata');
  // OEB-era packages nest the Dublin Core elements one level deeper.
  const holders = [metadata, child(metadata, 'dc-metadata')].filter((n): n is XmlNode => n !== undefined);
  const all = (name: string): XmlNode[] => holders.flatMap((holder) => children(holder, name));
  const first = (name: string): string | undefined => all(name).map(textOf).find(Boolean);
  const refinements = new Map<string, Refinement[]>();
  for (const meta of all('meta')) {
    const refines = attr(meta, 'refines');
    const property = attr(meta, 'property');
    if (!refines?.startsWith('#') || !property) continue;
    const list = refinements.get(refines.slice(1)) ?? [];
    const scheme = attr(meta, 'scheme');
    list.push({ property, value: textOf(meta), ...(scheme ? { scheme } : {}) });
    refinements.set(refines.slice(1), list);
  }
  const refined = (node: XmlNode, property: string): Refinement[] =>
    (refinements.get(attr(node, 'id') ?? '') ?? []).filter((r) => r.property === property && r.value);
  // Alternate scripts (EPUB 3): a name or title written again, e.g. in Latin letters beside Devanagari.
  const alternates = (node: XmlNode): string[] => refined(node, 'alternate-script').map((r) => r.value);

  const titles = all('title').filter((t) => textOf(t));
  const main = titles.find((t) => refined(t, 'title-type')[0]?.value === 'main') ?? titles[0];
  const dates = all('date').filter((d) => textOf(d));
  const date = dates.find((d) => attr(d, 'event') === 'publication') ?? dates[0];
  const description = first('description');
  const mainTitle = main && textOf(main);

  const authors: string[] = [];
  const contributors: Contributor[] = [];
  const alternateNames: string[] = [];
  const credit = (node: XmlNode, unstated: ContributorRole | 'author') => {
    const name = textOf(node);
    if (!name) return;
    // EPUB 3 refines the role; EPUB 2 gives it as opf:role. A creator may hold several (author and illustrator).
    const codes = [
      ...refined(node, 'role')
        .filter((r) => !r.scheme || r.scheme === 'marc:relators')
        .map((r) => r.value),
      attr(node, 'role'),
    ]
      .filter((code): code is string => Boolean(code))
      .map((code) => code.trim().toLowerCase());
    const roles = [...new Set(codes.map((code) => relatorRoles[code] ?? 'contributor'))];
    for (const role of roles.length ? roles : [unstated]) {
      if (role === 'author') authors.push(name);
      else contributors.push({ name, role });
    }
    alternateNames.push(...alternates(node));
  };
  for (const creator of all('creator')) credit(creator, 'author');
  for (const contributor of all('contributor')) credit(contributor, 'contributor');

  // Another dc:title in another language is the same title translated (xml:lang arrives as `lang`).
  const mainLanguage = main && attr(main, 'lang');
  const alternateTitles = [
    ...(main ? alternates(main) : []),
    ...titles
      .filter((t) => t !== main && attr(t, 'lang') && attr(t, 'lang') !== mainLanguage)
      .flatMap((t) => [textOf(t), ...alternates(t)]),
  ];

  const result: PublicationMetadata = {
    title: mainTitle || titleFromFileName(declaredName) || UNTITLED,
    authors,
    subjects: all('subject').map(textOf).filter(Boolean),
    identifiers: classifyIdentifiers(
      all('identifier').map((node) => ({ value: textOf(node), scheme: attr(node, 'scheme') })),
    ),
  };
  const language = first('language');
  const publisher = first('publisher');
  const plainDescription = description && stripHtml(description);
  if (language) result.language = language;
  if (publisher) result.publisher = publisher;
  if (date) result.published = textOf(date);
  if (plainDescription) result.description = plainDescription;
  if (contributors.length) result.contributors = contributors;
  const otherTitles = distinct(alternateTitles).filter((t) => t !== result.title);
  if (otherTitles.length) result.alternateTitles = otherTitles;
  const otherNames = distinct(alternateNames).filter(
    (n) => !authors.includes(n) && !contributors.some((c) => c.name === n),
  );
  if (otherNames.length) result.alternateNames = otherNames;
  return result;
}

function distinct(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))];
}

/** Descriptions often carry (escaped) HTML; the catalogue wants plain text. */
export function stripHtml(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&(amp|lt|gt|quot|apos|#39);/g, (_m, name: string) => htmlEntities[name] ?? _m)
    .replace(/\s+/g, ' ')
    .trim();
}

const htmlEntities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

async function readCover(
  source: ByteSource,
  directory: ZipDirectory,
  pkg: XmlNode,
  manifest: Map<string, ManifestItem>,
  limits: InspectionLimits,
): Promise<PublicationCover | undefined> {
  const items = [...manifest.values()];
  const metadata = child(pkg, 'metadata');
  const epub2CoverId = [...children(metadata, 'meta'), ...children(child(metadata, 'x-metadata'), 'meta')]
    .filter((meta) => attr(meta, 'name') === 'cover')
    .map((meta) => attr(meta, 'content'))
    .find(Boolean);
  const item =
    items.find((i) => i.properties.includes('cover-image')) ??
    (epub2CoverId ? manifest.get(epub2CoverId) : undefined);
  const entry = item?.path === undefined ? undefined : directory.byName.get(item.path);
  // A missing or oversized cover does not make the book unreadable; it is simply left out.
  if (!entry || entry.uncompressedSize > limits.maxCoverBytes) return undefined;
  const bytes = await readZipEntry(source, directory, entry, limits.maxCoverBytes);
  const contentType = sniffImageType(bytes);
  return contentType ? { bytes, contentType } : undefined;
}
