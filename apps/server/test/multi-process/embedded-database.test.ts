import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs, { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { DataDirInUseError, lockDataDir, processStartTime } from '../../src/store/data-dir-lock';
import { openDatabase } from '../../src/store/db';
import { freePort } from '../harness';
import { postJson, startProcess, waitForHealth } from '../process';

// The embedded database (PGlite under DATA_DIR): one process at a time, and what it acknowledged is on disk.

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

describe('the DATA_DIR lock', () => {
  test('a live holder keeps it: the second taker gets one line naming DATA_DIR and the pid', () => {
    const dir = tempDir('hearth-lock-');
    const first = lockDataDir(dir);
    assert.throws(
      () => lockDataDir(dir),
      (err: Error) =>
        err instanceof DataDirInUseError &&
        err.message ===
          `DATA_DIR ${dir} is in use by another Hearth process (pid ${process.pid}); stop it first, or give this process its own DATA_DIR`,
    );
    first.release();
    lockDataDir(dir).release();
  });

  test('the lock of another live process is respected', async () => {
    const dir = tempDir('hearth-lock-');
    const other = spawn('sleep', ['30']);
    try {
      await new Promise((r) => other.once('spawn', r));
      const pid = other.pid as number;
      writeFileSync(join(dir, 'hearth.lock'), JSON.stringify({ pid, started: processStartTime(pid) }));
      assert.throws(() => lockDataDir(dir), DataDirInUseError);
    } finally {
      other.kill('SIGKILL');
    }
  });

  test('a lock left by a killed process, or naming a pid now used by another process, is taken over', () => {
    const dir = tempDir('hearth-lock-');
    const gone = spawnSync('true').pid as number;
    writeFileSync(join(dir, 'hearth.lock'), JSON.stringify({ pid: gone, started: '1' }));
    const mine = lockDataDir(dir);
    assert.equal(JSON.parse(readFileSync(join(dir, 'hearth.lock'), 'utf8')).pid, process.pid);
    mine.release();
    // This process's pid with another start time: the pid was recycled, its old holder is gone.
    writeFileSync(join(dir, 'hearth.lock'), JSON.stringify({ pid: process.pid, started: '1' }));
    lockDataDir(dir).release();
    // A lock file cut short by a crash while it was written.
    writeFileSync(join(dir, 'hearth.lock'), '{"pi');
    lockDataDir(dir).release();
  });
});

describe('PGlite in DATA_DIR', () => {
  test('runs with fsync on, and a commit reaches fsync() before the query resolves; a second open is refused', async () => {
    const dir = tempDir('hearth-pglite-');
    const database = await openDatabase({ url: null, dataDir: dir });
    const realFsync = fs.fsyncSync;
    let fsyncs = 0;
    fs.fsyncSync = (fd) => {
      fsyncs++;
      realFsync(fd);
    };
    try {
      const result = (await database.db.execute(sql`SHOW fsync`)) as unknown as {
        rows: Array<{ fsync: string }>;
      };
      const [setting] = result.rows;
      assert.equal(setting.fsync, 'on');
      await database.db.execute(sql`CREATE TABLE durable (n int)`);
      fsyncs = 0;
      await database.db.execute(sql`INSERT INTO durable VALUES (1)`);
      assert.ok(fsyncs > 0, 'the commit was flushed to disk');
      await assert.rejects(openDatabase({ url: null, dataDir: dir }), DataDirInUseError);
    } finally {
      fs.fsyncSync = realFsync;
      await database.close();
    }
    // Closing gave the directory back.
    const again = await openDatabase({ url: null, dataDir: dir });
    await again.close();
  });

  test('a second process on the same DATA_DIR refuses with one line; after SIGKILL of the first every acknowledged message is there', {
    timeout: 300_000,
  }, async () => {
    const dataDir = tempDir('hearth-embedded-');
    const first = startProcess({
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      AUTH_RATE_LIMIT: '100000',
    });
    try {
      await waitForHealth(first);
      const api = `${first.url}/api/v10`;
      const reg = await postJson(`${api}/auth/register`, {
        email: 'kept@example.test',
        username: 'kept',
        password: 'long enough',
      });
      assert.equal(reg.status, 201);
      const token = reg.body.token as string;
      const guild = await postJson(`${api}/guilds`, { name: 'Kept' }, token);
      const channels = await (
        await fetch(`${api}/guilds/${guild.body.id}/channels`, { headers: { authorization: token } })
      ).json();
      const channelId = channels.find((c: { type: number }) => c.type === 0).id as string;
      const acknowledged: string[] = [];
      await Promise.all(
        Array.from({ length: 4 }, async (_, writer) => {
          for (let i = 0; i < 15; i++) {
            const res = await postJson(
              `${api}/channels/${channelId}/messages`,
              { content: `${writer}-${i}` },
              token,
            );
            assert.equal(res.status, 200);
            acknowledged.push(res.body.id);
          }
        }),
      );

      const second = startProcess({ PORT: String(await freePort()), DATA_DIR: dataDir });
      assert.equal(await second.exited, 1);
      assert.equal(
        second.output().trim(),
        `hearth: DATA_DIR ${dataDir} is in use by another Hearth process (pid ${first.child.pid}); stop it first, or give this process its own DATA_DIR`,
      );

      first.child.kill('SIGKILL');
      await first.exited;
      const third = startProcess({
        PORT: String(await freePort()),
        DATA_DIR: dataDir,
        AUTH_RATE_LIMIT: '100000',
      });
      try {
        await waitForHealth(third);
        const login = await postJson(`${third.url}/api/v10/auth/login`, {
          login: 'kept',
          password: 'long enough',
        });
        assert.equal(login.status, 200);
        const history = await (
          await fetch(`${third.url}/api/v10/channels/${channelId}/messages?limit=100`, {
            headers: { authorization: login.body.token },
          })
        ).json();
        assert.deepEqual(history.map((m: { id: string }) => m.id).sort(), acknowledged.sort());
      } finally {
        third.child.kill('SIGKILL');
        await third.exited;
      }
    } finally {
      first.child.kill('SIGKILL');
    }
  });
});
