import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import {
  abortUpload,
  completeUpload,
  renewPartLinks,
  startUpload,
  type UploadTicket,
} from '../../domain/content-pipeline';
import type { Upload } from '../../domain/upload';
import { librarianId, noteAudit, pipelineDeps } from '../admin';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';

const PartLinkSchema = z.object({
  partNumber: z.int(),
  url: z.string(),
  start: z.int(),
  end: z.int(),
});

const UploadSchema = doc(
  z.object({
    id: z.string(),
    mode: z.enum(['single', 'multipart']),
    state: z.enum(['pending', 'uploaded', 'validating', 'published', 'rejected', 'aborted']),
    fileName: z.string(),
    contentType: z.string(),
    size: z.int(),
    partSize: z.optional(z.int()),
    partCount: z.optional(z.int()),
    expiresAt: z.string(),
    titleId: z.optional(z.string()),
    rejection: z.optional(z.string()),
    /** Single: PUT the whole file here. */
    url: z.optional(z.string()),
    /** Multipart: PUT each part to its link; keep each response's ETag for the completion. */
    parts: z.optional(z.array(PartLinkSchema)),
  }),
  { id: 'Upload' },
);

/** The librarian's view: no store keys or multipart ids. */
function uploadView(upload: Upload, links: Omit<UploadTicket, 'upload'> = {}) {
  const { objectKey: _k, multipartId: _m, createdBy: _c, createdAt: _ca, updatedAt: _u, ...view } = upload;
  return { ...view, ...links };
}

const fileName = z.string().check(
  z.trim(),
  z.minLength(1),
  z.maxLength(255),
  z.refine(
    (name) => ![...name].some((ch) => ch === '/' || ch === '\\' || ch.charCodeAt(0) < 32 || ch === '\u007f'),
    'A file name has no slashes or control characters',
  ),
);

const createUpload = createRoute({
  method: 'post',
  path: '/admin/uploads',
  summary: 'Start an upload: a signed PUT (≤ 64 MiB) or signed part PUTs (multipart, up to 2 GiB)',
  security: [{ bearer: [] }],
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            fileName,
            contentType: z._default(
              z
                .string()
                .check(
                  z.maxLength(127),
                  z.regex(/^$|^[\w.+-]+\/[\w.+-]+$/, 'A media type such as application/epub+zip'),
                ),
              '',
            ),
            size: z.int().check(z.nonnegative()),
          }),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'Where to send the bytes',
      content: { 'application/json': { schema: UploadSchema } },
    },
    400: problemContent('Invalid request'),
    422: problemContent('Empty or too large (EMPTY_FILE, FILE_TOO_LARGE)', ['EMPTY_FILE', 'FILE_TOO_LARGE']),
  },
});

const idParam = z.object({ id: z.string().check(z.regex(/^u-[0-9a-f]{32}$/, 'An upload id')) });

const complete = createRoute({
  method: 'post',
  path: '/admin/uploads/{id}/complete',
  summary: 'The bytes are there: assemble the parts (multipart) and check the stored size',
  security: [{ bearer: [] }],
  request: {
    params: idParam,
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.object({
            parts: z.optional(
              z
                .array(
                  z.object({
                    partNumber: z.int().check(z.gte(1), z.lte(10_000)),
                    etag: z.string().check(z.minLength(1), z.maxLength(128)),
                  }),
                )
                .check(z.maxLength(10_000)),
            ),
          }),
        },
      },
    },
  },
  responses: {
    200: { description: 'Stored and checked', content: { 'application/json': { schema: UploadSchema } } },
    404: problemContent('No such upload'),
    409: problemContent('Not in a state to complete'),
    422: problemContent('SIZE_MISMATCH, UPLOAD_PARTS_INVALID', ['SIZE_MISMATCH', 'UPLOAD_PARTS_INVALID']),
  },
});

const renewParts = createRoute({
  method: 'post',
  path: '/admin/uploads/{id}/parts',
  summary: 'Fresh links for some parts (retry a failed part without restarting the file)',
  security: [{ bearer: [] }],
  request: {
    params: idParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            partNumbers: z
              .array(z.int().check(z.gte(1), z.lte(10_000)))
              .check(z.minLength(1), z.maxLength(1000)),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Links',
      content: { 'application/json': { schema: z.object({ parts: z.array(PartLinkSchema) }) } },
    },
    404: problemContent('No such upload'),
    409: problemContent('Not pending'),
  },
});

const abort = createRoute({
  method: 'delete',
  path: '/admin/uploads/{id}',
  summary: 'Cancel an upload; its parts or object are deleted',
  security: [{ bearer: [] }],
  request: { params: idParam },
  responses: {
    204: { description: 'Cancelled' },
    404: problemContent('No such upload'),
    409: problemContent('Already a title'),
  },
});

export function adminUploadRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(createUpload, async (c) => {
    const body = c.req.valid('json');
    noteAudit(c, { action: 'upload.start', details: { fileName: body.fileName, size: body.size } });
    const ticket = await startUpload(pipelineDeps(c.get('deps')), body, librarianId(c));
    noteAudit(c, {
      action: 'upload.start',
      targetType: 'upload',
      targetId: ticket.upload.id,
      details: { fileName: body.fileName, size: body.size, mode: ticket.upload.mode },
    });
    const { upload, ...links } = ticket;
    return c.json(uploadView(upload, links), 201);
  });

  app.openapi(complete, async (c) => {
    const { id } = c.req.valid('param');
    noteAudit(c, { action: 'upload.complete', targetType: 'upload', targetId: id });
    const body = c.req.valid('json') as { parts?: { partNumber: number; etag: string }[] } | undefined;
    const upload = await completeUpload(pipelineDeps(c.get('deps')), id, body?.parts);
    return c.json(uploadView(upload), 200);
  });

  app.openapi(renewParts, async (c) => {
    const { id } = c.req.valid('param');
    const { partNumbers } = c.req.valid('json');
    noteAudit(c, {
      action: 'upload.renew-parts',
      targetType: 'upload',
      targetId: id,
      details: { partNumbers },
    });
    const parts = await renewPartLinks(pipelineDeps(c.get('deps')), id, partNumbers);
    return c.json({ parts }, 200);
  });

  app.openapi(abort, async (c) => {
    const { id } = c.req.valid('param');
    noteAudit(c, { action: 'upload.abort', targetType: 'upload', targetId: id });
    await abortUpload(pipelineDeps(c.get('deps')), id);
    return c.body(null, 204);
  });
}
