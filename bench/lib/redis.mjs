import { spawn } from 'node:child_process';
import { freePort } from './hearth.mjs';
import { sleep } from './util.mjs';

/**
 * A private, memory-only redis-server on a free loopback port, so the bench's pub/sub traffic and worker-id
 * claims never meet those of tests using the shared Redis.
 */
export async function startRedis() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  const { Redis } = await import('ioredis');
  for (let i = 0; ; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch {
      probe.disconnect();
      if (i > 50 || child.exitCode !== null) throw new Error('redis-server did not start');
      await sleep(100);
    }
  }
  return {
    url,
    stop: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill();
      }),
  };
}
