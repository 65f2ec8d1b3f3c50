import { UnprocessableError, ValidationError } from './errors';

/**
 * A librarian's upload: a file sent straight to the store (never through the API) under `incoming/`, where no
 * patron link reaches, and kept there until it is validated and becomes a title, or is refused or aborted.
 */
export type UploadMode = 'single' | 'multipart';
/**
 * pending: links issued, bytes on their way; uploaded: stored, size checked; validating: being checked (a
 * claim, so two requests never publish one upload twice); published: became a title;
 * rejected: failed a check (object deleted); aborted: cancelled by the librarian (object/parts deleted).
 */
export type UploadState = 'pending' | 'uploaded' | 'validating' | 'published' | 'rejected' | 'aborted';

export interface Upload {
  id: string;
  mode: UploadMode;
  state: UploadState;
  /** Where the bytes land (under incoming/). */
  objectKey: string;
  fileName: string;
  contentType: string;
  /** Declared size, bytes; the stored object must have exactly this size. */
  size: number;
  /** Multipart only: the store's upload id, the part size and how many parts. */
  multipartId?: string;
  partSize?: number;
  partCount?: number;
  /** The librarian who started it. */
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** When the upload's links stop working and an unfinished upload is abandoned. */
  expiresAt: string;
  /** Set once published. */
  titleId?: string;
  /** Set once rejected: the refusal's code. */
  rejection?: string;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const uploadLimits = {
  /** Up to this size a file goes in one PUT; above it, in parts. */
  singlePutMaxBytes: 64 * MiB,
  /** Largest file accepted. */
  maxBytes: 2 * GiB,
  minPartBytes: 8 * MiB,
  maxPartBytes: 64 * MiB,
  /** Parts are sized so that a file needs at most this many (and so this many links). */
  targetMaxParts: 100,
  /** How long upload links stay valid, seconds. */
  linkTtlSeconds: 3600,
  /** How long an upload record is kept after its links expire (the object itself expires by lifecycle). */
  recordRetentionSeconds: 7 * 24 * 3600,
} as const;

export interface UploadPlan {
  mode: UploadMode;
  partSize?: number;
  partCount?: number;
}

/** Whole MiB parts of 8–64 MiB, as few as keep a 2 GiB file within ~100 parts. */
export function planUpload(size: number, limits = uploadLimits): UploadPlan {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: 'The size must be a whole number of bytes.',
      context: { field: 'size' },
    });
  }
  if (size === 0)
    throw new UnprocessableError({ code: 'EMPTY_FILE', detail: 'The file is empty.', context: { size } });
  if (size > limits.maxBytes) {
    throw new UnprocessableError({
      code: 'FILE_TOO_LARGE',
      detail: `Files may be at most ${limits.maxBytes} bytes.`,
      context: {
        size,
        maxBytes: limits.maxBytes,
      },
    });
  }
  if (size <= limits.singlePutMaxBytes) return { mode: 'single' };
  const wanted = Math.ceil(size / limits.targetMaxParts / MiB) * MiB;
  const partSize = Math.min(limits.maxPartBytes, Math.max(limits.minPartBytes, wanted));
  return { mode: 'multipart', partSize, partCount: Math.ceil(size / partSize) };
}

/** The byte range a part covers, for clients that slice the file. */
export function partRange(upload: Pick<Upload, 'size' | 'partSize'>, partNumber: number) {
  const partSize = upload.partSize ?? upload.size;
  const start = (partNumber - 1) * partSize;
  return { start, end: Math.min(upload.size, start + partSize) };
}

/** Completed parts must be exactly 1..partCount, each once, in order. */
export function checkCompletedParts(upload: Upload, parts: { partNumber: number; etag: string }[]): void {
  const expected = upload.partCount ?? 0;
  const numbers = parts.map((p) => p.partNumber);
  const inOrder = numbers.every((n, i) => n === i + 1);
  if (numbers.length !== expected || !inOrder) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: `The upload has ${expected} parts; list each of 1..${expected} once, in order.`,
      context: {
        field: 'parts',
        expected,
        received: numbers,
      },
    });
  }
}
