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
 * Collects garbage in a process started with --inspect=127.0.0.1:<port> and returns its live heap in bytes,
 * through the DevTools protocol (HeapProfiler.collectGarbage, Runtime.getHeapUsage).
 */
export async function liveHeap(inspectPort) {
  const [target] = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 0;
  const send = (method) =>
    new Promise((resolve) => {
      const id = ++next;
      const onMessage = (data) => {
        const m = JSON.parse(data.toString());
        if (m.id !== id) return;
        ws.off('message', onMessage);
        resolve(m.result);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method }));
    });
  await send('HeapProfiler.enable');
  await send('HeapProfiler.collectGarbage');
  await send('HeapProfiler.collectGarbage');
  const { usedSize } = await send('Runtime.getHeapUsage');
  ws.close();
  return usedSize;
}
