import { api } from '../api/client';
import type { AccessMode, Availability, Page, Title } from '../api/types';

/** The librarian API as the console uses it (functions/http/routes/admin-*.ts; all librarian-only). */

/** A title as librarians see it: with the time it was withdrawn, once it is. */
export type ConsoleTitle = Title & { withdrawnAt?: string };

/** The list's filters as GET /admin/titles takes them (all optional; flags are 'true'). */
export interface TitleListFilter {
  q?: string;
  access?: AccessMode;
  format?: 'epub' | 'pdf';
  withdrawn?: 'true' | 'false';
  withoutLicence?: 'true';
  licenceExpiringWithin?: string;
  checkoutsNearlyUsedUp?: 'true';
}

/** One row of the list: the title and a summary of its licences. */
export interface TitleListRow {
  id: string;
  title: string;
  authors: string[];
  format: 'epub' | 'pdf';
  access: AccessMode;
  withdrawn: boolean;
  isbn: string[];
  licences: { active: number; total: number; soonestExpiry: string | null; checkoutsLeft: number | null };
  link: string;
}

export interface PartLink {
  partNumber: number;
  url: string;
  /** Byte range of the file this part carries: [start, end). */
  start: number;
  end: number;
}

export interface Upload {
  id: string;
  mode: 'single' | 'multipart';
  state: 'pending' | 'uploaded' | 'validating' | 'published' | 'rejected' | 'aborted';
  fileName: string;
  contentType: string;
  size: number;
  partSize?: number;
  partCount?: number;
  expiresAt: string;
  titleId?: string;
  rejection?: string;
  url?: string;
  parts?: PartLink[];
}

export interface TitleMetadata {
  title?: string;
  authors?: string[];
  language?: string;
  publisher?: string;
  published?: string;
  description?: string;
  subjects?: string[];
}

export interface LicenceTerms {
  concurrency: number | null;
  checkouts: number | null;
  expires: string | null;
  loanLength: number | null;
}

export interface Licence {
  id: string;
  titleId: string;
  supplierLicenceId?: string;
  note?: string;
  terms: LicenceTerms;
  checkoutsLeft: number | null;
  available: number | null;
  state: 'active' | 'inactive' | 'expired' | 'exhausted';
  createdAt: string;
  deactivatedAt?: string;
}

export interface LicencePool {
  titleId: string;
  availability: Availability;
  data: Licence[];
}

export interface PatronRecord {
  id: string;
  cardNumber: string;
  name: string;
  email?: string;
  roles: string[];
  status?: 'active' | 'blocked';
  loanLimit?: number;
  holdLimit?: number;
}

export interface ImportProblem {
  field: string;
  code: string;
  message: string;
}

/** What a CSV import did, row by row (`line` is the line in the file; the header is line 1). */
export interface ImportReport {
  rows: number;
  imported: number;
  refused: number;
  results: {
    line: number;
    cardNumber: string;
    outcome: 'imported' | 'refused';
    patronId?: string;
    problems?: ImportProblem[];
  }[];
}

/** The trail's filters as GET /admin/audit takes them (times are ISO, inclusive; targetId needs targetType). */
export interface AuditFilter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: string;
  to?: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  targetType?: string;
  targetId?: string;
  outcome: 'succeeded' | 'refused';
  status: number;
  code?: string;
}

const enc = encodeURIComponent;

/** GET /admin/collections[/{id}] (functions/http/routes/admin-collections.ts). */
export interface AdminCollection {
  id: string;
  name: { id: string; en: string };
  description: { id: string; en: string };
  titleIds: string[];
  titles: { id: string; title?: string; status: 'active' | 'withdrawn' | 'missing'; cover?: string }[];
  cover?: { kind: 'image' | 'title'; titleId?: string; url?: string };
  featuredFrom?: string;
  featuredUntil?: string;
  featured: boolean;
  version: number;
}

export interface CollectionFields {
  name?: { id: string; en: string };
  description?: { id: string; en: string };
  featuredFrom?: string | null;
  featuredUntil?: string | null;
  coverTitleId?: string | null;
}

export const collectionAdmin = {
  async list(): Promise<AdminCollection[]> {
    return (await api.request<{ data: AdminCollection[] }>('GET', '/admin/collections')).data;
  },
  get(id: string): Promise<AdminCollection> {
    return api.request('GET', `/admin/collections/${enc(id)}`);
  },
  create(body: CollectionFields & { name: { id: string; en: string } }): Promise<AdminCollection> {
    return api.request('POST', '/admin/collections', { body });
  },
  update(id: string, version: number, body: CollectionFields): Promise<AdminCollection> {
    return api.request('PATCH', `/admin/collections/${enc(id)}`, { body: { ...body, version } });
  },
  remove(id: string): Promise<void> {
    return api.request('DELETE', `/admin/collections/${enc(id)}`);
  },
  addTitles(id: string, version: number, titleIds: string[]): Promise<AdminCollection> {
    return api.request('POST', `/admin/collections/${enc(id)}/titles`, { body: { titleIds, version } });
  },
  order(id: string, version: number, titleIds: string[]): Promise<AdminCollection> {
    return api.request('PUT', `/admin/collections/${enc(id)}/titles`, { body: { titleIds, version } });
  },
  removeTitle(id: string, titleId: string): Promise<AdminCollection> {
    return api.request('DELETE', `/admin/collections/${enc(id)}/titles/${enc(titleId)}`);
  },
  uploadCover(id: string, image: Blob): Promise<AdminCollection> {
    return api.request('PUT', `/admin/collections/${enc(id)}/cover`, { body: image });
  },
};

export const admin = {
  startUpload(body: { fileName: string; contentType: string; size: number }): Promise<Upload> {
    return api.request('POST', '/admin/uploads', { body });
  },
  renewParts(uploadId: string, partNumbers: number[]): Promise<{ parts: PartLink[] }> {
    return api.request('POST', `/admin/uploads/${enc(uploadId)}/parts`, { body: { partNumbers } });
  },
  completeUpload(uploadId: string, parts?: { partNumber: number; etag: string }[]): Promise<Upload> {
    return api.request('POST', `/admin/uploads/${enc(uploadId)}/complete`, {
      body: parts ? { parts } : {},
    });
  },
  abortUpload(uploadId: string): Promise<void> {
    return api.request('DELETE', `/admin/uploads/${enc(uploadId)}`);
  },
  /** `allowDuplicate`: publish even though the same file is already a title (after a DUPLICATE_PUBLICATION). */
  publish(uploadId: string, access: AccessMode, options: { allowDuplicate?: boolean } = {}): Promise<Title> {
    return api.request('POST', '/admin/titles', {
      body: { uploadId, access, ...(options.allowDuplicate ? { allowDuplicate: true } : {}) },
    });
  },
  /** GET /admin/titles: every title, searched and filtered, with licence summaries. */
  titleList(filter: TitleListFilter = {}, cursor?: string): Promise<Page<TitleListRow>> {
    const params = new URLSearchParams({ limit: '25' });
    for (const [key, value] of Object.entries(filter)) if (value) params.set(key, value);
    if (cursor) params.set('cursor', cursor);
    return api.request('GET', `/admin/titles?${params}`);
  },
  editTitle(id: string, changes: TitleMetadata): Promise<Title> {
    return api.request('PATCH', `/admin/titles/${enc(id)}`, { body: changes });
  },
  /** No new loans or holds; loans out run to their end; waiting holds are cancelled. Repeating it is harmless. */
  withdrawTitle(id: string): Promise<ConsoleTitle> {
    return api.request('DELETE', `/admin/titles/${enc(id)}`);
  },
  licences(titleId: string): Promise<LicencePool> {
    return api.request('GET', `/admin/titles/${enc(titleId)}/licences`);
  },
  addLicence(
    titleId: string,
    body: { terms: LicenceTerms; supplierLicenceId?: string; note?: string },
  ): Promise<Licence> {
    return api.request('POST', `/admin/titles/${enc(titleId)}/licences`, { body });
  },
  setLicenceActive(titleId: string, licenceId: string, active: boolean): Promise<Licence> {
    return api.request('PATCH', `/admin/titles/${enc(titleId)}/licences/${enc(licenceId)}`, {
      body: { active },
    });
  },
  patrons(query: { card?: string; name?: string; cursor?: string }): Promise<Page<PatronRecord>> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
    return api.request('GET', `/admin/patrons?${params}`);
  },
  setPatronStatus(id: string, status: 'active' | 'blocked'): Promise<PatronRecord> {
    return api.request('PATCH', `/admin/patrons/${enc(id)}`, { body: { status } });
  },
  resetPin(id: string, pin: string): Promise<PatronRecord> {
    return api.request('PATCH', `/admin/patrons/${enc(id)}`, { body: { pin } });
  },
  /** The file goes as text/csv whatever type the browser guessed for it (often none, or a spreadsheet type). */
  importPatrons(file: Blob): Promise<ImportReport> {
    return api.request('POST', '/admin/patrons/import', { body: new Blob([file], { type: 'text/csv' }) });
  },
  audit(filter: AuditFilter = {}, cursor?: string): Promise<Page<AuditEntry>> {
    const params = new URLSearchParams({ limit: '25' });
    for (const [key, value] of Object.entries(filter)) if (value) params.set(key, value);
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
