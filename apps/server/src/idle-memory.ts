import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * Gives the memory start-up used and no longer needs back to the system, once, before the server listens.
 *
 * Start-up (transpiling the sources, loading PGlite, checking migrations, compiling every route's schemas) grows
 * V8's heap to ~215 MB of which ~100 MB stays live; V8 keeps the rest committed and, with nothing allocated while
 * the server waits, no later collection gives it back (RSS stayed ~480 MB after 30 s idle). A last-resort
 * collection — what V8 runs under memory pressure: full, compacting, and releasing its pooled pages — takes it back
 * to the live size (~140 MB of RSS; docs/performance.md, idle RSS). It runs before the port opens, so no request
 * waits on it. V8 gives no other way to ask for one: the `gc` function is taken from a throwaway context with
 * `--expose-gc` on just for that (as Jest's leak detector does) and the flag is turned off again.
 */
export function releaseStartupMemory(): void {
  setFlagsFromString('--expose-gc');
  try {
    const gc = runInNewContext('gc') as GcFunction;
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
