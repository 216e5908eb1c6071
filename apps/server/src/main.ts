import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { WorkerIdClashError } from './events/worker-claim';
import { openDatabase } from './store/db';

const usage = `usage: hearth <command>
  start     serve the API, gateway and web app (migrations run first)
  migrate   apply database migrations and exit`;

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'start';
  const config = loadConfig();
  if (command === 'migrate') {
    const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    await database.close();
    console.log(`migrations applied (${database.kind})`);
    return;
  }
  if (command !== 'start') {
    console.error(usage);
    process.exit(2);
  }
  const app = await createApp(config);
  const shutdown = (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const address = await app.listen();
  app.log.info({ address, publicUrl: config.publicUrl, database: app.database.kind }, 'Hearth is listening');
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof WorkerIdClashError) {
    console.error(`hearth: ${err.message}`);
  } else {
    console.error('hearth: failed to start:', err);
  }
  process.exit(1);
});
