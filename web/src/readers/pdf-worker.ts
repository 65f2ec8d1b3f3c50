import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

export { workerUrl };

let worker: Worker | undefined;

/**
 * pdf.js's worker, started once per page. The reader shell starts it as soon as it knows the book is a PDF, so
 * its script (the largest part of the engine) downloads beside the engine and the first ranges.
 */
export function pdfWorker(): Worker | undefined {
  if (!worker && typeof Worker !== 'undefined') {
    try {
      worker = new Worker(workerUrl, { type: 'module' });
    } catch {
      worker = undefined;
    }
  }
  return worker;
}
