// A group's posts on the home feed (ADR 0031): Bob follows a group (joins it) through the Mastodon API; his home
// feed shows its posts as "<author> in <group>" with the title, a new one arrives live, and he favourites them (a
// reaction on the post, seen by the chat side). A real Hearth on PGlite.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../../../server/test/harness';
import {
  chromiumSkip,
  closePeople,
  type Person,
  phone,
  shots,
  signedInPerson,
  startWebHearth,
} from './chromium';

let h: TestServer;
let alice: Person;
let bob: Person;

describe('group posts on the home feed', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test("bob follows alice's group; its posts show on his home feed with the group named, live", async () => {
    const token = alice.user.token;
    const guild = await h.api('POST', '/guilds', { token, body: { name: 'Knitters' } });
    assert.equal(guild.status, 201, guild.text);
    const id = guild.body.id as string;
    const made = await h.api('PATCH', `/guilds/${id}`, {
      token,
      body: { features: ['DISCOVERABLE'], hearth_group: { join_mode: 'public', handle: 'knitters' } },
    });
    assert.equal(made.status, 200, made.text);
    const forum = await h.api('POST', `/guilds/${id}/channels`, { token, body: { name: 'feed', type: 15 } });
    assert.equal(forum.status, 201, forum.text);
    const startPost = async (name: string, content: string) => {
      const res = await h.api('POST', `/channels/${forum.body.id}/threads`, {
        token,
        body: { name, message: { content } },
      });
      assert.equal(res.status, 201, res.text);
      return res.body.id as string;
    };
    const castOn = await startPost('Cast on', 'Which yarn for a first scarf?');
    const follow = await h.api('POST', `/api/v1/accounts/${id}/follow`, {
      token: `Bearer ${bob.user.token}`,
    });
    assert.equal(follow.status, 200, follow.text);
    assert.equal(follow.body.following, true);

    const b = bob.page;
    await b.goto(`${h.url}/social`);
    const first = b.locator('article.group-post', { hasText: 'Which yarn for a first scarf?' });
    await first.waitFor();
    await first.getByRole('link', { name: 'Knitters' }).waitFor();
    await first.getByText('Cast on').waitFor();
    assert.match((await first.getAttribute('aria-label')) ?? '', /in Knitters$/);

    // Favouriting it is a reaction on the post, as the chat side sees it.
    await first.getByRole('button', { name: 'Favourite', exact: true }).click();
    await first.locator('button[aria-pressed="true"][aria-label="Favourite, 1"]').waitFor();
    const starter = await h.api('GET', `/channels/${castOn}/messages/${castOn}`, { token });
    assert.deepEqual(
      starter.body.reactions.map((r: { emoji: { name: string }; count: number }) => [r.emoji.name, r.count]),
      [['⭐', 1]],
    );

    await startPost('Bind off', 'Finished my scarf!');
    await b.locator('article.group-post', { hasText: 'Finished my scarf!' }).waitFor();
    await b.screenshot({ path: join(shots, 'groups-home-feed.png') });
  });

  test('at phone width the group posts on the home feed name their group and fit the screen', async () => {
    const b = bob.page;
    await b.setViewportSize(phone);
    await b.goto(`${h.url}/social`);
    const post = b.locator('article.group-post', { hasText: 'Finished my scarf!' });
    await post.waitFor();
    await post.getByRole('link', { name: 'Knitters' }).waitFor();
    // Favourited at phone width, it stays so on the next visit (the server keeps it).
    await post.getByRole('button', { name: 'Favourite', exact: true }).click();
    await post.locator('button[aria-pressed="true"][aria-label="Favourite, 1"]').waitFor();
    await b.reload();
    await b
      .locator('article.group-post', { hasText: 'Finished my scarf!' })
      .locator('button[aria-pressed="true"][aria-label="Favourite, 1"]')
      .waitFor();
    await b.screenshot({ path: join(shots, 'groups-home-feed-phone.png') });
    const wide = await b.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= phone.width, `page is ${wide}px wide`);
  });
});
