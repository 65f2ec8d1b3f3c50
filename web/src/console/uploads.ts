import { ApiError } from '../api/client';
import type { AccessMode, Title } from '../api/types';
import { announce, h } from '../dom';
import { errorMessage, formatBytes, t } from '../i18n';
import { messageOf } from '../problem';
import type { Cleanup } from '../main';
import { href } from '../router';
import { admin, putWithProgress, type Upload } from './api';

type JobState =
  | 'starting'
  | 'uploading'
  | 'failed'
  | 'completing'
  | 'publishing'
  | 'published'
  | 'refused'
  | 'duplicate'
  | 'cancelled';

interface PartState {
  partNumber: number;
  start: number;
  end: number;
  url: string;
  loaded: number;
  state: 'waiting' | 'sending' | 'done' | 'failed';
  etag?: string;
  error?: string;
}

interface Job {
  key: number;
  file: File;
  access: AccessMode;
  upload?: Upload;
  parts: PartState[];
  state: JobState;
  problem?: { code: string; detail: string };
  /** DUPLICATE_PUBLICATION: the title this file already is (the upload waits to be published anyway). */
  duplicateOf?: { id: string; title: string };
  title?: Title;
  controller: AbortController;
  row: HTMLLIElement;
  bar?: HTMLProgressElement;
  percent?: HTMLElement;
  partBars: Map<number, HTMLProgressElement>;
}

/** Parts of one file sent at once (S3 multipart). */
const partConcurrency = 3;

/** Kept for the visit: uploads carry on (and stay listed) while the librarian reviews another page. */
const jobs: Job[] = [];
let nextKey = 1;
let list: HTMLUListElement | undefined;

function contentTypeOf(file: File): string {
  if (file.type) return file.type;
  if (/\.epub$/i.test(file.name)) return 'application/epub+zip';
  if (/\.pdf$/i.test(file.name)) return 'application/pdf';
  return '';
}

function problemOf(error: unknown): { code: string; detail: string } {
  if (error instanceof ApiError) return { code: error.code, detail: error.problem.detail };
  return { code: 'NETWORK', detail: (error as Error).message };
}

function sentBytes(job: Job): number {
  return job.parts.reduce((sum, part) => sum + Math.min(part.loaded, part.end - part.start), 0);
}

function percentOf(job: Job): number {
  if (job.file.size === 0) return job.upload && job.state !== 'starting' ? 100 : 0;
  return Math.floor((sentBytes(job) / job.file.size) * 100);
}

/** Updates the bars in place (progress events come often; the row is rebuilt only when the state changes). */
function progress(job: Job): void {
  if (job.bar) job.bar.value = sentBytes(job);
  if (job.percent) job.percent.textContent = `${percentOf(job)} %`;
  for (const part of job.parts) {
    const bar = job.partBars.get(part.partNumber);
    if (bar) bar.value = part.loaded;
  }
}

function stateText(job: Job): string {
  switch (job.state) {
    case 'published':
      return t('upload.state.published', { title: job.title?.title ?? job.file.name });
    case 'duplicate':
      return t('upload.state.duplicate', { title: job.duplicateOf?.title ?? '' });
    case 'refused':
      return t('upload.state.refused', {
        code: job.problem?.code ?? '',
        reason: errorMessage(job.problem?.code ?? 'unexpected'),
      });
    default:
      return t(`upload.state.${job.state}`);
  }
}

function draw(job: Job): void {
  const id = `upload-${job.key}`;
  job.bar = h('progress', {
    id: `${id}-bar`,
    max: Math.max(job.file.size, 1),
    value: sentBytes(job),
    'aria-label': t('upload.progressOf', { file: job.file.name }),
  });
  job.percent = h('span', { class: 'upload-percent', 'data-upload-percent': job.file.name });
  job.partBars = new Map();
  const multipart = job.upload?.mode === 'multipart';
  const parts = job.parts.map((part) => {
    const bar = h('progress', {
      max: Math.max(part.end - part.start, 1),
      value: part.loaded,
      'aria-label': t('upload.partProgress', { part: part.partNumber, count: job.parts.length }),
    });
    job.partBars.set(part.partNumber, bar);
    return h(
      'li',
      {},
      multipart
        ? h('span', {}, t('upload.partProgress', { part: part.partNumber, count: job.parts.length }))
        : null,
      multipart ? bar : null,
      part.state === 'failed'
        ? h(
            'span',
            { class: 'status-error' },
            t('upload.partFailed', { part: part.partNumber, detail: part.error ?? '' }),
          )
        : null,
      part.state === 'failed'
        ? h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => void retryPart(job, part) },
            multipart ? t('upload.retryPart', { part: part.partNumber }) : t('upload.retry'),
          )
        : null,
    );
  });
  const busy = job.state === 'starting' || job.state === 'uploading' || job.state === 'failed';
  job.row.replaceChildren(
    h('h3', {}, job.file.name),
    h('p', { class: 'meta' }, formatBytes(job.file.size)),
    job.bar,
    h(
      'p',
      {},
      job.percent,
      ' · ',
      h(
        'span',
        // The server's own explanation (English, with figures such as sizes) for whoever hovers over the reason.
        {
          class: 'upload-state',
          ...(job.state === 'refused' && job.problem ? { title: job.problem.detail } : {}),
        },
        stateText(job),
      ),
    ),
    h('ul', { class: 'upload-parts' }, parts),
    h(
      'div',
      { class: 'row-actions' },
      job.state === 'published' && job.title
        ? h(
            'a',
            { class: 'button', href: href.consoleTitle(job.title.id) },
            t('upload.review', { title: job.title.title }),
          )
        : null,
      job.state === 'duplicate' && job.duplicateOf
        ? h(
            'a',
            { class: 'button', href: href.consoleTitle(job.duplicateOf.id) },
            t('upload.openExisting', { title: job.duplicateOf.title }),
          )
        : null,
      job.state === 'duplicate'
        ? h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => void publish(job, true) },
            t('upload.publishAnyway'),
          )
        : null,
      busy && job.upload
        ? h(
            'button',
            { type: 'button', class: 'danger', onclick: () => void cancel(job) },
            t('upload.cancel'),
          )
        : null,
    ),
  );
  job.row.dataset.state = job.state;
  progress(job);
}

function setState(job: Job, state: JobState): void {
  job.state = state;
  draw(job);
}

async function sendPart(job: Job, part: PartState): Promise<void> {
  part.state = 'sending';
  part.loaded = 0;
  part.error = undefined;
  try {
    part.etag = await putWithProgress(
      part.url,
      job.file.slice(part.start, part.end),
      (loaded) => {
        part.loaded = loaded;
        progress(job);
      },
      job.controller.signal,
    );
    part.state = 'done';
  } catch (error) {
    part.state = 'failed';
    part.loaded = 0;
    part.error = (error as Error).message;
  }
}

/** Sends the waiting parts, a few at a time; then completes and publishes if none failed. */
async function sendParts(job: Job): Promise<void> {
  const queue = job.parts.filter((part) => part.state === 'waiting');
  const worker = async () => {
    for (let part = queue.shift(); part; part = queue.shift()) {
      await sendPart(job, part);
      if (job.state === 'cancelled') return;
    }
  };
  await Promise.all(Array.from({ length: partConcurrency }, worker));
  await settle(job);
}

async function settle(job: Job): Promise<void> {
  if (job.state === 'cancelled') return;
  if (job.parts.some((part) => part.state === 'sending')) return;
  if (job.parts.some((part) => part.state === 'failed')) {
    setState(job, 'failed');
    return;
  }
  await finish(job);
}

async function retryPart(job: Job, part: PartState): Promise<void> {
  if (!job.upload || part.state !== 'failed') return;
  setState(job, 'uploading');
  if (job.upload.mode === 'multipart') {
    // The old link may have expired: ask for a fresh one, for this part only.
    try {
      const { parts } = await admin.renewParts(job.upload.id, [part.partNumber]);
      const fresh = parts.find((p) => p.partNumber === part.partNumber);
      if (fresh) part.url = fresh.url;
    } catch (error) {
      part.error = messageOf(error);
      setState(job, 'failed');
      return;
    }
  }
  part.state = 'waiting';
  draw(job);
  await sendPart(job, part);
  draw(job);
  await settle(job);
}

async function finish(job: Job): Promise<void> {
  const upload = job.upload!;
  try {
    setState(job, 'completing');
    await admin.completeUpload(
      upload.id,
      upload.mode === 'multipart'
        ? job.parts.map((part) => ({ partNumber: part.partNumber, etag: part.etag ?? '' }))
        : undefined,
    );
  } catch (error) {
    job.problem = problemOf(error);
    setState(job, 'refused');
    announce(stateText(job), 'error');
    return;
  }
  await publish(job, false);
}

/** Publishes a completed upload; the same file already a title stops here until the librarian says. */
async function publish(job: Job, allowDuplicate: boolean): Promise<void> {
  try {
    setState(job, 'publishing');
    job.title = await admin.publish(job.upload!.id, job.access, { allowDuplicate });
    setState(job, 'published');
    announce(stateText(job));
  } catch (error) {
    const existing = error instanceof ApiError ? existingTitleOf(error) : undefined;
    if (existing) {
      job.duplicateOf = existing;
      setState(job, 'duplicate');
      announce(stateText(job), 'error');
      return;
    }
    job.problem = problemOf(error);
    setState(job, 'refused');
    announce(stateText(job), 'error');
  }
}

/** The title a DUPLICATE_PUBLICATION names (`existingTitle` in the problem). */
function existingTitleOf(error: ApiError): { id: string; title: string } | undefined {
  if (error.code !== 'DUPLICATE_PUBLICATION') return undefined;
  const named = error.problem.existingTitle as { id?: unknown; title?: unknown } | undefined;
  return typeof named?.id === 'string' && typeof named.title === 'string'
    ? { id: named.id, title: named.title }
    : undefined;
}

async function cancel(job: Job): Promise<void> {
  job.controller.abort();
  setState(job, 'cancelled');
  if (job.upload) await admin.abortUpload(job.upload.id).catch(() => {});
}

async function run(job: Job): Promise<void> {
  try {
    const upload = await admin.startUpload({
      fileName: job.file.name,
      contentType: contentTypeOf(job.file),
      size: job.file.size,
    });
    job.upload = upload;
    job.parts =
      upload.mode === 'multipart'
        ? (upload.parts ?? []).map((p) => ({ ...p, loaded: 0, state: 'waiting' as const }))
        : [{ partNumber: 1, start: 0, end: upload.size, url: upload.url ?? '', loaded: 0, state: 'waiting' }];
  } catch (error) {
    job.problem = problemOf(error);
    setState(job, 'refused');
    return;
  }
  setState(job, 'uploading');
  await sendParts(job);
}

export function renderUploads(body: HTMLElement): Cleanup {
  const files = h('input', {
    id: 'upload-files',
    type: 'file',
    multiple: true,
    accept: '.epub,.pdf,application/epub+zip,application/pdf',
    required: true,
  });
  const access = h(
    'select',
    { id: 'upload-access' },
    (['licensed', 'open', 'partner'] as const).map((mode) =>
      h('option', { value: mode }, t(`access.${mode}`)),
    ),
  );
  const error = h('p', { class: 'status status-error', role: 'alert', hidden: true });
  list = h('ul', { class: 'console-list', id: 'upload-list', 'aria-label': t('upload.list') });
  for (const job of jobs) {
    draw(job);
    list.append(job.row);
  }
  const form = h(
    'form',
    {
      'aria-labelledby': 'upload-heading',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const chosen = [...(files.files ?? [])];
        error.hidden = chosen.length > 0;
        error.textContent = chosen.length ? '' : t('upload.none');
        for (const file of chosen) {
          const job: Job = {
            key: nextKey++,
            file,
            access: access.value as AccessMode,
            parts: [],
            state: 'starting',
            controller: new AbortController(),
            row: h('li', {}),
            partBars: new Map(),
          };
          jobs.unshift(job);
          draw(job);
          list?.prepend(job.row);
          void run(job);
        }
        files.value = '';
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'upload-files' }, t('upload.files')), files),
    h('div', { class: 'field' }, h('label', { for: 'upload-access' }, t('upload.access')), access),
    error,
    h('button', { type: 'submit' }, t('upload.start')),
  );
  body.replaceChildren(
    h('h2', { id: 'upload-heading' }, t('upload.heading')),
    form,
    h('h2', {}, t('upload.list')),
    list,
  );
  return () => {
    list = undefined;
  };
}
