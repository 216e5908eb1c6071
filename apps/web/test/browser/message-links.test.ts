// Message links in Chromium against a real Hearth on PGlite, two people: a link to a message of this Hearth (at its
// PUBLIC_URL or the page's own origin; a server channel or `@me` DM) renders as a chip naming the channel, and a
// click opens that message in the app without a page load: an old one with the history around it (`around=`), older
// and newer pages loading as the reader scrolls either way, until "Jump to present". A link into a channel the reader
// cannot see is a neutral "No access" chip, and its address a "You don't have access" screen, naming nothing; a link
// to a DM the reader closed reopens it; other links stay plain links. Desktop, and a phone (390 px) that opened the
// app at another address than PUBLIC_URL.
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
/** The middle one of 200 older messages: two pages back from the newest, two pages from the oldest. */
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

/** Scrolls the message list to its top or bottom (as often as it takes) until a message starting `text` is drawn. */
const scrollUntil = (page: Page, edge: 'top' | 'bottom', text: string) =>
  page.waitForFunction(
    ([to, want]) => {
      const list = document.querySelector('.messages');
      if (!list) return false;
      list.scrollTop = to === 'top' ? 0 : list.scrollHeight;
      return [...list.querySelectorAll('li.message .content')].some((el) => el.textContent?.startsWith(want));
    },
    [edge, text] as const,
    { polling: 250 },
  );

/** The history requests' query strings a page makes for a channel, from now on. */
function historyRequests(page: Page, channelId: string): { list: string[]; stop: () => void } {
  const list: string[] = [];
  const on = (r: { url(): string }) => {
    const u = new URL(r.url());
    if (u.pathname.endsWith(`/channels/${channelId}/messages`)) list.push(u.search);
  };
  page.on('request', on);
  return { list, stop: () => page.off('request', on) };
}

const noAccess = (page: Page) => page.getByRole('heading', { name: "You don't have access" });

/**
 * Runs `body` (which loads the page afresh, so its gateway's frames can be watched) with a promise that settles once
 * a gateway frame carrying `content` has reached the page.
 */
async function withGatewayWatch(
  page: Page,
  content: string,
  body: (delivered: Promise<void>) => Promise<void>,
): Promise<void> {
  let arrived: () => void = () => {};
  const delivered = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const watch = (ws: import('playwright-core').WebSocket) =>
    ws.on('framereceived', ({ payload }) => {
      if (String(payload).includes(content)) arrived();
    });
  page.on('websocket', watch);
  try {
    await body(delivered);
  } finally {
    page.off('websocket', watch);
  }
}

/**
 * Answers the page's request for `url` with what the server said, but only after Alice has sent `content` to
 * `channelId` and it has come over the gateway: the message reaches the page before the history answered earlier,
 * or the test proves nothing.
 */
async function holdPageUntilDelivered(
  page: Page,
  url: RegExp,
  channelId: string,
  content: string,
  delivered: Promise<void>,
): Promise<void> {
  await page.route(url, async (route) => {
    const answered = await route.fetch();
    const sent = await h.api('POST', `/channels/${channelId}/messages`, {
      token: alice.user.token,
      body: { content },
    });
    assert.equal(sent.status, 200, sent.text);
    await delivered;
    await route.fulfill({ response: answered });
  });
}

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
      content: i === 100 ? 'the linked original' : `filler ${i}`,
    }));
    originalId = rows[100].id;
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

  test('an old message opens with the history around it, loads more both ways as one scrolls, and Jump to present returns', async () => {
    const page = bob.page;
    await page.goto(`${h.url}/channels/${guildId}/${general}`);
    const row = page.locator('.messages li.message', { hasText: 'old one:' });
    await row.waitFor();
    await markWindow(page);
    const asked = historyRequests(page, general);
    try {
      await row.locator('.link-chip').first().click();
      await shownInView(page, originalId);
      await page.locator(`#m-${originalId}.flash`).waitFor();
      // The first request is for the history around it (not older pages walking back to it), and it is the only one.
      assert.equal(asked.list[0], `?limit=50&around=${originalId}`, asked.list.join(' '));
      assert.equal(asked.list.filter((q) => q.includes('around=')).length, 1, asked.list.join(' '));
      // Only the part around it is held: the newest message is not in the list, and the list says so.
      const bar = page.getByRole('status').filter({ hasText: 'You are viewing older messages' });
      await bar.waitFor();
      assert.equal(await page.locator('.messages li.message', { hasText: 'old one:' }).count(), 0);
      await page.screenshot({ path: joinPath(shots, 'message-links-around-desktop.png') });
      // Scrolling up loads older pages.
      await scrollUntil(page, 'top', 'filler 40');
      assert.ok(
        asked.list.some((q) => q.includes('before=')),
        asked.list.join(' '),
      );
      // Jump to present: the newest page, at the bottom, and the bar gone.
      await bar.getByRole('button', { name: 'Jump to present ↓' }).click();
      const newest = page.locator('.messages li.message', { hasText: 'old one:' });
      await newest.waitFor();
      await bar.waitFor({ state: 'detached' });
      await shownInView(page, (await newest.getAttribute('data-id'))!);
      // Opened again, then scrolled down: newer pages load until the present is reached, and the bar goes.
      await newest.locator('.link-chip').first().click();
      await shownInView(page, originalId);
      await bar.waitFor();
      await scrollUntil(page, 'bottom', 'old one:');
      assert.ok(
        asked.list.some((q) => q.includes('after=')),
        asked.list.join(' '),
      );
      await bar.waitFor({ state: 'detached' });
      await assertNoReload(page);
      // The present is live again: a new message shows at once.
      await h.api('POST', `/channels/${general}/messages`, {
        token: alice.user.token,
        body: { content: 'back in the present' },
      });
      await page.locator('.messages li.message', { hasText: 'back in the present' }).waitFor();
    } finally {
      asked.stop();
    }
  });

  test('a message sent while "Jump to present" is on its way is shown when the newest page arrives', async () => {
    const page = bob.page;
    const content = 'sent while the newest page was on its way';
    await withGatewayWatch(page, content, async (delivered) => {
      await page.goto(`${h.url}/channels/${guildId}/${general}/${originalId}`);
      await shownInView(page, originalId);
      const bar = page.getByRole('status').filter({ hasText: 'You are viewing older messages' });
      await bar.waitFor();
      const newestPage = new RegExp(`/channels/${general}/messages\\?limit=50$`);
      await holdPageUntilDelivered(page, newestPage, general, content, delivered);
      await bar.getByRole('button', { name: 'Jump to present ↓' }).click();
      await bar.waitFor({ state: 'detached' });
      const row = page.locator('.messages li.message', { hasText: content });
      await row.waitFor();
      await shownInView(page, (await row.getAttribute('data-id'))!);
      await page.unroute(newestPage);
    });
  });

  test("a message sent while a channel's first page is on its way is shown when the page arrives", async () => {
    const page = bob.page;
    const content = 'sent while the first page was on its way';
    await withGatewayWatch(page, content, async (delivered) => {
      await page.goto(`${h.url}/channels/${guildId}/${general}`);
      await page.locator(`#composer-${general}`).waitFor();
      const made = await h.api('POST', `/guilds/${guildId}/channels`, {
        token: alice.user.token,
        body: { name: 'fresh', type: 0 },
      });
      assert.equal(made.status, 201, made.text);
      const fresh = made.body.id;
      // The channel came over the page's gateway, so the message will too.
      const link = page.locator(`a.channel[href="/channels/${guildId}/${fresh}"]`);
      await link.waitFor();
      const firstPage = new RegExp(`/channels/${fresh}/messages\\?limit=50$`);
      await holdPageUntilDelivered(page, firstPage, fresh, content, delivered);
      await link.click();
      await page.locator('.messages li.message', { hasText: content }).waitFor();
      await page.unroute(firstPage);
    });
  });

  test('a link to a DM the reader closed reopens it; a place the reader cannot see says only "You don\'t have access"', async () => {
    const page = bob.page;
    const closed = await h.api('DELETE', `/channels/${dmId}`, { token: bob.user.token });
    assert.equal(closed.status, 200, closed.text);
    await page.goto(`${h.url}/channels/${guildId}/${general}`);
    const chip = page.locator('.messages li.message', { hasText: 'old one:' }).locator('.link-chip').nth(2);
    // Still named: the DM is Bob's, only closed.
    await page.waitForFunction(
      (name) => [...document.querySelectorAll('.messages .link-chip')].some((el) => el.textContent === name),
      `@${alice.user.username} › Message`,
    );
    const dmLink = page.locator(`nav.sidebar a[href="/channels/@me/${dmId}"]`);
    await markWindow(page);
    await chip.click();
    await page.waitForURL(`${h.url}/channels/@me/${dmId}/${dmMessageId}`);
    await page.locator(`#m-${dmMessageId}`).waitFor();
    await dmLink.waitFor();
    await assertNoReload(page);
    const open = await h.api('GET', '/users/@me/channels', { token: bob.user.token });
    assert.ok(
      open.body.some((c: { id: string }) => c.id === dmId),
      'reopened on the server too',
    );
    // Its address opened directly (a pasted link) reopens it too.
    await h.api('DELETE', `/channels/${dmId}`, { token: bob.user.token });
    await page.goto(`${h.url}/channels/@me/${dmId}`);
    await page.locator(`#m-${dmMessageId}`).waitFor();
    await dmLink.waitFor();

    // #secret's message, a server Bob is not in, a channel that does not exist: the same words, naming nothing.
    const other = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Hidden Place' } });
    const otherChannels = await h.api('GET', `/guilds/${other.body.id}/channels`, {
      token: alice.user.token,
    });
    const otherChannel = otherChannels.body.find((c: { type: number }) => c.type === 0).id;
    for (const path of [
      `/channels/${guildId}/${secret}/${hiddenId}`,
      `/channels/${other.body.id}/${otherChannel}`,
      `/channels/${guildId}/123456789012345678`,
      `/channels/@me/${secret}`,
    ]) {
      await page.goto(`${h.url}${path}`);
      await noAccess(page).waitFor();
      const main = await page.locator('main').evaluate((el) => el.outerHTML);
      assert.doesNotMatch(main, /secret|hidden|Hidden Place/i, path);
      assert.doesNotMatch(main, new RegExp(`${secret}|${hiddenId}|${other.body.id}|${otherChannel}`), path);
    }
    await page.screenshot({ path: joinPath(shots, 'message-links-no-access-desktop.png') });
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
      // The bar fits the phone's width, and Jump to present returns to the newest.
      const bar = page.getByRole('status').filter({ hasText: 'You are viewing older messages' });
      const barBox = (await bar.boundingBox())!;
      assert.ok(barBox.x >= 0 && barBox.x + barBox.width <= phone.width + 0.5, JSON.stringify(barBox));
      await page.screenshot({ path: joinPath(shots, 'message-links-around-phone.png') });
      await scrollUntil(page, 'top', 'filler 40');
      await bar.getByRole('button', { name: 'Jump to present ↓' }).click();
      await page.locator('.messages li.message', { hasText: 'old one:' }).waitFor();
      await bar.waitFor({ state: 'detached' });
      // A place Bob cannot see, at phone width.
      await page.goto(`${other}/channels/${guildId}/${secret}/${hiddenId}`);
      await noAccess(page).waitFor();
      const box2 = (await noAccess(page).boundingBox())!;
      assert.ok(box2.x >= 0 && box2.x + box2.width <= phone.width + 0.5, JSON.stringify(box2));
      await page.screenshot({ path: joinPath(shots, 'message-links-no-access-phone.png') });
      // Its header has Back, as a conversation's does: to the channels of the server Bob is in.
      await page.getByRole('link', { name: 'Back to channels' }).click();
      await page.waitForURL(`${other}/channels/${guildId}`);
      await page
        .getByRole('navigation', { name: 'Links channels' })
        .getByRole('link', { name: 'general' })
        .waitFor();
      // A server's address alone, of a server Bob is not in: the same screen, Back to the direct messages.
      await page.goto(`${other}/channels/123456789012345678`);
      await noAccess(page).waitFor();
      await page.getByRole('link', { name: 'Back to direct messages' }).click();
      await page.waitForURL(`${other}/channels/@me`);
      await page.getByRole('navigation', { name: 'Direct messages' }).waitFor();
    } finally {
      await page.setViewportSize(desktop);
    }
  });
});
