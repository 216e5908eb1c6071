import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Config } from './config';

/** A start-up failure the operator can fix: its message is one line naming the setting and what to do. */
class StartupError extends Error {}

type ErrnoError = Error & { code?: string; address?: string; port?: number };

/** Fails unless HOST:PORT can be listened on; checked before any slow setup (a first start creates the database). */
export async function checkPort(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(portError(err as ErrnoError, host, port) ?? err));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Fails unless DATA_DIR exists (or can be created) and this user can write in it. */
export function checkDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.hearth-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    throw new StartupError(
      `DATA_DIR ${dir} is not writable (${(err as ErrnoError).code ?? (err as Error).message}): make it writable for this user, or set DATA_DIR to another directory`,
    );
  }
}

/** Fails unless the PostgreSQL server of DATABASE_URL takes a connection to its database. */
export async function checkPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw postgresError(err as ErrnoError, url);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Fails unless the Redis of REDIS_URL answers PING. */
export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // connect() rejects with "Connection is closed."; the cause (ECONNREFUSED, …) came as an error event.
  let cause: ErrnoError | null = null;
  redis.on('error', (err) => {
    cause ??= err;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new StartupError(
      `REDIS_URL: Redis at ${where(url)} cannot be reached (${reason(cause ?? (err as ErrnoError))}): start Redis, or fix or unset REDIS_URL`,
    );
  } finally {
    redis.disconnect();
  }
}

/** The operator's line for an error met while starting, or null when it is not one of the known causes. */
export function describeStartupError(err: unknown, config: Config): string | null {
  const e = err as ErrnoError & { syscall?: string };
  if (err instanceof StartupError) return err.message;
  if (e?.syscall === 'listen' || e?.syscall === 'bind') {
    const port = portError(e, config.host, config.port);
    if (port) return port.message;
  }
  // A connection error is told by the port it was for (the checks passed, then a server went away).
  const connecting = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH)$/.test(e?.code ?? '');
  if (
    config.databaseUrl &&
    (/^(3D000|28P01|28000|57P03)$/.test(e?.code ?? '') ||
      (connecting && e.port === portOf(config.databaseUrl, 5432)))
  )
    return postgresError(e, config.databaseUrl).message;
  if (config.redisUrl && connecting && e.port === portOf(config.redisUrl, 6379))
    return `REDIS_URL: Redis at ${where(config.redisUrl)} cannot be reached (${e.code}): start Redis, or fix or unset REDIS_URL`;
  if (e?.code === 'EACCES' || e?.code === 'EROFS' || e?.code === 'ENOSPC')
    return `DATA_DIR ${config.dataDir}: ${e.message}: make it writable for this user, or set DATA_DIR to another directory`;
  return null;
}

function portOf(url: string, fallback: number): number {
  return Number(new URL(url).port) || fallback;
}

function portError(err: ErrnoError, host: string, port: number): StartupError | null {
  if (err?.code === 'EADDRINUSE')
    return new StartupError(
      `PORT ${port} is already in use on ${host}: stop what holds it, or set PORT to a free port`,
    );
  if (err?.code === 'EACCES')
    return new StartupError(
      `PORT ${port} needs privileges on this system: set PORT to 1024 or above (and put a reverse proxy in front)`,
    );
  if (err?.code === 'EADDRNOTAVAIL' || err?.code === 'ENOTFOUND')
    return new StartupError(
      `HOST ${host} is not an address of this machine: set HOST (0.0.0.0 listens on all)`,
    );
  return null;
}

function postgresError(err: ErrnoError, url: string): StartupError {
  const database = decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
  switch (err?.code) {
    case '3D000':
      return new StartupError(
        `DATABASE_URL names database "${database}", which does not exist on ${where(url)}: create it (createdb ${database}) or fix DATABASE_URL`,
      );
    case '28P01':
    case '28000':
      return new StartupError(
        `DATABASE_URL: PostgreSQL at ${where(url)} refused the login (${err.message}): fix the user or password in DATABASE_URL`,
      );
    default:
      return new StartupError(
        `DATABASE_URL: PostgreSQL at ${where(url)} cannot be reached (${reason(err)}): start it, or fix or unset DATABASE_URL`,
      );
  }
}

/** host:port of a URL, never its password. */
function where(url: string): string {
  const u = new URL(url);
  return u.port ? `${u.hostname}:${u.port}` : u.hostname;
}

function reason(err: ErrnoError): string {
  return err?.code ?? (err?.message || String(err)).split('\n')[0];
}
