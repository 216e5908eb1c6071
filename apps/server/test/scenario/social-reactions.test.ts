import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { createGuild, join } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

// Emoji reactions on statuses through Pleroma's and Akkoma's routes: Unicode emoji and the guild custom emoji a
// person may use, counts and `me` on the status, who reacted, and the `pleroma:emoji_reaction` notification.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

const path = (id: string, emoji?: string) =>
  `/api/v1/pleroma/statuses/${id}/reactions${emoji === undefined ? '' : `/${encodeURIComponent(emoji)}`}`;

async function react(user: TestUser, id: string, emoji: string, on = true) {
  return m(on ? 'PUT' : 'DELETE', path(id, emoji), user);
}

describe('emoji reactions', () => {
  test('Unicode reactions: counts and me on the status, who reacted, notifications made and removed', async () => {
    const [alice, bob, carol] = [await h.register(), await h.register(), await h.register()];
    const id = await post(h, alice, { status: 'react to me' });

    const first = await react(bob, id, '👍');
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.id, id);
    assert.deepEqual(first.body.pleroma.emoji_reactions, [{ name: '👍', count: 1, me: true, url: null }]);
    assert.equal(
      (await react(bob, id, '👍')).body.pleroma.emoji_reactions[0].count,
      1,
      'a second time changes nothing',
    );
    await react(carol, id, '👍');
    await react(bob, id, '🎉');

    const seen = await m('GET', `/api/v1/statuses/${id}`, alice);
    assert.deepEqual(seen.body.pleroma.emoji_reactions, [
      { name: '👍', count: 2, me: false, url: null },
      { name: '🎉', count: 1, me: false, url: null },
    ]);
    assert.deepEqual(seen.body.emoji_reactions, seen.body.pleroma.emoji_reactions);
    assert.equal(seen.body.favourites_count, 0, 'reactions are not favourites');

    const list = await m('GET', path(id), null);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.map((r: any) => [r.name, r.count, r.me, r.accounts.map((a: any) => a.id)]),
      [
        ['👍', 2, false, [bob.id, carol.id]],
        ['🎉', 1, false, [bob.id]],
      ],
    );
    const one = await m('GET', path(id, '🎉'), bob);
    assert.deepEqual(
      one.body.map((r: any) => [r.name, r.me]),
      [['🎉', true]],
    );

    const notes = await m('GET', '/api/v1/notifications?types[]=pleroma:emoji_reaction', alice);
    assert.deepEqual(
      notes.body.map((n: any) => [n.type, n.account.id, n.emoji, n.status.id]),
      [
        ['pleroma:emoji_reaction', bob.id, '🎉', id],
        ['pleroma:emoji_reaction', carol.id, '👍', id],
        ['pleroma:emoji_reaction', bob.id, '👍', id],
      ],
    );

    const removed = await react(bob, id, '👍', false);
    assert.deepEqual(removed.body.pleroma.emoji_reactions, [
      { name: '👍', count: 1, me: false, url: null },
      { name: '🎉', count: 1, me: true, url: null },
    ]);
    const after = await m('GET', '/api/v1/notifications?types[]=pleroma:emoji_reaction', alice);
    assert.deepEqual(
      after.body.map((n: any) => [n.account.id, n.emoji]),
      [
        [bob.id, '🎉'],
        [carol.id, '👍'],
      ],
    );
    // Reacting to one's own status notifies nobody.
    await react(alice, id, '🔥');
    assert.equal(
      (await m('GET', '/api/v1/notifications?types[]=pleroma:emoji_reaction', alice)).body.length,
      2,
    );
  });

  test('only a status one may see; no text, no unknown emoji; signed out cannot react', async () => {
    const [alice, follower, stranger, blocked] = [
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
    ];
    await m('POST', `/api/v1/accounts/${alice.id}/follow`, follower);
    const closed = await post(h, alice, { status: 'followers only', visibility: 'private' });
    assert.equal((await react(follower, closed, '❤️')).status, 200);
    assert.equal((await react(stranger, closed, '❤️')).status, 404);
    assert.equal((await m('GET', path(closed), stranger)).status, 404);
    assert.equal((await m('GET', path(closed), null)).status, 404);

    const open = await post(h, alice, { status: 'public' });
    await m('POST', `/api/v1/accounts/${blocked.id}/block`, alice);
    assert.equal((await react(blocked, open, '❤️')).status, 404);
    for (const bad of ['abc', 'nosuchemoji', '👍👍', ':x:'])
      assert.equal((await react(stranger, open, bad)).status, 400, bad);
    assert.equal((await m('PUT', path(open, '👍'), null)).status, 401);
  });

  test('custom emoji: those of a guild the reactor is in, shown with their image', async () => {
    const guild = await createGuild(h);
    const member = await join(h, guild);
    const outsider = await h.register();
    const image = `data:image/png;base64,${(
      await sharp({ create: { width: 32, height: 32, channels: 4, background: '#ff6600' } })
        .png()
        .toBuffer()
    ).toString('base64')}`;
    const name = `blob${Math.random().toString(36).slice(2, 6)}`;
    const emoji = await h.api('POST', `/guilds/${guild.id}/emojis`, {
      token: guild.owner.token,
      body: { name, image },
    });
    assert.equal(emoji.status, 201, emoji.text);
    const author = await h.register();
    const id = await post(h, author, { status: 'custom please' });

    assert.equal((await react(outsider, id, `:${name}:`)).status, 400, 'not a member of its guild');
    const res = await react(member, id, `:${name}:`);
    assert.equal(res.status, 200, res.text);
    const url = `http://hearth.test/emojis/${emoji.body.id}.png`;
    assert.deepEqual(res.body.pleroma.emoji_reactions, [{ name, count: 1, me: true, url }]);
    const note = (await m('GET', '/api/v1/notifications', author)).body[0];
    assert.deepEqual([note.type, note.emoji, note.emoji_url], ['pleroma:emoji_reaction', name, url]);
    const gone = await react(member, id, name, false);
    assert.deepEqual(gone.body.pleroma.emoji_reactions, []);
    assert.deepEqual((await m('GET', '/api/v1/notifications', author)).body, []);
  });
});
