import { PustakaError, UnprocessableError } from '../errors';
import { contentTypeOf } from '../title';
import { readExactly, type ByteSource } from './byte-source';
import { classifyIdentifiers } from './identifiers';
import { loadNativeModule } from './native-modules';
import { checkPdfStructure } from './pdf-structure';
import type { Inspection, PublicationCover, PublicationMetadata } from './types';
import { titleFromFileName, UNTITLED } from './types';
import { attr, children, parseXml, textOf, type XmlNode } from './xml';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type Canvas = typeof import('@napi-rs/canvas');
type PdfDocument = Awaited<ReturnType<Pdfjs['getDocument']>['promise']>;
type TextItem = import('pdfjs-dist/types/src/display/api').TextItem;

/** The width a PDF's first page is drawn at when it stands in for a cover. */
const firstPageImageWidth = 600;

let canvasModule: Canvas | undefined;

let pdfjsLoading: Promise<Pdfjs> | undefined;

/**
 * pdfjs is loaded on first use (it is large, and most requests never see a PDF). Its worker runs in this
 * thread: registering the worker module as `globalThis.pdfjsWorker` makes pdfjs use it directly instead of
 * importing a worker file by path, which also keeps it working inside an esbuild bundle.
 */
function loadPdfjs(): Promise<Pdfjs> {
  pdfjsLoading ??= (async () => {
    canvasModule = loadCanvas();
    provideDomMatrixIfMissing();
    const worker = await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    return import('pdfjs-dist/legacy/build/pdf.mjs');
  })().catch((error: unknown) => {
    pdfjsLoading = undefined;
    throw error;
  });
  return pdfjsLoading;
}

/**
 * @napi-rs/canvas (pdfjs's optional native companion) draws a PDF's first page where the file has no cover.
 * Where it is not there (a bundle without it), inspection goes on without drawing: such a PDF has no image.
 */
function loadCanvas(): Canvas | undefined {
  try {
    const canvas = loadNativeModule('@napi-rs/canvas');
    const scope = globalThis as { DOMMatrix?: unknown; Path2D?: unknown; ImageData?: unknown };
    scope.DOMMatrix ??= canvas.DOMMatrix;
    scope.Path2D ??= canvas.Path2D;
    scope.ImageData ??= canvas.ImageData;
    return canvas;
  } catch {
    return undefined;
  }
}

/**
 * The first page as a JPEG, the PDF's image in catalogues. Best effort: a page pdfjs cannot draw leaves the
 * title without an image rather than refusing a file that reads well.
 */
async function firstPageImage(document: PdfDocument): Promise<PublicationCover | undefined> {
  const canvas = canvasModule;
  if (!canvas || document.numPages < 1) return undefined;
  try {
    const page = await document.getPage(1);
    const natural = page.getViewport({ scale: 1 });
    if (!(natural.width > 0 && natural.height > 0)) return undefined;
    const viewport = page.getViewport({ scale: firstPageImageWidth / natural.width });
    const width = Math.round(viewport.width);
    const height = Math.round(viewport.height);
    // A strip of a page (a banner, a receipt roll) is not worth a huge image.
    if (height > width * 4) return undefined;
    const surface = canvas.createCanvas(width, height);
    const context = surface.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    await page.render({
      canvasContext: context as unknown as CanvasRenderingContext2D,
      canvas: surface as unknown as HTMLCanvasElement,
      viewport,
    }).promise;
    const bytes = await surface.encode('jpeg', 85);
    return { bytes: new Uint8Array(bytes), contentType: 'image/jpeg', width, height };
  } catch {
    return undefined;
  }
}

/**
 * pdfjs's display layer builds one identity DOMMatrix as soon as it loads. In plain Node it borrows DOMMatrix
 * from the optional native @napi-rs/canvas package, which a function without the native layer lacks; without
 * it inspection never renders, so an inert stand-in is enough to let the module load.
 */
function provideDomMatrixIfMissing(): void {
  const scope = globalThis as { DOMMatrix?: unknown };
  if (scope.DOMMatrix !== undefined) return;
  scope.DOMMatrix = class InertDOMMatrix {
    a = 1;
    b = 0;
    c = 0;
    d = 1;
    e = 0;
    f = 0;
  };
}

export async function inspectPdf(source: ByteSource, declaredName?: string): Promise<Inspection> {
  const { encrypted } = await checkPdfStructure(source);
  const pdfjs = await loadPdfjs();

  let failRead: (error: unknown) => void = () => {};
  const readFailed = new Promise<never>((_resolve, reject) => {
    failRead = reject;
  });
  readFailed.catch(() => {});

  /** Hands pdfjs the ranges it asks for, straight from the source; nothing else of the file is read. */
  class SourceRangeTransport extends pdfjs.PDFDataRangeTransport {
    override requestDataRange(begin: number, end: number): void {
      const to = Math.min(end, source.size);
      readExactly(source, begin, to - begin).then(
        (chunk) => this.onDataRange(begin, chunk),
        (error: unknown) => failRead(error),
      );
    }
  }

  const task = pdfjs.getDocument({
    range: new SourceRangeTransport(source.size, null),
    disableAutoFetch: true,
    disableStream: true,
    disableFontFace: true,
    useSystemFonts: false,
    enableXfa: false,
    stopAtErrors: true,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  try {
    const document = await Promise.race([task.promise, readFailed]);
    const { info, metadata: xmp } = await Promise.race([document.getMetadata(), readFailed]);
    const fields = info as Record<string, unknown>;
    // It opened without a password yet is encrypted: the user password is empty and an owner (permissions)
    // password restricts printing, copying or editing. The librarian can lift that; say how.
    if (encrypted || fields.EncryptFilterName) {
      throw new UnprocessableError({
        code: 'PDF_RESTRICTED',
        detail:
          'The PDF opens without a password but is locked by a permissions (owner) password that restricts ' +
          'printing, copying or editing. Remove the permissions password (for example with ' +
          '"qpdf --decrypt in.pdf out.pdf", or by saving it without security in a PDF editor) and upload it again.',
        context: {
          filter: typeof fields.EncryptFilterName === 'string' ? fields.EncryptFilterName : 'Standard',
        },
      });
    }
    const xmpFields = xmpOf(xmp?.getRaw());
    // Info's title first; without it XMP's, then what the first page shows largest, and only then the file name.
    const shownTitle =
      infoText(fields, 'Title') || xmpFields.title
        ? undefined
        : await Promise.race([largestFirstPageText(document), readFailed]);
    const metadata = metadataOf(fields, xmpFields, shownTitle, document.numPages, declaredName, pdfjs);
    const cover = await Promise.race([firstPageImage(document), readFailed]);
    return {
      format: 'pdf',
      contentType: contentTypeOf.pdf,
      metadata,
      ...(cover ? { cover } : {}),
    };
  } catch (error) {
    throw refusalFor(error, encrypted);
  } finally {
    await task.destroy();
  }
}

function refusalFor(error: unknown, encrypted: boolean): PustakaError {
  if (error instanceof PustakaError) return error;
  const name = error instanceof Error ? error.name : '';
  const reason = error instanceof Error ? error.message : String(error);
  // An encrypted file that pdfjs cannot open (a user password, or a security handler it lacks) is locked to us.
  if (name === 'PasswordException' || encrypted) {
    return new UnprocessableError({
      code: 'PDF_ENCRYPTED',
      detail: 'The PDF is password-protected; upload an unprotected copy.',
    });
  }
  return new UnprocessableError({
    code: 'PDF_INVALID',
    detail: 'The file is not a readable PDF.',
    context: { reason },
  });
}

function infoText(info: Record<string, unknown>, key: string): string | undefined {
  const value = info[key];
  return typeof value === 'string' && value.trim() ? value.replace(/\s+/g, ' ').trim() : undefined;
}

function metadataOf(
  info: Record<string, unknown>,
  xmp: XmpFields,
  shownTitle: string | undefined,
  pageCount: number,
  declaredName: string | undefined,
  pdfjs: Pdfjs,
): PublicationMetadata {
  const text = (key: string) => infoText(info, key);
  const authors = splitList(text('Author'), /\s*;\s*/);
  const metadata: PublicationMetadata = {
    title: text('Title') ?? xmp.title ?? shownTitle ?? titleFromFileName(declaredName) ?? UNTITLED,
    authors: authors.length ? authors : xmp.creators,
    subjects: splitList(text('Keywords'), /\s*[;,]\s*/),
    identifiers: classifyIdentifiers([]),
    pageCount,
  };
  const description = text('Subject') ?? xmp.description;
  const language = text('Language') ?? xmp.language;
  const creationDate = text('CreationDate');
  const created = creationDate ? pdfjs.PDFDateString.toDateObject(creationDate) : null;
  if (description) metadata.description = description;
  if (language) metadata.language = language;
  if (created && !Number.isNaN(created.getTime())) metadata.published = created.toISOString().slice(0, 10);
  return metadata;
}

interface XmpFields {
  title?: string;
  description?: string;
  language?: string;
  creators: string[];
}

/**
 * The Dublin Core fields of a PDF's XMP packet, read with the same guarded parser as EPUB packages (no entities).
 * pdfjs's own reading joins every language of an rdf:Alt into one string; here the x-default one is taken.
 */
function xmpOf(raw: string | undefined): XmpFields {
  const fields: XmpFields = { creators: [] };
  const document = raw ? parseXml(new TextEncoder().encode(raw)) : undefined;
  if (!document) return fields;
  const descriptions: XmlNode[] = [];
  const walk = (node: XmlNode, depth: number) => {
    if (depth > 6) return;
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('@_') || !Array.isArray(value)) continue;
      for (const inner of children(node, key)) {
        if (key === 'Description') descriptions.push(inner);
        else walk(inner, depth + 1);
      }
    }
  };
  walk(document, 0);
  const items = (name: string): XmlNode[] =>
    descriptions
      .flatMap((d) => children(d, name))
      .flatMap((property) => {
        const list = ['Alt', 'Seq', 'Bag'].flatMap((kind) => children(property, kind));
        return list.length ? list.flatMap((l) => children(l, 'li')) : [property];
      });
  const alternative = (name: string): string | undefined => {
    const values = items(name).filter((li) => textOf(li));
    const chosen = values.find((li) => attr(li, 'lang') === 'x-default') ?? values[0];
    return chosen ? textOf(chosen) : undefined;
  };
  const title = alternative('title');
  const description = alternative('description');
  const language = items('language').map(textOf).find(Boolean);
  if (title) fields.title = title;
  if (description) fields.description = description;
  if (language) fields.language = language;
  fields.creators = items('creator').map(textOf).filter(Boolean);
  return fields;
}

/** Longest a title read off a page may be; more is a paragraph, not a title. */
const maxShownTitleLength = 200;

/**
 * The largest text on the first page (a title page's title), in reading order. Best effort: a page whose text
 * cannot be read gives nothing and the file name stands in.
 */
async function largestFirstPageText(document: PdfDocument): Promise<string | undefined> {
  if (document.numPages < 1) return undefined;
  try {
    const page = await document.getPage(1);
    const content = await page.getTextContent();
    const runs = content.items
      .filter((item): item is TextItem => 'str' in item && item.str.trim() !== '')
      .map((item) => ({ text: item.str, size: Math.hypot(item.transform[2], item.transform[3]) }));
    const largest = Math.max(0, ...runs.map((r) => r.size));
    if (!(largest > 0)) return undefined;
    // Runs within 5 % of the largest size belong to the same heading (a title set on two lines, kerned pieces).
    const shown = runs
      .filter((r) => r.size >= largest * 0.95)
      .map((r) => r.text)
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    if ((shown.match(/[\p{L}\p{N}]/gu) ?? []).length < 2) return undefined;
    return shown.length > maxShownTitleLength ? undefined : shown;
  } catch {
    return undefined;
  }
}

function splitList(value: string | undefined, separator: RegExp): string[] {
  return value ? value.split(separator).filter(Boolean) : [];
}
