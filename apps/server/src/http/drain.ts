import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/** The longest a shutdown waits for open connections to bring in what their clients already sent. */
const DRAIN_MAX_MS = 2_000;
/** A drain ends early once no request has been in progress or begun for this long. */
const DRAIN_QUIET_MS = 250;
/** How long requests still running after that may take before their connections are cut. */
const DRAIN_FINISH_MS = 10_000;

export interface ConnectionTracker {
  open(): number;
  /** Requests begun and not yet answered. */
  active(): number;
  /** When the last request began (performance.now()). */
  lastRequestAt(): number;
}

/** Follows a server's open connections (HTTP and upgraded) and requests, so that a shutdown can wait for them. */
export function trackConnections(server: Server): ConnectionTracker {
  const sockets = new Set<Socket>();
  let active = 0;
  let lastRequestAt = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    active++;
    lastRequestAt = performance.now();
    res.once('close', () => active--);
  });
  return { open: () => sockets.size, active: () => active, lastRequestAt: () => lastRequestAt };
}

/**
 * Stops accepting connections but keeps serving the open ones (their answers carry `Connection: close`, so each
 * closes after its answer) until none is left, or nothing has happened on them for DRAIN_QUIET_MS, or DRAIN_MAX_MS;
 * then closes the idle ones and waits for the requests still running (at most DRAIN_FINISH_MS more).
 * Node's http close() would instead destroy at once every connection that looks idle, including those whose next
 * request is already on its way: their clients got a reset instead of an answer.
 */
export async function drain(server: Server, connections: ConnectionTracker): Promise<void> {
  if (!server.listening) return;
  // net.Server's close, not http.Server's: stop listening without closing the idle connections.
  NetServer.prototype.close.call(server);
  const start = performance.now();
  for (;;) {
    const now = performance.now();
    if (connections.open() === 0 || now - start >= DRAIN_MAX_MS) break;
    const quietSince = Math.max(start, connections.lastRequestAt());
    if (connections.active() === 0 && now - quietSince >= DRAIN_QUIET_MS) break;
    await sleep(20);
  }
  server.closeIdleConnections();
  const finishBy = performance.now() + DRAIN_FINISH_MS;
  while (connections.open() > 0 && performance.now() < finishBy) {
    await sleep(20);
    server.closeIdleConnections();
  }
  server.closeAllConnections();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
