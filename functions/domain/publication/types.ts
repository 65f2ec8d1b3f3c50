import type { Format, Identifiers } from '../title';

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
}

export interface PublicationCover {
  bytes: Uint8Array;
  contentType: string;
}

/** The result of inspecting an upload that passed every check. */
export interface Inspection {
  format: Format;
  contentType: string;
  metadata: PublicationMetadata;
  cover?: PublicationCover;
}

/** Title to use when the publication has none: the uploaded file's name without its extension. */
export function titleFromFileName(declaredName: string | undefined): string | undefined {
  if (!declaredName) return undefined;
  const base = declaredName.split(/[\\/]/).pop() ?? '';
  const title = base.replace(/\.[^.]*$/, '').trim();
  return title || undefined;
}

export const UNTITLED = 'Untitled';
