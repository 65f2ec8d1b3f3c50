import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { GetObjectCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesByteSource, inspectPublication } from '../../functions/domain/publication';
import { sampleFiles } from '../../functions/local/seed';
import { objectKeys, uploadKeys } from '../../functions/adapters/keys';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createLibrarian, createPatron, bearer, json } from '../helpers/auth';
import { createTestStack, fixturesDir, type TestStack } from '../helpers/stack';
import { epub, handWrittenPdf, zip, containerXml, packageOpf, chapter } from '../domain/publication/builders';
import {
  objectKeysUnder,
  publish,
  sendBytes,
  startUpload,
  uploadFile,
  type UploadBody,
} from './admin-content.helpers';
import { expectProblem } from '../helpers/problem';
import { describeWithFixtures } from '../helpers/fixtures';

let stack: TestStack;
let librarian: string;
/** Every ranged read the inspector makes through the S3 byte source, per object key. */
const reads = new Map<string, { requests: number; bytes: number }>();
/** Runs once when publishing next opens an object for inspection (e.g. to swap the upload underneath it). */
let onNextOpen: (() => Promise<void>) | undefined;

beforeAll(async () => {
  stack = await createTestStack({
    adjust: (deps) => ({
      ...deps,
      publishing: {
        inspect: deps.publishing!.inspect,
        store: new Proxy(deps.publishing!.store, {
          get(target, name, receiver) {
            if (name !== 'open') return Reflect.get(target, name, receiver) as unknown;
            return (key: string, size: number) => {
              const hook = onNextOpen?.();
              onNextOpen = undefined;
              const source = target.open(key, size);
              const counted = { requests: 0, bytes: 0 };
              reads.set(key, counted);
              return {
                size: source.size,
                async read(offset: number, length: number) {
                  await hook;
                  const bytes = await source.read(offset, length);
                  counted.requests += 1;
                  counted.bytes += bytes.byteLength;
                  return bytes;
                },
              };
            };
          },
        }),
      },
    }),
  });
  librarian = (await createLibrarian(stack)).accessToken;
});
afterAll(() => stack.destroy());

const keysUnder = (prefix: string) => objectKeysUnder(stack, prefix);

async function titleCount(): Promise<number> {
  const response = await stack.app.request('/titles?limit=100');
  return ((await response.json()) as { data: unknown[] }).data.length;
}

describeWithFixtures('fixtures through the HTTP API', () => {
  it.each(sampleFiles(fixturesDir).map((path) => [basename(path), path]))(
    '%s uploads, validates and becomes a title with the title and authors of the file',
    async (name, path) => {
      // Prepare
      const bytes = new Uint8Array(readFileSync(path));
      const expected = (await inspectPublication(bytesByteSource(bytes), { declaredName: name })).metadata;

      // Act
      const { upload, complete } = await uploadFile(stack, librarian, name, bytes);
      const created = await publish(stack, librarian, { uploadId: upload.id });

      // Assess
      expect(complete.status).toBe(200);
      expect(await complete.json()).toMatchObject({
        id: upload.id,
        state: 'uploaded',
        size: bytes.byteLength,
      });
      expect(created.status, await created.clone().text()).toBe(201);
      const title = (await created.json()) as { id: string; title: string; authors: string[]; size: number };
      expect(title).toMatchObject({
        title: expected.title,
        authors: expected.authors,
        size: bytes.byteLength,
      });
      expect(created.headers.get('location')).toBe(`/titles/${title.id}`);
      const stored = await stack.deps.titles.get(title.id);
      expect(stored?.contentKey).toMatch(new RegExp(`^content/${title.id}/publication\\.(epub|pdf)$`));
      expect(stored?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(await keysUnder(`incoming/${upload.id}`)).toEqual([]);
      expect(await keysUnder(`content/${title.id}/`)).toContain(stored!.contentKey);
    },
  );

  it('publishes the bytes that were validated, even if the upload is replaced through its link meanwhile', async () => {
    // Prepare: once validation starts, someone re-PUTs another valid book to the upload's key.
    const original = new Uint8Array(readFileSync(`${fixturesDir}/epub/wasteland.epub`));
    const other = new Uint8Array(readFileSync(`${fixturesDir}/epub/childrens-literature.epub`));
    const { upload } = await uploadFile(stack, librarian, 'wasteland.epub', original);
    onNextOpen = () => stack.content.put(`incoming/${upload.id}`, other, 'application/epub+zip');

    // Act (the fixtures above published this file already: a second title, on purpose)
    const created = await publish(stack, librarian, { uploadId: upload.id, allowDuplicate: true });

    // Assess
    expect(created.status).toBe(201);
    const title = (await created.json()) as { id: string; title: string };
    expect(title.title).toBe('The Waste Land');
    const stored = await stack.deps.titles.get(title.id);
    const object = await stack.clients.s3.send(
      new GetObjectCommand({ Bucket: stack.config.CONTENT_BUCKET, Key: stored!.contentKey }),
    );
    const published = await object.Body!.transformToByteArray();
    expect(createHash('sha256').update(published).digest('hex')).toBe(
      createHash('sha256').update(original).digest('hex'),
    );
    expect(stored?.sha256).toBe(createHash('sha256').update(original).digest('hex'));
    expect(await keysUnder(`incoming/${upload.id}`)).toEqual([]);
  });

  it('keeps what the file says for known books, and lets the librarian override it', async () => {
    // Prepare
    const bytes = new Uint8Array(readFileSync(`${fixturesDir}/epub/moby-dick.epub`));
    const { upload } = await uploadFile(stack, librarian, 'moby-dick.epub', bytes);

    // Act
    const created = await publish(stack, librarian, {
      uploadId: upload.id,
      access: 'open',
      metadata: { subjects: ['Whaling'], language: 'en' },
      allowDuplicate: true, // published once already by the fixtures above
    });

    // Assess
    expect(created.status).toBe(201);
    const title = (await created.json()) as Record<string, unknown>;
    expect(title).toMatchObject({
      title: 'Moby-Dick',
      authors: ['Herman Melville'],
      subjects: ['Whaling'],
      access: 'open',
      status: 'active',
      format: 'epub',
    });
    expect(title).not.toHaveProperty('contentKey');
    expect(title).not.toHaveProperty('sha256');
  });
});

describe('hostile and broken files', () => {
  const bigNoise = new Uint8Array(30 * 1024 * 1024);
  const truncatedPdf = handWrittenPdf().subarray(0, handWrittenPdf().byteLength - 10);
  const cases: [string, string, Uint8Array, string][] = [
    ['a zip bomb', 'bomb.epub', epub({ 'OEBPS/padding.txt': bigNoise }), 'EPUB_ZIP_BOMB'],
    ['a zip with a ../ entry', 'escape.epub', epub({ '../evil.xhtml': chapter }), 'EPUB_UNSAFE_PATH'],
    ['a wrong mimetype', 'wrong.epub', epub({ mimetype: 'application/zip' }), 'EPUB_MIMETYPE_INVALID'],
    [
      'mimetype not first',
      'second.epub',
      zip({
        'META-INF/container.xml': containerXml(),
        mimetype: 'application/epub+zip',
        'OEBPS/content.opf': packageOpf(),
        'OEBPS/chapter1.xhtml': chapter,
      }),
      'EPUB_MIMETYPE_INVALID',
    ],
    ['a PDF renamed .epub', 'renamed.epub', handWrittenPdf(), 'FORMAT_MISMATCH'],
    ['a truncated PDF', 'cut.pdf', truncatedPdf, 'TRUNCATED_FILE'],
    [
      'an encrypted PDF',
      'locked.pdf',
      handWrittenPdf({ trailerExtra: '/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>' }),
      'PDF_ENCRYPTED',
    ],
    ['plain text', 'notes.pdf', new TextEncoder().encode('just some notes'), 'UNSUPPORTED_FORMAT'],
  ];

  it.each(cases)('refuses %s with its own code and leaves nothing behind', async (_, name, bytes, code) => {
    // Prepare
    const titlesBefore = await titleCount();
    const contentBefore = await keysUnder('content/');
    const { upload, complete } = await uploadFile(stack, librarian, name, bytes);
    expect(complete.status).toBe(200);

    // Act
    const refused = await publish(stack, librarian, { uploadId: upload.id });

    // Assess
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await refused.json()) as { code: string; detail: string; status: number };
    expect(problem).toMatchObject({ code, status: 422 });
    expect(problem.detail.length).toBeGreaterThan(10);
    expect(await keysUnder('incoming/')).toEqual([]);
    expect(await keysUnder('content/')).toEqual(contentBefore);
    expect(await titleCount()).toBe(titlesBefore);
    expect((await stack.deps.uploads.get(upload.id))?.state).toBe('rejected');
    // A refused upload cannot be tried again as it is.
    const again = await publish(stack, librarian, { uploadId: upload.id });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'UPLOAD_REJECTED', rejection: code });
  });

  it('refuses a 0-byte file before anything is created', async () => {
    // Act
    const response = await startUpload(stack, librarian, { fileName: 'empty.epub', size: 0 });
    // Assess
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ code: 'EMPTY_FILE' });
    expect(await keysUnder('incoming/')).toEqual([]);
  });

  it('refuses a file over the 2 GiB cap before anything is created', async () => {
    // Act
    const response = await startUpload(stack, librarian, { fileName: 'huge.pdf', size: 2 * 1024 ** 3 + 1 });
    // Assess
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ code: 'FILE_TOO_LARGE', maxBytes: 2 * 1024 ** 3 });
  });

  it.each([
    ['smaller', 100, handWrittenPdf()],
    ['larger', 10, handWrittenPdf()],
  ])('refuses a stored file %s than declared and deletes it', async (_, declared, bytes) => {
    // Prepare
    const created = await startUpload(stack, librarian, {
      fileName: 'x.pdf',
      size: bytes.byteLength + (declared === 100 ? 100 : -10),
    });
    const upload = (await created.json()) as UploadBody;
    await sendBytes(upload, bytes);

    // Act
    const complete = await stack.app.request(
      `/admin/uploads/${upload.id}/complete`,
      json('POST', {}, bearer(librarian)),
    );

    // Assess
    expect(complete.status).toBe(422);
    expect(await complete.json()).toMatchObject({ code: 'SIZE_MISMATCH', stored: bytes.byteLength });
    expect(await keysUnder('incoming/')).toEqual([]);
    expect((await stack.deps.uploads.get(upload.id))?.state).toBe('rejected');
  });

  it('refuses to publish an upload that was never completed', async () => {
    // Prepare
    const created = await startUpload(stack, librarian, { fileName: 'a.pdf', size: 100 });
    const upload = (await created.json()) as UploadBody;
    // Act
    const response = await publish(stack, librarian, { uploadId: upload.id });
    // Assess
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: 'UPLOAD_NOT_COMPLETE' });
  });

  it.each([
    [{ fileName: '../etc/passwd', size: 10 }, 'fileName'],
    [{ fileName: 'a.pdf', size: -1 }, 'size'],
    [{ fileName: 'a.pdf', size: 1.5 }, 'size'],
    [{ fileName: '', size: 10 }, 'fileName'],
  ])('refuses a bad declaration %j with 400', async (body, field) => {
    const response = await startUpload(stack, librarian, body);
    const problem = await expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(problem)).toContain(field);
  });
});

describe('multipart uploads', () => {
  /** A real EPUB over 64 MiB: 65 MiB of random bytes stored (not deflated) beside the chapter. */
  function largeEpub(): Uint8Array {
    return epub({ 'OEBPS/images/scan.bin': [randomBytes(65 * 1024 * 1024), { level: 0 }] });
  }

  it('completes a file over 64 MiB in parts of 8–64 MiB against the emulator, and it becomes a title', async () => {
    // Prepare
    const bytes = largeEpub();

    // Act
    const { upload, complete } = await uploadFile(stack, librarian, 'atlas.epub', bytes);
    const created = await publish(stack, librarian, {
      uploadId: upload.id,
      metadata: { title: 'Atlas Besar' },
    });

    // Assess
    expect(upload.mode).toBe('multipart');
    expect(upload.partSize).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(upload.partSize).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(upload.partCount).toBe(Math.ceil(bytes.byteLength / upload.partSize!));
    expect(upload.parts).toHaveLength(upload.partCount!);
    expect(complete.status, await complete.clone().text()).toBe(200);
    expect(created.status, await created.clone().text()).toBe(201);
    const title = (await created.json()) as { id: string };
    expect(title).toMatchObject({ title: 'Atlas Besar', size: bytes.byteLength });
    // Validation read a small part of the 65 MiB through ranged GETs.
    const read = reads.get(objectKeys.frozen(upload.id))!;
    expect(read.bytes).toBeLessThan(bytes.byteLength * 0.05);
    // Copied in parts and hashed in parallel ranges: the published object is the uploaded file exactly.
    const stored = await stack.deps.titles.get(title.id);
    const { Body } = await stack.clients.s3.send(
      new GetObjectCommand({ Bucket: stack.config.CONTENT_BUCKET, Key: stored!.contentKey }),
    );
    const published = await Body!.transformToByteArray();
    const digest = createHash('sha256').update(bytes).digest('hex');
    expect(createHash('sha256').update(published).digest('hex')).toBe(digest);
    expect(stored!.sha256).toBe(digest);
  });

  it('retries a part with a fresh link without restarting the file', async () => {
    // Prepare
    const bytes = largeEpub();
    const created = await startUpload(stack, librarian, { fileName: 'retry.epub', size: bytes.byteLength });
    const upload = (await created.json()) as UploadBody;
    const parts = await sendBytes(upload, bytes);

    // Act: part 2 "failed"; ask for its link again and send it again
    const renewed = await stack.app.request(
      `/admin/uploads/${upload.id}/parts`,
      json('POST', { partNumbers: [2] }, bearer(librarian)),
    );
    const { parts: links } = (await renewed.json()) as {
      parts: { url: string; start: number; end: number }[];
    };
    const resent = await fetch(links[0]!.url, {
      method: 'PUT',
      body: bytes.subarray(links[0]!.start, links[0]!.end) as Uint8Array<ArrayBuffer>,
    });
    parts[1] = { partNumber: 2, etag: resent.headers.get('etag')! };
    const complete = await stack.app.request(
      `/admin/uploads/${upload.id}/complete`,
      json('POST', { parts }, bearer(librarian)),
    );

    // Assess
    expect(renewed.status).toBe(200);
    expect(complete.status).toBe(200);
    await stack.app.request(`/admin/uploads/${upload.id}`, { method: 'DELETE', headers: bearer(librarian) });
  });

  it('aborts an upload: its parts are gone and no object is left', async () => {
    // Prepare: two parts stored
    const bytes = largeEpub();
    const created = await startUpload(stack, librarian, { fileName: 'abort.epub', size: bytes.byteLength });
    const upload = (await created.json()) as UploadBody;
    for (const part of upload.parts!.slice(0, 2)) {
      await fetch(part.url, {
        method: 'PUT',
        body: bytes.subarray(part.start, part.end) as Uint8Array<ArrayBuffer>,
      });
    }
    const { Item } = await stack.clients.documents.send(
      new GetCommand({ TableName: stack.config.TABLE_NAME, Key: uploadKeys.item(upload.id) }),
    );
    const listParts = () =>
      stack.clients.s3.send(
        new ListPartsCommand({
          Bucket: stack.config.CONTENT_BUCKET,
          Key: Item!.objectKey as string,
          UploadId: Item!.multipartId as string,
        }),
      );
    expect((await listParts()).Parts).toHaveLength(2);

    // Act
    const aborted = await stack.app.request(`/admin/uploads/${upload.id}`, {
      method: 'DELETE',
      headers: bearer(librarian),
    });

    // Assess
    expect(aborted.status).toBe(204);
    await expect(listParts()).rejects.toMatchObject({ name: 'NoSuchUpload' });
    const late = await fetch(upload.parts![2]!.url, { method: 'PUT', body: new Uint8Array(10) });
    expect(late.status).toBe(404);
    expect(await keysUnder('incoming/')).toEqual([]);
    expect((await stack.deps.uploads.get(upload.id))?.state).toBe('aborted');
    const complete = await stack.app.request(
      `/admin/uploads/${upload.id}/complete`,
      json('POST', { parts: [] }, bearer(librarian)),
    );
    await expectProblem(complete, 409, 'UPLOAD_ABORTED');
  });

  it('refuses a completion whose parts are not 1..n in order', async () => {
    // Prepare
    const created = await startUpload(stack, librarian, { fileName: 'p.epub', size: 100 * 1024 * 1024 });
    const upload = (await created.json()) as UploadBody;
    // Act
    const complete = await stack.app.request(
      `/admin/uploads/${upload.id}/complete`,
      json('POST', { parts: [{ partNumber: 2, etag: 'x' }] }, bearer(librarian)),
    );
    // Assess
    expect(complete.status).toBe(400);
    expect(await complete.json()).toMatchObject({ code: 'VALIDATION_FAILED', expected: upload.partCount });
    await stack.app.request(`/admin/uploads/${upload.id}`, { method: 'DELETE', headers: bearer(librarian) });
  });
});

describe('edit and withdraw', () => {
  async function newTitle(): Promise<string> {
    const { upload } = await uploadFile(
      stack,
      librarian,
      'w.pdf',
      handWrittenPdf({ info: '/Title (Sejarah Kota) /Author (Ani)' }),
    );
    // The same small PDF each time: a new title on purpose.
    const created = await publish(stack, librarian, { uploadId: upload.id, allowDuplicate: true });
    expect(created.status).toBe(201);
    return ((await created.json()) as { id: string }).id;
  }

  it('edits metadata and keeps the catalogue order in step', async () => {
    // Prepare
    const id = await newTitle();
    // Act
    const response = await stack.app.request(
      `/admin/titles/${id}`,
      json('PATCH', { title: 'The Zebra Book', authors: ['Ani Wijaya'], access: 'open' }, bearer(librarian)),
    );
    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id,
      title: 'The Zebra Book',
      authors: ['Ani Wijaya'],
      access: 'open',
    });
    expect((await stack.deps.titles.get(id))?.sortTitle).toBe('zebra book');
  });

  it('withdraws a title: out of the catalogue listing, still readable by id with status withdrawn', async () => {
    // Prepare
    const id = await newTitle();
    // Act
    const response = await stack.app.request(`/admin/titles/${id}`, {
      method: 'DELETE',
      headers: bearer(librarian),
    });
    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id, status: 'withdrawn' });
    const listed = (await (await stack.app.request('/titles?limit=100')).json()) as {
      data: { id: string }[];
    };
    expect(listed.data.map((t) => t.id)).not.toContain(id);
    expect(await (await stack.app.request(`/titles/${id}`)).json()).toMatchObject({ status: 'withdrawn' });
  });

  it.each([
    ['PATCH', { title: 'x' }],
    ['DELETE', undefined],
  ])('answers %s of an unknown title with 404', async (method, body) => {
    const response = await stack.app.request(
      '/admin/titles/t-nope',
      body ? json(method, body, bearer(librarian)) : { method, headers: bearer(librarian) },
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'TITLE_NOT_FOUND' });
  });

  it('refuses a patron (403) and no token (401)', async () => {
    const { accessToken } = await createPatron(stack);
    await expectProblem(
      await startUpload(stack, accessToken, { fileName: 'a.pdf', size: 10 }),
      403,
      'FORBIDDEN',
    );
    await expectProblem(await stack.app.request('/admin/uploads', { method: 'POST' }), 401, 'UNAUTHORIZED');
  });
});
