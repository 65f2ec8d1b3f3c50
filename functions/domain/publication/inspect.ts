import { UnprocessableError } from '../errors';
import { readExactly, type ByteSource } from './byte-source';
import { inspectEpub } from './epub';
import { defaultInspectionLimits, type InspectionLimits } from './limits';
import { loadNativeModule } from './native-modules';
import { inspectPdf } from './pdf';
import type { Inspection, PublicationCover } from './types';

export interface InspectOptions {
  /** The name the uploader gave the file; used to catch a mislabelled file and as a last-resort title. */
  declaredName?: string;
  limits?: Partial<InspectionLimits>;
}

/**
 * Validates an untrusted upload by its content (never by its name) and extracts what the catalogue needs.
 * Every refusal is an UnprocessableError (422) with a stable code; nothing else escapes.
 */
export async function inspectPublication(source: ByteSource, opts: InspectOptions = {}): Promise<Inspection> {
  const limits: InspectionLimits = { ...defaultInspectionLimits, ...opts.limits };
  if (source.size === 0) throw new UnprocessableError({ code: 'EMPTY_FILE', detail: 'The file is empty.' });
  if (source.size > limits.maxFileBytes) {
    throw new UnprocessableError({
      code: 'FILE_TOO_LARGE',
      detail: 'The file is larger than a publication may be.',
      context: {
        size: source.size,
        maxFileBytes: limits.maxFileBytes,
      },
    });
  }
  const head = await readExactly(source, 0, Math.min(source.size, 5));
  const format = formatOf(head);
  if (!format) {
    throw new UnprocessableError({
      code: 'UNSUPPORTED_FORMAT',
      detail: 'Only EPUB and PDF files can be added to the library.',
    });
  }
  const declaredExtension = /\.(epub|pdf)$/i.exec(opts.declaredName?.trim() ?? '')?.[1]?.toLowerCase();
  if (declaredExtension && declaredExtension !== format) {
    throw new UnprocessableError({
      code: 'FORMAT_MISMATCH',
      detail: `The file is named .${declaredExtension} but its content is ${format.toUpperCase()}.`,
      context: { declaredName: opts.declaredName, detected: format },
    });
  }
  const inspection =
    format === 'pdf'
      ? await inspectPdf(source, opts.declaredName)
      : await inspectEpub(source, limits, opts.declaredName);
  return inspection.cover ? { ...inspection, cover: await withSize(inspection.cover) } : inspection;
}

/**
 * The cover's real size, for the `width`/`height` catalogues give apps. Read from the image header with sharp
 * (no decoding); an image sharp cannot read keeps no size rather than failing the upload.
 */
async function withSize(cover: PublicationCover): Promise<PublicationCover> {
  if (cover.width && cover.height) return cover;
  try {
    const sharp = loadNativeModule('sharp');
    const { width, height } = await sharp(cover.bytes).metadata();
    return width && height ? { ...cover, width, height } : cover;
  } catch {
    return cover;
  }
}

function formatOf(head: Uint8Array): 'epub' | 'pdf' | undefined {
  const text = String.fromCharCode(...head);
  if (text === '%PDF-') return 'pdf';
  if (text.startsWith('PK\x03\x04')) return 'epub';
  return undefined;
}
