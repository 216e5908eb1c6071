import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createGuild, join } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

async function befriend(a: TestUser, b: TestUser): Promise<void> {
  const asked = await h.api('PUT', `/users/@me/relationships/${b.id}`, { token: a.token, body: {} });
  assert.equal(asked.status, 204, asked.text);
  const accepted = await h.api('PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: {} });
  assert.equal(accepted.status, 204, accepted.text);
}

const profileOf = (viewer: TestUser, id: string, query = '') =>
  h.api('GET', `/users/${id}/profile${query}`, { token: viewer.token });

describe('pronouns', () => {
  test('PATCH /users/@me sets them (trimmed, at most 40 characters) and the own user object carries them', async () => {
    const a = await h.register();
    const set = await h.api('PATCH', '/users/@me', { token: a.token, body: { pronouns: ' she/her ' } });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.pronouns, 'she/her');
    assert.equal((await h.api('GET', '/users/@me', { token: a.token })).body.pronouns, 'she/her');
    const long = await h.api('PATCH', '/users/@me', { token: a.token, body: { pronouns: 'x'.repeat(41) } });
    assert.equal(long.status, 400);
    assert.ok(long.body.errors.pronouns, long.text);
    assert.equal((await h.api('GET', '/users/@me', { token: a.token })).body.pronouns, 'she/her');
    // Others read them in the profile, not in the user object (as on Discord).
    const b = await h.register();
    const other = await h.api('GET', `/users/${a.id}`, { token: b.token });
    assert.equal('pronouns' in other.body, false);
  });
});

describe('GET /users/:id/profile', () => {
  test('lists the servers both are in with the nickname there, and the friends both have', async () => {
    const ann = await h.register();
    const bob = await h.register();
    const cat = await h.register();
    const dan = await h.register();
    await h.api('PATCH', '/users/@me', { token: bob.token, body: { pronouns: 'he/him', bio: 'Bob here' } });
    const shared = await createGuild(h, ann, 'Shared');
    await join(h, shared, bob);
    const alsoShared = await createGuild(h, bob, 'Also shared');
    await join(h, alsoShared, ann);
    const bobOnly = await createGuild(h, bob, 'Bob only');
    const annOnly = await createGuild(h, ann, 'Ann only');
    await join(h, annOnly, cat);
    const nick = await h.api('PATCH', `/guilds/${shared.id}/members/@me`, {
      token: bob.token,
      body: { nick: 'Bobby' },
    });
    assert.equal(nick.status, 200, nick.text);
    // Cat is a friend of both; Dan only of Ann.
    await befriend(ann, cat);
    await befriend(bob, cat);
    await befriend(ann, dan);

    const res = await profileOf(ann, bob.id, '?with_mutual_friends=true&with_mutual_friends_count=true');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user.id, bob.id);
    assert.equal(res.body.user_profile.pronouns, 'he/him');
    assert.equal(res.body.user_profile.bio, 'Bob here');
    assert.deepEqual(res.body.connected_accounts, []);
    const guilds = res.body.mutual_guilds.map((g: { id: string }) => g.id).sort();
    assert.deepEqual(guilds, [shared.id, alsoShared.id].sort());
    assert.ok(!guilds.includes(bobOnly.id) && !guilds.includes(annOnly.id));
    assert.equal(res.body.mutual_guilds.find((g: { id: string }) => g.id === shared.id).nick, 'Bobby');
    assert.deepEqual(
      res.body.mutual_friends.map((u: { id: string }) => u.id),
      [cat.id],
    );
    assert.equal(res.body.mutual_friends_count, 1);
    assert.equal('email' in res.body.user, false);

    // Without the flags: mutual servers only (Discord's default), no friends.
    const plain = await profileOf(ann, bob.id);
    assert.equal(plain.body.mutual_guilds.length, 2);
    assert.equal('mutual_friends' in plain.body, false);
    assert.equal('mutual_friends_count' in plain.body, false);
    const none = await profileOf(ann, bob.id, '?with_mutual_guilds=false');
    assert.equal('mutual_guilds' in none.body, false);

    // One's own profile shares nothing with oneself.
    const own = await profileOf(bob, bob.id, '?with_mutual_friends=true');
    assert.equal(own.status, 200);
    assert.deepEqual(own.body.mutual_guilds, []);
    assert.deepEqual(own.body.mutual_friends, []);
  });

  test('a DM or a friend request is enough to see the profile', async () => {
    const a = await h.register();
    const b = await h.register();
    const c = await h.register();
    const dm = await h.api('POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } });
    assert.equal(dm.status, 200, dm.text);
    assert.equal((await profileOf(a, b.id)).status, 200);
    assert.equal((await profileOf(b, a.id)).status, 200);
    const asked = await h.api('PUT', `/users/@me/relationships/${c.id}`, { token: a.token, body: {} });
    assert.equal(asked.status, 204, asked.text);
    assert.equal((await profileOf(a, c.id)).status, 200, 'outgoing request');
    assert.equal((await profileOf(c, a.id)).status, 200, 'incoming request');
  });

  test('a stranger gets 403 and learns nothing; unknown users 404; bad ids 400; no token 401', async () => {
    const a = await h.register();
    const stranger = await h.register();
    await h.api('PATCH', '/users/@me', { token: a.token, body: { pronouns: 'they/them' } });
    const g = await createGuild(h, a, 'Private');
    const res = await profileOf(stranger, a.id, '?with_mutual_friends=true');
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 50001);
    assert.doesNotMatch(res.text, /they\/them|Private/);
    assert.doesNotMatch(res.text, new RegExp(g.id));
    // Leaving the only shared server ends it.
    const shared = await createGuild(h, a, 'Shared for a while');
    await join(h, shared, stranger);
    assert.equal((await profileOf(stranger, a.id)).status, 200);
    const left = await h.api('DELETE', `/users/@me/guilds/${shared.id}`, { token: stranger.token });
    assert.equal(left.status, 204, left.text);
    assert.equal((await profileOf(stranger, a.id)).status, 403);

    const unknown = await profileOf(a, '123456789012345678');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 10013);
    assert.equal((await profileOf(a, 'nope')).status, 400);
    assert.equal((await h.api('GET', `/users/${a.id}/profile`)).status, 401);
    const bad = await profileOf(a, a.id, '?with_mutual_friends=perhaps');
    assert.equal(bad.status, 400);
  });
});
