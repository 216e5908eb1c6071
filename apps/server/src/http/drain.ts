import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/** How long connections are given to bring in what their clients already sent, before idle ones are closed. */
export const DRAIN_GRACE_MS = 2_000;

/** Counts a server's open connections (HTTP and upgraded), so that a shutdown can wait for them. */
export function trackConnections(server: Server): { open(): number } {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return { open: () => sockets.size };
}

/**
 * Stops accepting connections but keeps serving the open ones for up to `graceMs` (their answers carry
 * `Connection: close`, so each closes after its answer). Node's http close() would instead destroy every connection
 * that looks idle at once, including those whose next request is already on its way: their clients got a reset.
 */
export async function drain(
  server: Server,
  connections: { open(): number },
  graceMs = DRAIN_GRACE_MS,
): Promise<void> {
  if (!server.listening) return;
  // net.Server's close, not http.Server's: stop listening without closing the idle connections.
  NetServer.prototype.close.call(server);
  const deadline = Date.now() + graceMs;
  while (connections.open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
