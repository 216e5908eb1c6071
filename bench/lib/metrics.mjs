import { cpuSeconds, rssBytes, sleep } from './util.mjs';

/** Share of one core a process used over `ms`. */
export async function coreShare(pid, ms) {
  const before = cpuSeconds(pid);
  const t = performance.now();
  await sleep(ms);
  return (cpuSeconds(pid) - before) / ((performance.now() - t) / 1000);
}

export { rssBytes };

/**
 * A DevTools protocol connection to a process started with --inspect=127.0.0.1:<port>: `send(method, params)`
 * resolves to the result; `close()` ends it.
 */
export async function inspector(inspectPort) {
  const [target] = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(target.webSocketDebuggerUrl, { maxPayload: 2 ** 30 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 0;
  return {
    send: (method, params = {}) =>
      new Promise((resolve) => {
        const id = ++next;
        const onMessage = (data) => {
          const m = JSON.parse(data.toString());
          if (m.id !== id) return;
          ws.off('message', onMessage);
          resolve(m.result);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** Collects garbage in a process (see `inspector`) and returns its live heap in bytes. */
export async function liveHeap(inspectPort) {
  const devtools = await inspector(inspectPort);
  await devtools.send('HeapProfiler.enable');
  await devtools.send('HeapProfiler.collectGarbage');
  await devtools.send('HeapProfiler.collectGarbage');
  const { usedSize } = await devtools.send('Runtime.getHeapUsage');
  devtools.close();
  return usedSize;
}

/**
 * A V8 CPU profile of a process (see `inspector`) over one phase only: `start()`, then `stop(file)` writes the
 * `.cpuprofile` (readable by bench/profile-top.mjs and Chrome's DevTools).
 */
export async function phaseProfiler(inspectPort) {
  const devtools = await inspector(inspectPort);
  await devtools.send('Profiler.enable');
  return {
    start: () => devtools.send('Profiler.start'),
    async stop(file) {
      const { profile } = await devtools.send('Profiler.stop');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(file, JSON.stringify(profile));
    },
    close: () => devtools.close(),
  };
}

/**
 * Transactions committed or rolled back in one PostgreSQL database so far: each statement Hearth sends outside a
 * transaction is one. Backends report their counts when idle at most every second and retry within ten, so read
 * this after the load has been quiet for longer than that.
 */
export async function transactions(databaseUrl) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}
