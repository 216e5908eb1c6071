// Being told, in Chromium against a real Hearth on PGlite, two (and three) people: a desktop notification and a
// sound for a message elsewhere, as the server and channel settings say (all, mentions only, muted for an hour),
// saved on the server; messages that name you highlighted; the unread count in the tab's title and favicon; the
// offer to turn desktop notifications on made only once something would have notified; a friend request badge.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
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
let carol: Person;
let guildId: string;
let general: string;
let random: string;

/** Records every desktop notification the page makes (the real one is made too); installed after the app loads. */
// A string, not a function: the test's compiler would wrap a class in helpers the page does not have.
const recordNotifications = `(() => {
  const Real = window.Notification;
  const seen = [];
  window.seenNotifications = seen;
  const Recorded = function (title, options) {
    seen.push({ title, body: options && options.body });
    return new Real(title, options);
  };
  Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
  Recorded.requestPermission = () => Real.requestPermission();
  window.Notification = Recorded;
})()`;
const seen = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { seenNotifications: Array<{ title: string; body?: string }> }).seenNotifications,
  );
const waitForNotification = (page: Page, body: string) =>
  page
    .waitForFunction(
      (body) =>
        (window as unknown as { seenNotifications: Array<{ body?: string }> }).seenNotifications.some(
          (n) => n.body === body,
        ),
      body,
    )
    .catch(async (err) => {
      const state = await page.evaluate(() => ({
        told: (window as unknown as { hearthNotified: unknown }).hearthNotified,
        seen: (window as unknown as { seenNotifications: unknown }).seenNotifications,
        permission: Notification.permission,
        focus: document.hasFocus(),
        visible: document.visibilityState,
      }));
      throw new Error(`${err.message}\n${JSON.stringify(state)}`);
    });
const say = async (channelId: string, content: string) => {
  const res = await h.api('POST', `/channels/${channelId}/messages`, {
    token: alice.user.token,
    body: { content },
  });
  assert.equal(res.status, 200, res.text);
  return res.body;
};

describe('being told: notifications, mentions, unread counts', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    carol = await signedInPerson(h, 'carol');
    const guild = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Notify Club' } });
    guildId = guild.body.id;
    const channels = await h.api('GET', `/guilds/${guildId}/channels`, { token: alice.user.token });
    general = channels.body.find((c: { type: number }) => c.type === 0).id;
    random = (
      await h.api('POST', `/guilds/${guildId}/channels`, {
        token: alice.user.token,
        body: { name: 'random' },
      })
    ).body.id;
    const invite = await h.api('POST', `/channels/${general}/invites`, { token: alice.user.token, body: {} });
    for (const p of [bob, carol])
      assert.equal(
        (await h.api('POST', `/invites/${invite.body.code}`, { token: p.user.token })).status,
        200,
      );
    await bob.context.grantPermissions(['notifications'], { origin: h.url });
  });
  after(async () => {
    await closePeople([alice, bob, carol]);
    await h?.close();
  });

  test('a message in another channel notifies with a sound; nothing asks for permission on load', async () => {
    await bob.page.goto(`${h.url}/channels/${guildId}/${general}`);
    await bob.page.locator('.composer textarea').waitFor();
    await bob.page.evaluate(recordNotifications);
    assert.equal(await bob.page.title(), 'Hearth');
    await say(random, 'plain news for all');
    await waitForNotification(bob.page, 'plain news for all');
    const [note] = await seen(bob.page);
    assert.match(note.title, /alice_.*#random, Notify Club/);
    assert.ok(
      (await bob.page.evaluate(
        () => (window as unknown as { hearthNotified: { sounds: number } }).hearthNotified.sounds,
      )) >= 1,
      'a sound played',
    );
    // Carol has not answered the browser's question: nothing asks on load...
    await carol.page.goto(`${h.url}/channels/${guildId}/${general}`);
    await carol.page.locator('.composer textarea').waitFor();
    const offer = carol.page.getByText('Turn on desktop notifications?');
    assert.equal(await offer.count(), 0);
    // ...until something would have notified her.
    await say(random, 'news for carol too');
    await offer.waitFor();
    await carol.page.getByRole('button', { name: 'Not now' }).click();
    await offer.waitFor({ state: 'detached' });
  });

  test('set to mentions only: a plain message is quiet, a mention notifies, counts in the title and favicon, and is highlighted', async () => {
    const page = bob.page;
    await page.getByRole('button', { name: 'Notification settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Notification settings' });
    // The radio follows the saved settings: it is checked once the server has answered.
    const mentionsOnly = dialog.getByRole('radio', { name: 'Only @mentions' }).first();
    await mentionsOnly.click();
    await dialog.getByRole('status').getByText('Saved').waitFor();
    assert.ok(await mentionsOnly.isChecked());
    await page.screenshot({ path: `${shots}/notification-settings.png` });
    await dialog.getByRole('button', { name: 'Done' }).click();

    await say(random, 'quiet chatter');
    const ping = await say(random, `<@${bob.user.id}> are you there?`);
    await waitForNotification(page, `@${bob.user.username} are you there?`);
    assert.equal((await seen(page)).filter((n) => n.body === 'quiet chatter').length, 0);
    await page.waitForFunction(() => document.title === '(1) Hearth');
    await page.waitForFunction(
      () => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.dataset.count === '1',
    );
    assert.match(
      (await page.locator('link[rel="icon"]').getAttribute('href')) ?? '',
      /^data:image\/png/,
      'the favicon carries the count',
    );
    await page.getByRole('link', { name: /^random, 1 mentions/ }).click();
    const mentioned = page.locator(`#m-${ping.id}`);
    await mentioned.waitFor();
    assert.match((await mentioned.getAttribute('class')) ?? '', /\bmentioned\b/);
    assert.doesNotMatch(
      (await page.locator('.messages li.message', { hasText: 'quiet chatter' }).getAttribute('class')) ?? '',
      /\bmentioned\b/,
    );
    await page.waitForFunction(() => document.title === 'Hearth');
  });

  test('a channel muted for an hour stays quiet even for a mention; a DM still notifies; saved across a reload', async () => {
    const page = bob.page;
    await page.getByRole('button', { name: 'Notification settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Notification settings' });
    await dialog.getByRole('combobox', { name: 'Mute #random' }).selectOption({ label: 'For 1 hour' });
    await dialog.getByRole('button', { name: 'Unmute' }).waitFor();
    assert.match(
      (await dialog.getByRole('combobox', { name: 'Mute #random' }).textContent()) ?? '',
      /Muted until/,
    );
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.goto(`${h.url}/channels/${guildId}/${general}`);
    await page.locator('.composer textarea').waitFor();
    await page.evaluate(recordNotifications);
    await say(random, `<@${bob.user.id}> muted ping`);
    const dm = await h.api('POST', '/users/@me/channels', {
      token: alice.user.token,
      body: { recipient_id: bob.user.id },
    });
    await say(dm.body.id, 'a direct word');
    await waitForNotification(page, 'a direct word');
    assert.equal((await seen(page)).filter((n) => n.body?.includes('muted ping')).length, 0);
    // The muted channel's mention is not counted in the title; the DM is.
    await page.waitForFunction(() => document.title === '(1) Hearth');
    // Saved on the server: after a reload #random's settings still say muted, and the server's mentions only.
    await page.goto(`${h.url}/channels/${guildId}/${random}`);
    await page.getByRole('button', { name: 'Notification settings' }).click();
    const again = page.getByRole('dialog', { name: 'Notification settings' });
    await again.getByRole('button', { name: 'Unmute' }).waitFor();
    assert.ok(await again.getByRole('radio', { name: 'Only @mentions' }).first().isChecked());
    await again.getByRole('button', { name: 'Done' }).click();
  });

  test('an incoming friend request shows a badge on Home and Friends, and counts in the title', async () => {
    const page = bob.page;
    const before = await page.title();
    const res = await h.api('POST', '/users/@me/relationships', {
      token: carol.user.token,
      body: { username: bob.user.username },
    });
    assert.equal(res.status, 204, res.text);
    await page.getByRole('link', { name: /Direct messages.*1 friend request/ }).waitFor();
    const n = Number(/\((\d+)\)/.exec(before)?.[1] ?? 0);
    await page.waitForFunction((n) => document.title === `(${n + 1}) Hearth`, n);
    await page.getByRole('link', { name: /Direct messages/ }).click();
    await page.getByRole('link', { name: 'Friends, 1 pending' }).waitFor();
  });

  test('on a phone: the settings dialog fits the screen and a mention elsewhere counts in the title', async () => {
    const page = carol.page;
    await page.setViewportSize(phone);
    await page.goto(`${h.url}/channels/${guildId}/${general}`);
    await page.getByRole('button', { name: 'Notification settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Notification settings' });
    await dialog.getByRole('radio', { name: 'Nothing' }).first().waitFor();
    const box = (await dialog.boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= phone.width + 1, `the dialog fits: ${JSON.stringify(box)}`);
    await page.screenshot({ path: `${shots}/notification-settings-phone.png` });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await say(random, `<@${carol.user.id}> on your phone`);
    await page.waitForFunction(() => /^\(\d+\) Hearth$/.test(document.title));
    await page
      .getByRole('button', { name: /Back to channels, \d+ mentions elsewhere/ })
      .or(page.getByRole('link', { name: /Back to channels, \d+ mentions elsewhere/ }))
      .first()
      .waitFor();
  });
});
