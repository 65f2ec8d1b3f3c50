import { api } from '../api/client';
import type { components } from '../api/contract';
import type { AccessMode, Answer, Query, RequestBody, Title } from '../api/types';

/**
 * The librarian API as the console uses it (functions/http/routes/admin-*.ts; all librarian-only): aliases of
 * the types generated from the OpenAPI document (../api/contract.ts), so a drift fails the type check.
 */
type Schemas = components['schemas'];

/** A title as librarians see it: with the time it was withdrawn, once it is. */
export type ConsoleTitle = Title;

/** The list's filters as GET /admin/titles takes them (all optional; flags are 'true'). */
export type TitleListFilter = Omit<Query<'/admin/titles', 'get'>, 'limit' | 'cursor'>;

/** One row of the list: the title and a summary of its licences. */
export type TitleListRow = Schemas['TitleListRow'];

export type Upload = Schemas['Upload'];
/** A presigned link for one part of a multipart upload; `start`/`end`: the byte range [start, end) it carries. */
export type PartLink = NonNullable<Upload['parts']>[number];
export type TitleMetadata = Schemas['TitleMetadata'];
export type LicenceTerms = Schemas['LicenceTerms'];
export type Licence = Schemas['Licence'];
/** GET /admin/titles/{id}/licences: the title's licences and the availability they give. */
export type LicencePool = Answer<'/admin/titles/{id}/licences', 'get'>;
export type PatronRecord = Schemas['PatronProfile'];
/** What a CSV import did, row by row (`line` is the line in the file; the header is line 1). */
export type ImportReport = Schemas['PatronImportReport'];
export type ImportProblem = NonNullable<ImportReport['results'][number]['problems']>[number];
/** The trail's filters as GET /admin/audit takes them (times are ISO, inclusive; targetId needs targetType). */
export type AuditFilter = Omit<Query<'/admin/audit', 'get'>, 'limit' | 'cursor'>;
export type AuditEntry = Schemas['AuditEntry'];

const enc = encodeURIComponent;

/** GET /admin/collections[/{id}] (functions/http/routes/admin-collections.ts). */
export type AdminCollection = Schemas['AdminCollection'];
/** What PATCH /admin/collections/{id} changes (the version is given apart). */
export type CollectionFields = Omit<Schemas['CollectionPatch'], 'version'>;

export const collectionAdmin = {
  async list(): Promise<AdminCollection[]> {
    return (await api.request<Answer<'/admin/collections', 'get'>>('GET', '/admin/collections')).data;
  },
  get(id: string): Promise<AdminCollection> {
    return api.request('GET', `/admin/collections/${enc(id)}`);
  },
  create(body: RequestBody<'/admin/collections', 'post'>): Promise<AdminCollection> {
    return api.request('POST', '/admin/collections', { body });
  },
  update(id: string, version: number, body: CollectionFields): Promise<AdminCollection> {
    return api.request('PATCH', `/admin/collections/${enc(id)}`, {
      body: { ...body, version } satisfies RequestBody<'/admin/collections/{id}', 'patch'>,
    });
  },
  remove(id: string): Promise<void> {
    return api.request('DELETE', `/admin/collections/${enc(id)}`);
  },
  addTitles(id: string, version: number, titleIds: string[]): Promise<AdminCollection> {
    return api.request('POST', `/admin/collections/${enc(id)}/titles`, {
      body: { titleIds, version } satisfies RequestBody<'/admin/collections/{id}/titles', 'post'>,
    });
  },
  order(id: string, version: number, titleIds: string[]): Promise<AdminCollection> {
    return api.request('PUT', `/admin/collections/${enc(id)}/titles`, {
      body: { titleIds, version } satisfies RequestBody<'/admin/collections/{id}/titles', 'put'>,
    });
  },
  removeTitle(id: string, titleId: string): Promise<AdminCollection> {
    return api.request('DELETE', `/admin/collections/${enc(id)}/titles/${enc(titleId)}`);
  },
  uploadCover(id: string, image: Blob): Promise<AdminCollection> {
    return api.request('PUT', `/admin/collections/${enc(id)}/cover`, { body: image });
  },
};

export const admin = {
  startUpload(body: RequestBody<'/admin/uploads', 'post'>): Promise<Upload> {
    return api.request('POST', '/admin/uploads', { body });
  },
  renewParts(uploadId: string, partNumbers: number[]): Promise<Answer<'/admin/uploads/{id}/parts', 'post'>> {
    return api.request('POST', `/admin/uploads/${enc(uploadId)}/parts`, {
      body: { partNumbers } satisfies RequestBody<'/admin/uploads/{id}/parts', 'post'>,
    });
  },
  completeUpload(
    uploadId: string,
    parts?: NonNullable<RequestBody<'/admin/uploads/{id}/complete', 'post'>['parts']>,
  ): Promise<Upload> {
    return api.request('POST', `/admin/uploads/${enc(uploadId)}/complete`, {
      body: (parts ? { parts } : {}) satisfies RequestBody<'/admin/uploads/{id}/complete', 'post'>,
    });
  },
  abortUpload(uploadId: string): Promise<void> {
    return api.request('DELETE', `/admin/uploads/${enc(uploadId)}`);
  },
  /** `allowDuplicate`: publish even though the same file is already a title (after a DUPLICATE_PUBLICATION). */
  publish(uploadId: string, access: AccessMode, options: { allowDuplicate?: boolean } = {}): Promise<Title> {
    return api.request('POST', '/admin/titles', {
      body: {
        uploadId,
        access,
        ...(options.allowDuplicate ? { allowDuplicate: true } : {}),
      } satisfies RequestBody<'/admin/titles', 'post'>,
    });
  },
  /** GET /admin/titles: every title, searched and filtered, with licence summaries. */
  titleList(filter: TitleListFilter = {}, cursor?: string): Promise<Answer<'/admin/titles', 'get'>> {
    const params = new URLSearchParams({ limit: '25' });
    for (const [key, value] of Object.entries(filter))
      if (value !== undefined && value !== '') params.set(key, String(value));
    if (cursor) params.set('cursor', cursor);
    return api.request('GET', `/admin/titles?${params}`);
  },
  editTitle(id: string, changes: TitleMetadata): Promise<Title> {
    return api.request('PATCH', `/admin/titles/${enc(id)}`, {
      body: changes satisfies RequestBody<'/admin/titles/{id}', 'patch'>,
    });
  },
  /** No new loans or holds; loans out run to their end; waiting holds are cancelled. Repeating it is harmless. */
  withdrawTitle(id: string): Promise<ConsoleTitle> {
    return api.request('DELETE', `/admin/titles/${enc(id)}`);
  },
  licences(titleId: string): Promise<LicencePool> {
    return api.request('GET', `/admin/titles/${enc(titleId)}/licences`);
  },
  addLicence(titleId: string, body: RequestBody<'/admin/titles/{id}/licences', 'post'>): Promise<Licence> {
    return api.request('POST', `/admin/titles/${enc(titleId)}/licences`, { body });
  },
  setLicenceActive(titleId: string, licenceId: string, active: boolean): Promise<Licence> {
    return api.request('PATCH', `/admin/titles/${enc(titleId)}/licences/${enc(licenceId)}`, {
      body: { active } satisfies RequestBody<'/admin/titles/{id}/licences/{licenceId}', 'patch'>,
    });
  },
  patrons(
    query: Pick<Query<'/admin/patrons', 'get'>, 'card' | 'name' | 'cursor'>,
  ): Promise<Answer<'/admin/patrons', 'get'>> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined && value !== '') params.set(key, String(value));
    return api.request('GET', `/admin/patrons?${params}`);
  },
  setPatronStatus(
    id: string,
    status: NonNullable<RequestBody<'/admin/patrons/{id}', 'patch'>['status']>,
  ): Promise<PatronRecord> {
    return api.request('PATCH', `/admin/patrons/${enc(id)}`, {
      body: { status } satisfies RequestBody<'/admin/patrons/{id}', 'patch'>,
    });
  },
  resetPin(id: string, pin: string): Promise<PatronRecord> {
    return api.request('PATCH', `/admin/patrons/${enc(id)}`, {
      body: { pin } satisfies RequestBody<'/admin/patrons/{id}', 'patch'>,
    });
  },
  /** The file goes as text/csv whatever type the browser guessed for it (often none, or a spreadsheet type). */
  importPatrons(file: Blob): Promise<ImportReport> {
    return api.request('POST', '/admin/patrons/import', { body: new Blob([file], { type: 'text/csv' }) });
  },
  audit(filter: AuditFilter = {}, cursor?: string): Promise<Answer<'/admin/audit', 'get'>> {
    const params = new URLSearchParams({ limit: '25' });
    for (const [key, value] of Object.entries(filter))
      if (value !== undefined && value !== '') params.set(key, String(value));
    if (cursor) params.set('cursor', cursor);
    return api.request('GET', `/admin/audit?${params}`);
  },
};

/**
 * PUTs bytes to a presigned link with XMLHttpRequest (fetch has no upload progress), reporting bytes sent;
 * resolves with the ETag S3 answers (multipart completion needs it; the bucket's CORS rule exposes it).
 */
export function putWithProgress(
  url: string,
  body: Blob,
  onProgress: (loaded: number) => void,
  signal?: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size);
        resolve(xhr.getResponseHeader('ETag') ?? '');
      } else {
        reject(new Error(`HTTP ${xhr.status}`));
      }
    };
    xhr.onerror = () => reject(new Error('network'));
    xhr.onabort = () => reject(new DOMException('Aborted', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
