import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { eventually, followPeer, PUBLIC, settled as settledJobs } from '../federation-helpers';
import { type Peer, type PeerActor, startPeer } from '../fediverse-peer';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

// What Hearth's inbox does with activities from another server (ADR 0040), sent by a small stand-in peer that signs
// them as Mastodon does: edits and deletes of notes, profile updates, a deleted account, and what an actor may not
// do to another's objects. Hearth-to-Hearth is in multi-process/federation.test.ts.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
let peer: Peer;
/** A second server, on another domain (`localhost`), for domain blocks. */
let other: Peer;
const ADMIN = 'fedadmin';

before(async () => {
  h = await startHearth({
    federationAllowPrivateAddresses: true,
    federationAllowHttp: true,
    instanceAdmins: [ADMIN],
  });
  m = mastodon(h);
  peer = await startPeer();
  other = await startPeer({ hostName: 'localhost' });
});
after(async () => {
  await h.close();
  await peer.close();
  await other.close();
});

/** A `public` stream of the Mastodon streaming API, read by `who` (null: signed out). */
async function publicStream(who: TestUser | null) {
  const token = who ? `&access_token=${who.token}` : '';
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/api/v1/streaming?stream=public${token}`);
  const statuses: Array<{ id: string; uri: string }> = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if (frame.event === 'update') statuses.push(JSON.parse(frame.payload));
  });
  await once(ws, 'open');
  return {
    has: (id: string) => statuses.some((s) => s.id === id),
    hasUri: (uri: string) => statuses.some((s) => s.uri === uri),
    close: () => ws.close(),
  };
}

let adminUser: TestUser | null = null;
/** The instance's admin (INSTANCE_ADMINS names it), registered by the first test that needs it. */
async function instanceAdmin(): Promise<TestUser> {
  adminUser ??= await h.register({ username: ADMIN });
  return adminUser;
}

const settled = () => settledJobs(h);
const follow = (u: TestUser, actor: PeerActor, at: Peer = peer) => followPeer(h, u, actor, at);

const note = (actor: PeerActor, n: string, content: string, extra: Record<string, unknown> = {}) => ({
  id: `${actor.id}/statuses/${n}`,
  type: 'Note',
  attributedTo: actor.id,
  to: [PUBLIC],
  cc: [`${actor.id}/followers`],
  content,
  published: '2026-12-01T10:00:00Z',
  ...extra,
});
const create = (actor: PeerActor, object: Record<string, any>) => ({
  id: `${object.id}/activity`,
  type: 'Create',
  actor: actor.id,
  to: object.to,
  cc: object.cc,
  object,
});

async function homeStatus(u: TestUser, uri: string) {
  const r = await m('GET', '/api/v1/timelines/home', u);
  return (r.body as any[]).find((s) => s.uri === uri) ?? null;
}

describe('inbound Update and Delete', () => {
  test('an edit keeps its history; only the author may edit or delete; a delete tombstones the note', async () => {
    const u = await h.register();
    const mallory = await peer.actor('mallory');
    const eve = await peer.actor('eve');
    await follow(u, mallory);
    const inbox = `${h.url}/inbox`;

    const first = note(mallory, '1', '<p>first words</p>');
    assert.equal(await peer.send(mallory, inbox, create(mallory, first)), 202);
    const stored = await eventually('the note in the home timeline', () => homeStatus(u, first.id));
    assert.match(stored.content, /first words/);
    assert.equal(stored.edited_at, null);

    // Eve (same server, her own key) may not edit mallory's note: neither as hers nor as mallory's.
    const forged = note(mallory, '1', '<p>forged by eve</p>', { updated: '2026-12-01T11:00:00Z' });
    await peer.send(eve, inbox, {
      id: `${eve.id}#updates/1`,
      type: 'Update',
      actor: eve.id,
      object: forged,
    });
    await peer.send(eve, inbox, {
      id: `${eve.id}#updates/2`,
      type: 'Update',
      actor: eve.id,
      object: { ...forged, attributedTo: eve.id },
    });
    // Nor delete it.
    await peer.send(eve, inbox, {
      id: `${eve.id}#deletes/1`,
      type: 'Delete',
      actor: eve.id,
      object: { id: first.id, type: 'Tombstone' },
    });

    // Mallory's own edit, sent after eve's: once it shows, eve's were already processed and refused.
    const edited = note(mallory, '1', '<p>second words</p>', {
      summary: 'spoilers',
      sensitive: true,
      updated: '2026-12-01T12:00:00Z',
    });
    await peer.send(mallory, inbox, {
      id: `${mallory.id}#updates/1`,
      type: 'Update',
      actor: mallory.id,
      object: edited,
    });
    const now = await eventually('the edit', async () => {
      const s = await homeStatus(u, first.id);
      return s && /second words/.test(s.content) ? s : null;
    });
    assert.equal(now.spoiler_text, 'spoilers');
    assert.equal(now.sensitive, true);
    assert.ok(now.edited_at);
    const history = await m('GET', `/api/v1/statuses/${now.id}/history`, u);
    assert.equal(history.status, 200);
    assert.deepEqual(
      history.body.map((v: any) => /first words/.test(v.content) || /second words/.test(v.content)),
      [true, true],
    );
    assert.equal(history.body.length, 2);
    assert.doesNotMatch(JSON.stringify(history.body), /forged by eve/);

    // Mallory deletes it: gone from the timeline and the API.
    await peer.send(mallory, inbox, {
      id: `${mallory.id}#deletes/1`,
      type: 'Delete',
      actor: mallory.id,
      object: { id: first.id, type: 'Tombstone' },
    });
    await eventually('the note gone', async () => (await homeStatus(u, first.id)) === null);
    assert.equal((await m('GET', `/api/v1/statuses/${now.id}`, u)).status, 404);

    // A replayed Create does not bring it back (the tombstone), while a new note still arrives.
    await peer.send(mallory, inbox, create(mallory, first));
    const later = note(mallory, '2', '<p>a later note</p>');
    await peer.send(mallory, inbox, create(mallory, later));
    await eventually('the later note', () => homeStatus(u, later.id));
    assert.equal(await homeStatus(u, first.id), null);
  });

  test('Update(Person) refreshes the profile; another actor cannot update it', async () => {
    const u = await h.register();
    const trent = await peer.actor('trent');
    const eve = await peer.actor('eve2');
    const id = await follow(u, trent);
    const person = (name: string, of: PeerActor) => ({
      id: of.id,
      type: 'Person',
      preferredUsername: of.name,
      name,
      summary: '<p>new bio <script>x</script></p>',
      inbox: `${of.id}/inbox`,
      publicKey: { id: of.keyId, owner: of.id, publicKeyPem: of.publicKeyPem },
    });
    await peer.send(eve, `${h.url}/inbox`, {
      id: `${eve.id}#updates/p1`,
      type: 'Update',
      actor: eve.id,
      object: person('Forged Name', trent),
    });
    // Trent's server serves the changed profile (Hearth reads the actor afresh when its Update arrives).
    trent.extra = { name: 'Trent Renamed', summary: '<p>new bio <script>x</script></p>' };
    await peer.send(trent, `${h.url}/inbox`, {
      id: `${trent.id}#updates/p1`,
      type: 'Update',
      actor: trent.id,
      object: person('Trent Renamed', trent),
    });
    const account = await eventually('the new name', async () => {
      const r = await m('GET', `/api/v1/accounts/${id}`, u);
      return r.body.display_name === 'Trent Renamed' ? r.body : null;
    });
    assert.match(account.note, /new bio/);
    assert.doesNotMatch(account.note, /script/);
  });

  test("Delete(Person) removes the account's statuses, follows and favourites", async () => {
    const u = await h.register();
    const dave = await peer.actor('dave');
    const daveId = await follow(u, dave);
    const inbox = `${h.url}/inbox`;
    const n = note(dave, '1', '<p>dave was here</p>');
    await peer.send(dave, inbox, create(dave, n));
    await eventually("dave's note", () => homeStatus(u, n.id));
    // Dave follows u and favourites u's status.
    const mine = await post(h, u, { status: 'mine' });
    await peer.send(dave, inbox, {
      id: `${dave.id}#follows/2`,
      type: 'Follow',
      actor: dave.id,
      object: `http://hearth.test/users/${u.id}`,
    });
    await peer.send(dave, inbox, {
      id: `${dave.id}#likes/1`,
      type: 'Like',
      actor: dave.id,
      object: `http://hearth.test/users/${u.id}/statuses/${mine}`,
    });
    await eventually('the favourite', async () => {
      const r = await m('GET', `/api/v1/statuses/${mine}`, u);
      return r.body.favourites_count === 1;
    });
    assert.equal((await m('GET', `/api/v1/accounts/${u.id}`, u)).body.followers_count, 1);

    await peer.send(dave, inbox, {
      id: `${dave.id}#delete`,
      type: 'Delete',
      actor: dave.id,
      to: [PUBLIC],
      object: dave.id,
    });
    await eventually('the note gone', async () => (await homeStatus(u, n.id)) === null);
    await eventually('the favourite gone', async () => {
      const r = await m('GET', `/api/v1/statuses/${mine}`, u);
      return r.body.favourites_count === 0;
    });
    const me = await m('GET', `/api/v1/accounts/${u.id}`, u);
    assert.equal(me.body.followers_count, 0);
    assert.equal(me.body.following_count, 0);
    const rel = await m('GET', `/api/v1/accounts/relationships?id[]=${daveId}`, u);
    assert.equal(rel.body[0]?.following ?? false, false);
  });
});

describe('a deleted local account', () => {
  test('sends a Delete of its Person to its remote followers, signed with its keys', async () => {
    const u = await h.register({ password: 'leaving-for-good' });
    const ruth = await peer.actor('ruth');
    await peer.send(ruth, `${h.url}/inbox`, {
      id: `${ruth.id}#follows/1`,
      type: 'Follow',
      actor: ruth.id,
      object: actorOf(u),
    });
    await eventually('the follow', async () => {
      const r = await m('GET', `/api/v1/accounts/${u.id}`, u);
      return r.body.followers_count === 1;
    });
    const gone = await h.api('POST', '/users/@me/delete', { token: u.token, body: { password: u.password } });
    assert.equal(gone.status, 204, gone.text);
    const del = await eventually('the Delete at the peer', async () =>
      peer.received.find((a) => a.type === 'Delete' && (a.object?.id ?? a.object) === actorOf(u)),
    );
    assert.equal(del.actor, actorOf(u));
  });
});

describe('boosts', () => {
  test('a remote boost of a local status notifies and counts; its Undo takes it back', async () => {
    const u = await h.register();
    const fan = await peer.actor('fan');
    const mine = await post(h, u, { status: 'boost me' });
    const object = `http://hearth.test/users/${u.id}/statuses/${mine}`;
    const announce = {
      id: `${fan.id}/statuses/9/activity`,
      type: 'Announce',
      actor: fan.id,
      to: [PUBLIC],
      cc: [`http://hearth.test/users/${u.id}`],
      object,
    };
    assert.equal(await peer.send(fan, `${h.url}/inbox`, announce), 202);
    const n = await eventually('the reblog notification', async () => {
      const r = await m('GET', '/api/v1/notifications', u);
      return (r.body as any[]).find((x) => x.type === 'reblog' && x.status?.id === mine);
    });
    assert.equal(n.account.acct, `fan@${peer.host}`);
    assert.equal((await m('GET', `/api/v1/statuses/${mine}`, u)).body.reblogs_count, 1);
    // Someone else cannot undo fan's boost.
    const eve = await peer.actor('eve3');
    await peer.send(eve, `${h.url}/inbox`, {
      id: `${eve.id}#undo/1`,
      type: 'Undo',
      actor: eve.id,
      object: announce,
    });
    await peer.send(fan, `${h.url}/inbox`, {
      id: `${fan.id}/statuses/9/activity/undo`,
      type: 'Undo',
      actor: fan.id,
      object: announce,
    });
    await eventually('the boost taken back', async () => {
      const r = await m('GET', `/api/v1/statuses/${mine}`, u);
      return r.body.reblogs_count === 0;
    });
  });

  test('a boost by a followed account brings the boosted status; a local boost of a remote status is announced', async () => {
    const u = await h.register();
    const booster = await peer.actor('booster');
    const author = await peer.actor('author');
    await follow(u, booster);
    const boosted = note(author, '7', '<p>worth boosting</p>');
    // The peer serves the boosted note from its own server: Hearth fetches it there.
    peer.serve(boosted);
    await peer.send(booster, `${h.url}/inbox`, {
      id: `${booster.id}/statuses/8/activity`,
      type: 'Announce',
      actor: booster.id,
      to: [PUBLIC],
      cc: [author.id],
      object: boosted.id,
    });
    const home = await eventually('the boost in the home timeline', async () => {
      const r = await m('GET', '/api/v1/timelines/home', u);
      return (r.body as any[]).find((s) => s.reblog?.uri === boosted.id);
    });
    assert.equal(home.account.acct, `booster@${peer.host}`);
    assert.equal(home.reblog.account.acct, `author@${peer.host}`);
    assert.match(home.reblog.content, /worth boosting/);

    // u boosts the author's status: the author's server hears an Announce, then its Undo.
    const reblog = await m('POST', `/api/v1/statuses/${home.reblog.id}/reblog`, u);
    assert.equal(reblog.status, 200, reblog.text);
    const sent = await eventually('the Announce at the peer', async () =>
      peer.received.find((a) => a.type === 'Announce' && a.object === boosted.id),
    );
    assert.equal(sent.actor, `http://hearth.test/users/${u.id}`);
    await m('POST', `/api/v1/statuses/${home.reblog.id}/unreblog`, u);
    await eventually('the Undo at the peer', async () =>
      peer.received.find((a) => a.type === 'Undo' && a.object?.id === sent.id),
    );
  });
});

describe('emoji reactions', () => {
  test('EmojiReact and Misskey reaction Likes arrive as reactions and leave with their Undo; a local reaction is sent', async () => {
    const u = await h.register();
    const kim = await peer.actor('kim');
    const mine = await post(h, u, { status: 'react to me' });
    const object = `http://hearth.test/users/${u.id}/statuses/${mine}`;
    // Pleroma's shape (FEP-c0e0): EmojiReact is litepub's term, so its context names it.
    const litepub = [
      'https://www.w3.org/ns/activitystreams',
      'https://w3id.org/security/v1',
      { litepub: 'http://litepub.social/ns#', EmojiReact: 'litepub:EmojiReact' },
    ];
    const react = { id: `${kim.id}#react/1`, type: 'EmojiReact', actor: kim.id, object, content: '👍' };
    // Misskey's shape: a Like carrying the reaction as content and `_misskey_reaction`.
    const misskey = {
      '@context': [
        'https://www.w3.org/ns/activitystreams',
        'https://w3id.org/security/v1',
        { misskey: 'https://misskey-hub.net/ns#', _misskey_reaction: 'misskey:_misskey_reaction' },
      ],
      id: `${kim.id}#like/2`,
      type: 'Like',
      actor: kim.id,
      object,
      content: '🎉',
      _misskey_reaction: '🎉',
    };
    assert.equal(await peer.send(kim, `${h.url}/inbox`, { '@context': litepub, ...react }), 202);
    assert.equal(await peer.send(kim, `${h.url}/inbox`, misskey), 202);
    const reactions = async () =>
      (await m('GET', `/api/v1/pleroma/statuses/${mine}/reactions`, u)).body as Array<{
        name: string;
        count: number;
      }>;
    await eventually('both reactions', async () => (await reactions()).length === 2);
    assert.deepEqual((await reactions()).map((r) => r.name).sort(), ['🎉', '👍'].sort());
    // A reaction is not a favourite.
    assert.equal((await m('GET', `/api/v1/statuses/${mine}`, u)).body.favourites_count, 0);
    const notes = await m('GET', '/api/v1/notifications', u);
    assert.ok(
      (notes.body as any[]).some((n) => n.type === 'pleroma:emoji_reaction' && n.emoji === '👍'),
      'notified',
    );
    await peer.send(kim, `${h.url}/inbox`, {
      '@context': litepub,
      id: `${kim.id}#undo/1`,
      type: 'Undo',
      actor: kim.id,
      object: react,
    });
    const { '@context': _c, ...misskeyBody } = misskey;
    await peer.send(kim, `${h.url}/inbox`, {
      '@context': misskey['@context'],
      id: `${kim.id}#undo/2`,
      type: 'Undo',
      actor: kim.id,
      object: misskeyBody,
    });
    await eventually('both reactions taken back', async () => (await reactions()).length === 0);

    // u reacts to kim's note: kim's server hears an EmojiReact, then its Undo.
    await follow(u, kim);
    const n = note(kim, '5', '<p>react here</p>');
    await peer.send(kim, `${h.url}/inbox`, create(kim, n));
    const there = await eventually("kim's note", () => homeStatus(u, n.id));
    const put = await m(
      'PUT',
      `/api/v1/pleroma/statuses/${there.id}/reactions/${encodeURIComponent('🔥')}`,
      u,
    );
    assert.equal(put.status, 200, put.text);
    const sent = await eventually('the EmojiReact at the peer', async () =>
      peer.received.find((a) => a.type === 'EmojiReact' && a.object === n.id),
    );
    assert.equal(sent.content, '🔥');
    await m('DELETE', `/api/v1/pleroma/statuses/${there.id}/reactions/${encodeURIComponent('🔥')}`, u);
    await eventually('the Undo at the peer', async () =>
      peer.received.find((a) => a.type === 'Undo' && a.object?.id === sent.id),
    );
  });
});

const actorOf = (u: TestUser) => `http://hearth.test/users/${u.id}`;
const mention = (u: TestUser) => ({ type: 'Mention', href: actorOf(u), name: `@${u.username}@hearth.test` });

describe('replies and mentions', () => {
  test("a remote reply to a local status is a comment in its thread, and its mention notifies the status's author", async () => {
    const u = await h.register();
    const mine = await post(h, u, { status: 'what do you think?' });
    // Rita is followed by nobody here: the reply is stored because it answers a status of this instance.
    const rita = await peer.actor('rita');
    const reply = note(
      rita,
      '1',
      `<p><span class="h-card"><a href="${actorOf(u)}" class="u-url mention">@<span>${u.username}</span></a></span> I agree</p>`,
      {
        inReplyTo: `http://hearth.test/users/${u.id}/statuses/${mine}`,
        cc: [`${rita.id}/followers`, actorOf(u)],
        tag: [mention(u)],
      },
    );
    assert.equal(await peer.send(rita, `${h.url}/inbox`, create(rita, reply)), 202);
    const notification = await eventually('the mention notification', async () => {
      const r = await m('GET', '/api/v1/notifications', u);
      return (r.body as any[]).find((n) => n.type === 'mention' && n.status?.uri === reply.id);
    });
    assert.equal(notification.account.acct, `rita@${peer.host}`);
    assert.equal(notification.status.in_reply_to_id, mine);
    // The thread shows it, to its author and to someone signed out alike.
    for (const viewer of [u, null]) {
      const context = await m('GET', `/api/v1/statuses/${mine}/context`, viewer);
      assert.equal(context.status, 200);
      assert.deepEqual(
        (context.body.descendants as any[]).map((s) => s.uri),
        [reply.id],
      );
    }
    assert.equal((await m('GET', `/api/v1/statuses/${mine}`, u)).body.replies_count, 1);

    // A note that answers nothing here, mentions nobody here and whose author nobody follows is not stored.
    const stray = note(rita, '2', '<p>talking to myself</p>');
    await peer.send(rita, `${h.url}/inbox`, create(rita, stray));
    await settled();
    const search = await m('GET', `/api/v1/accounts/${notification.account.id}/statuses`, u);
    assert.deepEqual(
      (search.body as any[]).map((s) => s.uri),
      [reply.id],
    );
  });

  test('a direct note is seen by the accounts it addresses only', async () => {
    const u = await h.register();
    const bystander = await h.register();
    const sam = await peer.actor('sam');
    // Bystander follows sam: a direct note still does not reach them.
    await follow(bystander, sam);
    const dm = note(sam, '1', `<p>@${u.username} psst</p>`, { to: [actorOf(u)], cc: [], tag: [mention(u)] });
    assert.equal(await peer.send(sam, `${h.url}/inbox`, create(sam, dm)), 202);
    const n = await eventually('the direct mention', async () => {
      const r = await m('GET', '/api/v1/notifications', u);
      return (r.body as any[]).find((x) => x.type === 'mention' && x.status?.uri === dm.id);
    });
    assert.equal(n.status.visibility, 'direct');
    assert.equal((await m('GET', `/api/v1/statuses/${n.status.id}`, u)).status, 200);
    assert.equal((await m('GET', `/api/v1/statuses/${n.status.id}`, bystander)).status, 404);
    assert.equal((await m('GET', `/api/v1/statuses/${n.status.id}`, null)).status, 404);
    assert.equal(await homeStatus(bystander, dm.id), null);
    // It is a conversation of the account it names (with sam), unread; the bystander has none.
    const [conv] = (await m('GET', '/api/v1/conversations', u)).body as any[];
    assert.equal(conv?.last_status.id, n.status.id);
    assert.deepEqual([conv.unread, conv.accounts.map((a: { id: string }) => a.id)], [true, [n.account.id]]);
    assert.deepEqual((await m('GET', '/api/v1/conversations', bystander)).body, []);
    assert.equal((await m('POST', `/api/v1/conversations/${conv.id}/read`, u)).status, 200);
    // Its edit (an Update from sam) is news to the conversation: the edited text, unread again.
    const edited = { ...dm, content: `<p>@${u.username} psst, edited</p>`, updated: '2026-12-01T12:00:00Z' };
    await peer.send(sam, `${h.url}/inbox`, {
      id: `${sam.id}#updates/dm`,
      type: 'Update',
      actor: sam.id,
      to: [actorOf(u)],
      object: edited,
    });
    const after = await eventually('the edit in the conversation', async () => {
      const [c] = (await m('GET', '/api/v1/conversations', u)).body as any[];
      return /edited/.test(c?.last_status.content ?? '') ? c : null;
    });
    assert.deepEqual([after.id, after.unread], [conv.id, true]);
    // A direct note naming nobody here is not stored at all.
    const elsewhere = note(sam, '2', '<p>for someone else</p>', {
      to: ['https://elsewhere.example/users/x'],
      cc: [],
    });
    await peer.send(sam, `${h.url}/inbox`, create(sam, elsewhere));
    await settled();
    const r = await m('GET', `/api/v1/accounts/${n.account.id}/statuses`, bystander);
    assert.equal(
      (r.body as any[]).some((s) => s.uri === elsewhere.id),
      false,
    );
  });

  test('a local reply to a remote status goes to its author with inReplyTo; @name@host is resolved and delivered; direct goes to the mentioned only', async () => {
    const u = await h.register();
    const pam = await peer.actor('pam');
    await follow(u, pam);
    const theirs = note(pam, '1', '<p>anyone?</p>');
    await peer.send(pam, `${h.url}/inbox`, create(pam, theirs));
    const stored = await eventually("pam's note", () => homeStatus(u, theirs.id));

    // A public reply mentioning pam: delivered to her inbox, addressed to her, tagged.
    const reply = await m('POST', '/api/v1/statuses', u, {
      status: `@pam@${peer.host} me!`,
      in_reply_to_id: stored.id,
    });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.mentions?.length ?? 1, 1);
    assert.match(reply.body.content, new RegExp(`href="${pam.id}"`));
    const sent = await eventually('the reply at the peer', async () =>
      peer.received.find((a) => a.type === 'Create' && a.object?.inReplyTo === theirs.id),
    );
    assert.equal(sent.object.id, reply.body.uri);
    assert.ok([sent.to].flat().includes(PUBLIC), JSON.stringify(sent.to));
    assert.ok([sent.cc].flat().includes(pam.id), JSON.stringify(sent.cc));
    assert.deepEqual([sent.object.tag].flat(), [
      { type: 'Mention', href: pam.id, name: `@pam@${peer.host}` },
    ]);

    // Quinn was never seen here: the mention looks quinn up (WebFinger), and the direct status reaches quinn alone.
    const quinn = await peer.actor('quinn');
    const dm = await m('POST', '/api/v1/statuses', u, {
      status: `@quinn@${peer.host} just between us`,
      visibility: 'direct',
    });
    assert.equal(dm.status, 200, dm.text);
    const sentDm = await eventually('the direct status at the peer', async () =>
      peer.received.find((a) => a.type === 'Create' && a.object?.id === dm.body.uri),
    );
    assert.deepEqual([sentDm.to].flat(), [quinn.id]);
    assert.doesNotMatch(
      JSON.stringify({ to: sentDm.to, cc: sentDm.cc, o: [sentDm.object.to, sentDm.object.cc] }),
      /Public|followers/,
    );
    // Served to nobody unsigned: it is not public.
    const fetched = await fetch(`${h.url}/users/${u.id}/statuses/${dm.body.id}`, {
      headers: { accept: 'application/activity+json' },
    });
    assert.notEqual(fetched.status, 200);
    // Deleted, the direct status is retracted where it went: quinn's server hears the Delete, addressed to quinn.
    assert.equal((await m('DELETE', `/api/v1/statuses/${dm.body.id}`, u)).status, 200);
    const retracted = await eventually('the Delete at the peer', async () =>
      peer.received.find((a) => a.type === 'Delete' && (a.object?.id ?? a.object) === dm.body.uri),
    );
    assert.deepEqual([retracted.to].flat(), [quinn.id]);
    assert.doesNotMatch(JSON.stringify([retracted.to, retracted.cc]), /Public|followers/);
  });
});

describe('blocks', () => {
  test('a local block of a remote account sends Block and ends follows; unblocking sends its Undo', async () => {
    const u = await h.register();
    const bea = await peer.actor('bea');
    const beaId = await follow(u, bea);
    await peer.send(bea, `${h.url}/inbox`, {
      id: `${bea.id}#follows/1`,
      type: 'Follow',
      actor: bea.id,
      object: actorOf(u),
    });
    await eventually('bea follows u', async () => {
      const r = await m('GET', `/api/v1/accounts/relationships?id[]=${beaId}`, u);
      return r.body[0]?.followed_by === true;
    });
    const blocked = await m('POST', `/api/v1/accounts/${beaId}/block`, u);
    assert.equal(blocked.status, 200);
    assert.equal(blocked.body.blocking, true);
    assert.equal(blocked.body.following, false);
    assert.equal(blocked.body.followed_by, false);
    const block = await eventually('the Block at the peer', async () =>
      peer.received.find((a) => a.type === 'Block' && a.actor === actorOf(u)),
    );
    assert.equal(block.object, bea.id);
    await m('POST', `/api/v1/accounts/${beaId}/unblock`, u);
    await eventually('the Undo(Block) at the peer', async () =>
      peer.received.find(
        (a) =>
          a.type === 'Undo' &&
          a.actor === actorOf(u) &&
          a.object?.type === 'Block' &&
          a.object?.object === bea.id,
      ),
    );
  });

  test("an inbound Block hides the blocker's statuses from the blocked and ends follows; its Undo lifts it", async () => {
    const u = await h.register();
    const cal = await peer.actor('cal');
    const calId = await follow(u, cal);
    const n = note(cal, '1', '<p>cal speaks</p>');
    await peer.send(cal, `${h.url}/inbox`, create(cal, n));
    const seen = await eventually("cal's note", () => homeStatus(u, n.id));
    // Someone else cannot block in cal's name.
    const eve = await peer.actor('eve4');
    await peer.send(eve, `${h.url}/inbox`, {
      id: `${eve.id}#blocks/1`,
      type: 'Block',
      actor: cal.id,
      object: actorOf(u),
    });
    const block = { id: `${cal.id}#blocks/1`, type: 'Block', actor: cal.id, object: actorOf(u) };
    assert.equal(await peer.send(cal, `${h.url}/inbox`, block), 202);
    await eventually('the block in force', async () => {
      const r = await m('GET', `/api/v1/accounts/relationships?id[]=${calId}`, u);
      return r.body[0]?.blocked_by === true;
    });
    const rel = await m('GET', `/api/v1/accounts/relationships?id[]=${calId}`, u);
    assert.equal(rel.body[0].following, false);
    assert.equal(rel.body[0].blocking, false);
    assert.equal((await m('GET', `/api/v1/statuses/${seen.id}`, u)).status, 404);
    assert.equal(await homeStatus(u, n.id), null);
    await peer.send(cal, `${h.url}/inbox`, {
      id: `${cal.id}#blocks/1/undo`,
      type: 'Undo',
      actor: cal.id,
      object: block,
    });
    await eventually(
      'the block lifted',
      async () => (await m('GET', `/api/v1/statuses/${seen.id}`, u)).status === 200,
    );
  });
});

describe('domain blocks', () => {
  test('only an admin manages instance domain blocks; a blocked domain is heard from and delivered to no more', async () => {
    const admin = await instanceAdmin();
    const u = await h.register();
    const path = '/api/v1/admin/domain_blocks';
    assert.equal((await m('GET', path, null)).status, 401);
    assert.equal((await m('GET', path, u)).status, 403);
    assert.equal((await m('POST', path, u, { domain: 'localhost' })).status, 403);
    assert.equal((await m('POST', path, admin, { domain: 'not a host!' })).status, 422);
    assert.equal((await m('POST', path, admin, { domain: 'localhost', severity: 'noop' })).status, 422);
    assert.equal((await m('POST', path, admin, {})).status, 400);

    // Before the block: u follows olga on the other server, and olga follows u.
    const olga = await other.actor('olga');
    const olgaId = await follow(u, olga, other);
    await other.send(olga, `${h.url}/inbox`, {
      id: `${olga.id}#follows/1`,
      type: 'Follow',
      actor: olga.id,
      object: actorOf(u),
    });
    await eventually('olga follows u', async () => {
      const r = await m('GET', `/api/v1/accounts/relationships?id[]=${olgaId}`, u);
      return r.body[0]?.followed_by === true;
    });

    const early = note(olga, '0', '<p>before the block</p>');
    await other.send(olga, `${h.url}/inbox`, create(olga, early));
    const earlyHere = await eventually("olga's early note", () => homeStatus(u, early.id));

    const made = await m('POST', path, admin, {
      domain: 'LOCALHOST',
      severity: 'suspend',
      private_comment: 'spam',
    });
    assert.equal(made.status, 200, made.text);
    assert.equal(made.body.domain, 'localhost');
    assert.equal(made.body.severity, 'suspend');
    assert.equal((await m('POST', path, admin, { domain: 'localhost', severity: 'suspend' })).status, 422);
    assert.deepEqual(
      (await m('GET', path, admin)).body.map((b: any) => b.domain),
      ['localhost'],
    );
    // Suspended: the follows both ways are severed, and what the domain's accounts posted is hidden.
    const severed = await m('GET', `/api/v1/accounts/relationships?id[]=${olgaId}`, u);
    assert.equal(severed.body[0].following, false);
    assert.equal(severed.body[0].followed_by, false);
    assert.equal((await m('GET', `/api/v1/statuses/${earlyHere.id}`, u)).status, 404);
    assert.equal((await m('GET', `/api/v1/statuses/${earlyHere.id}`, null)).status, 404);
    assert.equal((await m('GET', `${path}/${made.body.id}`, u)).status, 403);
    assert.equal((await m('DELETE', `${path}/${made.body.id}`, u)).status, 403);

    // Signed activities from the blocked domain are dropped; a local status mentioning olga is not delivered there.
    const blockedNote = note(olga, '1', '<p>from a blocked domain</p>');
    assert.equal(await other.send(olga, `${h.url}/inbox`, create(olga, blockedNote)), 202);
    const before = other.received.length;
    const mine = await post(h, u, { status: `@olga@${other.host} not for localhost` });
    await settled();
    assert.equal(await homeStatus(u, blockedNote.id), null);
    assert.equal(other.received.length, before);
    assert.equal(
      other.received.some(
        (a) => a.type === 'Create' && String(a.object?.id ?? '').endsWith(`/statuses/${mine}`),
      ),
      false,
    );
    // Nor is an account there looked up.
    await other.actor('newcomer');
    assert.equal((await m('GET', `/api/v1/accounts/lookup?acct=newcomer@${other.host}`, u)).status, 404);

    // Lifted, what was posted shows again (the severed follows stay ended), and the domain is heard again.
    assert.equal((await m('DELETE', `${path}/${made.body.id}`, admin)).status, 200);
    assert.equal((await m('DELETE', `${path}/${made.body.id}`, admin)).status, 404);
    assert.equal((await m('GET', `/api/v1/statuses/${earlyHere.id}`, u)).status, 200);
    const later = note(olga, '2', `<p>@${u.username} heard again</p>`, { tag: [mention(u)] });
    await other.send(olga, `${h.url}/inbox`, create(olga, later));
    await eventually('the later mention', async () => {
      const r = await m('GET', '/api/v1/notifications', u);
      return (r.body as any[]).some((n) => n.type === 'mention' && n.status?.uri === later.id);
    });
  });

  test("a user's own domain block hides that domain's statuses from their timelines and notifications", async () => {
    const u = await h.register();
    const tom = await peer.actor('tom');
    const tomId = await follow(u, tom);
    const n = note(tom, '1', '<p>tom here</p>');
    await peer.send(tom, `${h.url}/inbox`, create(tom, n));
    await eventually("tom's note", () => homeStatus(u, n.id));
    await peer.send(tom, `${h.url}/inbox`, {
      id: `${tom.id}#follows/1`,
      type: 'Follow',
      actor: tom.id,
      object: actorOf(u),
    });
    await eventually('tom follows u', async () => {
      const r = await m('GET', `/api/v1/accounts/relationships?id[]=${tomId}`, u);
      return r.body[0]?.followed_by === true;
    });
    assert.equal((await m('GET', '/api/v1/domain_blocks', null)).status, 401);
    assert.equal((await m('POST', '/api/v1/domain_blocks', u, { domain: '../etc' })).status, 422);
    assert.equal((await m('POST', '/api/v1/domain_blocks', u, { domain: '127.0.0.1' })).status, 200);
    assert.deepEqual((await m('GET', '/api/v1/domain_blocks', u)).body, ['127.0.0.1']);
    assert.equal(await homeStatus(u, n.id), null);
    const rel = await m('GET', `/api/v1/accounts/relationships?id[]=${tomId}`, u);
    assert.equal(rel.body[0].domain_blocking, true);
    assert.equal(rel.body[0].followed_by, false);
    // Another user's timeline is not touched.
    const w = await h.register();
    await follow(w, tom);
    const n2 = note(tom, '2', '<p>tom again</p>');
    await peer.send(tom, `${h.url}/inbox`, create(tom, n2));
    await eventually("tom's second note for w", () => homeStatus(w, n2.id));
    assert.equal(await homeStatus(u, n2.id), null);
    assert.equal((await m('DELETE', '/api/v1/domain_blocks?domain=127.0.0.1', u)).status, 200);
    assert.deepEqual((await m('GET', '/api/v1/domain_blocks', u)).body, []);
    assert.ok(await homeStatus(u, n2.id));
  });
});

describe('payloads of other servers', () => {
  const fixtures = join(import.meta.dirname, '..', 'fixtures', 'fediverse');
  /** A fixture with its placeholders filled in (fixtures/fediverse/README.md). */
  const load = (file: string, values: Record<string, string>) => {
    let text = readFileSync(join(fixtures, file), 'utf8');
    for (const [k, v] of Object.entries(values)) text = text.replaceAll(`{{${k}}}`, v);
    return JSON.parse(text) as Record<string, any>;
  };

  test('replies from Mastodon, Misskey and GoToSocial and a Pleroma direct message are threaded, notified and shown', async () => {
    const u = await h.register();
    const mine = await post(h, u, { status: 'tell me, fediverse' });
    const witness = await h.register();
    // Pleroma names its own context document by URL: the peer serves it, as a Pleroma server does.
    peer.serveRaw(
      '/schemas/litepub-0.1.jsonld',
      JSON.parse(readFileSync(join(fixtures, 'litepub-0.1.jsonld'), 'utf8')),
    );
    const cases = [
      {
        file: 'mastodon-reply.json',
        name: 'mastodon_user',
        text: /Mastodon says hi/,
        visibility: 'public',
        reply: true,
      },
      {
        file: 'misskey-reply.json',
        name: '9zq0misskey',
        text: /Misskey says hi/,
        visibility: 'public',
        reply: true,
      },
      {
        file: 'gotosocial-reply.json',
        name: 'gts_user',
        text: /GoToSocial says hi/,
        visibility: 'unlisted',
        reply: true,
      },
      {
        file: 'pleroma-direct.json',
        name: 'pleroma_user',
        text: /Pleroma whispers/,
        visibility: 'direct',
        reply: false,
      },
    ];
    const found: Record<string, any> = {};
    for (const c of cases) {
      const actor = await peer.actor(c.name);
      const activity = load(c.file, {
        origin: peer.origin,
        actor: actor.id,
        name: actor.name,
        'local-actor': actorOf(u),
        'local-name': u.username,
        'local-host': 'hearth.test',
        'local-status': `http://hearth.test/users/${u.id}/statuses/${mine}`,
      });
      assert.equal(await peer.send(actor, `${h.url}/inbox`, activity), 202, c.file);
      const n = await eventually(`the mention from ${c.file}`, async () => {
        const r = await m('GET', '/api/v1/notifications?types[]=mention', u);
        return (r.body as any[]).find((x) => x.status?.uri === activity.object.id);
      });
      assert.equal(n.account.acct, `${c.name}@${peer.host}`, c.file);
      assert.match(n.status.content, c.text, c.file);
      assert.doesNotMatch(n.status.content, /<script|\$\[tada/, c.file);
      assert.equal(n.status.visibility, c.visibility, c.file);
      assert.equal(n.status.in_reply_to_id, c.reply ? mine : null, c.file);
      found[c.file] = n.status;
    }
    // Misskey's content warning; Mastodon's language.
    assert.equal(found['misskey-reply.json'].spoiler_text, 'party spoilers');
    assert.equal(found['misskey-reply.json'].sensitive, true);
    assert.equal(found['mastodon-reply.json'].language, 'en');
    assert.equal(found['pleroma-direct.json'].language, null);
    // The thread holds the three replies; the direct message is seen by its addressee alone.
    const context = await m('GET', `/api/v1/statuses/${mine}/context`, witness);
    assert.deepEqual(
      (context.body.descendants as any[]).map((s) => s.uri).sort(),
      ['mastodon-reply.json', 'misskey-reply.json', 'gotosocial-reply.json'].map((f) => found[f].uri).sort(),
    );
    const dm = found['pleroma-direct.json'];
    assert.equal((await m('GET', `/api/v1/statuses/${dm.id}`, witness)).status, 404);
    assert.equal((await m('GET', `/api/v1/statuses/${dm.id}`, u)).status, 200);
    assert.equal((await m('GET', `/api/v1/statuses/${mine}`, u)).body.replies_count, 3);
  });
});

describe('favourites of remote statuses', () => {
  test('a favourite made again after an unfavourite is a new Like, and each Undo names its own', async () => {
    const u = await h.register();
    const lena = await peer.actor('lena');
    await follow(u, lena);
    const n = note(lena, '1', '<p>like me twice</p>');
    await peer.send(lena, `${h.url}/inbox`, create(lena, n));
    const seen = await eventually("lena's note", () => homeStatus(u, n.id));
    for (const path of ['favourite', 'unfavourite', 'favourite', 'unfavourite'])
      assert.equal((await m('POST', `/api/v1/statuses/${seen.id}/${path}`, u)).status, 200);
    await settled();
    const mine = (a: Record<string, any>) => a.actor === actorOf(u);
    const likes = peer.received.filter((a) => a.type === 'Like' && a.object === n.id && mine(a));
    const undos = peer.received.filter((a) => a.type === 'Undo' && a.object?.type === 'Like' && mine(a));
    assert.equal(likes.length, 2);
    assert.notEqual(likes[0].id, likes[1].id);
    assert.equal(undos.length, 2);
    // Deliveries run side by side, so they may arrive in any order: each Undo names one of the Likes, none twice.
    assert.deepEqual(undos.map((x) => x.object.id).sort(), likes.map((x) => x.id).sort());
    assert.notEqual(undos[0].id, undos[1].id);
  });
});

describe('silenced domains and known instances', () => {
  test("a silenced domain's statuses leave public places for non-followers; its accounts notify followers only and their follows wait", async () => {
    const admin = await instanceAdmin();
    const fan = await h.register();
    const stranger = await h.register();
    const path = '/api/v1/admin/domain_blocks';
    assert.equal((await m('POST', path, stranger, { domain: 'localhost', severity: 'silence' })).status, 403);

    const sid = await other.actor('sid');
    await follow(fan, sid, other);
    const tagged = note(sid, 's1', '<p>limited words</p>');
    await other.send(sid, `${h.url}/inbox`, create(sid, tagged));
    const stored = await eventually("sid's note", () => homeStatus(fan, tagged.id));
    const inPublic = async (who: TestUser | null) =>
      ((await m('GET', '/api/v1/timelines/public?limit=40', who)).body as any[]).some(
        (s) => s.uri === tagged.id,
      );
    const inSearch = async (who: TestUser) =>
      ((await m('GET', '/api/v2/search?q=limited&type=statuses', who)).body.statuses as any[]).some(
        (s) => s.uri === tagged.id,
      );
    assert.equal(await inPublic(stranger), true);
    assert.equal(await inSearch(stranger), true);

    const made = await m('POST', path, admin, { domain: 'localhost', severity: 'silence' });
    assert.equal(made.status, 200, made.text);
    assert.equal(made.body.severity, 'silence');
    assert.equal(made.body.reject_media, false);
    // Not severed: the follow stands, and the follower still sees it everywhere.
    assert.ok(await homeStatus(fan, tagged.id));
    assert.equal(await inPublic(fan), true);
    assert.equal(await inSearch(fan), true);
    // Anyone else does not find it in public places, but may still open it.
    assert.equal(await inPublic(stranger), false);
    assert.equal(await inPublic(null), false);
    assert.equal(await inSearch(stranger), false);
    assert.equal((await m('GET', `/api/v1/statuses/${stored.id}`, stranger)).status, 200);

    // The public stream: a new status of the silenced domain reaches the follower, not the stranger or the signed out.
    const streams = await Promise.all([fan, stranger, null].map((who) => publicStream(who)));
    const marker = async (text: string) => {
      const id = await post(h, admin, { status: text });
      for (const s of streams) await eventually(`${text} streamed`, async () => s.has(id));
    };
    await marker('first marker');
    const fresh = note(sid, 's3', '<p>a fresh limited word</p>');
    await other.send(sid, `${h.url}/inbox`, create(sid, fresh));
    await eventually('the fresh note', () => homeStatus(fan, fresh.id));
    await marker('second marker');
    assert.deepEqual(
      streams.map((s) => s.hasUri(fresh.id)),
      [true, false, false],
    );
    for (const s of streams) s.close();

    // A mention notifies the follower, not the stranger (the status itself still reaches both).
    const both = note(sid, 's2', `<p>@${fan.username} @${stranger.username} hello</p>`, {
      tag: [mention(fan), mention(stranger)],
    });
    await other.send(sid, `${h.url}/inbox`, create(sid, both));
    await eventually('the mention of the follower', async () => {
      const r = await m('GET', '/api/v1/notifications?types[]=mention', fan);
      return (r.body as any[]).some((x) => x.status?.uri === both.id);
    });
    await settled();
    const strangers = await m('GET', '/api/v1/notifications', stranger);
    assert.equal(
      (strangers.body as any[]).some((x) => x.status?.uri === both.id),
      false,
    );

    // A follow from the silenced domain waits for approval, even of an account that is not locked.
    const sam = await other.actor('sam');
    const before = other.received.length;
    assert.equal(
      await other.send(sam, `${h.url}/inbox`, {
        id: `${sam.id}#follows/1`,
        type: 'Follow',
        actor: sam.id,
        object: actorOf(stranger),
      }),
      202,
    );
    const request = await eventually('the follow request', async () => {
      const r = await m('GET', '/api/v1/follow_requests', stranger);
      return (r.body as any[]).find((a) => a.acct === `sam@${other.host}`);
    });
    await settled();
    assert.equal(
      other.received.slice(before).some((a) => a.type === 'Accept'),
      false,
    );
    assert.equal((await m('POST', `/api/v1/follow_requests/${request.id}/authorize`, stranger)).status, 200);
    await eventually('the Accept reaches sam', async () =>
      other.received.slice(before).some((a) => a.type === 'Accept' && a.object?.actor === sam.id),
    );

    // Lifted, the status is public again.
    assert.equal((await m('DELETE', `${path}/${made.body.id}`, admin)).status, 200);
    assert.equal(await inPublic(stranger), true);
  });

  test('the admins see the instances Hearth knows, with traffic both ways and failures; nobody else does', async () => {
    const admin = await instanceAdmin();
    const u = await h.register();
    const path = '/api/v1/hearth/admin/instances';
    assert.equal((await m('GET', path, null)).status, 401);
    assert.equal((await m('GET', path, u)).status, 403);

    const ivy = await other.actor('ivy');
    await follow(u, ivy, other);
    await other.send(ivy, `${h.url}/inbox`, {
      id: `${ivy.id}#follows/2`,
      type: 'Follow',
      actor: ivy.id,
      object: actorOf(u),
    });
    await settled();
    const block = await m('POST', '/api/v1/admin/domain_blocks', admin, {
      domain: 'localhost',
      severity: 'silence',
    });
    assert.equal(block.status, 200);
    const list = await m('GET', path, admin);
    assert.equal(list.status, 200, list.text);
    const localhost = (list.body as any[]).find((i) => i.domain === 'localhost');
    assert.ok(localhost, JSON.stringify(list.body));
    assert.ok(localhost.accounts_count >= 1);
    assert.ok(localhost.followers_count >= 1);
    assert.ok(localhost.following_count >= 1);
    assert.ok(localhost.last_received_at);
    assert.ok(localhost.last_delivered_at);
    assert.equal(localhost.failures, 0);
    assert.deepEqual(localhost.block, { id: block.body.id, severity: 'silence' });
    assert.equal((await m('DELETE', `/api/v1/admin/domain_blocks/${block.body.id}`, admin)).status, 200);

    // A server that went away: the delivery fails and is counted against its instance.
    const gone = await startPeer({ hostName: 'localhost' });
    await gone.actor('vic');
    const found = await m('GET', `/api/v1/accounts/lookup?acct=vic@${gone.host}`, u);
    assert.equal(found.status, 200, found.text);
    await gone.close();
    assert.equal((await m('POST', `/api/v1/accounts/${found.body.id}/follow`, u)).status, 200);
    const failed = await eventually('the failed delivery counted', async () => {
      const r = await m('GET', path, admin);
      const i = (r.body as any[]).find((x) => x.domain === 'localhost');
      return i?.failures > 0 ? i : null;
    });
    assert.ok(failed.last_failed_at);
    assert.ok(failed.last_error);
  });
});
