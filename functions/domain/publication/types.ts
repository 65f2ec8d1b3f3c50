import type { Contributor, Format, Identifiers, TitleWarning } from '../title';
import type { ByteSink } from './byte-source';

/** What a publication says about itself, in the catalogue's terms. */
export interface PublicationMetadata {
  title: string;
  authors: string[];
  language?: string;
  publisher?: string;
  published?: string;
  description?: string;
  subjects: string[];
  identifiers: Identifiers;
  pageCount?: number;
  direction?: 'ltr' | 'rtl';
  /** Translators, editors, illustrators...: everyone credited who is not an author (authors are above). */
  contributors?: Contributor[];
  /** The title in other scripts or languages (EPUB 3 alternate-script, another dc:title's xml:lang). */
  alternateTitles?: string[];
  /** Authors' and contributors' names in other scripts (EPUB 3 alternate-script refinements). */
  alternateNames?: string[];
  /** EPUB: how many readable items the spine has. */
  spineLength?: number;
  /** Accepted, but a librarian should know (e.g. EPUB_SCRIPTED). */
  warnings?: TitleWarning[];
}

export interface PublicationCover {
  bytes: Uint8Array;
  contentType: string;
  /** In pixels, read from the image itself (see inspect.ts). */
  width?: number;
  height?: number;
}

/** The result of inspecting an upload that passed every check. */
export interface Inspection {
  format: Format;
  contentType: string;
  metadata: PublicationMetadata;
  cover?: PublicationCover;
  /**
   * What inspecting by ranges cannot see and the whole-file read must still check (an EPUB: what each entry
   * really inflates to). Each call gives a fresh check; a file is accepted only once it has seen every byte.
   */
  streamCheck?: () => ByteSink;
}

/** Title to use when the publication has none: the uploaded file's name without its extension. */
export function titleFromFileName(declaredName: string | undefined): string | undefined {
  if (!declaredName) return undefined;
  const base = declaredName.split(/[\\/]/).pop() ?? '';
  const title = base.replace(/\.[^.]*$/, '').trim();
  return title || undefined;
}

export const UNTITLED = 'Untitled';
