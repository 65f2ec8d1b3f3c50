import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { bearer, json } from '../helpers/auth';
import type { TestStack } from '../helpers/stack';

export interface UploadBody {
  id: string;
  mode: 'single' | 'multipart';
  state: string;
  size: number;
  partSize?: number;
  partCount?: number;
  url?: string;
  parts?: { partNumber: number; url: string; start: number; end: number }[];
}

export async function startUpload(
  stack: TestStack,
  token: string,
  body: { fileName: string; size: number; contentType?: string },
): Promise<Response> {
  return stack.app.request('/admin/uploads', json('POST', body, bearer(token)));
}

/** PUTs the bytes where the API said (one request, or one per part), as a browser would. */
export async function sendBytes(
  upload: UploadBody,
  bytes: Uint8Array,
): Promise<{ partNumber: number; etag: string }[]> {
  if (upload.mode === 'single') {
    const response = await fetch(upload.url!, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> });
    expect(response.status, await response.clone().text()).toBe(200);
    return [];
  }
  const parts: { partNumber: number; etag: string }[] = [];
  for (const part of upload.parts!) {
    const response = await fetch(part.url, {
      method: 'PUT',
      body: bytes.subarray(part.start, part.end) as Uint8Array<ArrayBuffer>,
    });
    expect(response.status).toBe(200);
    parts.push({ partNumber: part.partNumber, etag: response.headers.get('etag')! });
  }
  return parts;
}

/** create upload → PUT to the signed URL(s) → complete: the upload ready to become a title. */
export async function uploadFile(
  stack: TestStack,
  token: string,
  fileName: string,
  bytes: Uint8Array,
): Promise<{ upload: UploadBody; complete: Response }> {
  const created = await startUpload(stack, token, { fileName, size: bytes.byteLength });
  expect(created.status, await created.clone().text()).toBe(201);
  const upload = (await created.json()) as UploadBody;
  const parts = await sendBytes(upload, bytes);
  const complete = await stack.app.request(
    `/admin/uploads/${upload.id}/complete`,
    json('POST', upload.mode === 'multipart' ? { parts } : {}, bearer(token)),
  );
  return { upload, complete };
}

export async function publish(
  stack: TestStack,
  token: string,
  body: { uploadId: string; access?: string; metadata?: Record<string, unknown>; allowDuplicate?: boolean },
): Promise<Response> {
  return stack.app.request('/admin/titles', json('POST', { access: 'licensed', ...body }, bearer(token)));
}

/** The keys of the content bucket under a prefix (what a refusal must not leave behind). */
export async function objectKeysUnder(stack: TestStack, prefix: string): Promise<string[]> {
  const listed = await stack.clients.s3.send(
    new ListObjectsV2Command({ Bucket: stack.config.CONTENT_BUCKET, Prefix: prefix }),
  );
  return (listed.Contents ?? []).map((o) => o.Key!);
}
