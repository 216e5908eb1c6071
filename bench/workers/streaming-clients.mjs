// Mastodon streaming clients in their own process: opens many `user` streams (WebSocket) and times every `update`
// whose status text carries `fanout-<phase>-<index>-t<sent-at-ms>`: arrival minus send, both on this machine's
// clock. Driven over IPC by bench/lib/workers.mjs (`commandProcess`), as the gateway clients are.
import WebSocket from 'ws';
import { serveCommands } from '../lib/commands.mjs';
import { nowMs, summarize } from '../lib/util.mjs';

const sockets = [];
const MARK = /fanout-(\w+)-(\d+)-t([\d.]+)/;
let phase = '';
let latencies = [];
let seen = new Map(); // post index -> deliveries in the current phase

function onFrame(raw) {
  const text = raw.toString();
  if (!text.includes('"event":"update"')) return;
  const m = MARK.exec(text);
  if (!m || m[1] !== phase) return;
  latencies.push(nowMs() - Number(m[3]));
  seen.set(m[2], (seen.get(m[2]) ?? 0) + 1);
}

const commands = {
  /** Opens one `user` stream per token at `url` (ws://host), `concurrency` at a time. */
  async connect({ url, tokens, concurrency = 50 }) {
    const start = nowMs();
    let failed = 0;
    let next = 0;
    const open = (token) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${url}/api/v1/streaming?stream=user&access_token=${token}`);
        ws.on('message', onFrame);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    await Promise.all(
      Array.from({ length: Math.min(concurrency, tokens.length) }, async () => {
        while (next < tokens.length) {
          try {
            sockets.push(await open(tokens[next++]));
          } catch {
            failed++;
          }
        }
      }),
    );
    return { connected: sockets.length, failed, seconds: (nowMs() - start) / 1000 };
  },
  /** Starts counting the posts of `name` only. */
  reset({ name }) {
    phase = name;
    latencies = [];
    seen = new Map();
    return null;
  },
  report() {
    let deliveries = 0;
    for (const n of seen.values()) deliveries += n;
    return { deliveries, perPost: Object.fromEntries(seen), latencyMs: summarize(latencies) };
  },
  close() {
    for (const ws of sockets) ws.terminate();
    return null;
  },
};

serveCommands(commands);
