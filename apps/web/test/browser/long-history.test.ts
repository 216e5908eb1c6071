// A channel with 10,000 messages in Chromium against a real Hearth on PGlite: the message list is virtualised,
// so the page's element count stays flat however far back one scrolls; a reply preview jumps to its original
// many pages back (the history around it, then "Jump to present"); the newest message stays in view as new ones arrive; date separators split the days.
// Figures (the first load's bytes and time to the newest message, elements, JS heap) are printed as test
// diagnostics, never asserted as timings; the first load's scripts are asserted to come compressed.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { members, messages, users } from '../../../server/src/store/schema';
import { createGuild, join, type TestGuild } from '../../../server/test/guild-helpers';
import type { TestServer, TestUser } from '../../../server/test/harness';
import {
  chromiumSkip,
  closePeople,
  launchProfile,
  type Person,
  phone,
  shots,
  signedInPerson,
  signInWithTokens,
  startWebHearth,
} from './chromium';

const total = 10_000;
const epoch = 1420070400000n;
/** A snowflake for a moment, with a sequence to keep ids unique. */
const idAt = (ms: number, seq: number) => String(((BigInt(ms) - epoch) << 22n) | BigInt(seq & 0xfff));

let h: TestServer;
let g: TestGuild;
let friend: TestUser;
let viewer: Person;
let chat: string;
/** The message the newest one replies to: 1,500 back, 30 pages of history away. */
let original: { id: string; content: string };

const elements = (page: Page) => page.evaluate(() => document.getElementsByTagName('*').length);
const rendered = (page: Page) => page.locator('.messages li.message').count();
async function heapBytes(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
}
/**
 * Rows of the message list in view that overlap the next one (virtua positions each row by the height it measured;
 * a row measured short is drawn over by the next). Read after two frames, so resize observations have landed.
 */
const overlapping = (page: Page) =>
  page.evaluate(async () => {
    for (let i = 0; i < 2; i++) await new Promise(requestAnimationFrame);
    const box = document.querySelector('.messages')!.getBoundingClientRect();
    const rows = [...document.querySelectorAll<HTMLElement>('.messages ol > li')]
      .filter((li) => getComputedStyle(li).visibility !== 'hidden')
      .map((li) => ({ name: li.id || li.className, r: li.getBoundingClientRect() }))
      .filter(({ r }) => r.bottom > box.top && r.top < box.bottom)
      .sort((a, b) => a.r.top - b.r.top);
    const out: string[] = [];
    for (let i = 1; i < rows.length; i++)
      if (rows[i].r.top < rows[i - 1].r.bottom - 0.5)
        out.push(
          `${rows[i - 1].name} (${rows[i - 1].r.top}–${rows[i - 1].r.bottom}) over ${rows[i].name} at ${rows[i].r.top}`,
        );
    return { out, seen: rows.length };
  });
/** Asserts that the rows in view (at least a few) do not overlap. */
async function assertNoOverlap(page: Page, where: string) {
  const { out, seen } = await overlapping(page);
  assert.ok(seen >= 5, `${where}: ${seen} rows in view`);
  assert.deepEqual(out, [], `${where}: rows overlap`);
}
/** Whether a message is inside the scroller's visible area. */
const inView = (page: Page, id: string) =>
  page.evaluate((id) => {
    const el = document.getElementById(`m-${id}`);
    const box = document.querySelector('.messages')!.getBoundingClientRect();
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.bottom > box.top && r.top < box.bottom;
  }, id);

describe('a channel with 10,000 messages', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    viewer = await signedInPerson(h, 'reader');
    g = await createGuild(h, viewer.user, 'Archive');
    friend = await join(h, g);
    // Five days of history, one message every 43 seconds, two authors taking turns in runs of three.
    const start = Date.now() - 5 * 86_400_000;
    const rows = Array.from({ length: total }, (_, i) => ({
      channelId: g.textChannelId,
      id: idAt(start + i * 43_000, i),
      guildId: g.id,
      authorId: Math.floor(i / 3) % 2 ? friend.id : viewer.user.id,
      content: `history message ${i}${i % 7 === 0 ? `\n**a second line** for ${i}` : ''}`,
    }));
    const originalIndex = total - 1 - 1_500;
    original = { id: rows[originalIndex].id, content: rows[originalIndex].content };
    const newest = rows[total - 1];
    Object.assign(newest, {
      content: 'the newest, replying to something long ago',
      referenceChannelId: g.textChannelId,
      referenceMessageId: original.id,
      referenceGuildId: g.id,
      type: 19,
    });
    for (let i = 0; i < rows.length; i += 1_000)
      await h.app.database.db.insert(messages).values(rows.slice(i, i + 1_000));
    // 230 more members (the web app asks for up to 250 in GUILD_CREATE), all offline.
    const people = Array.from({ length: 230 }, (_, i) => ({
      id: idAt(start - 86_400_000 + i * 1000, i),
      username: `member_${String(i).padStart(3, '0')}`,
    }));
    await h.app.database.db.insert(users).values(people);
    await h.app.database.db.insert(members).values(people.map((p) => ({ guildId: g.id, userId: p.id })));
    chat = `/channels/${g.id}/${g.textChannelId}`;
  });
  after(async () => {
    await closePeople([viewer]);
    await h?.close();
  });

  test('opens at the newest with few elements in the page; the first load is compressed (its figures printed)', async (t) => {
    const { page } = viewer;
    // A first load: nothing from the cache, so the bytes are what a new visitor's browser transfers.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(`${h.url}${chat}`);
    const newest = page.locator('.messages li.message', { hasText: 'the newest, replying' });
    await newest.waitFor();
    // Until the newest message is shown (time to interactive, as a reader sees it), never asserted.
    // (No named functions inside: tsx would wrap them in a helper the page lacks.)
    const load = await page.evaluate(() => {
      const entries = [
        ...performance.getEntriesByType('navigation'),
        ...performance.getEntriesByType('resource'),
      ] as PerformanceResourceTiming[];
      return {
        ms: Math.round(performance.now()),
        transferred: entries.reduce((n, e) => n + e.transferSize, 0),
        decoded: entries.reduce((n, e) => n + e.decodedBodySize, 0),
        requests: entries.length,
        scripts: entries
          .filter((e) => /\.js(\?|$)/.test(e.name))
          .map((e) => ({ encoded: e.encodedBodySize, decoded: e.decodedBodySize })),
      };
    });
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    await cdp.detach();
    t.diagnostic(
      `first load: ${load.requests} requests, ${Math.round(load.transferred / 1024)} KiB transferred ` +
        `(${Math.round(load.decoded / 1024)} KiB decoded), newest message shown ${load.ms} ms after navigation`,
    );
    // The app's scripts came compressed (precompressed at build): fewer bytes on the wire than they hold.
    const large = load.scripts.filter((s) => s.decoded > 10_000);
    assert.ok(large.length > 0, JSON.stringify(load.scripts));
    for (const s of large) assert.ok(s.encoded < s.decoded, `compressed: ${JSON.stringify(s)}`);
    assert.ok(await inView(page, (await newest.getAttribute('data-id'))!), 'the newest message is in view');
    const count = await elements(page);
    t.diagnostic(`elements on opening: ${count}; messages rendered: ${await rendered(page)}`);
    assert.ok(count < 2_500, `${count} elements on opening`);
    await assertNoOverlap(page, 'desktop, on opening');
  });

  test('the member list of 232 renders only the rows in view, and scrolls to the last', async (t) => {
    const { page } = viewer;
    const list = page.getByRole('complementary', { name: 'Members' });
    await list.getByRole('heading', { name: /Offline — \d+/ }).waitFor();
    const offline = await list.getByRole('heading', { name: /Offline — \d+/ }).textContent();
    assert.match(offline ?? '', /Offline — 23[01]/);
    const shown = await list.locator('li').count();
    t.diagnostic(`member rows in the page: ${shown} of 232`);
    assert.ok(shown < 80, `${shown} member rows`);
    await list.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await list.getByRole('button', { name: 'member_229' }).waitFor();
    assert.equal(await list.getByRole('button', { name: 'member_000' }).count(), 0);
  });

  test('the reply preview jumps to its original 1,500 messages back, loading the history around it', async () => {
    const { page } = viewer;
    await page.getByRole('button', { name: /Jump to the message replied to/ }).click();
    const target = page.locator(`#m-${original.id}`);
    await target.waitFor({ timeout: 120_000 });
    await page.waitForFunction((id) => {
      const el = document.getElementById(`m-${id}`);
      const box = document.querySelector('.messages')!.getBoundingClientRect();
      const r = el?.getBoundingClientRect();
      return !!r && r.bottom > box.top && r.top < box.bottom;
    }, original.id);
    assert.match((await target.textContent()) ?? '', new RegExp(`history message ${total - 1 - 1_500}`));
    assert.ok(await page.getByRole('button', { name: 'Jump to present ↓' }).isVisible());
    await assertNoOverlap(page, "desktop, at the reply's original");
  });

  test('scrolling back through all 10,000 keeps the element count flat; each day has its separator', async (t) => {
    const { page } = viewer;
    const figures: string[] = [];
    let firstCount = 0;
    let maxCount = 0;
    let pages = 0;
    const days = new Set<string>();
    while (!(await page.locator('.messages .start').count())) {
      // At the top (before the older page arrives) the first rows of the page held are in view: their separators
      // are read there as well as after the page arrives, so a day's separator is seen wherever it falls.
      const { height, dates } = await page.evaluate(async () => {
        const el = document.querySelector('.messages')!;
        el.scrollTop = 0;
        const height = el.scrollHeight;
        for (let i = 0; i < 2; i++) await new Promise(requestAnimationFrame);
        const dates = [...document.querySelectorAll('.messages li.date')].map((d) => d.textContent ?? '');
        return { height, dates };
      });
      for (const d of dates) days.add(d);
      await page.waitForFunction(
        (prev) =>
          document.querySelector('.messages')!.scrollHeight > prev ||
          !!document.querySelector('.messages .start'),
        height,
        { timeout: 60_000 },
      );
      pages++;
      for (const d of await page.locator('.messages li.date').allTextContents()) days.add(d);
      if (pages % 40 === 0) {
        const count = await elements(page);
        if (!firstCount) firstCount = count;
        maxCount = Math.max(maxCount, count);
        figures.push(`${pages * 50}: ${count} elements, ${(await heapBytes(page)) >> 20} MiB heap`);
      }
      assert.ok(pages < 400, 'the start is reached');
    }
    const atStart = await elements(page);
    figures.push(`start: ${atStart} elements, ${(await heapBytes(page)) >> 20} MiB heap`);
    t.diagnostic(`scrolling back: ${figures.join('; ')}`);
    assert.ok(await page.getByText('history message 1', { exact: true }).isVisible());
    // Five days of history: the separators passed on the way up name different days (some are skipped over).
    assert.ok(days.size >= 3, [...days].join(', '));
    assert.equal(await page.locator('.messages li.date').first().textContent(), [...days].at(-1));
    // Flat: 10,000 messages held, a screenful and a margin in the page.
    assert.ok((await rendered(page)) < 150, `${await rendered(page)} messages rendered`);
    assert.ok(maxCount < 2_500 && atStart < 2_500, `at most ${Math.max(maxCount, atStart)} elements`);
  });

  test('at the bottom, a new message from someone else stays in view', async () => {
    const { page } = viewer;
    // Scrolled back from the reply's original: the list is a window into older history, and the bar returns.
    await page.getByRole('button', { name: 'Jump to present ↓' }).click();
    await page.locator('.messages li.message', { hasText: 'the newest, replying' }).waitFor();
    await page.waitForFunction(() => {
      const el = document.querySelector('.messages')!;
      return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    });
    await assertNoOverlap(page, 'desktop, after "Jump to newest"');
    for (const n of [1, 2, 3]) {
      const sent = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
        token: friend.token,
        body: { content: `fresh news ${n}` },
      });
      assert.equal(sent.status, 200);
      await page.locator(`#m-${sent.body.id}`).waitFor();
      await page.waitForFunction((id) => {
        const el = document.getElementById(`m-${id}`);
        const box = document.querySelector('.messages')!.getBoundingClientRect();
        const r = el?.getBoundingClientRect();
        return !!r && r.bottom <= box.bottom + 2 && r.bottom > box.top;
      }, sent.body.id);
    }
  });

  test('on a phone: opens at the newest, scrolls back with few elements, and the reply jumps', async (t) => {
    const dir = `${viewer.dir}-phone`;
    const context = await launchProfile(dir, phone);
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(15_000);
      await signInWithTokens(page, h.url, viewer.user);
      await page.goto(`${h.url}${chat}`);
      await page.locator('.messages li.message', { hasText: 'fresh news 3' }).waitFor();
      for (let i = 0; i < 10; i++) {
        const height = await page.evaluate(() => {
          const el = document.querySelector('.messages')!;
          el.scrollTop = 0;
          return el.scrollHeight;
        });
        await page.waitForFunction(
          (prev) => document.querySelector('.messages')!.scrollHeight > prev,
          height,
          { timeout: 60_000 },
        );
      }
      const count = await elements(page);
      t.diagnostic(`phone, 550 messages back: ${count} elements`);
      assert.ok(count < 2_500, `${count} elements`);
      await assertNoOverlap(page, 'phone, 550 messages back');
      await page.getByRole('button', { name: 'Jump to newest ↓' }).click();
      await page.locator('.messages li.message', { hasText: 'fresh news 3' }).waitFor();
      await page.waitForFunction(() => {
        const el = document.querySelector('.messages')!;
        return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      });
      await assertNoOverlap(page, 'phone, after "Jump to newest"');
      await page.screenshot({ path: joinPath(shots, 'long-history-phone-newest.png') });
      // Tapped at its start: a phone shows the hovered message's actions over the right of its first line.
      await page
        .getByRole('button', { name: /Jump to the message replied to/ })
        .click({ position: { x: 8, y: 6 } });
      await page.locator(`#m-${original.id}`).waitFor({ timeout: 120_000 });
      assert.ok(await inView(page, original.id));
      await assertNoOverlap(page, "phone, at the reply's original");
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
