// pdfjs-dist ships no typings for its worker module; the main thread only needs this one export from it.
declare module 'pdfjs-dist/legacy/build/pdf.worker.mjs' {
  export const WorkerMessageHandler: unknown;
}
