import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

// Mastodon's CSV imports (ADR 0051 addendum): a file of one of its kinds is taken, its rows worked through by the
// `accounts.import` job through the domain's own rules, each failed row counted with its reason; Hearth's own
// exports read back in whole; overwrite undoes what the file does not name; only the owner sees an import.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
let host: string;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
  host = new URL(h.app.config.publicUrl).host;
});
after(() => h.close());

function upload(u: TestUser | null, fields: Record<string, string>, data?: string | Uint8Array<ArrayBuffer>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (data !== undefined) form.append('data', new Blob([data]), 'import.csv');
  return fetch(`${h.url}/api/v1/hearth/imports`, {
    method: 'POST',
    headers: u ? { authorization: `Bearer ${u.token}` } : {},
    body: form,
  });
}

/** Starts an import and waits until its job has worked through every row; answers the finished import. */
async function imported(u: TestUser, type: string, data: string, mode = 'merge') {
  const res = await upload(u, { type, mode }, data);
  const body = await res.json();
  assert.equal(res.status, 202, JSON.stringify(body));
  assert.equal(body.state, 'pending');
  for (;;) {
    const now = await m('GET', `/api/v1/hearth/imports/${body.id}`, u);
    assert.equal(now.status, 200, now.text);
    if (now.body.state === 'finished') return now.body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const exported = async (u: TestUser, name: string) =>
  (
    await fetch(`${h.url}/api/v1/hearth/exports/${name}.csv`, {
      headers: { authorization: `Bearer ${u.token}` },
    })
  ).text();

describe('account imports', () => {
  let bob: TestUser;
  let carol: TestUser;
  before(async () => {
    [bob, carol] = await Promise.all([h.register(), h.register()]);
    const locked = await m('PATCH', '/api/v1/accounts/update_credentials', carol, { locked: true });
    assert.equal(locked.status, 200, locked.text);
  });

  test('following: followed (or asked, if locked), failed rows counted with their reasons', async () => {
    const alice = await h.register();
    const csv = [
      'Account address,Show boosts,Notify on new posts,Languages',
      `${bob.username}@${host},true,false,`,
      `@${carol.username},true,false,`,
      `nobody-here@${host},true,false,`,
      'not an address,true,false,',
      'someone@unreachable.invalid,true,false,',
      '',
    ].join('\r\n');
    const done = await imported(alice, 'following', csv);
    assert.equal(done.type, 'following');
    assert.equal(done.mode, 'merge');
    assert.equal(done.total_rows, 5);
    assert.equal(done.processed_rows, 5);
    assert.equal(done.imported_rows, 2);
    assert.equal(done.failed_rows, 3);
    assert.deepEqual(
      done.failures.map((f: any) => [f.row, f.error]),
      [
        [3, 'account not found'],
        [4, 'not an account address'],
        [5, 'account not found'],
      ],
    );
    assert.ok(done.finished_at);
    const rel = await m('GET', `/api/v1/accounts/relationships?id[]=${bob.id}&id[]=${carol.id}`, alice);
    assert.equal(rel.body[0].following, true);
    assert.equal(rel.body[1].following, false);
    assert.equal(rel.body[1].requested, true);
    // The list shows it, newest first.
    const all = await m('GET', '/api/v1/hearth/imports', alice);
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.body.map((i: any) => i.id),
      [done.id],
    );
  });

  test("Hearth's own exports read back whole: following, lists (a formula-guarded title), blocks, mutes, domains, bookmarks", async () => {
    const [from, to, dave, eve] = await Promise.all([h.register(), h.register(), h.register(), h.register()]);
    assert.equal((await m('POST', `/api/v1/accounts/${bob.id}/follow`, from)).status, 200);
    assert.equal((await m('POST', `/api/v1/accounts/${dave.id}/follow`, from)).status, 200);
    const list = await m('POST', '/api/v1/lists', from, { title: '=friends, "close"' });
    assert.equal(
      (await m('POST', `/api/v1/lists/${list.body.id}/accounts`, from, { account_ids: [bob.id, dave.id] }))
        .status,
      200,
    );
    assert.equal((await m('POST', `/api/v1/accounts/${eve.id}/block`, from)).status, 200);
    assert.equal(
      (await m('POST', `/api/v1/accounts/${carol.id}/mute`, from, { notifications: false })).status,
      200,
    );
    assert.equal((await m('POST', '/api/v1/domain_blocks', from, { domain: 'spam.example' })).status, 200);
    const status = await post(h, bob, { status: 'worth keeping' });
    assert.equal((await m('POST', `/api/v1/statuses/${status}/bookmark`, from)).status, 200);

    for (const [type, file] of [
      ['following', 'following'],
      ['lists', 'lists'],
      ['blocks', 'blocks'],
      ['mutes', 'mutes'],
      ['domain_blocks', 'domain_blocks'],
      ['bookmarks', 'bookmarks'],
    ] as const) {
      const csv = await exported(from, file);
      const done = await imported(to, type, csv);
      assert.equal(done.failed_rows, 0, `${type}: ${JSON.stringify(done.failures)}`);
      assert.equal(await exported(to, file), csv, type);
    }
    const lists = await m('GET', '/api/v1/lists', to);
    assert.deepEqual(
      lists.body.map((l: any) => l.title),
      ['=friends, "close"'],
    );
    assert.equal((await m('GET', `/api/v1/statuses/${status}`, to)).body.bookmarked, true);
  });

  test('overwrite: what the file does not name is undone; merge keeps it', async () => {
    const [me, dave, eve] = await Promise.all([h.register(), h.register(), h.register()]);
    for (const u of [bob, dave])
      assert.equal((await m('POST', `/api/v1/accounts/${u.id}/follow`, me)).status, 200);
    const merged = await imported(me, 'following', `${eve.username}@${host}\n`);
    assert.equal(merged.imported_rows, 1);
    const following = async () =>
      ((await m('GET', `/api/v1/accounts/${me.id}/following`, me)).body as any[]).map((a) => a.id).sort();
    assert.deepEqual(await following(), [bob.id, dave.id, eve.id].sort());
    const over = await imported(me, 'following', `${bob.username}@${host}\n`, 'overwrite');
    assert.equal(over.mode, 'overwrite');
    assert.deepEqual(await following(), [bob.id]);

    // Lists: one not named is deleted, a member not named is taken off.
    const keep = await m('POST', '/api/v1/lists', me, { title: 'keep' });
    await m('POST', '/api/v1/lists', me, { title: 'drop' });
    assert.equal((await m('POST', `/api/v1/accounts/${dave.id}/follow`, me)).status, 200);
    await m('POST', `/api/v1/lists/${keep.body.id}/accounts`, me, { account_ids: [bob.id, dave.id] });
    await imported(me, 'lists', `keep,${bob.username}@${host}\n`, 'overwrite');
    const lists = (await m('GET', '/api/v1/lists', me)).body as any[];
    assert.deepEqual(
      lists.map((l) => l.title),
      ['keep'],
    );
    const members = (await m('GET', `/api/v1/lists/${keep.body.id}/accounts`, me)).body as any[];
    assert.deepEqual(
      members.map((a) => a.id),
      [bob.id],
    );
  });

  test('a file larger than a batch is worked through whole; failures kept are bounded, all are counted', async () => {
    const me = await h.register();
    const rows = Array.from({ length: 130 }, (_, i) => `missing-${i}@${host}`);
    const done = await imported(me, 'blocks', `${rows.join('\n')}\n`);
    assert.equal(done.total_rows, 130);
    assert.equal(done.processed_rows, 130);
    assert.equal(done.failed_rows, 130);
    assert.equal(done.failures.length, 100);
    assert.equal(done.failures[99].row, 100);
  });

  test('who may: no token 401, someone else 404; bad forms 400, bad files 422, too large 413', async () => {
    const [owner, stranger] = await Promise.all([h.register(), h.register()]);
    const done = await imported(owner, 'domain_blocks', 'example.org\n');
    assert.equal((await upload(null, { type: 'following' }, 'a@b\n')).status, 401);
    assert.equal((await m('GET', '/api/v1/hearth/imports')).status, 401);
    assert.equal((await m('GET', `/api/v1/hearth/imports/${done.id}`, null)).status, 401);
    const theirs = await m('GET', `/api/v1/hearth/imports/${done.id}`, stranger);
    assert.equal(theirs.status, 404);
    assert.deepEqual(theirs.body, { error: 'Record not found' });
    assert.deepEqual((await m('GET', '/api/v1/hearth/imports', stranger)).body, []);
    assert.equal((await m('GET', '/api/v1/hearth/imports/not-an-id', owner)).status, 400);

    const bad = async (
      fields: Record<string, string>,
      data: string | Uint8Array<ArrayBuffer> | undefined,
      status: number,
    ) => {
      const res = await upload(owner, fields, data);
      const body = await res.json();
      assert.equal(res.status, status, JSON.stringify({ fields, body }));
      assert.equal(typeof body.error, 'string');
    };
    await bad({ type: 'passwords' }, 'a\n', 400);
    await bad({ type: 'following', mode: 'replace' }, 'a\n', 400);
    await bad({ type: 'following' }, undefined, 400);
    await bad({ type: 'following' }, '', 422);
    await bad({ type: 'following' }, '"unclosed,quote\n', 422);
    await bad({ type: 'following' }, new Uint8Array([0xff, 0xfe, 0x00, 0x01]), 422);
    await bad({ type: 'following' }, `${'a@b.example\n'.repeat(20_001)}`, 422);
    await bad({ type: 'following' }, 'x'.repeat(2 * 1024 * 1024 + 1), 413);
    const json = await h.api('POST', '/api/v1/hearth/imports', {
      token: `Bearer ${owner.token}`,
      body: { type: 'following' },
    });
    assert.equal(json.status, 400);
    // Nothing was started by any of them.
    assert.equal((await m('GET', '/api/v1/hearth/imports', owner)).body.length, 1);
  });
});
