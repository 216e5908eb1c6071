import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Peer, type PeerActor, startPeer } from '../fediverse-peer';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

// What Hearth's inbox does with activities from another server (ADR 0040), sent by a small stand-in peer that signs
// them as Mastodon does: edits and deletes of notes, profile updates, a deleted account, and what an actor may not
// do to another's objects. Hearth-to-Hearth is in multi-process/federation.test.ts.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
let peer: Peer;
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

before(async () => {
  h = await startHearth({ federationAllowPrivateAddresses: true, federationAllowHttp: true });
  m = mastodon(h);
  peer = await startPeer();
});
after(async () => {
  await h.close();
  await peer.close();
});

/** Asks until `check` answers something truthy (the inbox works through the job queue). */
async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

/** A local user following `actor` (looked up by WebFinger, accepted by a signed Accept): answers its account id. */
async function follow(u: TestUser, actor: PeerActor): Promise<string> {
  const found = await m('GET', `/api/v1/accounts/lookup?acct=${actor.name}@${peer.host}`, u);
  assert.equal(found.status, 200, found.text);
  assert.equal((await m('POST', `/api/v1/accounts/${found.body.id}/follow`, u)).status, 200);
  const followActivity = await eventually('the Follow reaches the peer', async () =>
    peer.received.find((a) => a.type === 'Follow' && a.object === actor.id),
  );
  const status = await peer.send(actor, `${h.url}/users/${u.id}/inbox`, {
    id: `${actor.id}#accepts/${u.id}`,
    type: 'Accept',
    actor: actor.id,
    object: followActivity,
  });
  assert.equal(status, 202);
  await eventually('the follow accepted', async () => {
    const r = await m('GET', `/api/v1/accounts/relationships?id[]=${found.body.id}`, u);
    return r.body[0]?.following === true;
  });
  return found.body.id;
}

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
