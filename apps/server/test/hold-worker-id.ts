// Run as a child process by worker-claim.test.ts: claims a worker id, says so, and holds it until killed.
import { claimWorkerId } from '../src/state/worker-claim';

const [url, id] = process.argv.slice(2);
await claimWorkerId(url, Number(id));
process.stdout.write('claimed\n');
setInterval(() => {}, 60_000);
