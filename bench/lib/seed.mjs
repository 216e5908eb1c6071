import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import pg from 'pg';
import { SECRET_KEY } from './hearth.mjs';

const DISCORD_EPOCH = 1420070400000n;
export const PASSWORD = 'bench horse battery staple';

/** One call to the Discord-compatible API under `api` (…/api); throws on a non-2xx answer. */
export async function call(api, method, path, { token, body } = {}) {
  const res = await fetch(`${api}/v10${path}`, {
    method,
    headers: {
      ...(token ? { authorization: token } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A snowflake for `ms` with worker bits 1023, which no Hearth process the bench starts uses. */
export function snowflakeAt(ms, sequence = 0n) {
  return ((BigInt(ms) - DISCORD_EPOCH) << 22n) | (1023n << 12n) | sequence;
}

/**
 * A guild world: an owner registered through the API creates `guilds` guilds with `channels` text channels each;
 * `users` more accounts are bulk-loaded into PostgreSQL (users, credentials with a real argon2 hash of PASSWORD,
 * settings, one session each) and joined to every guild. Returns every account with an access token.
 */
export async function seedWorld({ api, databaseUrl, users = 0, guilds = 1, channels = 1 }) {
  const tag = randomBytes(3).toString('hex');
  const owner = await call(api, 'POST', '/auth/register', {
    body: { email: `owner_${tag}@bench.test`, username: `owner_${tag}`, password: PASSWORD },
  });
  const world = { owner: { id: owner.user_id, token: owner.token }, guilds: [], users: [] };
  for (let g = 0; g < guilds; g++) {
    const guild = await call(api, 'POST', '/guilds', { token: owner.token, body: { name: `bench ${g}` } });
    const ids = [];
    for (let c = 0; c < channels; c++) {
      const ch = await call(api, 'POST', `/guilds/${guild.id}/channels`, {
        token: owner.token,
        body: { name: `bench-${c}`, type: 0 },
      });
      ids.push(ch.id);
    }
    world.guilds.push({ id: guild.id, channels: ids });
  }
  if (!users) return world;

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const [{ password_hash: hash }] = (
      await client.query('SELECT password_hash FROM credentials WHERE user_id = $1', [owner.user_id])
    ).rows;
    const base = snowflakeAt(Date.now() - 3_600_000);
    const params = [String(base), users, `u${tag}_`, hash];
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO users (id, username) SELECT $1::bigint + i, $3 || i FROM generate_series(0, $2 - 1) i`,
      params.slice(0, 3),
    );
    await client.query(
      `INSERT INTO credentials (user_id, email, password_hash, email_verified)
       SELECT $1::bigint + i, $3 || i || '@bench.test', $4, true FROM generate_series(0, $2 - 1) i`,
      params,
    );
    await client.query(
      `INSERT INTO user_settings (user_id) SELECT $1::bigint + i FROM generate_series(0, $2 - 1) i`,
      params.slice(0, 2),
    );
    // Each account's session id is its user id plus half the id space's spacing: unique and never reused.
    await client.query(
      `INSERT INTO sessions (user_id, id, client, expires_at)
       SELECT $1::bigint + i, $1::bigint + $2 + i, 'bench', now() + interval '1 day' FROM generate_series(0, $2 - 1) i`,
      params.slice(0, 2),
    );
    for (const g of world.guilds) {
      await client.query(
        `INSERT INTO members (guild_id, user_id) SELECT $3, $1::bigint + i FROM generate_series(0, $2 - 1) i`,
        [...params.slice(0, 2), g.id],
      );
    }
    await client.query('COMMIT');
    await client.query('ANALYZE');
    const key = new TextEncoder().encode(SECRET_KEY);
    for (let i = 0; i < users; i++) {
      const id = String(base + BigInt(i));
      const token = await new SignJWT({ sid: String(base + BigInt(users + i)) })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(id)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
      world.users.push({ id, token, login: `u${tag}_${i}` });
    }
  } finally {
    await client.end();
  }
  return world;
}
