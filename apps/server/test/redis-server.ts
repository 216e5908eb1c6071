import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './harness';
import { accepts } from './process';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** Why tests that stop and restart Redis cannot run here, or false. */
export const privateRedisSkip = existsSync(REDIS_SERVER) ? false : `needs ${REDIS_SERVER}`;

/**
 * A redis-server of the test's own on a free port, without persistence, which the test may stop and start again
 * (the shared one is never stopped). Restarted, it is empty, as a Redis without persistence is after a crash.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.resume();
    return redis;
  }

  /** Starts the server (again) and waits until it accepts connections. */
  async resume(): Promise<void> {
    this.child = spawn(REDIS_SERVER, ['--port', String(this.port), '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 200; i++) {
      if (await accepts(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Kills the server at once, as a crash would. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}
