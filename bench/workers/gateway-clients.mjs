// Gateway clients in their own process: opens many sockets, identifies them (Discord Gateway v10, JSON),
// heartbeats at the interval HELLO gives, and times every MESSAGE_CREATE whose content is
// `fanout <tag> <index> <sent-at-ms>`. Driven over IPC by bench/lib/workers.mjs.
import { serveCommands } from '../lib/commands.mjs';
import { nowMs, summarize } from '../lib/util.mjs';
import { ClientSocket } from './client-socket.mjs';

const sockets = [];
let latencies = [];
let counts = new Map(); // socket index -> deliveries of the current tag
let tag = '';
let frameBytes = 0;
let frames = 0;
let lastAt = 0;

const commands = {
  async connect({ url, tokens, count, concurrency = 50, guilds = 0, presence = null }) {
    const readyMs = [];
    const identifyMs = [];
    const firstIndex = sockets.length;
    let failed = 0;
    let nextIndex = 0;
    const start = nowMs();
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (nextIndex < count) {
          const i = firstIndex + nextIndex++;
          try {
            const t = await open(url, i, tokens?.[i % tokens.length], guilds, presence);
            readyMs.push(t.ready);
            identifyMs.push(t.all);
          } catch {
            failed++;
          }
        }
      }),
    );
    const seconds = (nowMs() - start) / 1000;
    return {
      connected: count - failed,
      failed,
      seconds,
      perSecond: (count - failed) / seconds,
      readyMs: summarize(readyMs),
      guildsMs: summarize(identifyMs),
    };
  },
  async reset({ tag: t }) {
    tag = t;
    latencies = [];
    counts = new Map();
    frameBytes = 0;
    frames = 0;
    lastAt = 0;
    return null;
  },
  async report({ expected }) {
    let deliveries = 0;
    let missed = 0;
    let receiversMissing = 0;
    for (let i = 0; i < sockets.length; i++) {
      const got = counts.get(i) ?? 0;
      deliveries += got;
      if (got < expected) {
        missed += expected - got;
        receiversMissing++;
      }
    }
    const open = sockets.filter((s) => s.readyState === ClientSocket.OPEN).length;
    return {
      deliveries,
      missed,
      receiversMissing,
      open,
      latencies,
      lastAt,
      frameBytes: frames ? Math.round(frameBytes / frames) : 0,
    };
  },
  /**
   * Cuts every socket off, or with `ended` closes them as a client that is done does (code 1000: the server ends the
   * session at once instead of keeping it for a resume) and cuts off what has not closed within a few seconds.
   */
  async close({ ended = false } = {}) {
    if (ended) {
      const cutOff = setTimeout(() => {
        for (const ws of sockets) ws?.terminate();
      }, 5000);
      await Promise.all(
        sockets.map(
          (ws) =>
            new Promise((resolve) => {
              if (!ws || ws.readyState === ClientSocket.CLOSED) return resolve();
              ws.once('close', resolve);
              if (ws.readyState === ClientSocket.OPEN) ws.close(1000);
            }),
        ),
      );
      clearTimeout(cutOff);
    }
    for (const ws of sockets) ws?.terminate();
    sockets.length = 0;
    return null;
  },
};

function open(url, index, token, guilds, presence) {
  return new Promise((resolve, reject) => {
    const ws = new ClientSocket(url);
    sockets[index] = ws;
    let sentIdentify = 0;
    let ready = 0;
    let waitingGuilds = guilds;
    let settled = false;
    // The head of the last dispatch received (a copy: keeping the frame would hold tens of kilobytes per socket):
    // heartbeats carry its sequence, as a Discord client's do.
    let lastDispatch = null;
    const done = (err, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      err ? reject(err) : resolve(value);
    };
    const timer = setTimeout(() => done(new Error('identify timed out')), 60_000);
    ws.on('error', (err) => done(err));
    ws.on('close', () => done(new Error('closed')));
    ws.on('message', (data) => {
      // `{"op":0,…`: a dispatch (Hearth and the bare server write `op` first).
      if (data[6] === 0x30) lastDispatch = Buffer.from(data.subarray(0, HEAD_BYTES));
      // Dispatches are told apart by their name alone: parsing (or searching) the tens of kilobytes of READY and each
      // GUILD_CREATE would make the load generator, not the server, the limit of the identify scenario.
      const name = dispatchName(data);
      if ((name === 'MESSAGE_CREATE' || name === null) && data.indexOf(FANOUT) >= 0) {
        const text = data.toString();
        return onFanout(index, text, text.indexOf(FANOUT));
      }
      if (settled) return;
      const payload = name ? { t: name } : JSON.parse(data.toString());
      if (payload.op === 10) {
        const interval = payload.d.heartbeat_interval;
        // First beat at a random point of the interval, as Discord asks, then every interval.
        const beat = () =>
          ws.readyState === ClientSocket.OPEN &&
          ws.send(`{"op":1,"d":${(lastDispatch && sequenceOf(lastDispatch)) ?? null}}`);
        setTimeout(() => {
          beat();
          setInterval(beat, interval).unref();
        }, Math.random() * interval).unref();
        if (!token) return done(null, { ready: 0, all: 0 });
        sentIdentify = nowMs();
        ws.send(
          JSON.stringify({
            op: 2,
            d: {
              token,
              intents: 513,
              properties: { os: 'linux', browser: 'hearth-bench', device: 'hearth-bench' },
              ...(presence ? { presence } : {}),
            },
          }),
        );
      } else if (payload.t === 'READY') {
        ready = nowMs() - sentIdentify;
        if (!waitingGuilds) done(null, { ready, all: ready });
      } else if (payload.t === 'GUILD_CREATE') {
        if (--waitingGuilds === 0) done(null, { ready, all: nowMs() - sentIdentify });
      } else if (payload.op === 9) {
        done(new Error('invalid session'));
      }
    });
  });
}

const FANOUT = '"content":"fanout ';

/** How much of a dispatch's start holds its `t` and `s` (when they come before `d`, as Hearth and Discord write). */
const HEAD_BYTES = 96;

/** A dispatch's `s` when it comes before its `d` in the first bytes, else null. */
function sequenceOf(data) {
  const head = data.toString('latin1', 0, Math.min(data.length, HEAD_BYTES));
  const match = /"s":(\d+)/.exec(head);
  const d = head.indexOf('"d":');
  return match && (d < 0 || match.index < d) ? Number(match[1]) : null;
}

/** A dispatch's `t` when it comes before its `d` in the first bytes (Hearth's and Discord's order), else null. */
function dispatchName(data) {
  const head = data.toString('latin1', 0, Math.min(data.length, HEAD_BYTES));
  const match = /"t":"([A-Z_]+)"/.exec(head);
  const d = head.indexOf('"d":');
  return match && (d < 0 || match.index < d) ? match[1] : null;
}

function onFanout(index, text, at) {
  const start = at + FANOUT.length;
  const end = text.indexOf('"', start);
  const [t, , sentAt] = text.slice(start, end).split(' ');
  if (t !== tag) return;
  latencies.push(nowMs() - Number(sentAt));
  counts.set(index, (counts.get(index) ?? 0) + 1);
  frameBytes += text.length;
  frames++;
  lastAt = nowMs();
}

serveCommands(commands);
