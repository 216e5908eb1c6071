// A load generator in its own process: offered rate (open loop, latency from the scheduled time) or fixed
// concurrency (closed loop) for a bounded time, against the Discord-compatible API, a bare route, or raw pg.
// Started by bench/lib/workers.mjs; gets its job over IPC and answers with counts and latencies.
import http from 'node:http';
import pg from 'pg';
import { nowMs, sleep, summarize } from '../lib/util.mjs';

const MAX_IN_FLIGHT = 256;

process.once('message', async (job) => {
  try {
    process.send({ ok: true, result: await run(job) });
  } catch (err) {
    process.send({ ok: false, error: String(err?.stack ?? err) });
  }
  process.exit(0);
});

async function run(job) {
  const client = await makeClient(job);
  const latencies = [];
  const statuses = {};
  let ok = 0;
  let late = 0;
  let inFlight = 0;
  let seq = 0;
  const one = async (scheduled) => {
    inFlight++;
    const i = seq++;
    let status;
    try {
      status = await client.send(i);
    } catch (err) {
      status = err.code ?? 'error';
    }
    inFlight--;
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status === 200 || status === 201) {
      ok++;
      latencies.push(nowMs() - scheduled);
    }
  };
  const start = nowMs();
  const end = start + job.durationMs;
  if (job.rate) {
    const pending = new Set();
    for (let n = 0; ; n++) {
      const at = start + (n * 1000) / job.rate;
      if (at >= end) break;
      const wait = at - nowMs();
      if (wait > 1) await sleep(wait);
      if (inFlight >= MAX_IN_FLIGHT) {
        late++;
        continue;
      }
      const p = one(at).finally(() => pending.delete(p));
      pending.add(p);
    }
    await Promise.all(pending);
  } else {
    await Promise.all(
      Array.from({ length: job.concurrency }, async () => {
        while (nowMs() < end) await one(nowMs());
      }),
    );
  }
  const seconds = (nowMs() - start) / 1000;
  await client.close();
  return {
    startedAt: start,
    requests: seq,
    ok,
    late,
    statuses,
    seconds,
    perSecond: ok / seconds,
    latencyMs: summarize(latencies),
  };
}

async function makeClient(job) {
  if (job.kind.startsWith('pg-')) return pgClient(job);
  if (job.kind === 'argon2') {
    const { verify } = await import('@node-rs/argon2');
    return { close: async () => {}, send: async () => ((await verify(job.hash, job.password)) ? 200 : 401) };
  }
  const url = new URL(job.target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency ?? 256 });
  const request = (method, path, headers, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path: url.pathname.replace(/\/$/, '') + path,
          headers,
          agent,
        },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => resolve(res.statusCode));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const json = (method, path, token, value) => {
    const body = value === undefined ? undefined : JSON.stringify(value);
    const headers = token ? { authorization: token } : {};
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    return request(method, path, headers, body);
  };
  const close = async () => agent.destroy();
  switch (job.kind) {
    case 'create':
      // Authors and channels rotate independently: every author writes in every channel.
      return {
        close,
        send: (i) =>
          json(
            'POST',
            `/v10/channels/${job.channels[i % job.channels.length]}/messages`,
            job.tokens[Math.floor(i / job.channels.length) % job.tokens.length],
            { content: `bench message ${i} at ${Date.now()}`, nonce: `${process.pid}-${i}` },
          ),
      };
    case 'history': {
      const min = BigInt(job.minId);
      const span = Number(BigInt(job.maxId) - min);
      return {
        close,
        send: (i) =>
          json(
            'GET',
            `/v10/channels/${job.channel}/messages?limit=50&before=${min + BigInt(Math.floor(Math.random() * span))}`,
            job.tokens[i % job.tokens.length],
          ),
      };
    }
    case 'login':
      return {
        close,
        send: (i) =>
          json('POST', '/v10/auth/login', null, {
            login: job.logins[i % job.logins.length],
            password: job.password,
          }),
      };
    case 'fanout':
      // The send time travels in the content; receivers in other processes subtract it from theirs.
      return {
        close,
        send: (i) =>
          json('POST', job.path, job.token, { content: `fanout ${job.tag} ${i} ${nowMs().toFixed(3)}` }),
      };
    case 'get':
      // GETs of `paths` in turn, each with the next of `tokens` (as sent: `Bearer …` for the Mastodon API).
      return {
        close,
        send: (i) => json('GET', job.paths[i % job.paths.length], job.tokens[i % job.tokens.length]),
      };
    case 'bare':
      return { close, send: () => json(job.method, job.path, null, job.body) };
    default:
      throw new Error(`unknown kind ${job.kind}`);
  }
}

function pgClient(job) {
  const pool = new pg.Pool({ connectionString: job.databaseUrl, max: job.poolSize ?? 20 });
  const close = () => pool.end();
  if (job.kind === 'pg-insert') {
    const base = BigInt(job.baseId);
    return {
      close,
      send: async (i) => {
        await pool.query(
          `INSERT INTO messages (channel_id, id, guild_id, author_id, content, nonce) VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            job.channels[i % job.channels.length],
            String(base + BigInt(i)),
            job.guildId,
            job.authorId,
            `bench message ${i} at ${Date.now()}`,
            `${process.pid}-${i}`,
          ],
        );
        return 200;
      },
    };
  }
  const min = BigInt(job.minId);
  const span = Number(BigInt(job.maxId) - min);
  return {
    close,
    send: async () => {
      await pool.query('SELECT * FROM messages WHERE channel_id = $1 AND id < $2 ORDER BY id DESC LIMIT 50', [
        job.channel,
        String(min + BigInt(Math.floor(Math.random() * span))),
      ]);
      return 200;
    },
  };
}
