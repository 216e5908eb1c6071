import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HearthApp } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { releaseStartupMemory } from './idle-memory';
import { checkDataDir, checkPort, checkPostgres, checkRedis, describeStartupError } from './startup';
import { WorkerIdClashError } from './state/worker-claim';
import { DataDirInUseError } from './store/data-dir-lock';
import { openDatabase } from './store/db';

const usage = `usage: hearth <command>
  start     serve the API, gateway and web app (migrations run first)
  migrate   apply database migrations and exit`;

/** Everything a start can be told to fix is checked before the slow part (creating or migrating a database). */
async function preflight(config: Config, opts: { port: boolean }): Promise<void> {
  if (opts.port) await checkPort(config.host, config.port);
  checkDataDir(config.dataDir);
  if (config.databaseUrl) await checkPostgres(config.databaseUrl);
  if (config.redisUrl) await checkRedis(config.redisUrl);
}

/** A line for a person reading the terminal (the logs are JSON for machines). */
function say(config: Config, line: string): void {
  if (config.logLevel !== 'silent') console.log(line);
}

async function main(config: Config): Promise<void> {
  const command = process.argv[2] ?? 'start';
  if (command === 'migrate') {
    await preflight(config, { port: false });
    const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    await database.close();
    console.log(`migrations applied (${database.kind})`);
    return;
  }
  if (command !== 'start') {
    console.error(usage);
    process.exit(2);
  }
  await preflight(config, { port: config.port !== 0 });
  if (!config.databaseUrl && !existsSync(join(config.dataDir, 'pglite', 'PG_VERSION'))) {
    say(
      config,
      `hearth: creating the embedded database in ${join(config.dataDir, 'pglite')} (first start only, about 20 seconds)…`,
    );
  }
  // The same signal may come twice (from npm, which forwards it, and from a kill of the whole process group): the
  // first one starts the shutdown, later ones must not cut it short. One that comes while the database is being set
  // up lets the set-up finish (a half-created data directory is worse), then stops.
  let app: HearthApp | null = null;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping || !app) {
      stopping = true;
      return;
    }
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app?.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Loaded only now: a start that fails its checks says so without loading the whole server first.
  const { createApp } = await import('./app');
  app = await createApp(config);
  if (stopping) {
    await app.close();
    process.exit(0);
  }
  // The embedded default's idle RSS (issue 26): what start-up allocated and dropped is given back before listening.
  releaseStartupMemory();
  const address = await app.listen();
  app.log.info({ address, publicUrl: config.publicUrl, database: app.database.kind }, 'Hearth is listening');
  const mail = config.smtpUrl
    ? ''
    : `; mail goes to ${join(config.dataDir, 'outbox')} and its confirmation links appear in this log`;
  say(config, `hearth: ready, open ${config.publicUrl}${mail}`);
}

let config: Config | null = null;
try {
  config = loadConfig();
} catch (err) {
  console.error(`hearth: ${err instanceof ConfigError ? err.message : String(err)}`);
  process.exit(1);
}
main(config).catch((err) => {
  const line =
    err instanceof WorkerIdClashError || err instanceof DataDirInUseError
      ? err.message
      : describeStartupError(err, config);
  if (line) console.error(`hearth: ${line}`);
  else console.error('hearth: failed to start:', err);
  process.exit(1);
});
