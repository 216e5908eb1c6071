import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { WebSocket } from 'ws';
import { posts, users } from '../../src/store/schema';
import { eventually, followPeer, PUBLIC, settled as settledJobs } from '../federation-helpers';
import { type Peer, type PeerActor, startPeer } from '../fediverse-peer';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon } from '../social-helpers';

// A remote group reaching Hearth (FEP-1b12; ADR 0031 addendum): the stand-in peer plays a Lemmy-like instance whose
// community (a Group actor) Announces its members' Create, Update and Delete of Pages and Notes. A person here finds
// and follows the group through the Mastodon API, and its posts reach their home timeline and user stream as the
// group's boosts of their authors' statuses; what nobody here follows, or an Announce of an Announce, is not stored;
// embedded content from another origin is not believed but fetched from there.

let h: TestServer;
let peer: Peer;
/** A second instance (another domain): a member of the community who lives elsewhere. */
let other: Peer;
const m = (...args: Parameters<ReturnType<typeof mastodon>>) => mastodon(h)(...args);

before(async () => {
  h = await startHearth({ federationAllowPrivateAddresses: true, federationAllowHttp: true });
  peer = await startPeer();
  other = await startPeer({ hostName: 'localhost' });
});
after(async () => {
  await h.close();
  await peer.close();
  await other.close();
});

const settled = () => settledJobs(h);

/** A Group actor of the peer (a Lemmy community). */
async function community(at: Peer, name: string): Promise<PeerActor> {
  const g = await at.actor(name);
  g.extra = { type: 'Group', name: `The ${name} community`, summary: '<p>All about it</p>' };
  return g;
}

let n = 0;
/** A Lemmy post: a Page with a title, addressed to its community and the public. */
const page = (author: PeerActor, group: PeerActor, title: string, content: string, extra = {}) => ({
  id: `${new URL(author.id).origin}/post/${++n}`,
  type: 'Page',
  attributedTo: author.id,
  to: [group.id, PUBLIC],
  cc: [],
  audience: group.id,
  name: title,
  content,
  mediaType: 'text/html',
  published: '2026-12-01T10:00:00Z',
  ...extra,
});
/** An activity of `actor` about `object`, as Lemmy sends it (embedded). */
const activity = (type: string, actor: PeerActor, object: unknown) => ({
  id: `${new URL(actor.id).origin}/activities/${type.toLowerCase()}/${++n}`,
  type,
  actor: actor.id,
  to: [PUBLIC],
  cc: [],
  object,
});
/** The community's Announce of `object` to its followers. */
const announce = (group: PeerActor, object: unknown, id = `${peer.origin}/activities/announce/${++n}`) => ({
  id,
  type: 'Announce',
  actor: group.id,
  to: [PUBLIC],
  cc: [`${group.id}/followers`],
  object,
});

async function home(u: TestUser): Promise<any[]> {
  const r = await m('GET', '/api/v1/timelines/home?limit=40', u);
  assert.equal(r.status, 200, r.text);
  return r.body;
}
/** The group's boost in `u`'s home timeline of the status with IRI `uri`. */
const boostOf = async (u: TestUser, uri: string) =>
  (await home(u)).find((s) => s.reblog?.uri === uri) ?? null;
const storedPost = async (uri: string) =>
  (await h.app.database.db.select({ id: posts.id }).from(posts).where(eq(posts.uri, uri)))[0] ?? null;
const storedAccount = async (uri: string) =>
  (await h.app.database.db.select({ id: users.id }).from(users).where(eq(users.uri, uri)))[0] ?? null;

/** `u`'s user stream: the statuses that arrive as `update`. */
async function userStream(u: TestUser) {
  const ws = new WebSocket(
    `${h.url.replace(/^http/, 'ws')}/api/v1/streaming?stream=user&access_token=${u.token}`,
  );
  const updates: any[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if (frame.event === 'update') updates.push(JSON.parse(frame.payload));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await eventually('the user stream subscribed', async () =>
    h.app.streaming.streamsOf(u.id).includes('user'),
  );
  return { updates, close: () => ws.close() };
}

describe('remote groups reach their followers here', { timeout: 180_000 }, () => {
  test('found and followed as a group; its Announce of a Page becomes the author’s status boosted by the group, in home and on the stream; edited, deleted; duplicates once', async () => {
    const alice = await h.register();
    const carol = await h.register();
    const knit = await community(peer, 'knitting');
    const bob = await peer.actor('bob');

    // Found by search with resolve and by lookup: a group account.
    const search = await m(
      'GET',
      `/api/v2/search?q=${encodeURIComponent(`@knitting@${peer.host}`)}&resolve=true`,
      alice,
    );
    assert.equal(search.status, 200, search.text);
    const found = search.body.accounts.find((a: any) => a.acct === `knitting@${peer.host}`);
    assert.ok(found, search.text);
    assert.equal(found.group, true);
    const groupId = await followPeer(h, alice, knit, peer);
    assert.equal(groupId, found.id);
    const looked = await m('GET', `/api/v1/accounts/lookup?acct=knitting@${peer.host}`, alice);
    assert.equal(looked.body.group, true);
    assert.equal(looked.body.display_name, 'The knitting community');

    const stream = await userStream(alice);
    try {
      // Lemmy's way: Announce{Create{Page}} embedded, the Page titled, its link a Link attachment.
      const p = page(bob, knit, 'Sock patterns <3', '<p>Share yours</p>', {
        attachment: [{ type: 'Link', href: 'https://example.com/socks' }],
      });
      const relay = announce(knit, activity('Create', bob, p));
      assert.equal(await peer.send(knit, `${h.url}/inbox`, relay), 202);
      const boost = await eventually('the group’s boost in alice’s home', () => boostOf(alice, p.id));
      assert.equal(boost.account.id, groupId);
      assert.equal(boost.reblog.account.acct, `bob@${peer.host}`);
      assert.equal(boost.reblog.url, p.id);
      assert.match(boost.reblog.content, /^<p><strong>Sock patterns &lt;3<\/strong><\/p><p>Share yours<\/p>/);
      assert.match(
        boost.reblog.content,
        /<a href="https:\/\/example\.com\/socks"[^>]*>https:\/\/example\.com\/socks<\/a>/,
      );
      await eventually('the boost on alice’s stream', async () =>
        stream.updates.find((s) => s.id === boost.id),
      );

      // The same Announce again, and another Announce of the same Create: still one status, one boost.
      assert.equal(await peer.send(knit, `${h.url}/inbox`, relay), 202);
      assert.equal(
        await peer.send(knit, `${h.url}/users/${alice.id}/inbox`, announce(knit, relay.object)),
        202,
      );
      await settled();
      assert.equal((await home(alice)).filter((s) => s.reblog?.uri === p.id).length, 1);
      const rows = await h.app.database.db.select({ id: posts.id }).from(posts).where(eq(posts.uri, p.id));
      assert.equal(rows.length, 1);

      // Someone who does not follow the group sees nothing of it.
      assert.equal(await boostOf(carol, p.id), null);

      // The author's edit, relayed by the group, edits the status.
      const edited = { ...p, content: '<p>Share yours, please</p>', updated: '2026-12-01T11:00:00Z' };
      assert.equal(
        await peer.send(knit, `${h.url}/inbox`, announce(knit, activity('Update', bob, edited))),
        202,
      );
      await eventually('the status edited', async () =>
        /Share yours, please/.test(
          (await m('GET', `/api/v1/statuses/${boost.reblog.id}`, alice)).body.content ?? '',
        ),
      );

      // A Note posted by reference (Announce of the object's IRI) is fetched from its origin.
      const note = {
        id: `${peer.origin}/comment/${++n}`,
        type: 'Note',
        attributedTo: bob.id,
        to: [knit.id, PUBLIC],
        cc: [],
        content: '<p>By reference</p>',
        published: '2026-12-01T12:00:00Z',
      };
      peer.serve(note);
      assert.equal(await peer.send(knit, `${h.url}/inbox`, announce(knit, note.id)), 202);
      await eventually('the referenced note boosted', () => boostOf(alice, note.id));

      // The author's deletion, relayed, deletes the status.
      const del = activity('Delete', bob, { id: p.id, type: 'Tombstone' });
      assert.equal(await peer.send(knit, `${h.url}/inbox`, announce(knit, del)), 202);
      await eventually('the status deleted', async () => (await storedPost(p.id)) === null);
      assert.equal(await boostOf(alice, p.id), null);
      assert.equal((await m('GET', `/api/v1/statuses/${boost.reblog.id}`, alice)).status, 404);
      // Announced again after its deletion, it does not come back.
      assert.equal(await peer.send(knit, `${h.url}/inbox`, relay), 202);
      await settled();
      assert.equal(await storedPost(p.id), null);
    } finally {
      stream.close();
    }
  });

  test('nothing is stored of a group nobody here follows, of an Announce of an Announce, or of a forged post from another origin', async () => {
    const alice = await h.register();
    const knit = await community(peer, 'crochet');
    const lurk = await community(peer, 'unfollowed');
    const dan = await peer.actor('dan');
    await followPeer(h, alice, knit, peer);

    // A group nobody follows: its relay is ignored, neither the author nor the post is stored.
    const stray = page(dan, lurk, 'Nobody reads this', '<p>hello?</p>');
    assert.equal(
      await peer.send(lurk, `${h.url}/inbox`, announce(lurk, activity('Create', dan, stray))),
      202,
    );
    await settled();
    assert.equal(await storedPost(stray.id), null);
    assert.equal(await storedAccount(dan.id), null);
    assert.equal(await storedAccount(lurk.id), null);

    // An Announce of an Announce, even from the followed group: refused.
    const nested = page(dan, knit, 'Nested', '<p>twice wrapped</p>');
    const inner = announce(knit, activity('Create', dan, nested));
    assert.equal(await peer.send(knit, `${h.url}/inbox`, announce(knit, inner)), 202);
    await settled();
    assert.equal(await storedPost(nested.id), null);

    // A member on another instance: what the group embeds about its post is not believed; the post is fetched from
    // its own origin, which says something else.
    const erin = await other.actor('erin');
    const real = page(erin, knit, 'The real title', '<p>what erin wrote</p>');
    other.serve(real);
    const forged = { ...real, name: 'A forged title', content: '<p>what the group claims</p>' };
    assert.equal(
      await peer.send(knit, `${h.url}/inbox`, announce(knit, activity('Create', erin, forged))),
      202,
    );
    const boost = await eventually('erin’s post boosted', () => boostOf(alice, real.id));
    assert.match(boost.reblog.content, /The real title/);
    assert.match(boost.reblog.content, /what erin wrote/);
    assert.doesNotMatch(boost.reblog.content, /forged|claims/);
    assert.equal(boost.reblog.account.acct, `erin@${other.host}`);

    // A Delete of erin's post the group relays but cannot vouch for (another origin), while it still exists there:
    // nothing is deleted. Once it is gone there, the relayed Delete deletes it.
    const del = announce(knit, activity('Delete', erin, { id: real.id, type: 'Tombstone' }));
    assert.equal(await peer.send(knit, `${h.url}/inbox`, del), 202);
    await settled();
    assert.ok(await storedPost(real.id));
    other.serve({ id: real.id, type: 'Tombstone' });
    assert.equal(
      await peer.send(
        knit,
        `${h.url}/inbox`,
        announce(knit, activity('Delete', erin, { id: real.id, type: 'Tombstone' })),
      ),
      202,
    );
    await eventually('erin’s post deleted', async () => (await storedPost(real.id)) === null);

    // A moderator's removal (someone else of the group's instance) ends the group's boost; the status stays.
    const kept = page(dan, knit, 'Off topic', '<p>sorry</p>');
    assert.equal(await peer.send(knit, `${h.url}/inbox`, announce(knit, activity('Create', dan, kept))), 202);
    await eventually('dan’s post boosted', () => boostOf(alice, kept.id));
    const mod = await peer.actor('moderator');
    const removal = announce(knit, activity('Delete', mod, { id: kept.id, type: 'Tombstone' }));
    assert.equal(await peer.send(knit, `${h.url}/inbox`, removal), 202);
    await eventually('the boost ended', async () => (await boostOf(alice, kept.id)) === null);
    assert.ok(await storedPost(kept.id));
  });
});
