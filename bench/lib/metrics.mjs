import { cpuSeconds, rssBytes, sleep } from './util.mjs';

/** Heap in use of a Hearth process, from its Prometheus /metrics. */
export async function hearthHeap(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = text.match(/^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m);
  return m ? Number(m[1]) : null;
}

/** Heap in use of a bare ws server, from its /stats. */
export async function bareHeap(url) {
  return (await (await fetch(`${url}/stats`)).json()).heapUsed;
}

/** Share of one core a process used over `ms`. */
export async function coreShare(pid, ms) {
  const before = cpuSeconds(pid);
  const t = performance.now();
  await sleep(ms);
  return (cpuSeconds(pid) - before) / ((performance.now() - t) / 1000);
}

export { rssBytes };
