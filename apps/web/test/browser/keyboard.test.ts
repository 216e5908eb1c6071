// Keyboard shortcuts in Chromium against a real Hearth on PGlite, two people: Ctrl+K's fuzzy quick switcher,
// Alt+↑/↓ between channels, Alt+Shift+↓ to the unread one, Esc marks the channel read, Ctrl+/ lists the shortcuts;
// the switcher at a phone's width too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../../../server/test/harness';
import { chromiumSkip, closePeople, type Person, phone, signedInPerson, startWebHearth } from './chromium';

let h: TestServer;
let alice: Person;
let bob: Person;
let guildId: string;
const ids: Record<string, string> = {};

const at = (p: Person) => new URL(p.page.url()).pathname;

describe('keyboard shortcuts', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    const guild = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Keys Club' } });
    guildId = guild.body.id;
    const channels = await h.api('GET', `/guilds/${guildId}/channels`, { token: alice.user.token });
    const general = channels.body.find((c: { type: number }) => c.type === 0);
    ids.general = general.id;
    for (const name of ['random', 'announcements-and-news']) {
      const c = await h.api('POST', `/guilds/${guildId}/channels`, {
        token: alice.user.token,
        body: { name, parent_id: general.parent_id },
      });
      ids[name] = c.body.id;
    }
    const invite = await h.api('POST', `/channels/${ids.general}/invites`, {
      token: alice.user.token,
      body: {},
    });
    assert.equal(
      (await h.api('POST', `/invites/${invite.body.code}`, { token: bob.user.token })).status,
      200,
    );
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test('Ctrl+K finds a channel by a fuzzy name and opens it with Enter', async () => {
    const page = bob.page;
    await page.goto(`${h.url}/channels/${guildId}/${ids.general}`);
    await page.locator('.composer textarea').waitFor();
    await page.keyboard.press('Control+k');
    const dialog = page.getByRole('dialog', { name: 'Quick switcher' });
    const box = dialog.getByRole('combobox', { name: 'Where would you like to go?' });
    await box.waitFor();
    await box.fill('anws');
    await dialog.getByRole('option', { name: /#announcements-and-news/ }).waitFor();
    assert.equal(await dialog.getByRole('option', { name: /#random/ }).count(), 0);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(at(bob), `/channels/${guildId}/${ids['announcements-and-news']}`);
    // Servers are there too.
    await page.keyboard.press('Control+k');
    await box.fill('keys');
    await dialog.getByRole('option', { name: /Keys Club/ }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('Alt+↑/↓ move between channels; Alt+Shift+↓ goes to the unread one; Esc marks it read', async () => {
    const page = bob.page;
    await page.goto(`${h.url}/channels/${guildId}/${ids.general}`);
    await page.locator('.composer textarea').waitFor();
    await page.keyboard.press('Alt+ArrowDown');
    await page.waitForURL(`**/${ids.random}`);
    await page.keyboard.press('Alt+ArrowUp');
    await page.waitForURL(`**/${ids.general}`);
    // A message in the last channel makes it the unread one.
    const sent = await h.api('POST', `/channels/${ids['announcements-and-news']}/messages`, {
      token: alice.user.token,
      body: { content: `<@${bob.user.id}> news` },
    });
    assert.equal(sent.status, 200);
    await page.getByRole('link', { name: /^announcements-and-news, 1 mentions/ }).waitFor();
    await page.keyboard.press('Alt+Shift+ArrowDown');
    await page.waitForURL(`**/${ids['announcements-and-news']}`);
    // Esc marks read what the view has not: scrolled up, a new mention stays unread until Esc.
    for (let n = 0; n < 40; n++)
      await h.api('POST', `/channels/${ids.general}/messages`, {
        token: alice.user.token,
        body: { content: `filler ${n}` },
      });
    await page.goto(`${h.url}/channels/${guildId}/${ids.general}`);
    await page.locator('.messages li.message', { hasText: 'filler 39' }).waitFor();
    await page.locator('.messages').evaluate((el) => {
      el.scrollTop = 0;
    });
    await page.getByRole('button', { name: 'Jump to newest ↓' }).waitFor();
    const more = await h.api('POST', `/channels/${ids.general}/messages`, {
      token: alice.user.token,
      body: { content: `<@${bob.user.id}> here too` },
    });
    assert.equal(more.status, 200);
    await page.getByRole('link', { name: /^general, 1 mentions/ }).waitFor();
    await page.locator('.messages').focus();
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: 'general', exact: true }).waitFor();
  });

  test('Ctrl+/ lists the shortcuts', async () => {
    const page = bob.page;
    await page.keyboard.press('Control+/');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.getByText('Quick switcher: find a channel, DM or server').waitFor();
    await dialog.getByText('Previous / next unread channel').waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('on a phone the quick switcher fits the screen and opens a channel', async () => {
    const page = bob.page;
    await page.setViewportSize(phone);
    await page.goto(`${h.url}/channels/${guildId}/${ids.general}`);
    await page.locator('.composer textarea').waitFor();
    await page.keyboard.press('Control+k');
    const dialog = page.getByRole('dialog', { name: 'Quick switcher' });
    await dialog.getByRole('combobox').fill('rand');
    const option = dialog.getByRole('option', { name: /#random/ });
    await option.waitFor();
    const box = (await dialog.boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= phone.width + 1, JSON.stringify(box));
    await option.click();
    await page.waitForURL(`**/${ids.random}`);
  });
});
