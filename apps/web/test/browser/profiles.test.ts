// Profiles and popouts in Chromium against a real Hearth on PGlite, two people in the browser and a third by API:
// pronouns set in Settings → Profile show in the profile popout with the servers and friends the viewer shares with
// the person (a friend opens their profile, a server opens the server); the popout is not modal, so a second name
// opens in one click; other dialogs give focus back to their opener; the context menu is a sheet wherever the layout is
// the phone's (below 720 px), and a long press on a touch screen opens a channel's and a server's menu. Desktop and
// phone width.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestServer, TestUser } from '../../../server/test/harness';
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
let carol: TestUser;
let one = { id: '', general: '', other: '' };
let twoId = '';

const message = (p: Person, text: string) => p.page.locator('.messages li.message', { hasText: text });

async function makeGuild(owner: TestUser, name: string, members: TestUser[]) {
  const g = await h.api('POST', '/guilds', { token: owner.token, body: { name } });
  const channels = await h.api('GET', `/guilds/${g.body.id}/channels`, { token: owner.token });
  const general = channels.body.find((c: { type: number }) => c.type === 0).id;
  const invite = await h.api('POST', `/channels/${general}/invites`, { token: owner.token, body: {} });
  for (const m of members) await h.api('POST', `/invites/${invite.body.code}`, { token: m.token });
  return { id: g.body.id as string, general: general as string };
}

async function befriend(a: TestUser, b: TestUser) {
  await h.api('PUT', `/users/@me/relationships/${b.id}`, { token: a.token, body: {} });
  await h.api('PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: {} });
}

describe('profiles and popouts', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    carol = await h.register({ username: `carol_${process.pid.toString(36)}` });
    const g1 = await makeGuild(alice.user, 'Hearth One', [bob.user, carol]);
    const other = await h.api('POST', `/guilds/${g1.id}/channels`, {
      token: alice.user.token,
      body: { name: 'other', type: 0 },
    });
    one = { ...g1, other: other.body.id };
    twoId = (await makeGuild(bob.user, 'Hearth Two', [alice.user])).id;
    await befriend(alice.user, carol);
    await befriend(bob.user, carol);
    for (const [who, text] of [
      [alice.user, 'hello from alice'],
      [carol, 'hello from carol'],
    ] as const)
      await h.api('POST', `/channels/${one.general}/messages`, { token: who.token, body: { content: text } });
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test('pronouns from Settings → Profile show in the popout with mutual servers and friends, each clickable', async () => {
    const a = alice.page;
    await a.goto(`${h.url}/settings`);
    await a.getByLabel('Pronouns').fill('she/her');
    await a.getByRole('button', { name: 'Save' }).click();
    await a.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    const page = bob.page;
    await page.goto(`${h.url}/channels/${one.id}/${one.general}`);
    await page.locator('.composer textarea').waitFor();
    await message(bob, 'hello from alice').locator('.meta .author').click();
    const profile = page.getByRole('dialog', { name: alice.user.username });
    await profile.getByText('she/her', { exact: true }).waitFor();
    const servers = profile.getByRole('region', { name: 'Mutual servers' });
    await servers.getByRole('heading', { name: '2 mutual servers' }).waitFor();
    const names = await servers
      .getByRole('link')
      .evaluateAll((els) => els.map((e) => e.querySelector('span:not([aria-hidden])')?.textContent));
    assert.deepEqual(names.sort(), ['Hearth One', 'Hearth Two']);
    const friends = profile.getByRole('region', { name: 'Mutual friends' });
    await friends.getByRole('heading', { name: '1 mutual friend' }).waitFor();
    await page.screenshot({ path: join(shots, 'profile-mutuals-desktop.png') });
    // A mutual friend takes the popout's place.
    await friends.getByRole('button', { name: carol.username }).click();
    const carols = page.getByRole('dialog', { name: carol.username });
    await carols
      .getByRole('region', { name: 'Mutual servers' })
      .getByRole('heading', { name: '1 mutual server' })
      .waitFor();
    await carols.getByRole('button', { name: 'Close' }).click();
    await carols.waitFor({ state: 'detached' });
    // A mutual server opens it, in the app.
    await message(bob, 'hello from alice').locator('.meta .author').click();
    await profile.getByRole('link', { name: 'Hearth Two' }).click();
    await profile.waitFor({ state: 'detached' });
    await page.waitForURL((u) => u.pathname.startsWith(`/channels/${twoId}`));
  });

  test('the popout is not modal: a second name opens in one click, the first one closes', async () => {
    const page = bob.page;
    await page.goto(`${h.url}/channels/${one.id}/${one.general}`);
    await page.locator('.composer textarea').waitFor();
    await message(bob, 'hello from alice').locator('.meta .author').click();
    const first = page.getByRole('dialog', { name: alice.user.username });
    await first.getByText('she/her').waitFor();
    // One click on Carol's name, with Alice's popout open.
    await message(bob, 'hello from carol').locator('.meta .author').click();
    const second = page.getByRole('dialog', { name: carol.username });
    await second.getByRole('button', { name: 'Send message' }).waitFor();
    await first.waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('dialog').count(), 1);
    // The page behind is live: the composer takes a click and text while it is open.
    await message(bob, 'hello from carol').locator('.meta .author').click();
    await second.waitFor();
    await page.locator('.composer textarea').click();
    await second.waitFor({ state: 'detached' });
    await page.locator('.composer textarea').fill('typing');
    assert.equal(await page.locator('.composer textarea').inputValue(), 'typing');
    await page.locator('.composer textarea').fill('');
  });

  test('other dialogs give focus back to what opened them', async () => {
    const page = alice.page;
    await page.goto(`${h.url}/channels/${one.id}/${one.general}`);
    await page.locator('.composer textarea').waitFor();
    const opener = page.getByRole('button', { name: 'Server settings' });
    await opener.click();
    const settings = page.getByRole('dialog').first();
    await settings.waitFor();
    await page.keyboard.press('Escape');
    await settings.waitFor({ state: 'detached' });
    assert.equal(
      await opener.evaluate((el) => el === document.activeElement),
      true,
      'focus on Server settings',
    );
    // A confirmation (delete a channel, from its editor's menu) closed by Cancel: focus back to its opener.
    const invite = page.getByRole('button', { name: 'Invite people' });
    await invite.click();
    const inviteDialog = page.getByRole('dialog').first();
    await inviteDialog.waitFor();
    await inviteDialog.getByRole('button', { name: 'Close' }).click();
    await inviteDialog.waitFor({ state: 'detached' });
    assert.equal(
      await invite.evaluate((el) => el === document.activeElement),
      true,
      'focus on Invite people',
    );
  });

  test('below 720 px the context menu is a sheet; a long press on a touch screen opens channel and server menus', async () => {
    const page = alice.page;
    try {
      // 700 px: the app's phone layout, so the menu is a sheet too.
      await page.setViewportSize({ width: 700, height: 780 });
      await page.goto(`${h.url}/channels/${one.id}`);
      const channel = page.locator('.channels a.channel', { hasText: 'other' });
      await channel.click({ button: 'right' });
      const menu = page.getByRole('menu');
      await menu.waitFor();
      assert.match((await menu.getAttribute('class')) ?? '', /sheet/);
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });

      await page.setViewportSize(phone);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
      const hold = async (box: { x: number; y: number; width: number; height: number }, name: RegExp) => {
        const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
        const sheet = page.getByRole('menu', { name });
        await sheet.waitFor();
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
        return sheet;
      };
      const before = new URL(page.url()).pathname;
      const channelMenu = await hold((await channel.boundingBox())!, /^Actions for #other$/);
      assert.ok((await channelMenu.getByRole('menuitem').allTextContents()).includes('Copy link'));
      await page.screenshot({ path: join(shots, 'long-press-channel-phone.png') });
      assert.equal(new URL(page.url()).pathname, before, 'the press opened the menu, not the channel');
      await channelMenu.getByRole('menuitem', { name: 'Copy channel ID' }).click();
      await channelMenu.waitFor({ state: 'detached' });
      const server = page.locator(`a.rail-item[href="/channels/${twoId}"]`);
      const serverMenu = await hold((await server.boundingBox())!, /^Actions for Hearth Two$/);
      assert.ok((await serverMenu.getByRole('menuitem').allTextContents()).includes('Leave server'));
      await page.keyboard.press('Escape');
      await serverMenu.waitFor({ state: 'detached' });
      await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: false });
    } finally {
      await page.setViewportSize(desktop);
    }
  });

  test('at phone width the profile sheet shows pronouns and what is shared, inside the screen', async () => {
    const page = bob.page;
    try {
      await page.setViewportSize(phone);
      await page.goto(`${h.url}/channels/${one.id}/${one.general}`);
      await page.locator('.composer textarea').waitFor();
      await page
        .getByRole('button', { name: `Profile of ${alice.user.username}` })
        .first()
        .click();
      const profile = page.getByRole('dialog', { name: alice.user.username });
      await profile.getByText('she/her', { exact: true }).waitFor();
      await profile.getByRole('heading', { name: '2 mutual servers' }).waitFor();
      await profile.getByRole('heading', { name: '1 mutual friend' }).waitFor();
      const box = (await profile.boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= phone.width + 0.5, JSON.stringify(box));
      assert.equal(await profile.evaluate((d) => d.scrollWidth <= d.clientWidth), true, 'no sideways scroll');
      await page.screenshot({ path: join(shots, 'profile-mutuals-phone.png') });
      await profile.getByRole('button', { name: 'Close' }).click();
      await profile.waitFor({ state: 'detached' });
    } finally {
      await page.setViewportSize(desktop);
    }
  });
});
