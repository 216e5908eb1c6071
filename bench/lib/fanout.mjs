import { cpuSeconds, round, sleep, summarize } from './util.mjs';
import { gatewayClients, httpLoad } from './workers.mjs';

const SOCKETS_PER_PROCESS = 5000;
/**
 * Receivers identify invisible: their own presence changes are then not broadcast to the guild, which would make
 * connecting N sessions cost N² deliveries (the identify scenario measures identifying online).
 */
export const INVISIBLE = { status: 'invisible', since: null, activities: [], afk: false };

/**
 * Opens `count` gateway sessions on `urls` (round robin by process) from as many client processes as needed,
 * identifying with `tokens` (none: a bare server). Resolves to the client processes and how connecting went.
 */
export async function connectReceivers({
  urls,
  tokens,
  count,
  guilds = 0,
  concurrency = 20,
  presence = INVISIBLE,
}) {
  const processes = Math.max(urls.length, Math.ceil(count / SOCKETS_PER_PROCESS));
  const clients = Array.from({ length: processes }, () => gatewayClients());
  const share = (i) => Math.floor(count / processes) + (i < count % processes ? 1 : 0);
  let offset = 0;
  const results = await Promise.all(
    clients.map((c, i) => {
      const n = share(i);
      const mine = tokens ? Array.from({ length: n }, (_, k) => tokens[(offset + k) % tokens.length]) : null;
      offset += n;
      return c.call('connect', {
        url: urls[i % urls.length],
        tokens: mine,
        count: n,
        guilds,
        concurrency,
        presence,
      });
    }),
  );
  const connected = results.reduce((n, r) => n + r.connected, 0);
  const seconds = Math.max(...results.map((r) => r.seconds));
  return { clients, connected, failed: count - connected, seconds, results };
}

/** Closes the clients' sockets (see gateway-clients.mjs `close`: cut off, or with `ended` closed with 1000). */
export async function closeReceivers(clients, { ended = false } = {}) {
  await Promise.all(clients.map((c) => c.call('close', { ended }).catch(() => {})));
  for (const c of clients) c.stop();
}

/**
 * One fan-out phase: a sender process posts `fanout` messages (at `rate`, or closed loop at `concurrency`) and
 * every receiver times every delivery. Waits for deliveries to settle, then counts what is missing.
 */
export async function fanoutPhase({
  clients,
  receivers,
  sender,
  rate,
  concurrency,
  durationMs,
  tag,
  serverPids,
}) {
  await Promise.all(clients.map((c) => c.call('reset', { tag })));
  const serverCpu = () => (serverPids ?? []).reduce((s, pid) => s + cpuSeconds(pid), 0);
  const cpu0 = serverCpu();
  const sent = await httpLoad({ ...sender, kind: 'fanout', tag, rate, concurrency, durationMs });
  const expected = sent.ok;
  // Deliveries settle when all have arrived, or when none arrived for two seconds (at most a minute).
  let reports = [];
  let last = -1;
  let still = 0;
  for (let waited = 0; waited < 60_000; waited += 500) {
    await sleep(500);
    reports = await Promise.all(clients.map((c) => c.call('report', { expected })));
    const delivered = reports.reduce((n, r) => n + r.deliveries, 0);
    if (delivered >= expected * receivers) break;
    still = delivered === last ? still + 1 : 0;
    if (still >= 4) break;
    last = delivered;
  }
  const deliveries = reports.reduce((n, r) => n + r.deliveries, 0);
  const cpu = serverCpu() - cpu0;
  const lastAt = Math.max(...reports.map((r) => r.lastAt));
  const seconds = (lastAt - sent.startedAt) / 1000;
  return {
    offeredMessagesPerSecond: rate ?? null,
    senderConcurrency: concurrency ?? null,
    messagesSent: expected,
    sendErrors: sent.requests - sent.ok,
    sendLatencyMs: sent.latencyMs,
    deliveries,
    expectedDeliveries: expected * receivers,
    missed: reports.reduce((n, r) => n + r.missed, 0),
    receiversMissing: reports.reduce((n, r) => n + r.receiversMissing, 0),
    openSockets: reports.reduce((n, r) => n + r.open, 0),
    deliveriesPerSecond: round(deliveries / seconds, 0),
    // The server processes' CPU over the phase (sending included), per 1,000 deliveries: robust to a busy machine.
    serverCpuMsPer1000Deliveries:
      serverPids?.length && deliveries ? round((cpu * 1e6) / deliveries, 1) : null,
    frameBytes: reports[0]?.frameBytes ?? 0,
    latencyMs: summarize(reports.flatMap((r) => r.latencies)),
  };
}

/**
 * Connects `count` receivers, runs a fixed-rate phase (`rate` messages/s) and a saturation phase (closed-loop
 * sender), and disconnects. `gateway` is one URL or one per server process.
 */
export async function fanoutRun({ ctx, label, urls, tokens, count, sender, rate, phaseMs, serverPids }) {
  ctx.log(`${label}: connecting ${count} sessions`);
  const rx = await connectReceivers({ urls, tokens, count });
  try {
    ctx.log(`${label}: ${rate} messages/s to ${rx.connected} sessions`);
    const fixed = await fanoutPhase({
      clients: rx.clients,
      receivers: rx.connected,
      sender,
      rate,
      durationMs: phaseMs,
      tag: `${label}f${count}`,
      serverPids,
    });
    ctx.log(`${label}: saturation`);
    const saturation = await fanoutPhase({
      clients: rx.clients,
      receivers: rx.connected,
      sender,
      concurrency: 8,
      durationMs: phaseMs,
      tag: `${label}s${count}`,
      serverPids,
    });
    return {
      sessions: rx.connected,
      connectFailed: rx.failed,
      connectSeconds: rx.seconds,
      fixed,
      saturation,
    };
  } finally {
    await closeReceivers(rx.clients);
  }
}
