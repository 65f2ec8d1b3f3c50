import type { ContentLinkSigner } from './content-links';
import { storeCover, type CoverRenderer } from './covers';
import { ConflictError, NotFoundError, PustakaError, UnprocessableError } from './errors';
import type { IdSource } from './ids';
import type { CodeOfStatus } from './problem-codes';
import type { Clock, PublishedTitleRef, TitleRepository, UploadObjectStore, UploadRepository } from './ports';
import type { inspectPublication, InspectionLimits } from './publication';
import { titleFromPublication, type AccessMode, type Title, type TitleMetadata } from './title';
import { isbnKey } from './title-list';
import {
  checkCompletedParts,
  partRange,
  planUpload,
  uploadLimits,
  type Upload,
  type UploadState,
} from './upload';

/**
 * The librarian's content pipeline: an upload goes straight from the browser to the store (under incoming/),
 * is checked by its content, and only then becomes a title under content/. Everything refused is deleted.
 */
export interface ContentPipelineDeps {
  uploads: UploadRepository;
  objects: UploadObjectStore;
  /** The publication inspector (injected: it is heavy, and only the librarian function carries it). */
  inspect: typeof inspectPublication;
  titles: TitleRepository;
  links: ContentLinkSigner;
  clock: Clock;
  /** New upload and title ids. */
  ids: IdSource;
  /** Object keys (built in the adapters' keys module). */
  keys: {
    incoming(uploadId: string): string;
    frozen(uploadId: string): string;
    content(titleId: string, format: string): string;
    cover(titleId: string, extension: string): string;
    coverRendition(titleId: string, width: number, extension: string): string;
  };
  /** Makes the cover's display sizes; without it titles keep only the original cover. */
  renderCover?: CoverRenderer;
  inspectionLimits?: Partial<InspectionLimits>;
}

export interface UploadRequest {
  fileName: string;
  contentType: string;
  size: number;
}

export interface PartLink {
  partNumber: number;
  url: string;
  /** Bytes [start, end) of the file this part carries. */
  start: number;
  end: number;
}

export interface UploadTicket {
  upload: Upload;
  /** Single: one PUT of the whole file. */
  url?: string;
  /** Multipart: one PUT per part; keep each response's ETag for the completion. */
  parts?: PartLink[];
}

const newId = (ids: IdSource, prefix: string) => `${prefix}${ids.uuid().replaceAll('-', '')}`;

export async function startUpload(
  deps: ContentPipelineDeps,
  request: UploadRequest,
  librarianId: string,
): Promise<UploadTicket> {
  const plan = planUpload(request.size);
  const now = deps.clock.now();
  const id = newId(deps.ids, 'u-');
  const objectKey = deps.keys.incoming(id);
  const contentType = request.contentType || 'application/octet-stream';
  const multipartId =
    plan.mode === 'multipart' ? await deps.objects.startMultipart(objectKey, contentType) : undefined;
  const upload: Upload = {
    id,
    mode: plan.mode,
    state: 'pending',
    objectKey,
    fileName: request.fileName,
    contentType,
    size: request.size,
    ...(multipartId ? { multipartId, partSize: plan.partSize!, partCount: plan.partCount! } : {}),
    createdBy: librarianId,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + uploadLimits.linkTtlSeconds * 1000).toISOString(),
  };
  await deps.uploads.create(upload);
  if (upload.mode === 'single') {
    const url = await deps.links.signPut(objectKey, { expiresIn: uploadLimits.linkTtlSeconds, now });
    return { upload, url };
  }
  const numbers = Array.from({ length: upload.partCount! }, (_, i) => i + 1);
  return { upload, parts: await signParts(deps, upload, numbers) };
}

/** Fresh links for some parts (a retry after a failure or after the first links expired). */
export async function renewPartLinks(
  deps: ContentPipelineDeps,
  uploadId: string,
  partNumbers: number[],
): Promise<PartLink[]> {
  const upload = await pendingUpload(deps, uploadId);
  if (upload.mode !== 'multipart') {
    throw new ConflictError({
      code: 'UPLOAD_NOT_MULTIPART',
      detail: 'This upload is a single PUT; it has no parts.',
    });
  }
  const outside = partNumbers.filter((n) => n < 1 || n > upload.partCount!);
  if (outside.length) {
    throw new UnprocessableError({
      code: 'UPLOAD_PART_UNKNOWN',
      detail: `This upload has parts 1..${upload.partCount}.`,
      context: {
        partNumbers: outside,
      },
    });
  }
  return signParts(deps, upload, partNumbers);
}

async function signParts(deps: ContentPipelineDeps, upload: Upload, numbers: number[]): Promise<PartLink[]> {
  const now = deps.clock.now();
  return Promise.all(
    numbers.map(async (partNumber) => ({
      partNumber,
      ...partRange(upload, partNumber),
      url: await deps.links.signUploadPart(
        upload.objectKey,
        { uploadId: upload.multipartId!, partNumber },
        { expiresIn: uploadLimits.linkTtlSeconds, now },
      ),
    })),
  );
}

/**
 * The librarian says the bytes are there: for multipart, S3 assembles the parts; then the stored size must be
 * exactly the declared one, or the object is deleted and the upload refused.
 */
export async function completeUpload(
  deps: ContentPipelineDeps,
  uploadId: string,
  parts: { partNumber: number; etag: string }[] | undefined,
): Promise<Upload> {
  const upload = await pendingUpload(deps, uploadId);
  if (upload.mode === 'multipart') {
    if (!parts) {
      throw new UnprocessableError({
        code: 'UPLOAD_PARTS_MISSING',
        detail: 'A multipart upload is completed with its parts.',
      });
    }
    checkCompletedParts(upload, parts);
    await deps.objects.completeMultipart(upload.objectKey, upload.multipartId!, parts);
  }
  const stored = await deps.objects.sizeOf(upload.objectKey);
  if (stored === undefined) {
    throw new ConflictError({
      code: 'UPLOAD_NOT_RECEIVED',
      detail: 'Nothing has been uploaded for this upload yet.',
    });
  }
  if (stored !== upload.size) {
    await deps.objects.remove(upload.objectKey);
    await deps.uploads.transition(
      upload.id,
      ['pending'],
      { state: 'rejected', rejection: 'SIZE_MISMATCH' },
      deps.clock.now(),
    );
    throw new UnprocessableError({
      code: 'SIZE_MISMATCH',
      detail: `The stored file has ${stored} bytes but ${upload.size} were declared.`,
      context: { declared: upload.size, stored },
    });
  }
  return claim(deps, upload.id, ['pending'], { state: 'uploaded' });
}

/** Cancels an upload: drops the multipart upload and its parts, or the stored object. */
export async function abortUpload(deps: ContentPipelineDeps, uploadId: string): Promise<Upload> {
  const upload = await deps.uploads.get(uploadId);
  if (!upload)
    throw new NotFoundError({
      code: 'UPLOAD_NOT_FOUND',
      detail: `Upload ${uploadId} was not found.`,
      context: { id: uploadId },
    });
  if (upload.state === 'published' || upload.state === 'validating') {
    throw new ConflictError({
      code: 'UPLOAD_PUBLISHED',
      detail: 'This upload has become a title; withdraw the title instead.',
      context: {
        titleId: upload.titleId,
      },
    });
  }
  if (upload.state === 'aborted' || upload.state === 'rejected') return upload;
  const aborted = await claim(deps, upload.id, ['pending', 'uploaded'], { state: 'aborted' });
  if (upload.multipartId) await deps.objects.abortMultipart(upload.objectKey, upload.multipartId);
  await deps.objects.remove(upload.objectKey);
  return aborted;
}

export interface PublishRequest {
  uploadId: string;
  access: AccessMode;
  metadata?: TitleMetadata;
  /** Publish even when the same file (by SHA-256) is already a title: a deliberate second title. */
  allowDuplicate?: boolean;
}

/** The refusal of a file that is already published; the upload stays, to be published anyway if meant. */
export function duplicatePublication(existing: PublishedTitleRef, sha256: string): ConflictError {
  return new ConflictError({
    code: 'DUPLICATE_PUBLICATION',
    detail: `This file is already published as "${existing.title}" (${existing.id}); send allowDuplicate: true to publish it again.`,
    context: { existingTitle: { id: existing.id, title: existing.title }, sha256 },
  });
}

/**
 * Validates an upload by its content and, only if it passes, makes it a title: hashed, copied to content/,
 * cover stored. A refusal (422 with the inspector's code) deletes the upload's objects, wherever it comes from:
 * the ranged inspection, or the whole-file read that hashes the file and also counts what an EPUB's entries
 * really inflate to.
 */
export async function publishUpload(deps: ContentPipelineDeps, request: PublishRequest): Promise<Title> {
  const found = await deps.uploads.get(request.uploadId);
  if (!found)
    throw new NotFoundError({
      code: 'UPLOAD_NOT_FOUND',
      detail: `Upload ${request.uploadId} was not found.`,
      context: { id: request.uploadId },
    });
  if (found.state !== 'uploaded') throw notReady(found.state, found);
  const upload = await claim(deps, found.id, ['uploaded'], { state: 'validating' });

  // The upload link stays valid for a while after `complete`: freeze the bytes first (a server-side copy under
  // a key no link points at), so what is validated, hashed and published cannot be swapped underneath us.
  const frozenKey = deps.keys.frozen(upload.id);
  let inspection;
  try {
    const size = await deps.objects.sizeOf(upload.objectKey);
    if (size !== upload.size) {
      throw new UnprocessableError({
        code: 'SIZE_MISMATCH',
        detail: 'The stored file no longer has the declared size.',
        context: {
          declared: upload.size,
          stored: size ?? 0,
        },
      });
    }
    await deps.objects.copy(upload.objectKey, frozenKey, upload.contentType, upload.size);
    const frozenSize = await deps.objects.sizeOf(frozenKey);
    if (frozenSize !== upload.size) {
      throw new UnprocessableError({
        code: 'SIZE_MISMATCH',
        detail: 'The stored file no longer has the declared size.',
        context: {
          declared: upload.size,
          stored: frozenSize ?? 0,
        },
      });
    }
    inspection = await deps.inspect(deps.objects.open(frozenKey, upload.size), {
      declaredName: upload.fileName,
      ...(deps.inspectionLimits ? { limits: deps.inspectionLimits } : {}),
    });
  } catch (error) {
    return abandon(deps, upload, [frozenKey], error);
  }

  const titleId = newId(deps.ids, 't-');
  const contentKey = deps.keys.content(titleId, inspection.format);
  // Both read the frozen object, which nothing else writes: hashing it and copying it run side by side. The
  // hashing read is the one whole pass over the file, so the checks that need every byte ride on it.
  const check = inspection.streamCheck?.();
  const [hashed, copied] = await Promise.allSettled([
    deps.objects
      .sha256(frozenKey, upload.size, check && ((chunk) => check.push(chunk)))
      .then((digest) => (check?.end(), digest)),
    deps.objects.copy(frozenKey, contentKey, inspection.contentType, upload.size),
  ]);
  if (hashed.status === 'rejected' || copied.status === 'rejected') {
    const failures = [hashed, copied].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    // A refusal of the file outranks a failure of the store: the file would be refused on a retry anyway.
    const error = failures.find((e) => e instanceof UnprocessableError) ?? failures[0];
    return abandon(deps, upload, [frozenKey, contentKey], error);
  }
  const sha256 = hashed.value;
  // The same bytes already a title: refused before anything more is stored, unless the librarian means it.
  if (!request.allowDuplicate) {
    const existing = await deps.titles.publishedFile(sha256);
    if (existing)
      return abandon(deps, upload, [frozenKey, contentKey], duplicatePublication(existing, sha256));
  }
  const stored = inspection.cover
    ? await storeCover(
        {
          put: (key, bytes, type) => deps.objects.put(key, bytes, type),
          keys: deps.keys,
          ...(deps.renderCover ? { renderCover: deps.renderCover } : {}),
        },
        titleId,
        inspection.cover,
      )
    : undefined;
  // The original's size, read at inspection (OPDS `images` give it), beside the renditions made from it.
  const { width, height } = inspection.cover ?? {};
  const cover = stored && width && height ? { ...stored, width, height } : stored;
  const title = titleFromPublication({
    id: titleId,
    inspection,
    stored: { contentKey, size: upload.size, sha256, ...(cover ? { cover } : {}) },
    access: request.access,
    ...(request.metadata ? { overrides: request.metadata } : {}),
    now: deps.clock.now(),
  });
  const final = withIsbnWarning(title, await deps.titles.withIsbn(title.identifiers.isbn ?? []));
  const published = await deps.titles.publish(final, { allowDuplicate: request.allowDuplicate === true });
  if ('duplicateOf' in published) {
    // Another publication of the same bytes got there first.
    const coverKeys = stored ? [stored.key, ...(stored.renditions ?? []).map((r) => r.key)] : [];
    return abandon(
      deps,
      upload,
      [frozenKey, contentKey, ...coverKeys],
      duplicatePublication(published.duplicateOf, sha256),
    );
  }
  await Promise.all([deps.objects.remove(upload.objectKey), deps.objects.remove(frozenKey)]);
  await deps.uploads.transition(upload.id, ['validating'], { state: 'published', titleId }, deps.clock.now());
  return final;
}

/** ISBN_IN_CATALOGUE when other titles carry one of the new title's ISBNs (a warning: it is still published). */
export function withIsbnWarning(title: Title, sameIsbn: readonly Title[]): Title {
  const own = new Set((title.identifiers.isbn ?? []).map(isbnKey));
  const others = sameIsbn.filter(
    (t) => t.id !== title.id && (t.identifiers.isbn ?? []).some((i) => own.has(isbnKey(i))),
  );
  if (others.length === 0) return title;
  return {
    ...title,
    warnings: [...(title.warnings ?? []), 'ISBN_IN_CATALOGUE'],
    sameIsbnAs: others.map((t) => ({ id: t.id, title: t.title })),
  };
}

/**
 * Publishing failed. A refusal of the file deletes the upload and every copy made of it, and the upload is
 * rejected for good; our own failure (the store, a timeout) deletes only the copies, and the upload may be
 * tried again. Either way the error is what the caller gets.
 */
async function abandon(
  deps: ContentPipelineDeps,
  upload: Upload,
  copies: string[],
  error: unknown,
): Promise<never> {
  if (error instanceof UnprocessableError) {
    await Promise.all([upload.objectKey, ...copies].map((key) => deps.objects.remove(key)));
    await deps.uploads.transition(
      upload.id,
      ['validating'],
      { state: 'rejected', rejection: error.code },
      deps.clock.now(),
    );
  } else {
    await Promise.all(copies.map((key) => deps.objects.remove(key).catch(() => undefined)));
    await deps.uploads.transition(upload.id, ['validating'], { state: 'uploaded' }, deps.clock.now());
  }
  throw error;
}

async function pendingUpload(deps: ContentPipelineDeps, uploadId: string): Promise<Upload> {
  const upload = await deps.uploads.get(uploadId);
  if (!upload)
    throw new NotFoundError({
      code: 'UPLOAD_NOT_FOUND',
      detail: `Upload ${uploadId} was not found.`,
      context: { id: uploadId },
    });
  if (upload.state !== 'pending') throw notReady(upload.state, upload);
  if (Date.parse(upload.expiresAt) <= deps.clock.now().getTime()) {
    throw new ConflictError({ code: 'UPLOAD_EXPIRED', detail: 'This upload has expired; start a new one.' });
  }
  return upload;
}

async function claim(
  deps: ContentPipelineDeps,
  uploadId: string,
  from: UploadState[],
  changes: Partial<Upload> & { state: UploadState },
): Promise<Upload> {
  const moved = await deps.uploads.transition(uploadId, from, changes, deps.clock.now());
  if (!moved) {
    const now = await deps.uploads.get(uploadId);
    throw notReady(now?.state ?? 'aborted', now);
  }
  return moved;
}

function notReady(state: UploadState, upload: Upload | undefined): PustakaError {
  const messages: Record<UploadState, [CodeOfStatus<409>, string]> = {
    pending: ['UPLOAD_NOT_COMPLETE', 'The upload has not been completed yet.'],
    uploaded: ['UPLOAD_ALREADY_COMPLETE', 'The upload is already complete.'],
    validating: ['UPLOAD_BUSY', 'The upload is being validated.'],
    published: ['UPLOAD_PUBLISHED', 'The upload has already become a title.'],
    rejected: ['UPLOAD_REJECTED', 'The upload was refused; upload the file again.'],
    aborted: ['UPLOAD_ABORTED', 'The upload was cancelled.'],
  };
  const [code, message] = messages[state];
  return new ConflictError({
    code,
    detail: message,
    context: {
      state,
      ...(upload?.titleId ? { titleId: upload.titleId } : {}),
      ...(upload?.rejection ? { rejection: upload.rejection } : {}),
    },
  });
}
