/** Caps that keep one hostile upload from exhausting a Lambda's memory or time. */
export interface InspectionLimits {
  /** Largest publication accepted at all. */
  maxFileBytes: number;
  /** EPUB: the declared uncompressed total may be at most this many times the file size... */
  maxCompressionRatio: number;
  /** ...and at most this many bytes in absolute terms. */
  maxUncompressedBytes: number;
  /** Largest single XML document (container.xml, OPF, encryption.xml) read into memory. */
  maxXmlBytes: number;
  /** Largest cover image returned; a bigger cover is left out, not refused. */
  maxCoverBytes: number;
  /** Largest zip central directory read (it is proportional to the number of entries). */
  maxCentralDirectoryBytes: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const defaultInspectionLimits: Readonly<InspectionLimits> = Object.freeze({
  maxFileBytes: 2 * GiB,
  maxCompressionRatio: 20,
  maxUncompressedBytes: 1 * GiB,
  maxXmlBytes: 4 * MiB,
  maxCoverBytes: 10 * MiB,
  maxCentralDirectoryBytes: 16 * MiB,
});
