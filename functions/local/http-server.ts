import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener, RequestError } from '@hono/node-server';
import type { ProblemCode } from '../domain/problem-codes';
import { problemContentType, problemDocument } from '../http/problem';

/**
 * The node:http server behind `npm start`. Locally, Node's own answers at this edge were empty (a bare 431, a
 * bare 400), and a refusal sent before the body was read announced keep-alive and then dropped the socket; here
 * each over-long or unreadable request gets a problem+json answer, and an early refusal `Connection: close`.
 * None of this has a Lambda twin: API Gateway holds the client connections, and it refuses a request whose
 * request line and headers pass 10,240 bytes (an HTTP API quota that cannot be raised) before the function is
 * invoked, so the app itself never meets such a request.
 */

/** A request target longer than this is refused with 414 before routing (API Gateway refuses near 10 KiB). */
export const maxUrlBytes = 8 * 1024;
/** Request line plus headers; Node's default, made explicit so a NODE_OPTIONS flag cannot move it. */
export const maxHeaderBytes = 16 * 1024;

type Fetch = Parameters<typeof getRequestListener>[0];

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

function problemBytes(status: number, code: ProblemCode, detail: string): string {
  return JSON.stringify(problemDocument(status, code, detail));
}

const edgeHeaders = { 'Content-Type': problemContentType, 'X-Content-Type-Options': 'nosniff' };

/**
 * A head Node's parser refused. Node only hands over the chunk that overflowed, so the request line is judged
 * when that chunk starts with it (a request sent in one piece): longer than maxUrlBytes and the URL was the
 * culprit (414); otherwise the headers were (431).
 */
function overflowProblem(rawPacket: Buffer | undefined): [number, ProblemCode, string] {
  const head = rawPacket?.subarray(0, maxHeaderBytes + 1).toString('latin1') ?? '';
  const lineEnd = head.indexOf('\r\n');
  const requestLine = lineEnd === -1 ? head : head.slice(0, lineEnd);
  if (/^[A-Z]+ \//.test(requestLine) && requestLine.length > maxUrlBytes) {
    return [414, 'URI_TOO_LONG', `The request URL is over ${maxUrlBytes} bytes.`];
  }
  return [
    431,
    'HEADERS_TOO_LARGE',
    `The request line and headers are over ${maxHeaderBytes} bytes together.`,
  ];
}

/** Node's 'clientError': the request never became a request, so the answer is written on the socket itself. */
function answerClientError(error: ParserError, socket: Duplex): void {
  const response = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, detail]: [number, ProblemCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? overflowProblem(error.rawPacket)
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'The request was not received in time.']
        : [400, 'BAD_REQUEST', 'The request is not valid HTTP.'];
  const body = problemBytes(status, code, detail);
  const head = [
    `HTTP/1.1 ${status} ${problemDocument(status, code, detail).title}`,
    ...Object.entries(edgeHeaders).map(([name, value]) => `${name}: ${value}`),
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * A response written while the request body is still unread would otherwise announce keep-alive, and then
 * @hono/node-server drops the socket if the rest does not come within 500 ms: a client reusing the connection
 * loses its next request. Saying `Connection: close` makes Node end the connection cleanly after the answer.
 * Decided when the head is written: a route that read the body first keeps the connection. A body that had
 * arrived but was not parsed yet also counts as unread, so only early refusals pay for a new connection.
 */
function closeIfBodyUnread(request: IncomingMessage, response: ServerResponse): void {
  const writeHead = response.writeHead;
  response.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (!request.complete) this.shouldKeepAlive = false;
    return writeHead.apply(this, args);
  } as typeof writeHead;
}

function refuse(response: ServerResponse, status: number, code: ProblemCode, detail: string): void {
  const body = problemBytes(status, code, detail);
  response.writeHead(status, { ...edgeHeaders, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

/** The fetch handler (a Hono app's `fetch`) served by node:http with the edge rules above. */
export function createGatewayServer(fetch: Fetch, options: { hostname?: string } = {}): Server {
  const listener = getRequestListener(fetch, {
    hostname: options.hostname,
    // A request @hono/node-server cannot turn into a Request (a backslash in the path, a bad Host).
    errorHandler: (error) =>
      error instanceof RequestError
        ? new Response(problemBytes(400, 'BAD_REQUEST', 'The request URL or Host header is not valid.'), {
            status: 400,
            headers: edgeHeaders,
          })
        : new Response(
            problemBytes(500, 'INTERNAL_ERROR', 'Something went wrong on our side. Please try again.'),
            {
              status: 500,
              headers: edgeHeaders,
            },
          ),
  });
  const server = createServer({ maxHeaderSize: maxHeaderBytes }, (request, response) => {
    closeIfBodyUnread(request, response);
    if ((request.url ?? '').length > maxUrlBytes) {
      refuse(response, 414, 'URI_TOO_LONG', `The request URL is over ${maxUrlBytes} bytes.`);
      return;
    }
    void listener(request, response);
  });
  server.on('clientError', answerClientError);
  return server;
}

/** Listens and resolves with the bound address (port 0 picks a free one). */
export function listen(server: Server, port: number, hostname: string): Promise<AddressInfo> {
  return new Promise((ready, fail) => {
    server.once('error', fail);
    server.listen(port, hostname, () => {
      server.off('error', fail);
      ready(server.address() as AddressInfo);
    });
  });
}
