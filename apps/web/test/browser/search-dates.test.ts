// Search by date in Chromium against a real Hearth on PGlite: the search box suggests its filters while it has focus
// (narrowed by what is typed), a date filter (before:, after:, during:) opens a date picker that writes the day into
// the box, and the results keep to those days. The box is a WAI-ARIA combobox: ↑/↓ mark a suggestion
// (aria-activedescendant, the focus staying in the box), Enter takes it, Escape closes the list. Desktop and phone
// (390 px).
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
  startWebHearth,
} from './chromium';

const epoch = 1420070400000n;
const idAt = (ms: number, seq: number) => String(((BigInt(ms) - epoch) << 22n) | BigInt(seq & 0xfff));

let h: TestServer;
let alice: Person;
let guildId = '';
let general = '';

/** Types into the box, picks `filter` from its suggestions (clicked, or by ↓ and Enter) and `day` in the picker, then searches. */
async function searchByDate(
  page: Page,
  words: string,
  filter: 'before' | 'after' | 'during',
  day: string,
  opts: { keys?: boolean } = {},
) {
  const box = page.getByRole('combobox', { name: 'Search Dates' });
  await box.fill('');
  await box.click();
  await box.pressSequentially(`${words} ${filter.slice(0, 3)}`);
  const options = page.getByRole('listbox', { name: 'Search options' });
  // Only the filters beginning with what is typed.
  assert.deepEqual(
    (await options.getByRole('option').allTextContents()).map((t) => t.split(':')[0]),
    [filter],
  );
  if (opts.keys) {
    await box.press('ArrowDown');
    await box.press('Enter');
  } else await options.getByRole('option', { name: new RegExp(`^${filter}:`) }).click();
  await page.getByLabel(/this day$/).fill(day);
  assert.equal(await box.inputValue(), `${words} ${filter}:${day} `);
  await box.press('Enter');
}

const results = (page: Page) =>
  page.getByRole('complementary', { name: 'Search results' }).locator('.search-hit-text').allTextContents();

/** The results panel's own Close (on a phone the panel covers the scrim that also closes it). */
const closeResults = (page: Page) =>
  page
    .getByRole('complementary', { name: 'Search results' })
    .getByRole('button', { name: 'Close search' })
    .click();

describe('search by date', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    const g = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Dates' } });
    guildId = g.body.id;
    const channels = await h.api('GET', `/guilds/${guildId}/channels`, { token: alice.user.token });
    general = channels.body.find((c: { type: number }) => c.type === 0).id;
    // Noon (local time, the browser's and this process's) on three days.
    const rows = [
      ['wren early', new Date(2025, 2, 10, 12)],
      ['wren middle', new Date(2025, 2, 14, 12)],
      ['wren late', new Date(2025, 2, 20, 12)],
    ].map(([content, at], i) => ({
      channelId: general,
      id: idAt((at as Date).getTime(), i),
      guildId,
      authorId: alice.user.id,
      content: content as string,
    }));
    await h.app.database.db.insert(messages).values(rows);
  });
  after(async () => {
    await closePeople([alice]);
    await h?.close();
  });

  for (const [name, size] of [
    ['desktop', desktop],
    ['phone', phone],
  ] as const)
    test(`${name}: the box suggests filters, a date filter opens a picker, and results keep to the days`, async () => {
      const page = alice.page;
      await page.setViewportSize(size);
      try {
        await page.goto(`${h.url}/channels/${guildId}/${general}`);
        await page.locator('.composer textarea').waitFor();
        // Focused and empty: every filter is offered.
        const box = page.getByRole('combobox', { name: 'Search Dates' });
        await box.click();
        const listbox = page.getByRole('listbox', { name: 'Search options' });
        const all = await listbox.getByRole('option').allTextContents();
        assert.deepEqual(
          all.map((t) => t.split(':')[0]),
          ['from', 'mentions', 'in', 'has', 'before', 'after', 'during'],
        );
        const panel = (await page.locator('.search-suggestions').boundingBox())!;
        assert.ok(panel.x >= 0 && panel.x + panel.width <= size.width + 0.5, JSON.stringify(panel));
        await page.screenshot({ path: joinPath(shots, `search-suggestions-${name}.png`) });
        assert.equal(await box.getAttribute('aria-expanded'), 'true');
        assert.equal(await box.getAttribute('aria-controls'), await listbox.getAttribute('id'));
        // The arrow keys mark an option (the focus stays in the box), wrapping at both ends.
        const marked = async () => {
          const id = await box.getAttribute('aria-activedescendant');
          if (!id) return null;
          const option = page.locator(`[id="${id}"]`);
          assert.equal(await option.getAttribute('aria-selected'), 'true');
          return (await option.textContent())!.split(':')[0];
        };
        assert.equal(await marked(), null);
        await box.press('ArrowDown');
        assert.equal(await marked(), 'from');
        await box.press('ArrowDown');
        assert.equal(await marked(), 'mentions');
        await box.press('ArrowUp');
        await box.press('ArrowUp');
        assert.equal(await marked(), 'during', 'up from the first wraps to the last');
        assert.equal(await listbox.getByRole('option', { selected: true }).count(), 1);
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'combobox');
        // Escape closes the list and keeps the text; ↓ opens it again at the first option.
        await box.press('Escape');
        await listbox.waitFor({ state: 'detached' });
        assert.equal(await box.getAttribute('aria-expanded'), 'false');
        assert.equal(await box.getAttribute('aria-activedescendant'), null);
        await box.press('ArrowDown');
        assert.equal(await marked(), 'from');
        // Enter takes the marked option into the box instead of searching.
        await box.press('Enter');
        assert.equal(await box.inputValue(), 'from:');
        assert.equal(await page.getByRole('complementary', { name: 'Search results' }).count(), 0);

        await searchByDate(page, 'wren', 'during', '2025-03-14', { keys: true });
        await page.getByRole('heading', { name: '1 result' }).waitFor();
        assert.deepEqual(await results(page), ['wren middle']);
        await page.screenshot({ path: joinPath(shots, `search-during-${name}.png`) });
        if (name === 'phone') await closeResults(page);

        await searchByDate(page, 'wren', 'before', '2025-03-14');
        await page.getByRole('heading', { name: '1 result' }).waitFor();
        assert.deepEqual(await results(page), ['wren early']);
        if (name === 'phone') await closeResults(page);

        await searchByDate(page, 'wren', 'after', '2025-03-10');
        await page.getByRole('heading', { name: '2 results' }).waitFor();
        assert.deepEqual(await results(page), ['wren late', 'wren middle']);
        await closeResults(page);
      } finally {
        await page.setViewportSize(desktop);
      }
    });
});
