// Joining and leaving threads in Chromium against a real Hearth on PGlite, two people: Bob joins Alice's thread
// from its panel (or by posting in it, on a phone), it is then nested under its channel in his channel list; Alice
// posts in it and it turns bold with his mentions; opening it reads it; leaving (its header, or its menu in the
// list) takes it out of the list. At desktop and phone width.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../../../server/test/harness';
import {
  chromiumSkip,
  closePeople,
  desktop,
  type Person,
  phone,
  shots,
  signedInPerson,
  startWebHearth,
} from './chromium';

let h: TestServer;
let alice: Person;
let bob: Person;
let guildId = '';
let general = '';

const channelList = (page: Page) => page.getByRole('navigation', { name: 'Hobbies channels' });
/** A joined thread's link in the channel list, nested under #general. */
const threadLink = (page: Page, name: string) =>
  channelList(page)
    .getByRole('list', { name: 'Threads in general' })
    .getByRole('link', { name: new RegExp(`^${name}, thread`) });

/** Alice starts a thread from a new message in #general, with a first message in it. */
async function aliceThread(name: string): Promise<string> {
  const token = alice.user.token;
  const start = await h.api('POST', `/channels/${general}/messages`, { token, body: { content: name } });
  const thread = await h.api('POST', `/channels/${general}/messages/${start.body.id}/threads`, {
    token,
    body: { name },
  });
  assert.equal(thread.status, 201, thread.text);
  await h.api('POST', `/channels/${thread.body.id}/messages`, { token, body: { content: 'first!' } });
  return thread.body.id;
}

const alicePosts = async (threadId: string, content: string) => {
  const res = await h.api('POST', `/channels/${threadId}/messages`, {
    token: alice.user.token,
    body: { content },
  });
  assert.equal(res.status, 200, res.text);
};

describe('joining and leaving threads', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    const token = alice.user.token;
    guildId = (await h.api('POST', '/guilds', { token, body: { name: 'Hobbies' } })).body.id;
    const channels = await h.api('GET', `/guilds/${guildId}/channels`, { token });
    general = channels.body.find((c: { type: number }) => c.type === 0).id;
    const invite = await h.api('POST', `/channels/${general}/invites`, { token, body: {} });
    await h.api('POST', `/invites/${invite.body.code}`, { token: bob.user.token });
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test('desktop: Join Thread from its panel lists it under the channel; a post makes it unread; opening reads it; Leave Thread unlists it', async () => {
    const threadId = await aliceThread('hiking');
    const b = bob.page;
    await b.goto(`${h.url}/channels/${guildId}/${general}/threads/${threadId}`);
    const aside = b.getByRole('complementary', { name: 'Thread' });
    await aside.locator('li.message', { hasText: 'first!' }).waitFor();
    // Not joined: the panel offers to join, and the channel list does not hold it.
    await channelList(b)
      .getByRole('link', { name: /^general/ })
      .waitFor();
    assert.equal(await threadLink(b, 'hiking').count(), 0);
    await aside.getByRole('button', { name: 'Join Thread' }).click();
    await aside.getByRole('button', { name: 'Leave Thread' }).waitFor();
    await threadLink(b, 'hiking').waitFor();
    assert.equal(await threadLink(b, 'hiking').getAttribute('aria-current'), 'page');
    const members = await h.api('GET', `/channels/${threadId}/thread-members`, { token: bob.user.token });
    assert.ok(members.body.some((m: { user_id: string }) => m.user_id === bob.user.id));

    // Known again after a reload (GUILD_CREATE does not say which threads one is in).
    await b.reload();
    await threadLink(b, 'hiking').waitFor();

    // Back in the channel alone, Alice's post turns the thread bold, and a mention adds a badge.
    await aside.getByRole('button', { name: 'Close thread' }).click();
    await aside.waitFor({ state: 'detached' });
    await alicePosts(threadId, 'who brings the map?');
    await channelList(b)
      .getByRole('link', { name: /^hiking, thread, unread$/ })
      .waitFor();
    assert.match((await threadLink(b, 'hiking').getAttribute('class')) ?? '', /\bunread\b/);
    await alicePosts(threadId, `<@${bob.user.id}> you?`);
    await channelList(b)
      .getByRole('link', { name: /^hiking, thread, 1 mentions$/ })
      .waitFor();
    await threadLink(b, 'hiking').locator('.badge', { hasText: '1' }).waitFor();
    await b.screenshot({ path: join(shots, 'thread-joined-unread-desktop.png') });

    // Opening it reads it: once closed again it is neither bold nor badged.
    await threadLink(b, 'hiking').click();
    await aside.locator('li.message', { hasText: 'you?' }).waitFor();
    await aside.getByRole('button', { name: 'Close thread' }).click();
    await channelList(b)
      .getByRole('link', { name: /^hiking, thread$/ })
      .waitFor();
    assert.equal(await threadLink(b, 'hiking').locator('.badge').count(), 0);
    // The server holds the read: after a reload (READY's read_state) it is still read.
    await b.reload();
    await channelList(b)
      .getByRole('link', { name: /^hiking, thread$/ })
      .waitFor();

    // Leave Thread (its header): out of the list, and Join Thread is offered again.
    await threadLink(b, 'hiking').click();
    await aside.getByRole('button', { name: 'Leave Thread' }).click();
    await aside.getByRole('button', { name: 'Join Thread' }).waitFor();
    await threadLink(b, 'hiking').waitFor({ state: 'detached' });
    const after = await h.api('GET', `/channels/${threadId}/thread-members`, { token: bob.user.token });
    assert.ok(!after.body.some((m: { user_id: string }) => m.user_id === bob.user.id));
    await aside.getByRole('button', { name: 'Close thread' }).click();
  });

  test('phone: posting in a thread joins it; it is listed under the channel, bold when unread, read once opened, and left from its menu', async () => {
    const threadId = await aliceThread('cooking');
    const b = bob.page;
    await b.setViewportSize(phone);
    try {
      await b.goto(`${h.url}/channels/${guildId}/${general}/threads/${threadId}`);
      await b.getByRole('heading', { name: 'cooking' }).waitFor();
      await b.getByRole('button', { name: 'Join Thread' }).waitFor();
      // Posting joins it, as on Discord.
      const box = b.locator('.main .composer textarea');
      await box.fill('count me in');
      await box.press('Enter');
      await b.locator('.messages li.message', { hasText: 'count me in' }).waitFor();
      await b.getByRole('button', { name: 'Leave Thread' }).waitFor();

      // Back to the channel, back to the channel list: the thread is nested under #general.
      await b.getByRole('link', { name: /^Back to the channel/ }).click();
      await b.getByRole('link', { name: /^Back to channels/ }).click();
      await threadLink(b, 'cooking').waitFor();
      await alicePosts(threadId, 'bring an apron');
      await channelList(b)
        .getByRole('link', { name: /^cooking, thread, unread$/ })
        .waitFor();
      await b.screenshot({ path: join(shots, 'thread-joined-unread-phone.png') });

      // Tapping it opens it full screen and reads it.
      await threadLink(b, 'cooking').click();
      await b.locator('.messages li.message', { hasText: 'bring an apron' }).waitFor();
      await b.getByRole('link', { name: /^Back to the channel/ }).click();
      await b.getByRole('link', { name: /^Back to channels/ }).click();
      await channelList(b)
        .getByRole('link', { name: /^cooking, thread$/ })
        .waitFor();

      // Its menu in the list (a right-click here; a long press on a touch screen) leaves it.
      await threadLink(b, 'cooking').click({ button: 'right' });
      const menu = b.getByRole('menu', { name: 'Actions for #cooking' });
      const labels = await menu.getByRole('menuitem').allTextContents();
      assert.ok(labels.includes('Leave Thread'), labels.join());
      assert.ok(!labels.includes('Delete channel'), labels.join());
      await menu.getByRole('menuitem', { name: 'Leave Thread' }).click();
      await threadLink(b, 'cooking').waitFor({ state: 'detached' });
      await channelList(b)
        .getByRole('link', { name: /^general/ })
        .waitFor();
    } finally {
      await b.setViewportSize(desktop);
    }
  });
});
