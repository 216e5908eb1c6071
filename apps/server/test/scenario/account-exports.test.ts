import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { strFromU8, unzipSync } from 'fflate';
import { accountArchives, follows, users } from '../../src/store/schema';
import { createGuild } from '../guild-helpers';
import { filesUnder, startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post, uploadPng } from '../social-helpers';

// An account's data to take elsewhere (ADR 0051): Mastodon's CSV exports and the archive (ActivityPub outbox, actor,
// likes, bookmarks, media files, and the chat side as Discord's data package lays it out), its owner's alone.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
let host: string;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
  host = new URL(h.app.config.publicUrl).host;
});
after(() => h.close());

const csv = (u: TestUser | null, name: string) =>
  fetch(`${h.url}/api/v1/hearth/exports/${name}`, {
    headers: u ? { authorization: `Bearer ${u.token}` } : {},
  });

/** Waits until the caller's newest archive is no longer pending and returns its status. */
async function archiveSettled(u: TestUser) {
  for (;;) {
    const res = await m('GET', '/api/v1/hearth/account/archive', u);
    assert.equal(res.status, 200, res.text);
    if (res.body.archive?.state !== 'pending') return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('account exports', () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  let eve: TestUser;
  let bobStatus: string;
  let ownStatus: string;
  let reply: string;
  let mediaId: string;
  let channelId: string;

  before(async () => {
    [alice, bob, carol, dave, eve] = await Promise.all([
      h.register(),
      h.register(),
      h.register(),
      h.register(),
      h.register(),
    ]);
    assert.equal((await m('POST', `/api/v1/accounts/${bob.id}/follow`, alice)).status, 200);
    assert.equal((await m('POST', `/api/v1/accounts/${alice.id}/follow`, dave)).status, 200);
    assert.equal(
      (await m('POST', `/api/v1/accounts/${carol.id}/mute`, alice, { notifications: true })).status,
      200,
    );
    assert.equal((await m('POST', `/api/v1/accounts/${eve.id}/block`, alice)).status, 200);
    assert.equal((await m('POST', '/api/v1/domain_blocks', alice, { domain: 'spam.example' })).status, 200);
    const list = await m('POST', '/api/v1/lists', alice, { title: 'Friends, "close"' });
    assert.equal(list.status, 200, list.text);
    const added = await m('POST', `/api/v1/lists/${list.body.id}/accounts`, alice, { account_ids: [bob.id] });
    assert.equal(added.status, 200, added.text);
    bobStatus = await post(h, bob, { status: 'from bob' });
    assert.equal((await m('POST', `/api/v1/statuses/${bobStatus}/bookmark`, alice)).status, 200);
    assert.equal((await m('POST', `/api/v1/statuses/${bobStatus}/favourite`, alice)).status, 200);
    mediaId = await uploadPng(h, alice, {
      width: 40,
      height: 30,
      colour: '#00aa00',
      description: 'a green dot',
    });
    ownStatus = await post(h, alice, {
      status: 'hello #archive',
      media_ids: [mediaId],
      visibility: 'unlisted',
    });
    reply = await post(h, alice, { status: `@${bob.username} replying`, in_reply_to_id: bobStatus });
    const guild = await createGuild(h, alice, 'Export Guild');
    channelId = guild.textChannelId;
    const msg = await h.api('POST', `/channels/${channelId}/messages`, {
      token: alice.token,
      body: { content: 'hi, "everyone"\nsecond line' },
    });
    assert.equal(msg.status, 200, msg.text);
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'with a file' }));
    form.append('files[0]', new Blob(['notes']), 'notes.txt');
    const withFile = await fetch(`${h.url}/api/v10/channels/${channelId}/messages`, {
      method: 'POST',
      headers: { authorization: alice.token },
      body: form,
    });
    assert.equal(withFile.status, 200, await withFile.text());
  });

  test("CSV exports: Mastodon's headers and rows, the caller's own", async () => {
    const text = async (name: string) => {
      const res = await csv(alice, name);
      assert.equal(res.status, 200, name);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
      return res.text();
    };
    assert.equal(
      await text('following.csv'),
      `Account address,Show boosts,Notify on new posts,Languages\n${bob.username}@${host},true,false,\n`,
    );
    assert.equal(await text('followers.csv'), `Account address\n${dave.username}@${host}\n`);
    assert.equal(
      await text('mutes.csv'),
      `Account address,Hide notifications\n${carol.username}@${host},true\n`,
    );
    assert.equal(await text('blocks.csv'), `${eve.username}@${host}\n`);
    assert.equal(await text('domain_blocks.csv'), 'spam.example\n');
    assert.equal(await text('lists.csv'), `"Friends, ""close""",${bob.username}@${host}\n`);
    assert.equal(
      await text('bookmarks.csv'),
      `${h.app.config.publicUrl}/users/${bob.id}/statuses/${bobStatus}\n`,
    );
    // Someone else's export is their own: bob follows nobody.
    assert.equal(
      await (await csv(bob, 'following.csv')).text(),
      'Account address,Show boosts,Notify on new posts,Languages\n',
    );
  });

  test('CSV exports: no token 401, an unknown export 400', async () => {
    assert.equal((await csv(null, 'following.csv')).status, 401);
    assert.equal((await csv(alice, 'passwords.csv')).status, 400);
    assert.equal((await csv(alice, 'following.json')).status, 400);
  });

  test('CSV exports: a list title a spreadsheet would run as a formula is behind an apostrophe', async () => {
    const owner = await h.register();
    const titles = ['=HYPERLINK("http://evil.example","x")', '+1', '-1', '@SUM(A1)', 'plain = fine'];
    assert.equal((await m('POST', `/api/v1/accounts/${bob.id}/follow`, owner)).status, 200);
    for (const title of titles) {
      const list = await m('POST', '/api/v1/lists', owner, { title });
      assert.equal(list.status, 200, list.text);
      const added = await m('POST', `/api/v1/lists/${list.body.id}/accounts`, owner, {
        account_ids: [bob.id],
      });
      assert.equal(added.status, 200, added.text);
    }
    const addr = `${bob.username}@${host}`;
    assert.equal(
      await (await csv(owner, 'lists.csv')).text(),
      [
        `"'=HYPERLINK(""http://evil.example"",""x"")",${addr}`,
        `'+1,${addr}`,
        `'-1,${addr}`,
        `'@SUM(A1),${addr}`,
        `plain = fine,${addr}`,
      ]
        .map((l) => `${l}\n`)
        .join(''),
    );
  });

  test('CSV exports: a list longer than a page is written whole, in order', async () => {
    const many = await h.register();
    const db = h.app.database.db;
    const n = 1234;
    const rows = Array.from({ length: n }, (_, i) => ({
      id: (7_000_000_000_000_000_000n + BigInt(i)).toString(),
      username: `bulk_${i}`,
    }));
    await db.insert(users).values(rows);
    await db.insert(follows).values(
      rows.map((r, i) => ({
        userId: many.id,
        targetId: r.id,
        id: (7_100_000_000_000_000_000n + BigInt(i)).toString(),
        accepted: true,
      })),
    );
    const lines = (await (await csv(many, 'following.csv')).text()).trim().split('\n');
    assert.equal(lines.length, n + 1);
    assert.deepEqual(
      lines.slice(1),
      rows.map((r) => `${r.username}@${host},true,false,`),
    );
  });

  test('archive: built by the job, holds the outbox, actor, likes, bookmarks, media and chat; owner only', async () => {
    assert.equal((await m('GET', '/api/v1/hearth/account/archive', null)).status, 401);
    const none = await m('GET', '/api/v1/hearth/account/archive', alice);
    assert.deepEqual(none.body, { archive: null, next_request_at: null });

    const asked = await m('POST', '/api/v1/hearth/account/archive', alice);
    assert.equal(asked.status, 202, asked.text);
    assert.equal(asked.body.archive.state, 'pending');
    assert.ok(asked.body.next_request_at);
    // The rate limit: one a week (ARCHIVE_INTERVAL_DAYS).
    const again = await m('POST', '/api/v1/hearth/account/archive', alice);
    assert.equal(again.status, 429, again.text);
    assert.ok(Number(again.headers.get('retry-after')) > 6 * 86_400);

    const done = await archiveSettled(alice);
    assert.equal(done.archive.state, 'ready');
    assert.ok(done.archive.size > 0);
    assert.ok(done.archive.expires_at);
    const path = `/api/v1/hearth/account/archive/${done.archive.id}/download`;
    assert.equal(done.archive.download_url, `${h.app.config.publicUrl}${path}`);
    const url = `${h.url}${path}`;
    const mail = await h.mailTo(alice.email, { subject: /archive is ready/i });
    assert.match(mail, /\/settings\/account/);

    // Nobody else learns anything of it: bob's download of alice's archive is the 404 of a missing one.
    const theirs = await fetch(url, { headers: { authorization: `Bearer ${bob.token}` } });
    assert.equal(theirs.status, 404);
    const missing = await fetch(`${h.url}/api/v1/hearth/account/archive/123/download`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    assert.equal(missing.status, 404);
    assert.deepEqual(await theirs.json(), await missing.json());
    assert.equal((await fetch(url)).status, 401);
    assert.deepEqual((await m('GET', '/api/v1/hearth/account/archive', bob)).body.archive, null);

    const res = await fetch(url, { headers: { authorization: `Bearer ${alice.token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const json = (name: string) => {
      assert.ok(files[name], `${name} in ${Object.keys(files).join(', ')}`);
      return JSON.parse(strFromU8(files[name]!));
    };
    const base = h.app.config.publicUrl;
    const actor = json('actor.json');
    assert.equal(actor.type, 'Person');
    assert.equal(actor.id, `${base}/users/${alice.id}`);
    assert.equal(actor.preferredUsername, alice.username);
    assert.equal(actor.outbox, 'outbox.json');

    const outbox = json('outbox.json');
    assert.equal(outbox.type, 'OrderedCollection');
    assert.equal(outbox.totalItems, 2);
    const [first, second] = outbox.orderedItems;
    assert.equal(first.type, 'Create');
    assert.equal(first.object.id, `${base}/users/${alice.id}/statuses/${ownStatus}`);
    assert.equal(first.object.source.content, 'hello #archive');
    assert.deepEqual(first.to, [`${base}/users/${alice.id}/followers`]);
    assert.equal(first.object.attachment.length, 1);
    const attachment = first.object.attachment[0];
    assert.equal(attachment.name, 'a green dot');
    assert.ok(files[attachment.url], `the media file ${attachment.url} is in the archive`);
    assert.ok(attachment.url.startsWith(`media_attachments/files/${mediaId}`));
    assert.deepEqual(first.object.tag, [{ type: 'Hashtag', href: `${base}/tags/archive`, name: '#archive' }]);
    assert.equal(second.object.id, `${base}/users/${alice.id}/statuses/${reply}`);
    assert.equal(second.object.inReplyTo, `${base}/users/${bob.id}/statuses/${bobStatus}`);
    assert.ok(second.cc.includes(`${base}/users/${bob.id}`), 'the mentioned account is addressed');

    const bobIri = `${base}/users/${bob.id}/statuses/${bobStatus}`;
    assert.deepEqual(json('likes.json').orderedItems, [bobIri]);
    assert.deepEqual(json('bookmarks.json').orderedItems, [bobIri]);

    const user = json('account/user.json');
    assert.equal(user.id, alice.id);
    assert.equal(user.email, alice.email);
    assert.deepEqual(Object.keys(json('messages/index.json')), [channelId]);
    const channel = json(`messages/c${channelId}/channel.json`);
    assert.equal(channel.id, channelId);
    const messagesCsv = strFromU8(files[`messages/c${channelId}/messages.csv`]!);
    const lines = messagesCsv.split('\n');
    assert.equal(lines[0], 'ID,Timestamp,Contents,Attachments');
    assert.match(messagesCsv, /,"hi, ""everyone""\nsecond line",\n/);
    assert.match(messagesCsv, /,with a file,http[^\n]*\/attachments\/[^\n]*notes\.txt/);
  });

  test('archive: expired ones are swept with their file', async () => {
    const [row] = await h.app.database.db
      .select()
      .from(accountArchives)
      .where(eq(accountArchives.userId, alice.id));
    assert.ok(row?.storageKey);
    assert.ok(
      filesUnder(h.dataDir).some((f) => f.includes('/archives/')),
      'the archive is stored',
    );
    assert.ok((await h.app.services.exports.sweepExpired(new Date(Date.now() + 8 * 86_400_000))) >= 1);
    assert.ok(!filesUnder(h.dataDir).some((f) => f.includes('/archives/')), 'no archive file is left');
    const res = await fetch(`${h.url}/api/v1/hearth/account/archive/${row.id}/download`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    assert.equal(res.status, 404);
    const status = await m('GET', '/api/v1/hearth/account/archive', alice);
    assert.equal(status.body.archive, null);
  });

  test("archive: an account's deletion removes its archives and their files", async () => {
    const gone = await h.register();
    await post(h, gone, { status: 'soon gone' });
    assert.equal((await m('POST', '/api/v1/hearth/account/archive', null)).status, 401);
    assert.equal((await m('POST', '/api/v1/hearth/account/archive', gone)).status, 202);
    assert.equal((await archiveSettled(gone)).archive.state, 'ready');
    assert.ok(filesUnder(h.dataDir).some((f) => f.includes(`/archives/${gone.id}/`)));
    const del = await h.api('POST', '/users/@me/delete', {
      token: gone.token,
      body: { password: gone.password },
    });
    assert.equal(del.status, 204, del.text);
    const db = h.app.database.db;
    for (;;) {
      const rows = await db.select().from(accountArchives).where(eq(accountArchives.userId, gone.id));
      if (!rows.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(!filesUnder(h.dataDir).some((f) => f.includes(`/archives/${gone.id}/`)), 'its file is gone');
  });
});
