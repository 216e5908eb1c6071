// Accessibility in Chromium against a real Hearth on PGlite: the arrow keys move focus between messages (roving
// focus: from the list to the last message in view, up and down, Esc back to the composer), and axe-core (from npm,
// its script evaluated in the page) finds no serious or critical violation on any screen, at desktop and phone
// width: the main ones; every settings page, a DM, a thread, the no-access screen, an invite, the social home; the
// dialogs and popovers opened from the chat (emoji picker, server settings, notification settings, search results,
// quick switcher, shortcuts); and, signed out, sign-in, registration and the forgotten password.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../../../server/test/harness';
import {
  axeViolations,
  chromiumSkip,
  closePeople,
  desktop,
  launchProfile,
  type Person,
  phone,
  signedInPerson,
  startWebHearth,
} from './chromium';

let h: TestServer;
let alice: Person;
let chat = '';
let guildPath = '';
let dm = '';
let thread = '';
let invite = '';

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
    guildPath = `/channels/${guild.body.id}`;
    for (const n of [1, 2, 3, 4])
      await h.api('POST', `/channels/${text}/messages`, { token, body: { content: `note ${n}` } });
    const bob = await h.register({ username: `bob_${process.pid.toString(36)}` });
    const opened = await h.api('POST', '/users/@me/channels', { token, body: { recipient_id: bob.id } });
    await h.api('POST', `/channels/${opened.body.id}/messages`, { token, body: { content: 'hello bob' } });
    dm = `/channels/@me/${opened.body.id}`;
    const started = await h.api('POST', `/channels/${text}/threads`, {
      token,
      body: { name: 'a side talk', type: 11 },
    });
    assert.equal(started.status, 201, started.text);
    await h.api('POST', `/channels/${started.body.id}/messages`, {
      token,
      body: { content: 'in the thread' },
    });
    thread = `${chat}/threads/${started.body.id}`;
    const made = await h.api('POST', `/channels/${text}/invites`, { token, body: {} });
    invite = `/invite/${made.body.code}`;
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
        for (const v of await axeViolations(page)) found.push(`${name} at ${size.width}px: ${v}`);
      }
    }
    await page.setViewportSize(desktop);
    assert.deepEqual(found, []);
  });
  test('axe-core finds no serious or critical violation on every other screen, signed in and out, at both widths', async () => {
    const page = alice.page;
    const screens: Array<[string, string, string]> = [
      ['a DM', dm, '.composer textarea'],
      ['a thread', thread, '.messages li.message'],
      ['no access', '/channels/123456789012345678', '.no-access-screen'],
      ['an invite', invite, 'main h1'],
      ['social home', '/social', 'main'],
      ...['profile', 'voice', 'password', 'sessions', 'account', 'domains', 'developer'].map(
        (s): [string, string, string] => [`settings ${s}`, `/settings/${s}`, 'h1'],
      ),
    ];
    // What opens over the chat: [name, where, how it opens, what shows once it is open].
    const open: Array<[string, string, (p: typeof page) => Promise<unknown>, string]> = [
      [
        'emoji picker',
        chat,
        (p) => p.getByRole('button', { name: 'Pick an emoji' }).first().click(),
        '#emoji-grid',
      ],
      [
        'server settings',
        guildPath,
        (p) => p.getByRole('button', { name: 'Server settings' }).click(),
        'dialog',
      ],
      [
        'notification settings',
        chat,
        (p) => p.getByRole('button', { name: 'Notification settings' }).click(),
        'dialog',
      ],
      [
        'search results',
        chat,
        async (p) => {
          await p.getByRole('combobox', { name: 'Search Access' }).fill('note');
          await p.keyboard.press('Enter');
        },
        '.search-hit',
      ],
      ['quick switcher', chat, (p) => p.keyboard.press('Control+k'), 'dialog'],
      ['shortcuts', chat, (p) => p.keyboard.press('Control+/'), 'dialog'],
    ];
    const found: string[] = [];
    for (const size of [desktop, phone]) {
      await page.setViewportSize(size);
      for (const [name, path, ready] of screens) {
        await page.goto(`${h.url}${path}`);
        await page.locator(ready).first().waitFor();
        for (const v of await axeViolations(page)) found.push(`${name} at ${size.width}px: ${v}`);
      }
      for (const [name, path, how, ready] of open) {
        await page.goto(`${h.url}${path}`);
        await page.locator('nav.rail').waitFor({ state: 'attached' });
        if (path === chat) await page.locator('.composer textarea').waitFor();
        await how(page);
        await page.locator(ready).first().waitFor();
        for (const v of await axeViolations(page)) found.push(`${name} at ${size.width}px: ${v}`);
      }
    }
    await page.setViewportSize(desktop);
    // Signed out, in a fresh profile.
    const dir = mkdtempSync(join(tmpdir(), 'hearth-chromium-axe-'));
    const context = await launchProfile(dir, desktop);
    try {
      const out = context.pages()[0] ?? (await context.newPage());
      for (const size of [desktop, phone]) {
        await out.setViewportSize(size);
        for (const path of ['/login', '/register', '/forgot', invite]) {
          await out.goto(`${h.url}${path}`);
          await out.locator('main form, main h1').first().waitFor();
          for (const v of await axeViolations(out)) found.push(`signed out ${path} at ${size.width}px: ${v}`);
        }
      }
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(found, []);
  });
});
