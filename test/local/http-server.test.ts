import type { Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayServer, listen, maxHeaderBytes, maxUrlBytes } from '../../functions/local/http-server';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * The node:http edge of `npm start`: the real app served by the same server the local gateway creates, on a
 * free loopback port, spoken to over plain sockets where fetch would hide what happens on the wire.
 */

let stack: TestStack;
let server: Server;
let port: number;

beforeAll(async () => {
  stack = await createTestStack();
  server = createGatewayServer(stack.app.fetch, { hostname: '127.0.0.1' });
  ({ port } = await listen(server, 0, '127.0.0.1'));
});

afterAll(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  await stack?.destroy();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function parseResponse(text: string): RawResponse {
  const headEnd = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, headEnd).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(headEnd + 4) };
}

/** Writes `request` on a fresh socket and resolves when the server has closed it, with all it answered. */
function exchangeUntilClosed(request: string): Promise<RawResponse & { closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let ended = false;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => (ended = true));
    // The client may still be writing the body the server never read: a reset then is the server's close.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      if (!received.includes('\r\n\r\n'))
        return reject(new Error(`no response: ${JSON.stringify(received)}`));
      resolve({ ...parseResponse(received), closedByServer: ended || socket.readableEnded });
    });
    socket.write(request);
  });
}

/** A problem answer read off the socket, whose connection the server closes (the raw twin of helpers/problem). */
function expectRawProblem(response: RawResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['connection']).toBe('close');
  expect(JSON.parse(response.body)).toMatchObject({ status, code });
}

describe('over-long requests', () => {
  it(`refuses a URL over ${maxUrlBytes} bytes with 414 URI_TOO_LONG`, async () => {
    // Prepare
    const query = 'a'.repeat(maxUrlBytes);
    // Act
    const response = await exchangeUntilClosed(`GET /titles?q=${query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    // Assess
    expectRawProblem(response, 414, 'URI_TOO_LONG');
  });

  it('refuses a URL longer than the whole head may be with 414 URI_TOO_LONG, not a bare 431', async () => {
    // Prepare: past Node's own limit, so its parser refuses it before any request exists.
    const query = 'a'.repeat(maxHeaderBytes + 1024);
    // Act
    const response = await exchangeUntilClosed(`GET /titles?q=${query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    // Assess
    expectRawProblem(response, 414, 'URI_TOO_LONG');
  });

  it(`refuses headers over ${maxHeaderBytes} bytes with 431 HEADERS_TOO_LARGE`, async () => {
    // Prepare
    const cookie = `session=${'b'.repeat(maxHeaderBytes)}`;
    // Act
    const response = await exchangeUntilClosed(
      `GET /titles HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\n\r\n`,
    );
    // Assess
    expectRawProblem(response, 431, 'HEADERS_TOO_LARGE');
  });

  it('answers a URL @hono/node-server cannot read with a 400 problem', async () => {
    const response = await exchangeUntilClosed(
      'GET /titles\\..\\admin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    expectRawProblem(response, 400, 'BAD_REQUEST');
  });

  it('answers bytes that are not HTTP with a 400 problem', async () => {
    const response = await exchangeUntilClosed('HELLO THERE\r\n\r\n');
    expectRawProblem(response, 400, 'BAD_REQUEST');
  });

  it('serves a long but allowed URL', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health?pad=${'a'.repeat(maxUrlBytes - 100)}`);
    expect(response.status).toBe(200);
  });
});

describe('a refusal sent before the request body was read', () => {
  // Each declares a body far larger than it sends: the server answers without waiting for the rest.
  it.each([
    ['413 for a body declared over the limit', '/auth/login', 1024 * 1024, 413],
    ['401 on an admin route without a token', '/admin/patrons', 12 * 1024, 401],
  ])('%s says Connection: close and closes the socket', async (_case, path, declared, status) => {
    // Prepare
    const head = [
      `POST ${path} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${declared}`,
    ].join('\r\n');
    // Act
    const response = await exchangeUntilClosed(`${head}\r\n\r\n${'{'.repeat(1024)}`);
    // Assess
    expect(response.status).toBe(status);
    expect(response.headers['connection']).toBe('close');
    expect(response.headers['keep-alive']).toBeUndefined();
    expect(response.closedByServer).toBe(true);
  });

  it('keeps the connection when the route read the body before refusing', async () => {
    // Prepare: a sign-in with an unknown card (its body is read, then refused), then a second request on the
    // same socket.
    const body = JSON.stringify({ cardNumber: '10000404', pin: '0000' });
    const refused = [
      'POST /auth/login HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${body.length}`,
    ].join('\r\n');
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('latin1');
    let received = '';
    const answered = (count: number) =>
      new Promise<void>((done) => {
        const check = () => {
          if (received.split('HTTP/1.1 ').length - 1 >= count && received.endsWith('}')) {
            socket.off('data', check);
            done();
          }
        };
        socket.on('data', check);
      });
    socket.on('data', (chunk: string) => (received += chunk));
    // Act
    const first = answered(1);
    socket.write(`${refused}\r\n\r\n${body}`);
    await first;
    const second = answered(2);
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await second;
    socket.destroy();
    // Assess
    const [one, two] = received.split(/(?=HTTP\/1\.1 )/).map(parseResponse);
    expect(one!.status).toBe(401);
    expect(JSON.parse(one!.body)).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect(one!.headers['connection']).toBe('keep-alive');
    expect(two!.status).toBe(200);
  });
});
