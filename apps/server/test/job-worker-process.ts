// A process that runs jobs of kind `test.record` from the PostgreSQL database at argv[2] until none is left, writing
// each job's id and payload on stdout, one JSON line per run. jobs.test.ts starts two of these at once.
import { pino } from 'pino';
import { JobQueue } from '../src/jobs/queue';
import { JobWorker } from '../src/jobs/worker';
import { openDatabase } from '../src/store/db';

const database = await openDatabase({ url: process.argv[2], dataDir: 'memory://' });
const queue = new JobQueue(database.db);
const worker = new JobWorker<{ 'test.record': { n: number } }>(queue, {
  log: pino({ level: 'warn' }),
  pollMs: 10,
});
worker.define(
  'test.record',
  async (payload, { job }) => {
    process.stdout.write(`${JSON.stringify({ id: job.id, n: payload.n, pid: process.pid })}\n`);
    await new Promise((r) => setImmediate(r));
  },
  { concurrency: 4 },
);
process.stdout.write('ready\n');
// Started together: the parent says go on stdin, so both claim from the first job on.
await new Promise((resolve) => process.stdin.once('data', resolve));
worker.start();
for (;;) {
  await new Promise((r) => setTimeout(r, 20));
  const left = (await queue.counts()).filter((c) => c.kind === 'test.record' && c.state !== 'dead');
  if (!left.length) break;
}
await worker.stop();
await database.close();
process.exit(0);
