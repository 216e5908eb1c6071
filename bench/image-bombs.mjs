// node bench/image-bombs.mjs [--hearth-dir DIR]
// Login latency while image work runs (issue 18): a Hearth process on a fresh PostgreSQL database; one client logs
// in again and again while (1) four issue-18 bomb avatars are sent at once and (2) eight slow but legitimate ones
// (a 4000×4000 frame each). Prints JSON; docs/performance.md ("Image work and logins") has the figures.
// --hearth-dir runs another checkout (e.g. the code before the fix, extracted with `git archive`).
import { parseArgs } from 'node:util';
import { freshDatabase, startHearth } from './lib/hearth.mjs';
import { call, PASSWORD } from './lib/seed.mjs';
import { sleep, summarize } from './lib/util.mjs';

const { values } = parseArgs({ options: { 'hearth-dir': { type: 'string' } } });
if (values['hearth-dir']) process.chdir(values['hearth-dir']);

/** A GIF with a width×height screen and `frames` 1×1 frames; `cornerFirst` puts the first one in the far corner. */
function gif({ width, height, frames, cornerFirst = false }) {
  const u16 = (n) => [n & 255, (n >> 8) & 255];
  const bytes = [...Buffer.from('GIF89a'), ...u16(width), ...u16(height), 0x80, 0, 0, 0, 0, 0, 255, 255, 255];
  for (let i = 0; i < frames; i++) {
    const corner = cornerFirst && i === 0;
    bytes.push(
      0x21,
      0xf9,
      4,
      0,
      1,
      0,
      0,
      0,
      0x2c,
      ...u16(corner ? width - 1 : 0),
      ...u16(corner ? height - 1 : 0),
    );
    bytes.push(1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0);
  }
  bytes.push(0x3b);
  return `data:image/gif;base64,${Buffer.from(bytes).toString('base64')}`;
}

const LOGIN_ACCOUNTS = 60;
/** One login at a time, at most one every 250 ms (~4 per second: 600 logins over 60 accounts before a 429). */
const LOGIN_EVERY_MS = 250;

async function timed(fn) {
  const t = performance.now();
  const res = await fn();
  return { ms: Math.round(performance.now() - t), status: res.status };
}

const db = await freshDatabase();
const hearth = await startHearth({ databaseUrl: db.url });
try {
  const api = `${hearth.api}/v10`;
  const register = async (i) =>
    call(hearth.api, 'POST', '/auth/register', {
      body: { email: `bomb${i}@bench.test`, username: `bomb_${i}`, password: PASSWORD },
    });
  const users = [];
  for (let i = 0; i < LOGIN_ACCOUNTS + 8; i++) users.push(await register(i));
  // Each account may log in 10 times in 10 minutes: logins take turns over LOGIN_ACCOUNTS accounts.
  let turn = 0;
  const login = () =>
    timed(() =>
      fetch(`${api}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: `bomb_${8 + (turn++ % LOGIN_ACCOUNTS)}`, password: PASSWORD }),
      }),
    );
  const patch = (user, avatar) =>
    timed(() =>
      fetch(`${api}/users/@me`, {
        method: 'PATCH',
        headers: { authorization: user.token, 'content-type': 'application/json' },
        body: JSON.stringify({ avatar }),
      }),
    );

  for (let i = 0; i < 5; i++) await login();
  const idle = [];
  for (let i = 0; i < 20; i++) {
    idle.push((await login()).ms);
    await sleep(LOGIN_EVERY_MS);
  }

  /** Sends the avatars at once and logs in one after another until they are all answered. */
  async function phase(label, avatars) {
    let done = false;
    const uploads = Promise.all(avatars.map((a, i) => patch(users[i], a))).finally(() => (done = true));
    const logins = [];
    while (!done) {
      const l = await login();
      logins.push(l);
      await sleep(Math.max(0, LOGIN_EVERY_MS - l.ms));
    }
    const answers = await uploads;
    return {
      label,
      uploads: answers.map((a) => `${a.status} in ${a.ms} ms`),
      logins: logins.length,
      loginStatuses: [...new Set(logins.map((l) => l.status))],
      loginMs: summarize(logins.map((l) => l.ms)),
    };
  }
  const bomb = gif({ width: 7000, height: 7000, frames: 300 });
  const heavy = gif({ width: 4000, height: 4000, frames: 1, cornerFirst: true });
  const result = {
    hearthDir: process.cwd(),
    bombBytes: Buffer.from(bomb.split(',')[1], 'base64').length,
    idleLoginMs: summarize(idle),
    phases: [
      await phase('4 bomb avatars at once', Array(4).fill(bomb)),
      await phase('8 heavy avatars at once', Array(8).fill(heavy)),
    ],
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await hearth.stop();
  await db.drop();
}
