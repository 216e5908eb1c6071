import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { posts, users } from '../../src/store/schema';
import { eventually, PUBLIC, settled as settledJobs } from '../federation-helpers';
import { type Peer, type PeerActor, startPeer } from '../fediverse-peer';
import { createForumPost, createGroup } from '../group-helpers';
import { startHearth, type TestServer } from '../harness';
import { mastodon } from '../social-helpers';

// Groups as ActivityPub Group actors (FEP-1b12; ADR 0031, federation addendum), driven by the stand-in peer: a remote
// Follow is a join (accepted at once, or after a moderator's approval), a member's note addressed to the group becomes
// a group post that the group Announces to its followers with its edits and deletion, a non-member or a banned
// account is refused, and a private group is no actor at all.

let h: TestServer;
let peer: Peer;
const m = (...args: Parameters<ReturnType<typeof mastodon>>) => mastodon(h)(...args);

before(async () => {
  h = await startHearth({ federationAllowPrivateAddresses: true, federationAllowHttp: true });
  peer = await startPeer();
});
after(async () => {
  await h.close();
  await peer.close();
});

const settled = () => settledJobs(h);
const AP = { accept: 'application/activity+json' };
/** The instance's public origin (the harness's `publicUrl`): what its IRIs name; requests go to `h.url`. */
const ORIGIN = 'http://hearth.test';
const actorUri = (id: string) => `${ORIGIN}/users/${id}`;
const inboxOf = (id: string) => `${h.url}/users/${id}/inbox`;
/** GETs an IRI of this instance as ActivityPub. */
const getAp = (iri: string) => fetch(iri.replace(ORIGIN, h.url), { headers: AP });

/** The stored account id of a peer actor. */
async function accountOf(actor: PeerActor): Promise<string> {
  const [row] = await h.app.database.db.select({ id: users.id }).from(users).where(eq(users.uri, actor.id));
  assert.ok(row, `no account for ${actor.id}`);
  return row.id;
}

/** `actor` Follows group `guildId`; answers the Follow's IRI. */
async function followGroup(actor: PeerActor, guildId: string, n = 1): Promise<string> {
  const id = `${actor.id}#follows/${guildId}/${n}`;
  const status = await peer.send(actor, inboxOf(guildId), {
    id,
    type: 'Follow',
    actor: actor.id,
    object: actorUri(guildId),
  });
  assert.equal(status, 202);
  return id;
}

const answerTo = (followId: string, type: 'Accept' | 'Reject') =>
  eventually(`the ${type} of ${followId}`, async () =>
    peer.received.find((a) => a.type === type && (a.object === followId || a.object?.id === followId)),
  );

const note = (actor: PeerActor, n: string, content: string, group: string) => ({
  id: `${actor.id}/statuses/${n}`,
  type: 'Note',
  attributedTo: actor.id,
  to: [PUBLIC],
  cc: [actorUri(group), `${actor.id}/followers`],
  audience: actorUri(group),
  content,
  published: '2026-12-01T10:00:00Z',
});
const create = (actor: PeerActor, object: Record<string, any>) => ({
  id: `${object.id}/activity`,
  type: 'Create',
  actor: actor.id,
  to: object.to,
  cc: object.cc,
  object,
});

/** The group's posts as its Mastodon account shows them to `viewer`'s token (the owner, a member). */
async function groupPosts(guildId: string, token: { token: string; id: string }) {
  const r = await m('GET', `/api/v1/accounts/${guildId}/statuses`, token as any);
  assert.equal(r.status, 200, r.text);
  return r.body as Array<{ id: string; content: string; hearth_group_post: { author: { id: string } } }>;
}

const announced = (type: string, objectId: string) =>
  peer.received.find(
    (a) =>
      a.type === 'Announce' &&
      // An embedded EmojiReact may keep its full IRI (litepub's term is not in the Announce's context).
      (a.object?.type === type || a.object?.type === `http://litepub.social/ns#${type}`) &&
      (a.object.object === objectId || a.object.object?.id === objectId),
  );

describe('groups as Group actors', { timeout: 360_000 }, () => {
  test('a private group is no actor; a public one is a Group with WebFinger, keys and followers', async () => {
    const priv = await createGroup(h, 'private');
    const pub = await createGroup(h, 'public');
    const host = 'hearth.test';

    const hidden = await getAp(actorUri(priv.g.id));
    assert.equal(hidden.status === 404 || hidden.status === 406, true, `private actor: ${hidden.status}`);
    const finger = await fetch(`${h.url}/.well-known/webfinger?resource=acct:${priv.handle}@${host}`);
    assert.equal(finger.status, 404);
    const privFollowers = await getAp(`${actorUri(priv.g.id)}/followers`);
    assert.notEqual(privFollowers.status, 200);

    const found = await fetch(`${h.url}/.well-known/webfinger?resource=acct:${pub.handle}@${host}`);
    assert.equal(found.status, 200);
    const jrd = await found.json();
    assert.ok(
      jrd.links.some((l: { rel: string; href: string }) => l.rel === 'self' && l.href === actorUri(pub.g.id)),
    );
    const res = await getAp(actorUri(pub.g.id));
    assert.equal(res.status, 200);
    const actor = await res.json();
    assert.equal(actor.type, 'Group');
    assert.equal(actor.preferredUsername, pub.handle);
    assert.equal(actor.inbox, `${actorUri(pub.g.id)}/inbox`);
    assert.equal(actor.followers, `${actorUri(pub.g.id)}/followers`);
    assert.match(actor.publicKey.publicKeyPem, /BEGIN PUBLIC KEY/);
  });

  test('a remote Follow joins a public group; a member note becomes a post, Announced with its edit and deletion; a non-member and a banned member are refused', async () => {
    const { g, forumId } = await createGroup(h, 'public');
    const alice = await peer.actor('alice');
    const eve = await peer.actor('eve');
    await answerTo(await followGroup(alice, g.id), 'Accept');
    const aliceId = await accountOf(alice);
    const member = await h.api('GET', `/guilds/${g.id}/members/${aliceId}`, { token: g.owner.token });
    assert.equal(member.status, 200, member.text);
    const followers = await (await getAp(`${actorUri(g.id)}/followers`)).json();
    assert.equal(followers.totalItems, 2);

    // A member's note addressed to the group is a group post, and the group Announces the Create.
    const first = note(alice, 'g1', '<p>Hello from afar</p>', g.id);
    assert.equal(await peer.send(alice, inboxOf(g.id), create(alice, first)), 202);
    const post = await eventually('the group post', async () =>
      (await groupPosts(g.id, g.owner)).find((p) => /Hello from afar/.test(p.content)),
    );
    assert.equal(post.hearth_group_post.author.id, aliceId);
    await eventually('the Announce of the Create', async () => announced('Create', first.id));

    // Its edit edits the post and is relayed.
    const edited = { ...first, content: '<p>Hello again from afar</p>', updated: '2026-12-01T11:00:00Z' };
    await peer.send(alice, `${h.url}/inbox`, {
      id: `${alice.id}#updates/g1`,
      type: 'Update',
      actor: alice.id,
      object: edited,
    });
    await eventually('the post edited', async () =>
      (await groupPosts(g.id, g.owner)).find((p) => p.id === post.id && /Hello again/.test(p.content)),
    );
    await eventually('the Announce of the Update', async () => announced('Update', first.id));

    // A non-member's note addressed to the group is no post.
    const stray = note(eve, 'g2', '<p>Let me in</p>', g.id);
    assert.equal(await peer.send(eve, inboxOf(g.id), create(eve, stray)), 202);
    await settled();
    assert.equal(
      (await groupPosts(g.id, g.owner)).some((p) => /Let me in/.test(p.content)),
      false,
    );

    // Its deletion deletes the post and is relayed.
    await peer.send(alice, `${h.url}/inbox`, {
      id: `${alice.id}#deletes/g1`,
      type: 'Delete',
      actor: alice.id,
      object: { id: first.id, type: 'Tombstone' },
    });
    await eventually('the post deleted', async () =>
      (await groupPosts(g.id, g.owner)).every((p) => p.id !== post.id),
    );
    await eventually('the Announce of the Delete', async () => announced('Delete', first.id));

    // Banned, alice posts nothing more (nor does a new Follow let her back in).
    const ban = await h.api('PUT', `/guilds/${g.id}/bans/${aliceId}`, { token: g.owner.token, body: {} });
    assert.equal(ban.status, 204, ban.text);
    await answerTo(await followGroup(alice, g.id, 2), 'Reject');
    const late = note(alice, 'g3', '<p>Still here</p>', g.id);
    assert.equal(await peer.send(alice, inboxOf(g.id), create(alice, late)), 202);
    await settled();
    assert.equal(
      (await groupPosts(g.id, g.owner)).some((p) => /Still here/.test(p.content)),
      false,
    );

    // A local member's post is Announced as the author's Create of a Page, which the group serves.
    const bob = await peer.actor('bob');
    await answerTo(await followGroup(bob, g.id), 'Accept');
    const threadId = await createForumPost(h, g, forumId, g.owner, 'Local news', 'Made here');
    const pageId = `${actorUri(g.id)}/posts/${threadId}`;
    const announce = await eventually('the Announce of the local post', async () =>
      announced('Create', pageId),
    );
    assert.equal(announce.actor, actorUri(g.id));
    assert.equal(announce.object.actor, actorUri(g.owner.id));
    const page = await (await getAp(pageId)).json();
    assert.equal(page.type, 'Page');
    assert.equal(page.name, 'Local news');
    assert.match(page.content, /Made here/);
    // Deleting it is relayed too.
    const del = await h.api('DELETE', `/channels/${threadId}`, { token: g.owner.token });
    assert.equal(del.status, 200, del.text);
    await eventually('the Announce of the local deletion', async () => announced('Delete', pageId));
  });

  test('replies become comments and Likes reactions where the member may; a local comment is Announced; a kicked or banned member gets a Reject', async () => {
    const { g, forumId } = await createGroup(h, 'public');
    const [fay, gus, ivy] = [await peer.actor('fay'), await peer.actor('gus'), await peer.actor('ivy')];
    const fayFollow = await followGroup(fay, g.id);
    await answerTo(fayFollow, 'Accept');
    const gusFollow = await followGroup(gus, g.id);
    await answerTo(gusFollow, 'Accept');
    const [fayId, gusId] = [await accountOf(fay), await accountOf(gus)];
    const threadId = await createForumPost(h, g, forumId, g.owner, 'Patterns', 'Share yours');
    const pageId = `${actorUri(g.id)}/posts/${threadId}`;
    await eventually('the Announce of the post', async () => announced('Create', pageId));
    const comments = async () => {
      const r = await m('GET', `/api/v1/statuses/${threadId}/context`, g.owner as any);
      assert.equal(r.status, 200, r.text);
      return r.body.descendants as Array<{
        id: string;
        content: string;
        account: { id: string };
        in_reply_to_id: string;
        favourites_count: number;
      }>;
    };
    const reply = (actor: PeerActor, n: string, content: string, inReplyTo: string) => ({
      ...note(actor, n, content, g.id),
      inReplyTo,
    });

    // A member's reply to the group's Page is a comment, and the group Announces the Create.
    const first = reply(fay, 'c1', '<p>Mine is a scarf</p>', pageId);
    assert.equal(await peer.send(fay, inboxOf(g.id), create(fay, first)), 202);
    const comment = await eventually('the comment', async () =>
      (await comments()).find((c) => /Mine is a scarf/.test(c.content)),
    );
    assert.equal(comment.account.id, fayId);
    assert.equal(comment.in_reply_to_id, threadId);
    await eventually('the Announce of the comment', async () => announced('Create', first.id));
    // It is a comment only: no status of it is stored.
    const stored = await h.app.database.db.select().from(posts).where(eq(posts.uri, first.id));
    assert.deepEqual(stored, []);

    // A non-member's reply is refused: no comment, no status.
    const ivyId = `${ivy.id}/statuses/c2`;
    assert.equal(
      await peer.send(ivy, inboxOf(g.id), create(ivy, reply(ivy, 'c2', '<p>Spam</p>', pageId))),
      202,
    );
    await settled();
    assert.equal(
      (await comments()).some((c) => /Spam/.test(c.content)),
      false,
    );
    assert.deepEqual(await h.app.database.db.select().from(posts).where(eq(posts.uri, ivyId)), []);

    // A member's Like of the comment, and EmojiReact on the post, are reactions; a non-member's Like is not.
    await peer.send(gus, inboxOf(g.id), {
      id: `${gus.id}#likes/1`,
      type: 'Like',
      actor: gus.id,
      object: first.id,
    });
    await peer.send(ivy, inboxOf(g.id), {
      id: `${ivy.id}#likes/1`,
      type: 'Like',
      actor: ivy.id,
      object: first.id,
    });
    await peer.send(gus, inboxOf(g.id), {
      // Pleroma's shape (FEP-c0e0): EmojiReact is litepub's term, so its context names it.
      '@context': [
        'https://www.w3.org/ns/activitystreams',
        'https://w3id.org/security/v1',
        { litepub: 'http://litepub.social/ns#', EmojiReact: 'litepub:EmojiReact' },
      ],
      id: `${gus.id}#reacts/1`,
      type: 'EmojiReact',
      actor: gus.id,
      object: pageId,
      content: '🔥',
    });
    await eventually('the favourite of the comment', async () =>
      (await comments()).find((c) => c.id === comment.id && c.favourites_count === 1),
    );
    const starter = await eventually('the reaction on the post', async () => {
      const r = await h.api('GET', `/channels/${threadId}/messages/${threadId}`, { token: g.owner.token });
      return r.body.reactions?.some((x: { emoji: { name: string } }) => x.emoji.name === '🔥')
        ? r.body
        : null;
    });
    assert.equal(starter.reactions.length, 1);
    await settled();
    assert.equal((await comments()).find((c) => c.id === comment.id)?.favourites_count, 1);
    // Taken back.
    await peer.send(gus, inboxOf(g.id), {
      id: `${gus.id}#likes/1/undo`,
      type: 'Undo',
      actor: gus.id,
      object: { id: `${gus.id}#likes/1`, type: 'Like', actor: gus.id, object: first.id },
    });
    await eventually('the favourite taken back', async () =>
      (await comments()).find((c) => c.id === comment.id && c.favourites_count === 0),
    );

    // Its edit edits the comment; an Update that changes nothing edits nothing.
    const edited = { ...first, content: '<p>Mine is a long scarf</p>', updated: '2026-12-01T11:00:00Z' };
    const update = (n: number) => ({
      id: `${fay.id}#updates/c1/${n}`,
      type: 'Update',
      actor: fay.id,
      object: edited,
    });
    await peer.send(fay, inboxOf(g.id), update(1));
    await eventually('the comment edited', async () =>
      (await comments()).find((c) => c.id === comment.id && /long scarf/.test(c.content)),
    );
    await eventually('the Announce of the comment edit', async () =>
      peer.received.find((a) => a.type === 'Announce' && a.object?.id === `${fay.id}#updates/c1/1`),
    );
    const editedAt = (
      await h.api('GET', `/channels/${threadId}/messages/${comment.id}`, { token: g.owner.token })
    ).body.edited_timestamp;
    await peer.send(fay, inboxOf(g.id), update(2));
    await settled();
    const again = await h.api('GET', `/channels/${threadId}/messages/${comment.id}`, {
      token: g.owner.token,
    });
    assert.equal(again.body.edited_timestamp, editedAt);
    assert.equal(
      peer.received.some((a) => a.type === 'Announce' && a.object?.id === `${fay.id}#updates/c1/2`),
      false,
    );

    // A local member's comment is Announced as its author's Create of a Note the group serves; a reply to it nests.
    const local = await h.api('POST', `/channels/${threadId}/messages`, {
      token: g.owner.token,
      body: { content: 'Lovely, all of you' },
    });
    assert.equal(local.status, 200, local.text);
    const localNoteId = `${actorUri(g.id)}/statuses/${local.body.id}`;
    const announce = await eventually('the Announce of the local comment', async () =>
      announced('Create', localNoteId),
    );
    assert.equal(announce.actor, actorUri(g.id));
    assert.equal(announce.object.actor, actorUri(g.owner.id));
    const served = await (await getAp(localNoteId)).json();
    assert.equal(served.type, 'Note');
    assert.equal(served.inReplyTo, pageId);
    assert.match(served.content, /Lovely/);
    const localEdit = await h.api('PATCH', `/channels/${threadId}/messages/${local.body.id}`, {
      token: g.owner.token,
      body: { content: 'Lovely, every one of you' },
    });
    assert.equal(localEdit.status, 200, localEdit.text);
    const editAnnounce = await eventually('the Announce of the local comment edit', async () =>
      announced('Update', localNoteId),
    );
    assert.match(editAnnounce.object.object.content, /every one of you/);
    const nested = reply(gus, 'c3', '<p>Thanks!</p>', localNoteId);
    await peer.send(gus, inboxOf(g.id), create(gus, nested));
    const answer = await eventually('the nested comment', async () =>
      (await comments()).find((c) => /Thanks!/.test(c.content)),
    );
    assert.equal(answer.in_reply_to_id, local.body.id);
    assert.equal(answer.account.id, gusId);

    // A moderator's removal of a remote member's comment is the group's own Delete of that member's Note.
    const removed = await h.api('DELETE', `/channels/${threadId}/messages/${answer.id}`, {
      token: g.owner.token,
    });
    assert.equal(removed.status, 204, removed.text);
    const removal = await eventually('the Announce of the removal', async () =>
      announced('Delete', nested.id),
    );
    assert.equal(removal.object.actor, actorUri(g.id));

    // A local member's reaction is Announced: the post's favourite reaction (⭐ here) as a Like, then its Undo.
    const star = encodeURIComponent('⭐');
    const put = await h.api('PUT', `/channels/${threadId}/messages/${threadId}/reactions/${star}/@me`, {
      token: g.owner.token,
    });
    assert.equal(put.status, 204, put.text);
    const liked = await eventually('the Announce of the Like', async () => announced('Like', pageId));
    assert.equal(liked.object.actor, actorUri(g.owner.id));
    const yarn = encodeURIComponent('🧶');
    const yarnPut = await h.api(
      'PUT',
      `/channels/${threadId}/messages/${local.body.id}/reactions/${yarn}/@me`,
      {
        token: g.owner.token,
      },
    );
    assert.equal(yarnPut.status, 204, yarnPut.text);
    const react = await eventually('the Announce of the EmojiReact', async () =>
      announced('EmojiReact', localNoteId),
    );
    assert.equal(react.object.content, '🧶');
    const unput = await h.api('DELETE', `/channels/${threadId}/messages/${threadId}/reactions/${star}/@me`, {
      token: g.owner.token,
    });
    assert.equal(unput.status, 204, unput.text);
    await eventually('the Announce of the Undo', async () => announced('Undo', liked.object.id));

    // Its author's Delete deletes the comment, relayed.
    await peer.send(fay, inboxOf(g.id), {
      id: `${fay.id}#deletes/c1`,
      type: 'Delete',
      actor: fay.id,
      object: { id: first.id, type: 'Tombstone' },
    });
    await eventually('the comment deleted', async () => (await comments()).every((c) => c.id !== comment.id));
    await eventually('the Announce of the Delete', async () => announced('Delete', first.id));

    // Kicked, gus hears the group's Reject of his Follow; banned, fay too, and her later replies are refused.
    const kick = await h.api('DELETE', `/guilds/${g.id}/members/${gusId}`, { token: g.owner.token });
    assert.equal(kick.status, 204, kick.text);
    await answerTo(gusFollow, 'Reject');
    const ban = await h.api('PUT', `/guilds/${g.id}/bans/${fayId}`, { token: g.owner.token, body: {} });
    assert.equal(ban.status, 204, ban.text);
    await answerTo(fayFollow, 'Reject');
    await peer.send(fay, inboxOf(g.id), create(fay, reply(fay, 'c4', '<p>Banned words</p>', pageId)));
    await settled();
    assert.equal(
      (await comments()).some((c) => /Banned words/.test(c.content)),
      false,
    );
  });

  test('a remote Update of a group post that changes nothing does not edit it', async () => {
    const { g } = await createGroup(h, 'public');
    const hal = await peer.actor('hal');
    await answerTo(await followGroup(hal, g.id), 'Accept');
    const first = note(hal, 'p1', '<p>Unchanged news</p>', g.id);
    await peer.send(hal, inboxOf(g.id), create(hal, first));
    const post = await eventually('the group post', async () =>
      (await groupPosts(g.id, g.owner)).find((p) => /Unchanged news/.test(p.content)),
    );
    await peer.send(hal, `${h.url}/inbox`, {
      id: `${hal.id}#updates/p1`,
      type: 'Update',
      actor: hal.id,
      object: first,
    });
    await settled();
    const msg = await h.api('GET', `/channels/${post.id}/messages/${post.id}`, { token: g.owner.token });
    assert.equal(msg.status, 200, msg.text);
    assert.equal(msg.body.edited_timestamp, null);
    assert.equal(announced('Update', first.id), undefined);
  });

  test('an approval-required group Accepts a remote Follow once a moderator approves, and Rejects a refused one', async () => {
    const { g } = await createGroup(h, 'approval');
    const carol = await peer.actor('carol');
    const dave = await peer.actor('dave');
    const carolFollow = await followGroup(carol, g.id);
    const daveFollow = await followGroup(dave, g.id);
    const requests = await eventually('the two join requests', async () => {
      const r = await h.api('GET', `/guilds/${g.id}/requests?status=SUBMITTED`, { token: g.owner.token });
      return r.body.guild_join_requests?.length === 2 ? r.body.guild_join_requests : null;
    });
    assert.equal(
      peer.received.some((a) => a.object === carolFollow || a.object?.id === carolFollow),
      false,
    );
    const [carolId, daveId] = [await accountOf(carol), await accountOf(dave)];
    const byUser = (id: string) => requests.find((r: { user_id: string }) => r.user_id === id);
    const approve = await h.api('PATCH', `/guilds/${g.id}/requests/${byUser(carolId).id}`, {
      token: g.owner.token,
      body: { action: 'APPROVED' },
    });
    assert.equal(approve.status, 200, approve.text);
    const reject = await h.api('PATCH', `/guilds/${g.id}/requests/${byUser(daveId).id}`, {
      token: g.owner.token,
      body: { action: 'REJECTED' },
    });
    assert.equal(reject.status, 200, reject.text);
    await answerTo(carolFollow, 'Accept');
    await answerTo(daveFollow, 'Reject');
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/members/${carolId}`, { token: g.owner.token })).status,
      200,
    );
  });
});
