// Message links in Chromium against a real Hearth on PGlite, two people: a link to a message of this Hearth (at its
// PUBLIC_URL or the page's own origin; a server channel or `@me` DM) renders as a chip naming the channel, and a
// click opens that message in the app (loading older history back to it) without a page load; a link into a channel
// the reader cannot see is a neutral "No access" chip naming nothing; other links stay plain links. Desktop, and a
// phone (390 px) that opened the app at another address than PUBLIC_URL.
import assert from 'node:assert/strict';
import { join as joinPath } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { messages } from '../../../server/src/store/schema';
import type { TestServer } from '../../../server/test/harness';
import {
  chromiumSkip,
  closePeople,
  desktop,
  type Person,
  phone,
  shots,
  signedInPerson,
  signInWithTokens,
  startWebHearth,
} from './chromium';

const epoch = 1420070400000n;
const idAt = (ms: number, seq: number) => String(((BigInt(ms) - epoch) << 22n) | BigInt(seq & 0xfff));

let h: TestServer;
let alice: Person;
let bob: Person;
let guildId = '';
let general = '';
let secret = '';
let hiddenId = '';
let dmId = '';
let dmMessageId = '';
/** The first of 200 older messages: four pages back from the newest. */
let originalId = '';

/** Waits until message `id` is drawn inside the message list's visible box. */
const shownInView = (page: Page, id: string) =>
  page.waitForFunction((mid) => {
    const el = document.getElementById(`m-${mid}`);
    const list = el?.closest('.messages')?.getBoundingClientRect();
    const r = el?.getBoundingClientRect();
    return !!r && !!list && r.bottom > list.top && r.top < list.bottom;
  }, id);

/** A mark on the window: it survives only if nothing reloads the page. */
const markWindow = (page: Page) =>
  page.evaluate(() => {
    (window as unknown as { stayed: boolean }).stayed = true;
  });
const assertNoReload = async (page: Page) =>
  assert.equal(
    await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed),
    true,
    'no page load',
  );

describe('message links', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    const g = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Links' } });
    guildId = g.body.id;
    const channels = await h.api('GET', `/guilds/${guildId}/channels`, { token: alice.user.token });
    general = channels.body.find((c: { type: number }) => c.type === 0).id;
    const invite = await h.api('POST', `/channels/${general}/invites`, { token: alice.user.token, body: {} });
    await h.api('POST', `/invites/${invite.body.code}`, { token: bob.user.token });
    // #secret: no one but the owner sees it.
    const s = await h.api('POST', `/guilds/${guildId}/channels`, {
      token: alice.user.token,
      body: {
        name: 'secret',
        type: 0,
        permission_overwrites: [{ id: guildId, type: 0, allow: '0', deny: '1024' }],
      },
    });
    secret = s.body.id;
    hiddenId = (
      await h.api('POST', `/channels/${secret}/messages`, {
        token: alice.user.token,
        body: { content: 'hidden' },
      })
    ).body.id;
    // 200 older messages in #general, the first one the link's target.
    const start = Date.now() - 86_400_000;
    const rows = Array.from({ length: 200 }, (_, i) => ({
      channelId: general,
      id: idAt(start + i * 60_000, i),
      guildId,
      authorId: alice.user.id,
      content: i === 0 ? 'the linked original' : `filler ${i}`,
    }));
    originalId = rows[0].id;
    await h.app.database.db.insert(messages).values(rows);
    const dm = await h.api('POST', '/users/@me/channels', {
      token: alice.user.token,
      body: { recipient_id: bob.user.id },
    });
    dmId = dm.body.id;
    dmMessageId = (
      await h.api('POST', `/channels/${dmId}/messages`, {
        token: alice.user.token,
        body: { content: 'in our DM' },
      })
    ).body.id;
    const base = h.url;
    await h.api('POST', `/channels/${general}/messages`, {
      token: alice.user.token,
      body: {
        content: [
          `old one: ${base}/channels/${guildId}/${general}/${originalId}`,
          `secret: ${base}/channels/${guildId}/${secret}/${hiddenId}`,
          `dm: ${base}/channels/@me/${dmId}/${dmMessageId}`,
          'elsewhere: https://example.com/channels/1/2/3',
        ].join('\n'),
      },
    });
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test('links render as chips, a hidden channel as "No access", and a chip opens its message in the app', async () => {
    const page = bob.page;
    await page.goto(`${h.url}/channels/${guildId}/${general}`);
    const row = page.locator('.messages li.message', { hasText: 'old one:' });
    await row.waitFor();
    const chips = row.locator('.link-chip');
    assert.deepEqual(await chips.allTextContents(), [
      '#general › Message',
      '🔒 No access',
      `@${alice.user.username} › Message`,
    ]);
    // The "No access" chip names nothing of the channel or message it points at.
    assert.doesNotMatch(
      await chips.nth(1).evaluate((el) => el.outerHTML),
      new RegExp(`secret|${secret}|${hiddenId}`),
    );
    // Another site's link with the same path is a plain link that opens in a new tab.
    const external = row.getByRole('link', { name: 'https://example.com/channels/1/2/3' });
    assert.equal(await external.getAttribute('target'), '_blank');
    await page.screenshot({ path: joinPath(shots, 'message-links-desktop.png') });

    // No page load: a mark on the window survives the click.
    await markWindow(page);
    await chips.first().click();
    await page.waitForURL(`${h.url}/channels/${guildId}/${general}/${originalId}`);
    await shownInView(page, originalId);
    await assertNoReload(page);
    // The DM chip opens the DM at its message.
    await page.goto(`${h.url}/channels/${guildId}/${general}`);
    await markWindow(page);
    await page.locator('.messages li.message', { hasText: 'old one:' }).locator('.link-chip').nth(2).click();
    await page.waitForURL(`${h.url}/channels/@me/${dmId}/${dmMessageId}`);
    await page.locator(`#m-${dmMessageId}`).waitFor();
    await assertNoReload(page);
    // Alice, who sees #secret, gets a chip for it.
    await alice.page.goto(`${h.url}/channels/${guildId}/${general}`);
    const hers = alice.page.locator('.messages li.message', { hasText: 'old one:' }).locator('.link-chip');
    await hers.nth(1).waitFor();
    assert.equal(await hers.nth(1).textContent(), '#secret › Message');
    // Opening a message's address directly (a pasted link, a reload) shows it too.
    await alice.page.goto(`${h.url}/channels/${guildId}/${general}/${originalId}`);
    await shownInView(alice.page, originalId);
  });

  test('at phone width, opened at another address than PUBLIC_URL, the links are still chips and open in the app', async () => {
    const page = bob.page;
    // PUBLIC_URL is http://127.0.0.1:port; this page is at localhost.
    const other = h.url.replace('127.0.0.1', 'localhost');
    await page.setViewportSize(phone);
    try {
      await signInWithTokens(page, other, bob.user);
      await page.goto(`${other}/channels/${guildId}/${general}`);
      const row = page.locator('.messages li.message', { hasText: 'old one:' });
      const chip = row.locator('a.link-chip').first();
      await chip.waitFor();
      assert.equal(await chip.textContent(), '#general › Message');
      const box = (await chip.boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= phone.width + 0.5, JSON.stringify(box));
      await page.screenshot({ path: joinPath(shots, 'message-links-phone.png') });
      await markWindow(page);
      await chip.click();
      await page.waitForURL(`${other}/channels/${guildId}/${general}/${originalId}`);
      await shownInView(page, originalId);
      await assertNoReload(page);
    } finally {
      await page.setViewportSize(desktop);
    }
  });
});
