// The emoji picker and the theme end to end in Chromium against a real Hearth on PGlite: picking into the
// composer and sending, reacting, searching, `:name` suggestions, the server's custom emoji, a phone's width;
// the light theme surviving a reload, and following the system's preference; Settings → Accessibility (reduced
// motion, more contrast) at desktop and phone width.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { TestServer, TestUser } from '../../../server/test/harness';
import { chromiumSkip, launchProfile, shots, signInWithTokens, startWebHearth } from './chromium';

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 780 };
// A 2×2 red PNG.
const png =
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==';

let h: TestServer;
let user: TestUser;
let context: BrowserContext;
let page: Page;
let dir: string;
let chat: string;
/** Every script the page fetched, in order. */
const scripts: string[] = [];

const composer = () => page.locator('.composer textarea');
const picker = (name: string) => page.getByRole('dialog', { name });
const message = (text: string) => page.locator('.messages li.message', { hasText: text });

describe('emoji and theme in the web app', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    user = await h.register({ username: `emo_${process.pid.toString(36)}` });
    const guild = await h.api('POST', '/guilds', { token: user.token, body: { name: 'Emoji Club' } });
    assert.equal(guild.status, 201);
    const channels = await h.api('GET', `/guilds/${guild.body.id}/channels`, { token: user.token });
    const text = channels.body.find((c: { type: number }) => c.type === 0);
    chat = `/channels/${guild.body.id}/${text.id}`;
    const emoji = await h.api('POST', `/guilds/${guild.body.id}/emojis`, {
      token: user.token,
      body: { name: 'hearth_fire', image: `data:image/png;base64,${png}` },
    });
    assert.equal(emoji.status, 201);
    dir = mkdtempSync(join(tmpdir(), 'hearth-chromium-emoji-'));
    context = await launchProfile(dir, desktop);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(r.url());
    });
    await signInWithTokens(page, h.url, user);
  });
  after(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await h?.close();
  });

  test('an emoji picked into the composer is sent; the emoji data loads only when the picker opens', async () => {
    await page.goto(`${h.url}${chat}`);
    await composer().waitFor();
    const before = scripts.length;
    assert.ok(before > 0);
    await page.getByRole('button', { name: 'Pick an emoji' }).click();
    const p = picker('Pick an emoji');
    await p.getByRole('option', { name: 'grinning face', exact: true }).waitFor();
    assert.ok(scripts.length > before, 'the emoji data is a chunk of its own, fetched on opening');
    // The server's custom emoji come first.
    const first = p.getByRole('listbox', { name: 'Emoji' }).getByRole('group').first();
    assert.equal(await first.getAttribute('aria-label'), 'Emoji Club');
    await first.getByRole('option', { name: ':hearth_fire:' }).waitFor();
    await p.getByRole('combobox', { name: 'Find an emoji' }).fill('pizza');
    await p.getByRole('option', { name: 'pizza', exact: true }).waitFor();
    await page.keyboard.press('Enter');
    await p.waitFor({ state: 'detached' });
    assert.equal(await composer().inputValue(), '🍕');
    await composer().press('End');
    await composer().pressSequentially(' time');
    await composer().press('Enter');
    await message('🍕 time').waitFor();
    await page.screenshot({ path: join(shots, 'emoji-sent.png') });
  });

  test('searching by name or shortcode, arrows and Enter, Esc closes, recents remembered', async () => {
    await page.getByRole('button', { name: 'Pick an emoji' }).click();
    const p = picker('Pick an emoji');
    const recent = p.getByRole('group', { name: 'Recently used' });
    await recent.getByRole('option', { name: 'pizza' }).waitFor();
    const search = p.getByRole('combobox', { name: 'Find an emoji' });
    await search.fill(':+1');
    await p.getByRole('option', { name: 'thumbs up', exact: true }).waitFor();
    await search.fill('zzzznothing');
    await p.getByText('No emoji matches').waitFor();
    await search.fill('heart');
    const found = p.getByRole('listbox', { name: 'Emoji' }).getByRole('option');
    await found.first().waitFor();
    const second = await found.nth(1).getAttribute('aria-label');
    await page.keyboard.press('ArrowRight');
    assert.equal(await p.locator('[aria-selected="true"]').getAttribute('aria-label'), second);
    await page.screenshot({ path: join(shots, 'emoji-search.png') });
    await page.keyboard.press('Escape');
    await p.waitFor({ state: 'detached' });
    // A click outside closes it too.
    await page.getByRole('button', { name: 'Pick an emoji' }).click();
    await p.waitFor();
    await page.locator('.messages').click({ position: { x: 10, y: 10 } });
    await p.waitFor({ state: 'detached' });
  });

  test('typing :name offers emoji; Enter puts it in', async () => {
    await composer().fill('');
    await composer().pressSequentially('so :pizz');
    const option = page.locator('.autocomplete [role="option"]', { hasText: ':pizza:' });
    await option.waitFor();
    await composer().press('Enter');
    assert.equal(await composer().inputValue(), 'so 🍕');
    await composer().fill('');
  });

  test('a reaction picked from the picker, Unicode or the server’s own, shows under the message', async () => {
    const m = message('🍕 time');
    await m.hover();
    await m.getByRole('button', { name: 'Add reaction' }).click();
    const p = picker('Pick a reaction');
    await p.getByRole('combobox', { name: 'Find an emoji' }).fill('fire');
    await p.getByRole('option', { name: 'fire', exact: true }).click();
    await m.getByRole('button', { name: '🔥: 1', pressed: true }).waitFor();
    await m.hover();
    await m.getByRole('button', { name: 'Add reaction' }).click();
    await p.getByRole('option', { name: ':hearth_fire:' }).first().click();
    await m.getByRole('button', { name: 'hearth_fire: 1', pressed: true }).waitFor();
  });

  test('at phone width the picker is a sheet within the screen', async () => {
    await page.setViewportSize(phone);
    await page.goto(`${h.url}${chat}`);
    await composer().waitFor();
    await page.getByRole('button', { name: 'Pick an emoji' }).click();
    const p = picker('Pick an emoji');
    await p.getByRole('option', { name: 'grinning face', exact: true }).waitFor();
    const box = await p.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= phone.width && box.y + box.height <= phone.height);
    await page.screenshot({ path: join(shots, 'emoji-phone.png') });
    await p.getByRole('option', { name: 'grinning face', exact: true }).click();
    assert.equal(await composer().inputValue(), '😀');
    await composer().fill('');
    // A skin tone chosen in the picker applies to the emoji that take one, and is remembered.
    await page.getByRole('button', { name: 'Pick an emoji' }).click();
    await p.getByRole('combobox', { name: 'Skin tone' }).selectOption('1F3FD');
    await p.getByRole('combobox', { name: 'Find an emoji' }).fill('thumbs up');
    await p.getByRole('option', { name: 'thumbs up', exact: true }).click();
    assert.equal(await composer().inputValue(), '👍🏽');
    await composer().fill('');
    await page.getByRole('button', { name: 'Pick an emoji' }).click();
    assert.equal(await p.getByRole('combobox', { name: 'Skin tone' }).inputValue(), '1F3FD');
    await p.getByRole('combobox', { name: 'Skin tone' }).selectOption('');
    await page.keyboard.press('Escape');
    await p.waitFor({ state: 'detached' });
    await page.setViewportSize(desktop);
  });

  test('the light theme chosen in settings is applied at once and again before the app starts after a reload', async () => {
    await page.goto(`${h.url}/settings/appearance`);
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    // Dark until chosen otherwise, whatever the system prefers (the browser here prefers light).
    assert.ok(await page.getByRole('radio', { name: 'Dark' }).isChecked());
    assert.equal(await theme(), 'dark');
    const dark = await background();
    await page.getByRole('radio', { name: 'Light' }).check();
    assert.equal(await theme(), 'light');
    assert.notEqual(await background(), dark);
    // Before the app's script has run the page already wears the stored theme (no dark flash).
    await page.reload({ waitUntil: 'domcontentloaded' });
    assert.equal(await theme(), 'light');
    await page.getByRole('radio', { name: 'Light' }).waitFor();
    assert.ok(await page.getByRole('radio', { name: 'Light' }).isChecked());
    await page.screenshot({ path: join(shots, 'theme-light-settings.png') });
    await page.goto(`${h.url}${chat}`);
    await message('🍕 time').waitFor();
    await page.screenshot({ path: join(shots, 'theme-light-chat.png') });
    await page.setViewportSize(phone);
    await page.reload();
    await composer().waitFor();
    assert.equal(await theme(), 'light');
    await page.screenshot({ path: join(shots, 'theme-light-phone.png') });
    await page.setViewportSize(desktop);
  });

  test('"Follow the system" follows prefers-color-scheme as it changes', async () => {
    await page.goto(`${h.url}/settings/appearance`);
    await page.getByRole('radio', { name: 'Follow the system' }).check();
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    await page.reload({ waitUntil: 'domcontentloaded' });
    assert.equal(await theme(), 'light');
    await page.emulateMedia({ colorScheme: null });
  });

  test('compact density and a larger font, chosen in settings, apply at once, survive a reload and keep rows apart', async () => {
    const root = () =>
      page.evaluate(() => ({
        density: document.documentElement.dataset.density,
        fontSize: getComputedStyle(document.documentElement).fontSize,
      }));
    /** The first message's height, whether its avatar shows, and rows in view that overlap the next. */
    const rows = () =>
      page.evaluate(async () => {
        for (let i = 0; i < 2; i++) await new Promise(requestAnimationFrame);
        const lis = [...document.querySelectorAll<HTMLElement>('.messages ol > li')].map((li) =>
          li.getBoundingClientRect(),
        );
        const overlaps = lis.filter((r, i) => i > 0 && r.top < lis[i - 1]!.bottom - 0.5).length;
        const first = document.querySelector<HTMLElement>('.messages li.message:not(.grouped)')!;
        const avatar = first.querySelector<HTMLElement>('.avatar-button');
        return { height: first.getBoundingClientRect().height, avatar: !!avatar?.offsetParent, overlaps };
      });
    await page.goto(`${h.url}${chat}`);
    await message('🍕 time').waitFor();
    const cozy = await rows();
    assert.equal(cozy.avatar, true);
    assert.equal(cozy.overlaps, 0);
    const before = await root();
    assert.deepEqual(before, { density: 'cozy', fontSize: '15px' });

    await page.goto(`${h.url}/settings/appearance`);
    assert.ok(await page.getByRole('radio', { name: /^Cozy/ }).isChecked());
    assert.ok(await page.getByRole('radio', { name: '100%' }).isChecked());
    await page.getByRole('radio', { name: /^Compact/ }).check();
    await page.getByRole('radio', { name: '125%' }).check();
    assert.deepEqual(await root(), { density: 'compact', fontSize: '18.75px' });
    await page.screenshot({ path: join(shots, 'appearance-compact-settings.png') });
    // Applied before the app's script runs after a reload, and the settings show the stored choices.
    await page.reload({ waitUntil: 'domcontentloaded' });
    assert.deepEqual(await root(), { density: 'compact', fontSize: '18.75px' });
    await page.getByRole('radio', { name: '125%' }).waitFor();
    assert.ok(await page.getByRole('radio', { name: '125%' }).isChecked());
    assert.ok(await page.getByRole('radio', { name: /^Compact/ }).isChecked());

    for (const size of [desktop, phone]) {
      await page.setViewportSize(size);
      await page.goto(`${h.url}${chat}`);
      await message('🍕 time').waitFor();
      const compact = await rows();
      assert.equal(compact.avatar, false, 'no avatars in compact');
      assert.equal(compact.overlaps, 0, `rows apart at ${size.width}px`);
      await page.screenshot({ path: join(shots, `appearance-compact-${size.width}.png`) });
    }
    await page.setViewportSize(desktop);

    // Back to the defaults: the root font size is the browser's again.
    await page.goto(`${h.url}/settings/appearance`);
    await page.getByRole('radio', { name: /^Cozy/ }).check();
    await page.getByRole('radio', { name: '100%' }).check();
    assert.deepEqual(await root(), before);
  });
  test('Settings → Accessibility: reduced motion and more contrast follow the system, or the choice, at once and after a reload', async () => {
    const root = () =>
      page.evaluate(() => ({
        motion: document.documentElement.dataset.motion,
        contrast: document.documentElement.dataset.contrast,
      }));
    /** A server icon's transition (0.15 s unless motion is reduced) and the muted text colour. */
    const styles = () =>
      page.evaluate(() => ({
        transition: getComputedStyle(document.querySelector('.rail-item') ?? document.body)
          .transitionDuration,
        muted: getComputedStyle(document.documentElement).getPropertyValue('--muted').trim(),
      }));
    await page.goto(`${h.url}/settings/accessibility`);
    const motion = page.getByRole('group', { name: /^Reduced motion/ });
    const contrast = page.getByRole('group', { name: 'Contrast' });
    assert.ok(await motion.getByRole('radio', { name: 'Follow the system' }).isChecked());
    assert.ok(await contrast.getByRole('radio', { name: 'Follow the system' }).isChecked());
    // Following the system as it changes.
    await page.emulateMedia({ reducedMotion: 'reduce', contrast: 'more' });
    await page.waitForFunction(() => document.documentElement.dataset.motion === 'reduce');
    await page.waitForFunction(() => document.documentElement.dataset.contrast === 'more');
    await page.emulateMedia({ reducedMotion: 'no-preference', contrast: 'no-preference' });
    await page.waitForFunction(() => document.documentElement.dataset.motion === 'full');
    await page.waitForFunction(() => document.documentElement.dataset.contrast === 'normal');
    // Chosen: applied at once, whatever the system says.
    await page.goto(`${h.url}${chat}`);
    await composer().waitFor();
    const normal = await styles();
    assert.equal(normal.transition, '0.15s');
    await page.goto(`${h.url}/settings/accessibility`);
    await motion.getByRole('radio', { name: 'Reduce motion' }).check();
    await contrast.getByRole('radio', { name: 'More contrast' }).check();
    assert.deepEqual(await root(), { motion: 'reduce', contrast: 'more' });
    // Applied before the app's script runs after a reload, at both widths.
    for (const size of [desktop, phone]) {
      await page.setViewportSize(size);
      await page.goto(`${h.url}${chat}`, { waitUntil: 'domcontentloaded' });
      assert.deepEqual(await root(), { motion: 'reduce', contrast: 'more' });
      await composer().waitFor();
      const changed = await styles();
      assert.notEqual(changed.transition, normal.transition);
      assert.notEqual(changed.muted, normal.muted);
      await page.goto(`${h.url}/settings/accessibility`);
      assert.ok(await motion.getByRole('radio', { name: 'Reduce motion' }).isChecked());
      assert.ok(await contrast.getByRole('radio', { name: 'More contrast' }).isChecked());
      const box = (await contrast.boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= size.width + 0.5, JSON.stringify(box));
      await page.screenshot({ path: join(shots, `accessibility-settings-${size.width}.png`) });
    }
    await page.setViewportSize(desktop);
    // "Full motion" and "Normal contrast" hold even when the system asks for less motion and more contrast.
    await motion.getByRole('radio', { name: 'Full motion' }).check();
    await contrast.getByRole('radio', { name: 'Normal contrast' }).check();
    await page.emulateMedia({ reducedMotion: 'reduce', contrast: 'more' });
    assert.deepEqual(await root(), { motion: 'full', contrast: 'normal' });
    await motion.getByRole('radio', { name: 'Follow the system' }).check();
    await contrast.getByRole('radio', { name: 'Follow the system' }).check();
    assert.deepEqual(await root(), { motion: 'reduce', contrast: 'more' });
    await page.emulateMedia({ reducedMotion: null, contrast: null });
  });
});
