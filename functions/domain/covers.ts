import { coverExtension, type CoverRendition, type StoredPublication, type Title } from './title';

/**
 * Cover sizes made at publication. The catalogue shows covers 80 px wide and the title page 160 px: 160 serves
 * the first on any screen and the second on a plain one, 320 the second on a dense (2x) phone screen.
 */
export const coverRenditionWidths = [160, 320] as const;

/** A resized cover, not yet stored. */
export interface RenderedCover {
  width: number;
  height: number;
  type: string;
  bytes: Uint8Array;
}

/** Makes the display sizes of a cover image (an adapter: sharp). Widths the original cannot fill are left out. */
export type CoverRenderer = (bytes: Uint8Array, widths: readonly number[]) => Promise<RenderedCover[]>;

export interface CoverStoreDeps {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  renderCover?: CoverRenderer;
  keys: {
    cover(titleId: string, extension: string): string;
    coverRendition(titleId: string, width: number, extension: string): string;
  };
}

/**
 * Stores a publication's cover and its display sizes. A cover that cannot be resized (a damaged image) is still
 * kept as it is: the catalogue then shows the original, as it did before renditions existed.
 */
export async function storeCover(
  deps: CoverStoreDeps,
  titleId: string,
  cover: { bytes: Uint8Array; contentType: string },
): Promise<NonNullable<StoredPublication['cover']>> {
  const key = deps.keys.cover(titleId, coverExtension(cover.contentType));
  await deps.put(key, cover.bytes, cover.contentType);
  const rendered: RenderedCover[] =
    (await deps.renderCover?.(cover.bytes, coverRenditionWidths).catch(() => [])) ?? [];
  const renditions: CoverRendition[] = [];
  for (const image of rendered.sort((a, b) => a.width - b.width)) {
    const renditionKey = deps.keys.coverRendition(titleId, image.width, coverExtension(image.type));
    await deps.put(renditionKey, image.bytes, image.type);
    renditions.push({ width: image.width, height: image.height, type: image.type, key: renditionKey });
  }
  return { key, contentType: cover.contentType, ...(renditions.length ? { renditions } : {}) };
}

/**
 * The image to send for a wanted display width: the narrowest rendition at least that wide, else the original
 * (wider than any rendition, or a title published before renditions existed).
 */
export function coverFor(
  title: Pick<Title, 'coverKey' | 'coverType' | 'coverRenditions'>,
  width: number | undefined,
): { key: string; type?: string } | undefined {
  if (!title.coverKey) return undefined;
  if (width !== undefined) {
    const fit = title.coverRenditions?.find((r) => r.width >= width);
    if (fit) return { key: fit.key, type: fit.type };
  }
  return { key: title.coverKey, ...(title.coverType ? { type: title.coverType } : {}) };
}
