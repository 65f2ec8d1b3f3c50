// s3rver 3.7 ships no types; this declares the part of its API local mode uses.
declare module 's3rver' {
  interface S3rverOptions {
    port?: number;
    address?: string;
    directory: string;
    silent?: boolean;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Koa's middleware stack (s3rver extends Koa); composed when the server starts. */
    middleware: ((ctx: never, next: () => Promise<void>) => unknown)[];
    /** Koa's listen with a callback: the node:http server, listening on the port, its request handler s3rver. */
    listen(port: number, address: string, callback: () => void): import('node:http').Server;
  }
}
