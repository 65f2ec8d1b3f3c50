import { createServer, type Socket } from 'node:net';

/**
 * Stand-ins for a dependency that is down, to point an endpoint at.
 *
 * `startSilentServer`: accepts TCP connections on 127.0.0.1 and never sends a byte back, which is what a
 * frozen process (SIGSTOP) or a black-holed network looks like to a client once connected.
 * `closedPortEndpoint`: a port on 127.0.0.1 where nothing listens (a killed process): connections are refused.
 */
export interface SilentServer {
  endpoint: string;
  /** Connections accepted so far (the client did reach it). */
  readonly connections: number;
  /** Destroys every open socket and stops listening, so that the test run can exit. */
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Read and drop what the client sends, so its writes never block; answer nothing.
    socket.on('data', () => {});
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Takes a free port from the OS and releases it again: nothing listens there afterwards. */
export async function closedPortEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
