// Context menus and message times in Chromium against a real Hearth on PGlite, two people: a right-click on a
// message offers what the viewer may do (copy its text, link and id; reply; mark it unread), Esc closes the menu and
// nothing else; a right-click on the author offers profile and, to the owner, kick and ban; the avatar opens the
// profile, a popout beside the name (a bottom sheet at phone width); a long press opens the message menu as a sheet at phone width; times read "Today at …" with the whole
// date on hover.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../../../server/test/harness';
import {
  chromiumSkip,
  closePeople,
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
let channelId = '';
let messageId = '';

const message = (p: Person, text: string) => p.page.locator('.messages li.message', { hasText: text });

describe('context menus', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    const guild = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Menus' } });
    guildId = guild.body.id;
    const channels = await h.api('GET', `/guilds/${guildId}/channels`, { token: alice.user.token });
    channelId = channels.body.find((c: { type: number }) => c.type === 0).id;
    const invite = await h.api('POST', `/channels/${channelId}/invites`, {
      token: alice.user.token,
      body: {},
    });
    await h.api('POST', `/invites/${invite.body.code}`, { token: bob.user.token });
    const sent = await h.api('POST', `/channels/${channelId}/messages`, {
      token: bob.user.token,
      body: { content: 'right-click me' },
    });
    messageId = sent.body.id;
    for (const p of [alice, bob]) await p.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test("a message's menu offers what the viewer may; copy, reply, mark unread; Esc closes only the menu", async () => {
    const page = alice.page;
    await page.goto(`${h.url}/channels/${guildId}/${channelId}`);
    await page.locator('.composer textarea').waitFor();
    const row = message(alice, 'right-click me');
    // "Today at HH:MM", and the whole date on hover.
    const time = row.locator('.meta time');
    assert.match((await time.textContent()) ?? '', /^Today at \d{1,2}:\d{2}/);
    assert.match((await time.getAttribute('title')) ?? '', /\d{4}/);
    await row.locator('.content').click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Message actions' });
    await menu.waitFor();
    const labels = await menu.getByRole('menuitem').allTextContents();
    // Alice owns the server: she may pin and delete Bob's message, not edit it.
    assert.ok(labels.includes('Pin Message') && labels.includes('Delete Message'), labels.join());
    assert.ok(!labels.includes('Edit Message'));
    await page.screenshot({ path: join(shots, 'context-menu-desktop.png') });
    // The first item has focus; arrows move it.
    assert.equal(
      await menu
        .getByRole('menuitem')
        .first()
        .evaluate((el) => el === document.activeElement),
      true,
    );
    await page.keyboard.press('ArrowDown');
    assert.equal(
      await menu
        .getByRole('menuitem')
        .nth(1)
        .evaluate((el) => el === document.activeElement),
      true,
    );
    await menu.getByRole('menuitem', { name: 'Copy Message Link' }).click();
    await menu.waitFor({ state: 'detached' });
    assert.equal(
      await page.evaluate(() => navigator.clipboard.readText()),
      `${h.url}/channels/${guildId}/${channelId}/${messageId}`,
    );
    await row.locator('.content').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Copy Text' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'right-click me');
    // Reply from the menu opens the reply bar; Esc in a fresh menu closes the menu and leaves the reply bar.
    await row.locator('.content').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Reply' }).click();
    const replyBar = page.locator('.replying');
    await replyBar.waitFor();
    await row.locator('.content').click({ button: 'right' });
    await menu.waitFor();
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    assert.equal(await replyBar.count(), 1, 'Esc closed the menu, not the reply bar');
    // Mark unread: the read position goes back to before the message.
    await row.locator('.content').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Mark Unread' }).click();
    const before = (BigInt(messageId) - 1n).toString();
    const acked = () =>
      h.events.some(
        (e) =>
          e.t === 'MESSAGE_ACK' && e.topic === `user:${alice.user.id}` && (e.d as any).message_id === before,
      );
    for (let i = 0; i < 150 && !acked(); i++) await page.waitForTimeout(100);
    assert.ok(acked(), 'the read position went back to just before the message');
  });

  test("the author's menu offers profile, message and, to the owner, kick and ban; the avatar opens the profile", async () => {
    const page = alice.page;
    const row = message(alice, 'right-click me');
    await row.locator('.meta .author').click({ button: 'right' });
    const menu = page.getByRole('menu', { name: /^Actions for / });
    await menu.waitFor();
    const labels = await menu.getByRole('menuitem').allTextContents();
    for (const l of ['Profile', 'Message', 'Kick', 'Ban', 'Copy User ID'])
      assert.ok(labels.includes(l), labels.join());
    await menu.getByRole('menuitem', { name: 'Kick' }).click();
    const confirm = page.getByRole('dialog', { name: /^Kick / });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Close' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.getByRole('button', { name: /^Profile of / }).click();
    const profile = page.getByRole('dialog');
    await profile.getByRole('button', { name: 'Send message' }).waitFor();
    await profile.getByRole('button', { name: 'Close' }).click();
    // Bob, no moderator, is offered neither kick nor ban on Alice.
    await bob.page.goto(`${h.url}/channels/${guildId}/${channelId}`);
    await bob.page.locator('.composer textarea').waitFor();
    await h.api('POST', `/channels/${channelId}/messages`, {
      token: alice.user.token,
      body: { content: 'from alice' },
    });
    await message(bob, 'from alice').locator('.meta .author').click({ button: 'right' });
    const bobsMenu = bob.page.getByRole('menu', { name: /^Actions for / });
    const bobs = await bobsMenu.getByRole('menuitem').allTextContents();
    assert.ok(!bobs.includes('Kick') && !bobs.includes('Ban'), bobs.join());
    await bob.page.keyboard.press('Escape');
    await bobsMenu.waitFor({ state: 'detached' });
  });

  test('a profile is a popout beside the clicked name, inside the window; at phone width a bottom sheet', async () => {
    const page = alice.page;
    await page.goto(`${h.url}/channels/${guildId}/${channelId}`);
    await page.locator('.composer textarea').waitFor();
    const inside = (b: { x: number; y: number; width: number; height: number }, v: typeof phone) =>
      b.x >= 0 && b.y >= 0 && b.x + b.width <= v.width + 0.5 && b.y + b.height <= v.height + 0.5;
    const viewport = page.viewportSize()!;
    const bobName = bob.user.username;
    // The author's name in a message: the popout opens to its right, top level with it.
    const name = message(alice, 'right-click me').locator('.meta .author');
    await name.click();
    const profile = page.getByRole('dialog', { name: bobName });
    await profile.getByRole('button', { name: 'Send message' }).waitFor();
    const at = (await name.boundingBox())!;
    let box = (await profile.boundingBox())!;
    assert.ok(inside(box, viewport), JSON.stringify(box));
    assert.ok(
      box.x >= at.x + at.width && box.x - (at.x + at.width) < 40,
      `beside: ${JSON.stringify({ at, box })}`,
    );
    assert.ok(
      Math.abs(box.y - at.y) < 40 || box.y + box.height >= viewport.height - 10,
      'level with the name',
    );
    assert.equal(await profile.evaluate((d) => d.contains(document.activeElement)), true, 'focus moved in');
    await page.screenshot({ path: join(shots, 'profile-popout-desktop.png') });
    // Esc closes it and gives focus back to the name.
    await page.keyboard.press('Escape');
    await profile.waitFor({ state: 'detached' });
    assert.equal(await name.evaluate((el) => el === document.activeElement), true, 'focus returned');
    // In the member list, at the window's right edge: it flips to the left of the member, still inside.
    const member = page.locator('.members').getByRole('button', { name: new RegExp(bobName) });
    await member.click();
    await profile.getByRole('button', { name: 'Send message' }).waitFor();
    const m = (await member.boundingBox())!;
    box = (await profile.boundingBox())!;
    assert.ok(inside(box, viewport), JSON.stringify(box));
    assert.ok(
      box.x + box.width <= m.x && m.x - (box.x + box.width) < 40,
      `left of it: ${JSON.stringify({ m, box })}`,
    );
    // A click outside closes it.
    await page.mouse.click(10, viewport.height / 2);
    await profile.waitFor({ state: 'detached' });
    // Phone width: a sheet along the bottom, the whole width.
    await page.setViewportSize(phone);
    try {
      await page
        .getByRole('button', { name: `Profile of ${bobName}` })
        .first()
        .click();
      await profile.getByRole('button', { name: 'Send message' }).waitFor();
      box = (await profile.boundingBox())!;
      assert.ok(inside(box, phone), JSON.stringify(box));
      assert.ok(
        box.width >= phone.width - 1 && Math.abs(box.y + box.height - phone.height) < 2,
        JSON.stringify(box),
      );
      await page.screenshot({ path: join(shots, 'profile-popout-phone.png') });
      await profile.getByRole('button', { name: 'Close' }).click();
      await profile.waitFor({ state: 'detached' });
    } finally {
      await page.setViewportSize(viewport);
    }
  });

  test('with a thread beside the channel, the member-list button closes the thread and shows the list', async () => {
    const page = alice.page;
    const thread = await h.api('POST', `/channels/${channelId}/messages/${messageId}/threads`, {
      token: alice.user.token,
      body: { name: 'side talk' },
    });
    assert.equal(thread.status, 201, JSON.stringify(thread.body));
    await page.goto(`${h.url}/channels/${guildId}/${channelId}/threads/${thread.body.id}`);
    const panel = page.locator('.thread-panel');
    await panel.waitFor();
    assert.equal(await page.locator('aside.members').count(), 0, "the thread holds the list's place");
    const toggle = page.locator('.main').getByRole('button', { name: 'Show member list' });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await toggle.click();
    await panel.waitFor({ state: 'detached' });
    await page
      .locator('aside.members')
      .getByRole('button', { name: new RegExp(bob.user.username) })
      .waitFor();
    assert.equal(new URL(page.url()).pathname, `/channels/${guildId}/${channelId}`);
    await page.locator('.main').getByRole('button', { name: 'Hide member list', pressed: true }).waitFor();
  });

  test('at phone width a long press opens the message menu as a sheet', async () => {
    const page = bob.page;
    await page.setViewportSize(phone);
    const content = message(bob, 'right-click me').locator('.content');
    await content.waitFor();
    const box = (await content.boundingBox())!;
    // A resting touch: pointerdown of a touch pointer, then nothing for longer than the press time.
    await content.dispatchEvent('pointerdown', {
      pointerType: 'touch',
      clientX: box.x + 5,
      clientY: box.y + 5,
      isPrimary: true,
    });
    const menu = page.getByRole('menu', { name: 'Message actions' });
    await menu.waitFor();
    assert.match((await menu.getAttribute('class')) ?? '', /sheet/);
    const labels = await menu.getByRole('menuitem').allTextContents();
    assert.ok(
      labels.includes('Edit Message') && labels.includes('Delete Message'),
      'the author may edit and delete',
    );
    const sheet = (await menu.boundingBox())!;
    assert.ok(sheet.width >= phone.width - 1 && Math.abs(sheet.y + sheet.height - phone.height) < 2);
    await page.screenshot({ path: join(shots, 'context-menu-phone.png') });
    await menu.getByRole('menuitem', { name: 'Edit Message' }).click();
    await page.locator('.messages textarea').first().waitFor();
  });
});
