/** Caps that keep one hostile upload from exhausting a Lambda's memory or time. */
export interface InspectionLimits {
  /** Largest publication accepted at all. */
  maxFileBytes: number;
  /**
   * EPUB, inflated total (declared, then counted while inflating): once it passes `strictRatioAboveBytes`, at
   * most this many times the file size...
   */
  maxCompressionRatio: number;
  strictRatioAboveBytes: number;
  /** ...below that, at most this many times: only padding (zeros, runs of spaces) compresses this far. */
  maxLooseCompressionRatio: number;
  /** ...and at most this many bytes in absolute terms. */
  maxUncompressedBytes: number;
  /** EPUB: what one entry may inflate to (declared, then counted). */
  maxEntryUncompressedBytes: number;
  /** Largest single XML document (container.xml, OPF, encryption.xml) read into memory. */
  maxXmlBytes: number;
  /** Largest cover image returned; a bigger cover is left out, not refused. */
  maxCoverBytes: number;
  /** Largest zip central directory read (it is proportional to the number of entries). */
  maxCentralDirectoryBytes: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * Why these figures. Markup compresses far better than the old 20x rule assumed: a real 955 KB MathML
 * textbook inflates to 25 MB (26:1), and SVG- or table-heavy books come close; only degenerate data (zeros,
 * runs of one character) passes 100:1, deflate's ceiling being about 1032:1. What a hostile file can cost
 * is bounded by the absolute caps, since every byte is counted as it inflates: 1 GiB in all (as before;
 * stored entries cost nothing to count, deflated ones what fflate needs to inflate them) and 256 MiB per
 * entry (a reader on a phone inflates one entry at a time; audio and video entries, stored rather than
 * deflated, are the large legitimate ones). The strict 20x ratio only matters above 128 MiB inflated, where
 * a publication is large enough that its size should come from images and media, not from text.
 */
export const defaultInspectionLimits: Readonly<InspectionLimits> = Object.freeze({
  maxFileBytes: 2 * GiB,
  maxCompressionRatio: 20,
  strictRatioAboveBytes: 128 * MiB,
  maxLooseCompressionRatio: 100,
  maxUncompressedBytes: 1 * GiB,
  maxEntryUncompressedBytes: 256 * MiB,
  maxXmlBytes: 4 * MiB,
  maxCoverBytes: 10 * MiB,
  maxCentralDirectoryBytes: 16 * MiB,
});

/** The most an EPUB of `fileBytes` may inflate to, in total, under `limits`. */
export function maxInflatedTotal(fileBytes: number, limits: InspectionLimits): number {
  const loose = Math.min(limits.strictRatioAboveBytes, limits.maxLooseCompressionRatio * fileBytes);
  return Math.min(limits.maxUncompressedBytes, Math.max(limits.maxCompressionRatio * fileBytes, loose));
}
