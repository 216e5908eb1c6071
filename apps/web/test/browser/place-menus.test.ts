// The menus of people and places in Chromium against a real Hearth on PGlite, two people: a person's menu mentions
// them in the composer and, with Manage Roles, edits their roles (roles above one's own not offered); a channel's
// menu marks it read, mutes it, copies its id, and offers edit and delete only with Manage Channels; a server's menu
// marks it read, mutes it, and leaves it (not to its owner); at desktop and phone width.
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
let random = '';
let doomed = '';
let roleId = '';

const message = (p: Person, text: string) => p.page.locator('.messages li.message', { hasText: text });
const channelLink = (page: Page, name: string) =>
  page.getByRole('navigation', { name: /channels$/ }).getByRole('link', { name: new RegExp(`^${name}`) });
const serverLink = (page: Page) =>
  page.getByRole('navigation', { name: 'Servers' }).getByRole('link', { name: /^Places/ });
const menuItems = async (page: Page, name: string | RegExp) => {
  const menu = page.getByRole('menu', { name });
  await menu.waitFor();
  return { menu, labels: await menu.getByRole('menuitem').allTextContents() };
};

describe('menus of people, channels and servers', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    const token = alice.user.token;
    const guild = await h.api('POST', '/guilds', { token, body: { name: 'Places' } });
    guildId = guild.body.id;
    const channels = await h.api('GET', `/guilds/${guildId}/channels`, { token });
    general = channels.body.find((c: { type: number }) => c.type === 0).id;
    random = (await h.api('POST', `/guilds/${guildId}/channels`, { token, body: { name: 'random' } })).body
      .id;
    doomed = (await h.api('POST', `/guilds/${guildId}/channels`, { token, body: { name: 'doomed' } })).body
      .id;
    roleId = (await h.api('POST', `/guilds/${guildId}/roles`, { token, body: { name: 'Helpers' } })).body.id;
    const invite = await h.api('POST', `/channels/${general}/invites`, { token, body: {} });
    await h.api('POST', `/invites/${invite.body.code}`, { token: bob.user.token });
    await h.api('POST', `/channels/${general}/messages`, {
      token: bob.user.token,
      body: { content: 'hello from bob' },
    });
    await h.api('POST', `/channels/${general}/messages`, { token, body: { content: 'hello from alice' } });
    for (const p of [alice, bob]) await p.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test("a person's menu: Mention fills the composer; Roles (Manage Roles only) gives a role", async () => {
    const page = alice.page;
    await page.goto(`${h.url}/channels/${guildId}/${general}`);
    await message(alice, 'hello from bob').locator('.meta .author').click({ button: 'right' });
    let { menu, labels } = await menuItems(page, /^Actions for /);
    assert.ok(labels.includes('Mention') && labels.includes('Roles'), labels.join());
    await menu.getByRole('menuitem', { name: 'Mention' }).click();
    const box = page.locator('.composer textarea');
    assert.equal(await box.inputValue(), `<@${bob.user.id}> `);
    assert.ok(await box.evaluate((el) => el === document.activeElement), 'the composer has focus');
    await box.fill('');

    await message(alice, 'hello from bob').locator('.meta .author').click({ button: 'right' });
    ({ menu } = await menuItems(page, /^Actions for /));
    await menu.getByRole('menuitem', { name: 'Roles' }).click();
    const dialog = page.getByRole('dialog', { name: /^Roles of / });
    await dialog.getByRole('checkbox', { name: 'Helpers' }).check();
    await dialog.getByRole('button', { name: 'Save member' }).click();
    await dialog.getByText(/saved/i).waitFor();
    const member = await h.api('GET', `/guilds/${guildId}/members/${bob.user.id}`, {
      token: alice.user.token,
    });
    assert.deepEqual(member.body.roles, [roleId]);
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Bob may not manage roles: his menu on Alice has Mention, not Roles.
    await bob.page.goto(`${h.url}/channels/${guildId}/${general}`);
    await message(bob, 'hello from alice').locator('.meta .author').click({ button: 'right' });
    const bobs = await menuItems(bob.page, /^Actions for /);
    assert.ok(bobs.labels.includes('Mention') && !bobs.labels.includes('Roles'), bobs.labels.join());
    await bob.page.keyboard.press('Escape');
  });

  test("a channel's menu: mark as read, mute, copy the id; edit and delete only with Manage Channels", async () => {
    await h.api('POST', `/channels/${random}/messages`, {
      token: alice.user.token,
      body: { content: 'unread news' },
    });
    const b = bob.page;
    await channelLink(b, 'random, unread').waitFor();
    await channelLink(b, 'random').click({ button: 'right' });
    let { menu, labels } = await menuItems(b, 'Actions for #random');
    assert.ok(labels.includes('Mark as read') && labels.includes('Mute channel'), labels.join());
    assert.ok(!labels.includes('Edit channel') && !labels.includes('Delete channel'), labels.join());
    await b.screenshot({ path: join(shots, 'channel-menu-desktop.png') });
    await menu.getByRole('menuitem', { name: 'Mark as read' }).click();
    await channelLink(b, 'random')
      .and(b.getByRole('link', { name: 'random', exact: true }))
      .waitFor();

    await channelLink(b, 'random').click({ button: 'right' });
    ({ menu } = await menuItems(b, 'Actions for #random'));
    await menu.getByRole('menuitem', { name: 'Mute channel' }).click();
    // The mute is the server's: the menu follows the settings it sends back (USER_GUILD_SETTINGS_UPDATE).
    await channelLink(b, 'random').click({ button: 'right' });
    ({ menu } = await menuItems(b, 'Actions for #random'));
    await menu.getByRole('menuitem', { name: 'Unmute channel' }).waitFor();
    await menu.getByRole('menuitem', { name: 'Copy channel ID' }).click();
    assert.equal(await b.evaluate(() => navigator.clipboard.readText()), random);

    // Alice manages channels: she edits and deletes.
    const a = alice.page;
    await channelLink(a, 'doomed').click({ button: 'right' });
    ({ menu, labels } = await menuItems(a, 'Actions for #doomed'));
    assert.ok(labels.includes('Edit channel') && labels.includes('Delete channel'), labels.join());
    await menu.getByRole('menuitem', { name: 'Delete channel' }).click();
    await a.getByRole('dialog', { name: 'Delete channel' }).getByRole('button', { name: 'Delete' }).click();
    await channelLink(a, 'doomed').waitFor({ state: 'detached' });
    await channelLink(b, 'doomed').waitFor({ state: 'detached' });
    assert.equal((await h.api('GET', `/channels/${doomed}`, { token: alice.user.token })).status, 404);
  });

  test("at phone width the channel's menu is a sheet; a server's menu marks read and leaves (never its owner)", async () => {
    const b = bob.page;
    await b.setViewportSize(phone);
    await b.goto(`${h.url}/channels/${guildId}`);
    await channelLink(b, 'general').click({ button: 'right' });
    const { menu } = await menuItems(b, 'Actions for #general');
    assert.match((await menu.getAttribute('class')) ?? '', /sheet/);
    await b.screenshot({ path: join(shots, 'channel-menu-phone.png') });
    await b.keyboard.press('Escape');

    // The owner's server menu has settings and no Leave.
    await serverLink(alice.page).click({ button: 'right' });
    const owner = await menuItems(alice.page, 'Actions for Places');
    assert.ok(
      owner.labels.includes('Server settings') && !owner.labels.includes('Leave server'),
      owner.labels.join(),
    );
    await alice.page.keyboard.press('Escape');

    await h.api('POST', `/channels/${random}/messages`, {
      token: alice.user.token,
      body: { content: 'more news' },
    });
    await serverLink(b)
      .and(b.getByRole('link', { name: 'Places, unread' }))
      .waitFor();
    await serverLink(b).click({ button: 'right' });
    let { menu: server, labels } = await menuItems(b, 'Actions for Places');
    assert.ok(labels.includes('Mark as read') && labels.includes('Leave server'), labels.join());
    assert.ok(!labels.includes('Server settings'), labels.join());
    await b.screenshot({ path: join(shots, 'server-menu-phone.png') });
    await server.getByRole('menuitem', { name: 'Mark as read' }).click();
    await b.getByRole('link', { name: 'Places', exact: true }).waitFor();
    await b.setViewportSize(desktop);

    await serverLink(b).click({ button: 'right' });
    ({ menu: server, labels } = await menuItems(b, 'Actions for Places'));
    await server.getByRole('menuitem', { name: 'Leave server' }).click();
    await b
      .getByRole('dialog', { name: 'Leave Places' })
      .getByRole('button', { name: 'Leave server' })
      .click();
    await serverLink(b).waitFor({ state: 'detached' });
    await b.waitForURL(/\/channels\/@me/);
    const gone = await h.api('GET', `/guilds/${guildId}/members/${bob.user.id}`, { token: alice.user.token });
    assert.equal(gone.status, 404);
  });
});
