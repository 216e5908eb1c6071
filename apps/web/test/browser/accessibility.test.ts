// Accessibility in Chromium against a real Hearth on PGlite: the arrow keys move focus between messages (roving
// focus: from the list to the last message in view, up and down, Esc back to the composer), and axe-core (from npm,
// its script evaluated in the page) finds no serious or critical violation on the main screens, at desktop and
// phone width.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../../../server/test/harness';
import {
  chromiumSkip,
  closePeople,
  desktop,
  type Person,
  phone,
  signedInPerson,
  startWebHearth,
} from './chromium';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let h: TestServer;
let alice: Person;
let chat = '';

/** The serious and critical violations axe-core finds in the page as it is, one line each. */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe-core's global, evaluated into the page above
    const axe = (window as any).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v: { id: string; impact: string; nodes: Array<{ target: string[] }> }) =>
          `${v.impact} ${v.id}: ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(' | ')}`,
      );
  });
}

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

describe('accessibility', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    const token = alice.user.token;
    const guild = await h.api('POST', '/guilds', { token, body: { name: 'Access' } });
    const channels = await h.api('GET', `/guilds/${guild.body.id}/channels`, { token });
    const text = channels.body.find((c: { type: number }) => c.type === 0).id;
    chat = `/channels/${guild.body.id}/${text}`;
    for (const n of [1, 2, 3, 4])
      await h.api('POST', `/channels/${text}/messages`, { token, body: { content: `note ${n}` } });
  });
  after(async () => {
    await closePeople([alice]);
    await h?.close();
  });

  for (const size of [desktop, phone])
    test(`at ${size.width}px the arrow keys move between messages, and Esc returns to the composer`, async () => {
      const page = alice.page;
      await page.setViewportSize(size);
      await page.goto(`${h.url}${chat}`);
      const rows = page.locator('.messages li.message');
      await rows.filter({ hasText: 'note 4' }).waitFor();
      const ids = await rows.evaluateAll((els) => els.map((el) => el.id));
      await page.locator('.messages').focus();
      await page.keyboard.press('ArrowUp');
      assert.equal(await focusedId(page), ids.at(-1), 'the last message in view');
      await page.keyboard.press('ArrowUp');
      assert.equal(await focusedId(page), ids.at(-2));
      await page.keyboard.press('ArrowUp');
      assert.equal(await focusedId(page), ids.at(-3));
      await page.keyboard.press('ArrowDown');
      assert.equal(await focusedId(page), ids.at(-2));
      await page.keyboard.press('Escape');
      assert.match(await focusedId(page), /^composer-/);
    });

  test('axe-core finds no serious or critical violation on the main screens at desktop and phone width', async () => {
    const page = alice.page;
    const screens: Array<[string, string, string]> = [
      ['chat', chat, '.composer textarea'],
      ['friends', '/channels/@me/friends', 'main'],
      ['settings', '/settings/appearance', 'h1'],
      ['groups', '/groups', 'main, h1'],
    ];
    const found: string[] = [];
    for (const size of [desktop, phone]) {
      await page.setViewportSize(size);
      for (const [name, path, ready] of screens) {
        await page.goto(`${h.url}${path}`);
        await page.locator(ready).first().waitFor();
        for (const v of await violations(page)) found.push(`${name} at ${size.width}px: ${v}`);
      }
    }
    await page.setViewportSize(desktop);
    assert.deepEqual(found, []);
  });
});
