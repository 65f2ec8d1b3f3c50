import type { CoverRenderer, RenderedCover } from '../domain/covers';
import { loadNativeModule } from '../domain/publication/native-modules';

/** A decoded image larger than this many pixels is not resized (a crafted "cover" must not exhaust memory). */
const maxInputPixels = 40_000_000;

/**
 * Cover renditions with sharp: WebP (every browser the reader supports shows it), quality chosen so a 160 px
 * cover stays well under 25 KB. Only widths the original can fill are made; no cover is enlarged.
 */
export const renderCoverWithSharp: CoverRenderer = async (bytes, widths) => {
  // Loaded when a cover is made, never at start: on Lambda sharp comes from the librarian API's layer.
  const sharp = loadNativeModule('sharp');
  const source = sharp(bytes, { limitInputPixels: maxInputPixels, animated: false });
  const { width: originalWidth } = await source.metadata();
  if (!originalWidth) return [];
  const made: RenderedCover[] = [];
  for (const width of widths) {
    if (width > originalWidth) continue;
    const { data, info } = await source
      .clone()
      .rotate()
      .resize({ width, withoutEnlargement: true })
      .webp({ quality: width <= 160 ? 70 : 75, effort: 4 })
      .toBuffer({ resolveWithObject: true });
    made.push({ width: info.width, height: info.height, type: 'image/webp', bytes: new Uint8Array(data) });
  }
  return made;
};
