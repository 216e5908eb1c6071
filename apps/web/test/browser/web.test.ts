// The web app end to end: two people in two Chromium profiles against a real Hearth on PGlite.
// Needs Debian's Chromium (`apt-get install -y chromium`); without it the suite says it skipped.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../../../server/test/harness';
import { chromiumSkip, launchProfile, shots, startWebHearth } from './chromium';

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 780 };
// A 2×2 red PNG.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

interface Person {
  name: string;
  email: string;
  context: BrowserContext;
  page: Page;
  dir: string;
  id?: string;
}

let h: TestServer;
let alice: Person;
let bob: Person;

async function person(name: string): Promise<Person> {
  const dir = mkdtempSync(join(tmpdir(), `hearth-chromium-${name}-`));
  const context = await launchProfile(dir, desktop);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  const suffix = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { name: `${name}_${suffix}`, email: `${name}_${suffix}@example.test`, context, page, dir };
}

async function shot(p: Person, name: string, size = desktop): Promise<void> {
  await p.page.setViewportSize(size);
  await p.page.screenshot({ path: join(shots, `${name}.png`) });
  await p.page.setViewportSize(desktop);
}

/** The message list item holding `text`. */
const message = (p: Person, text: string) => p.page.locator('.messages li.message', { hasText: text });

/** Sends `text` from the main conversation's composer (or, with `within`, from the one inside it: a thread panel). */
async function send(p: Person, text: string, within = '.main'): Promise<void> {
  const box = p.page.locator(`${within} .composer textarea`);
  await box.fill(text);
  await box.press('Enter');
}

describe('the web app in a browser', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await person('alice');
    bob = await person('bob');
  });
  after(async () => {
    for (const p of [alice, bob]) {
      await p?.context.close();
      if (p) rmSync(p.dir, { recursive: true, force: true });
    }
    await h?.close();
  });

  test('both register and confirm their email from the outbox link', async () => {
    for (const p of [alice, bob]) {
      await p.page.goto(h.url);
      await p.page.waitForURL(/\/login$/);
      if (p === alice) {
        await shot(p, 'login-desktop');
        await shot(p, 'login-phone', phone);
      }
      await p.page.getByRole('link', { name: 'Register' }).click();
      await p.page.getByLabel('Email').fill(p.email);
      await p.page.getByLabel('Username').fill(p.name);
      await p.page.getByLabel('Password').fill('correct horse battery');
      await p.page.getByRole('button', { name: 'Create account' }).click();
      await p.page.waitForURL(/\/channels\/@me$/);
      await p.page.getByText(`we sent a link to ${p.email}`).waitFor();
      p.id = await p.page.evaluate(() => JSON.parse(localStorage.getItem('hearth.tokens')!).user_id);

      const mail = await h.mailTo(p.email, { subject: /Confirm/ });
      const link = mail.match(/http:\/\/\S+\/verify#token=\S+/)?.[0];
      assert.ok(link, 'the mail carries a /verify link');
      await p.page.goto(link);
      await p.page.getByText('Your email is confirmed.').waitFor();
      await p.page.getByRole('link', { name: 'Open Hearth' }).click();
      await p.page.waitForURL(/\/channels\/@me$/);
      // USER_UPDATE took the banner away in the running app.
      await p.page.getByText('No friends yet').waitFor();
      assert.equal(await p.page.getByText('we sent a link').count(), 0);
    }
  });

  let guildUrl = '';
  let inviteLink = '';
  test('alice creates a server and invites bob, who joins by the link', async () => {
    const a = alice.page;
    await a.getByRole('button', { name: 'Add a server' }).click();
    await a.getByLabel('Server name').fill('Fireside');
    await a.getByRole('button', { name: 'Create', exact: true }).click();
    await a.waitForURL(/\/channels\/\d+\/\d+$/);
    guildUrl = a.url();
    await a.getByRole('heading', { name: 'Fireside' }).waitFor();
    // Voice channels are listed as buttons that join them (voice.test.ts joins; the owner may connect).
    await a.getByRole('button', { name: /^General, voice channel/ }).waitFor();
    assert.equal(await a.locator('.channel.voice[aria-disabled="true"]').count(), 0);

    await a.getByRole('button', { name: 'Invite people' }).click();
    await a.getByRole('button', { name: 'Create invite link' }).click();
    const link = await a.getByLabel('Invite link', { exact: true }).inputValue();
    assert.match(link, /\/invite\/[\w-]+$/);
    inviteLink = link;
    await a.keyboard.press('Escape');

    await bob.page.goto(link);
    await bob.page.getByRole('heading', { name: 'Fireside' }).waitFor();
    await bob.page.getByText('1 member', { exact: true }).waitFor();
    await bob.page.getByRole('button', { name: 'Accept invite' }).click();
    await bob.page.waitForURL(/\/channels\/\d+\/\d+$/);
    await bob.page.locator('.members').getByText(alice.name).waitFor();
    await a.locator('.members').getByText(bob.name).waitFor();
    await bob.page.getByLabel('Status').selectOption('dnd');
    await a.locator('.members').getByRole('img', { name: 'dnd' }).waitFor();
    await bob.page.getByLabel('Status').selectOption('online');
    // What bob may not do is not offered.
    assert.equal(await bob.page.getByRole('button', { name: 'Server settings' }).count(), 0);
    assert.equal(await bob.page.getByRole('button', { name: 'Create channel' }).count(), 0);
  });

  test('they chat in real time both ways, with markdown rendered safely', async () => {
    await send(alice, 'hello **bob** <img src=x onerror="window.pwned=1"> ||secret||');
    const seen = message(bob, 'hello');
    await seen.locator('strong', { hasText: 'bob' }).waitFor();
    assert.match(await seen.locator('.content').innerText(), /<img src=x onerror="window.pwned=1">/);
    assert.equal(await seen.locator('.content img').count(), 0);
    assert.equal(await bob.page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    await seen.locator('.spoiler').waitFor();

    await send(bob, `hi <@${alice.id}>, see \`code\` and https://example.org`);
    const back = message(alice, 'hi ');
    await back.locator('.mention', { hasText: `@${alice.name}` }).waitFor();
    await back.locator('code', { hasText: 'code' }).waitFor();
    assert.equal(await back.locator('a[href="https://example.org/"]').count(), 1);
    // Shift+Enter is a new line, not a send.
    const box = alice.page.locator('.composer textarea');
    await box.fill('line one');
    await box.press('Shift+Enter');
    await box.pressSequentially('line two');
    await box.press('Enter');
    await message(bob, 'line one').locator('br').waitFor({ state: 'attached' });
  });

  test('reply, edit with the Up arrow, react and delete show on both sides', async () => {
    const original = message(bob, 'line one');
    await original.hover();
    await original.getByRole('button', { name: 'Reply' }).click();
    await bob.page.getByText('Replying to').waitFor();
    await send(bob, 'a reply to you');
    await message(alice, 'a reply to you').locator('.reply-ref', { hasText: alice.name }).waitFor();

    const box = bob.page.locator('.composer textarea');
    await box.focus();
    await box.press('ArrowUp');
    const edit = bob.page.getByLabel('Edit message');
    await edit.fill('an edited reply');
    await edit.press('Enter');
    await message(alice, 'an edited reply').locator('.edited').waitFor();

    const target = message(alice, 'an edited reply');
    await target.hover();
    await target.getByRole('button', { name: 'Add reaction' }).click();
    await alice.page
      .getByRole('dialog', { name: 'Pick a reaction' })
      .getByRole('option', { name: 'thumbs up', exact: true })
      .click();
    await message(bob, 'an edited reply').getByRole('button', { name: '👍: 1' }).waitFor();

    const mine = message(bob, 'an edited reply');
    await mine.hover();
    await mine.getByRole('button', { name: 'Delete' }).click();
    await bob.page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await message(alice, 'an edited reply').waitFor({ state: 'detached' });
    await shot(alice, 'chat-desktop');
    await shot(alice, 'chat-phone', phone);
  });

  test('a new avatar and display name show to the others at once, at desktop and phone width', async () => {
    await send(bob, 'before my new look');
    const seen = message(alice, 'before my new look');
    await seen.waitFor();
    const b = bob.page;
    await b.getByRole('link', { name: 'User settings' }).click();
    await b.getByLabel('Avatar (PNG, JPEG, GIF or WebP)').setInputFiles({
      name: 'me.png',
      mimeType: 'image/png',
      buffer: png,
    });
    await b.getByRole('dialog', { name: 'Crop your avatar' }).getByRole('button', { name: 'Apply' }).click();
    await b.locator('.settings-main img.avatar').waitFor();
    await b.getByLabel('Display name').fill('Bobby Tables');
    await b.getByRole('button', { name: 'Save', exact: true }).click();
    await b.getByText('Saved.').waitFor();

    // Alice, without a reload: bob's message and his entry in the member list follow (GUILD_MEMBER_UPDATE).
    const avatar = `img.avatar[src^="/avatars/${bob.id}/"]`;
    await seen.locator('.author', { hasText: 'Bobby Tables' }).waitFor();
    await seen.locator(avatar).waitFor();
    const members = alice.page.locator('.members');
    await members.getByText('Bobby Tables').waitFor();
    await members.locator(avatar).waitFor();
    assert.ok(
      await members.locator(avatar).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
    );
    await shot(alice, 'new-look-desktop');

    await alice.page.setViewportSize(phone);
    await seen.locator('.author', { hasText: 'Bobby Tables' }).waitFor();
    await alice.page.getByRole('button', { name: 'Show member list' }).click();
    await members.getByText('Bobby Tables').waitFor();
    await members.locator(avatar).waitFor();
    await alice.page.screenshot({ path: join(shots, 'new-look-phone.png') });
    await alice.page
      .getByRole('button', { name: 'Close member list' })
      .click({ position: { x: 20, y: 300 } });
    await alice.page.setViewportSize(desktop);

    // Back to his username, which the later tests look for.
    await b.getByLabel('Display name').fill('');
    await b.getByRole('button', { name: 'Save', exact: true }).click();
    await seen.locator('.author', { hasText: bob.name }).waitFor();
    await members.getByText(bob.name).waitFor();
    await b.goto(guildUrl);
    await b.locator('.composer textarea').waitFor();
  });

  test('alice makes a webhook in server settings; its post shows to bob under its name and avatar with APP', async () => {
    const a = alice.page;
    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByRole('tab', { name: 'Webhooks' }).click();
    await a.getByText('No webhooks.').waitFor();
    await a.getByLabel('Name', { exact: true }).fill('Deploys');
    await a.getByRole('button', { name: 'Create webhook' }).click();
    const url = a.getByLabel('URL of Deploys');
    await url.waitFor();
    const hookUrl = await url.inputValue();
    assert.match(hookUrl, /\/api\/v10\/webhooks\/\d+\/[\w-]{68}$/);
    await a.getByRole('button', { name: 'Copy URL' }).click();
    await a.getByRole('button', { name: 'Copied' }).waitFor();
    await a.getByLabel('Name of Deploys').fill('Deploys 2');
    await a.getByRole('button', { name: 'Rename' }).click();
    await a.getByLabel('Name of Deploys 2').waitFor();
    await shot(alice, 'webhooks-desktop');
    await a.keyboard.press('Escape');

    const avatarUrl = `${h.url}/no-such-avatar.png`;
    const posted = await fetch(hookUrl.replace(/^http:\/\/[^/]+/, h.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'build 42 passed', username: 'CI Bot', avatar_url: avatarUrl }),
    });
    assert.equal(posted.status, 204);
    const seen = message(bob, 'build 42 passed');
    await seen.locator('.author', { hasText: 'CI Bot' }).waitFor();
    assert.equal(await seen.locator('.bot-tag').innerText(), 'APP');
    assert.equal(await seen.locator('img.avatar').getAttribute('src'), avatarUrl);

    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByRole('tab', { name: 'Webhooks' }).click();
    await a.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await a.getByText('No webhooks.').waitFor();
    await a.keyboard.press('Escape');
    const gone = await fetch(hookUrl.replace(/^http:\/\/[^/]+/, h.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'too late' }),
    });
    assert.equal(gone.status, 404);
  });

  test('typing shows, @ autocompletes a member, and an expired access token is refreshed on the way', async () => {
    await bob.page.locator('.composer textarea').fill('thinking');
    await alice.page.getByText(`${bob.name} is typing…`).waitFor();
    await bob.page.locator('.composer textarea').fill('');

    const before = await alice.page.evaluate(() => {
      const t = JSON.parse(localStorage.getItem('hearth.tokens')!);
      localStorage.setItem('hearth.tokens', JSON.stringify({ ...t, expires_at: 0 }));
      return t.refresh_token as string;
    });
    const box = alice.page.locator('.composer textarea');
    await box.fill('thanks @');
    await box.pressSequentially(bob.name.slice(0, 5));
    await alice.page.getByRole('option', { name: new RegExp(bob.name) }).waitFor();
    await box.press('Enter');
    assert.equal(await box.inputValue(), `thanks <@${bob.id}> `);
    await box.press('Enter');
    await message(bob, 'thanks')
      .locator('.mention', { hasText: `@${bob.name}` })
      .waitFor();
    const after = await alice.page.evaluate(() => JSON.parse(localStorage.getItem('hearth.tokens')!));
    assert.notEqual(after.refresh_token, before, 'the refresh token rotated');
    assert.ok(after.expires_at > Date.now() + 10 * 60_000, 'a fresh 15-minute access token');
  });

  test('two tabs whose token ran out refresh it once between them and stay signed in', async () => {
    const second = await alice.context.newPage();
    await second.goto(guildUrl);
    await second.locator('.composer textarea').waitFor();
    const expire = () => {
      const t = JSON.parse(localStorage.getItem('hearth.tokens')!);
      localStorage.setItem('hearth.tokens', JSON.stringify({ ...t, expires_at: 0 }));
    };
    await alice.page.locator('.composer textarea').fill('from tab one');
    await second.locator('.composer textarea').fill('from tab two');
    await alice.page.evaluate(expire);
    // Both tabs press Enter at the same instant, so both find the token expired together.
    const at = Date.now() + 500;
    const pressEnterAt = (when: number) =>
      setTimeout(
        () =>
          document
            .querySelector('.composer textarea')!
            .dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })),
        when - Date.now(),
      );
    await Promise.all([alice.page.evaluate(pressEnterAt, at), second.evaluate(pressEnterAt, at)]);
    await message(bob, 'from tab one').waitFor();
    await message(bob, 'from tab two').waitFor();
    for (const page of [alice.page, second]) {
      const t = await page.evaluate(() => JSON.parse(localStorage.getItem('hearth.tokens') ?? 'null'));
      assert.ok(t && t.expires_at > Date.now(), 'still signed in');
    }
    await second.close();
  });

  test('a failed send stays with a Retry that sends it once', async () => {
    const a = alice.page;
    let failures = 0;
    await a.route('**/api/v10/channels/*/messages', (route) => {
      if (route.request().method() === 'POST' && failures++ === 0) return route.abort('failed');
      return route.fallback();
    });
    await send(alice, 'try, try again');
    const pending = a.locator('li.message.failed', { hasText: 'try, try again' });
    await pending.getByText('Not sent').waitFor();
    await pending.getByRole('button', { name: 'Retry' }).click();
    await message(bob, 'try, try again').waitFor();
    await pending.waitFor({ state: 'detached' });
    assert.equal(await message(alice, 'try, try again').count(), 1);
    assert.equal(await message(bob, 'try, try again').count(), 1);
    await a.unroute('**/api/v10/channels/*/messages');
  });

  test('history loads as you scroll up; unread channels are marked and show a "new messages" divider', async () => {
    const token = await alice.page.evaluate(() => JSON.parse(localStorage.getItem('hearth.tokens')!).token);
    const guildId = guildUrl.split('/')[4];
    const channel = (await h.api('POST', `/guilds/${guildId}/channels`, { token, body: { name: 'archive' } }))
      .body;
    for (let n = 1; n <= 70; n++) {
      const res = await h.api('POST', `/channels/${channel.id}/messages`, {
        token,
        body: { content: `old #${n}.` },
      });
      assert.equal(res.status, 200);
    }
    const b = bob.page;
    await b.getByRole('link', { name: /^archive/ }).click();
    await message(bob, 'old #70.').waitFor();
    assert.equal(await message(bob, 'old #1.').count(), 0, 'only the newest page at first');
    // The list is virtualised: older rows load above and are rendered as the view reaches them.
    await b.waitForFunction(() => {
      const el = document.querySelector('.messages')!;
      el.scrollTop = 0;
      return !!document.querySelector('.messages .start');
    });
    await message(bob, 'old #1.').waitFor({ state: 'attached' });
    await b.getByText('This is the start of #archive.').waitFor({ state: 'attached' });
    await b.getByRole('button', { name: 'Jump to newest' }).click();
    await message(bob, 'old #70.').waitFor();

    await b.goto(guildUrl);
    await message(bob, 'try, try again').waitFor();
    await h.api('POST', `/channels/${channel.id}/messages`, {
      token,
      body: { content: `<@${bob.id}> look here` },
    });
    await b.getByRole('link', { name: 'archive, 1 mentions' }).waitFor();
    await b.getByRole('link', { name: 'Fireside, 1 mentions' }).waitFor();
    await b.getByRole('link', { name: /^archive/ }).click();
    const divider = b.locator('.messages li.divider');
    await divider.getByText('New messages').waitFor();
    assert.equal(
      await divider.evaluate((el) => el.nextElementSibling?.textContent?.includes('look here')),
      true,
    );
    // Reading it clears the mention.
    await b.getByRole('link', { name: 'archive', exact: true }).waitFor();
  });

  test('search: filters from the box, results beside the chat (over it on a phone), a click opens the message in its place', async () => {
    const a = alice.page;
    await a.goto(guildUrl);
    const box = a.getByRole('combobox', { name: 'Search Fireside' });
    await box.fill(`from:${alice.name} in:#archive old 3`);
    await box.press('Enter');
    const results = a.getByRole('complementary', { name: 'Search results' });
    await results.getByText('1 result', { exact: true }).waitFor();
    // Named by what it shows (author, channel, time, words), as axe-core's label-content-name-mismatch asks.
    const hit = results.getByRole('button', { name: /#archive .*old #3\./ });
    await hit.getByText('old #3.').waitFor();
    await shot(alice, 'search-desktop');
    // Far above the newest page: older pages load until it is there, and it is shown.
    await hit.click();
    await a.waitForURL(/\/channels\/\d+\/\d+$/);
    const found = message(alice, 'old #3.');
    await found.and(a.locator('.flash')).waitFor();
    const inView = await found.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const list = el.closest('.messages')!.getBoundingClientRect();
      return box.top >= list.top && box.bottom <= list.bottom;
    });
    assert.ok(inView, 'the message is scrolled into view');
    // A name that is nobody's is said, not searched for.
    await box.fill('from:nobody_at_all');
    await box.press('Enter');
    await results.getByText('No member named “nobody_at_all”.').waitFor();
    await results.getByRole('button', { name: 'Close search' }).click();
    await a.locator('.members').getByText(bob.name).waitFor();

    const b = bob.page;
    await b.goto(guildUrl);
    await b.setViewportSize(phone);
    await b.locator('.composer textarea').waitFor();
    const phoneBox = b.getByRole('combobox', { name: 'Search Fireside' });
    await phoneBox.fill('in:archive old 69');
    await phoneBox.press('Enter');
    const phoneResults = b.getByRole('complementary', { name: 'Search results' });
    await phoneResults.getByText('old #69.').waitFor();
    await b.screenshot({ path: join(shots, 'search-phone.png') });
    await phoneResults.getByRole('button', { name: /#archive .*old #69\./ }).click();
    await message(bob, 'old #69.').and(b.locator('.flash')).waitFor();
    assert.equal(await phoneResults.count(), 0, 'the results close on a phone once one is opened');
    await b.setViewportSize(desktop);
    // Where the next test expects them.
    await a.getByRole('link', { name: /^general/ }).click();
    await message(alice, 'thanks').waitFor();
  });

  test('threads: started from a message, open beside the channel with their own composer (full screen on a phone), listed active and archived', async () => {
    const a = alice.page;
    const b = bob.page;
    await b.getByRole('link', { name: /^general/ }).click();
    await send(alice, 'shall we plan the party');
    const start = message(alice, 'shall we plan the party');
    await start.hover();
    await start.getByRole('button', { name: 'Create thread' }).click();
    const name = a.getByLabel('Thread name');
    assert.equal(await name.inputValue(), 'shall we plan the party');
    await name.fill('party plans');
    await a.getByRole('button', { name: 'Create thread', exact: true }).click();
    // The thread opens beside the channel, which stays in view: Discord's side panel, at its own address.
    const aside = a.getByRole('complementary', { name: 'Thread' });
    await aside.getByRole('heading', { name: 'party plans' }).waitFor();
    await a.getByRole('heading', { name: 'general' }).waitFor();
    assert.match(a.url(), /\/channels\/\d+\/\d+\/threads\/\d+$/);
    await send(alice, 'cake or pie?', '.thread-panel');
    await aside.locator('li.message', { hasText: 'cake or pie?' }).waitFor();
    assert.equal(await a.locator('.main li.message', { hasText: 'cake or pie?' }).count(), 0);

    // Bob sees the thread under the message that started it, live, and opens it beside the channel.
    const link = message(bob, 'shall we plan the party').getByRole('link', { name: 'party plans' });
    await link.click();
    const bobAside = b.getByRole('complementary', { name: 'Thread' });
    await bobAside.getByRole('heading', { name: 'party plans' }).waitFor();
    await bobAside.locator('li.message', { hasText: 'cake or pie?' }).waitFor();
    await send(bob, 'cake, obviously', '.thread-panel');
    await aside.locator('li.message', { hasText: 'cake, obviously' }).waitFor();
    // The channel's composer still writes to the channel.
    await send(bob, 'back in general');
    await b.locator('.main li.message', { hasText: 'back in general' }).waitFor();
    await shot(bob, 'thread-panel-desktop');
    // Close returns to the channel alone.
    await bobAside.getByRole('button', { name: 'Close thread' }).click();
    await bobAside.waitFor({ state: 'detached' });
    await a
      .getByRole('complementary', { name: 'Thread' })
      .getByRole('button', { name: 'Close thread' })
      .click();

    // The channel's thread list opens a thread in the panel too.
    await b.getByRole('button', { name: 'Threads' }).click();
    const panel = b.getByRole('dialog', { name: 'Threads in #general' });
    await panel
      .getByRole('region', { name: 'Active threads' })
      .getByRole('button', { name: 'party plans' })
      .click();
    await bobAside.getByRole('heading', { name: 'party plans' }).waitFor();
    await b.getByRole('button', { name: 'Threads' }).click();
    await shot(bob, 'threads-desktop');
    await b.keyboard.press('Escape');

    // On a phone: the thread takes the whole screen, and Back returns to the channel.
    await b.setViewportSize(phone);
    await b.getByRole('heading', { name: 'party plans' }).waitFor();
    assert.equal(await bobAside.count(), 0);
    await message(bob, 'cake, obviously').waitFor();
    await send(bob, 'from my phone');
    await message(bob, 'from my phone').waitFor();
    await b.screenshot({ path: join(shots, 'thread-phone.png') });
    await b.getByRole('link', { name: /^Back to the channel/ }).click();
    await message(bob, 'back in general').waitFor();
    assert.equal(await b.getByRole('heading', { name: 'party plans' }).count(), 0);
    await b.getByRole('button', { name: 'Threads' }).click();
    await panel.getByRole('button', { name: 'party plans' }).click();
    await b.getByRole('heading', { name: 'party plans' }).waitFor();
    await b.setViewportSize(desktop);
    await bobAside.getByRole('heading', { name: 'party plans' }).waitFor();

    // Archived (THREAD_UPDATE): listed apart.
    const token = await a.evaluate(() => JSON.parse(localStorage.getItem('hearth.tokens')!).token);
    const threadId = b.url().split('/').pop()!;
    const archived = await h.api('PATCH', `/channels/${threadId}`, { token, body: { archived: true } });
    assert.equal(archived.status, 200, archived.text);
    await b.getByRole('link', { name: /^general/ }).click();
    await b.getByRole('button', { name: 'Threads' }).click();
    await panel
      .getByRole('region', { name: 'Archived threads' })
      .getByRole('button', { name: 'party plans' })
      .waitFor();
    await b.keyboard.press('Escape');
    await a.getByRole('link', { name: /^general/ }).click();
    await message(alice, 'thanks').waitFor();
  });

  test('an image sent as a reply uploads with a preview, keeps the reply, and opens in a lightbox', async () => {
    await bob.page.getByRole('link', { name: /^general/ }).click();
    const original = message(alice, 'thanks');
    await original.hover();
    await original.getByRole('button', { name: 'Reply' }).click();
    await alice.page.getByText('Replying to').waitFor();
    await alice.page.locator('input[type="file"][aria-label="Files to attach"]').setInputFiles({
      name: 'dot.png',
      mimeType: 'image/png',
      buffer: png,
    });
    await alice.page.getByRole('list', { name: 'Files to send' }).locator('img').waitFor();
    // The file uploads as it is picked; Enter sends once it is up.
    await alice.page.locator('.composer-row button.send:not([disabled])', { hasText: 'Send' }).waitFor();
    await send(alice, 'a picture');
    const pic = message(bob, 'a picture');
    // The preview is rendered (the mention as a name, not <@id>) and jumps to the original.
    const ref = pic.locator('.reply-ref', { hasText: alice.name });
    await ref.locator('.mention', { hasText: `@${bob.name}` }).waitFor();
    assert.doesNotMatch(await ref.innerText(), /<@/);
    await ref.click();
    await bob.page.locator('.messages li.message.flash', { hasText: 'thanks' }).waitFor();
    await alice.page.getByText('Replying to').waitFor({ state: 'detached' });
    await pic.getByRole('button', { name: 'Open image dot.png' }).click();
    await bob.page.getByRole('dialog', { name: 'dot.png' }).locator('img.lightbox').waitFor();
    await bob.page.keyboard.press('Escape');

    // Opened at localhost while PUBLIC_URL says 127.0.0.1, the image still loads under the CSP.
    const other = await bob.context.newPage();
    const at = (url: string) => url.replace('//127.0.0.1:', '//localhost:');
    await other.goto(at(`${h.url}/login`));
    const tokens = await bob.page.evaluate(() => localStorage.getItem('hearth.tokens'));
    await other.evaluate((t) => localStorage.setItem('hearth.tokens', t ?? ''), tokens);
    await other.goto(at(guildUrl));
    await other
      .locator('.messages li.message', { hasText: 'a picture' })
      .getByRole('button', { name: 'Open image dot.png' })
      .waitFor();
    await other.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.attachment.image img');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await other.close();
  });

  test('a long message: a counter near 2,000, nothing cut or sent past it, and an offer to send it as message.txt', async () => {
    const a = alice.page;
    const box = a.locator('.composer textarea');
    await box.fill('x'.repeat(1850));
    await a.locator('.composer .counter', { hasText: '150' }).waitFor();
    const long = `the long one ${'y'.repeat(2100)}`;
    await box.fill(long);
    assert.equal(await box.inputValue(), long, 'nothing cut');
    const notice = a.getByRole('alert').filter({ hasText: 'characters long' });
    await notice.waitFor();
    assert.match(
      await notice.innerText(),
      /^Your message is 2,113 characters long; the limit is 2,000\. Shorten it or send it as a file\./,
    );
    await box.press('Enter');
    assert.equal(await box.inputValue(), long, 'not sent');
    await shot(alice, 'long-message-desktop');
    await shot(alice, 'long-message-phone', phone);
    await notice.getByRole('button', { name: 'Send as message.txt' }).click();
    // The text becomes a file being uploaded; the box empties, and Send goes once the file is up.
    await a.waitForFunction(
      () => document.querySelector<HTMLTextAreaElement>('.composer textarea')?.value === '',
    );
    assert.equal(await notice.count(), 0);
    await a.locator('.composer-row button.send:not([disabled])', { hasText: 'Send' }).click();
    await message(bob, 'message.txt').waitFor();

    // An edit past the limit says why it was not saved.
    await send(alice, 'short for now');
    await message(alice, 'short for now').waitFor();
    await box.press('ArrowUp');
    const edit = a.getByLabel('Edit message');
    await edit.fill('z'.repeat(2001));
    await edit.press('Enter');
    await a
      .getByText('Your message is 2,001 characters long; the limit is 2,000. Shorten it to save.')
      .waitFor();
    await edit.press('Escape');
  });

  test('the owner hides a channel from @everyone and bob loses it live', async () => {
    const a = alice.page;
    await a.getByRole('button', { name: 'Create channel' }).click();
    await a.getByRole('dialog').getByLabel('Name').fill('plans');
    await a.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await bob.page.getByRole('link', { name: /^plans/ }).waitFor();

    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByRole('tab', { name: 'Channels' }).click();
    await a.getByLabel('Channel', { exact: true }).selectOption({ label: '#plans' });
    await a.getByLabel('Role or member').selectOption({ label: '@everyone' });
    await a.getByLabel('View channel: deny').check();
    await a.getByRole('button', { name: 'Save overwrite' }).click();
    await a.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await shot(alice, 'guild-settings-desktop');
    await shot(alice, 'guild-settings-phone', phone);
    await a.keyboard.press('Escape');

    await bob.page.getByRole('link', { name: /^plans/ }).waitFor({ state: 'detached' });
    // The owner still has it.
    await a.getByRole('link', { name: /^plans/ }).waitFor();

    // A role that may view it, given to bob, brings it back without a reload; taking the role away hides it.
    const token = await a.evaluate(() => JSON.parse(localStorage.getItem('hearth.tokens')!).token);
    const guildId = guildUrl.split('/')[4];
    const channels = (await h.api('GET', `/guilds/${guildId}/channels`, { token })).body as Array<{
      id: string;
      name: string;
    }>;
    const plans = channels.find((c) => c.name === 'plans')!;
    const role = (await h.api('POST', `/guilds/${guildId}/roles`, { token, body: { name: 'planners' } }))
      .body as { id: string };
    const allow = await h.api('PUT', `/channels/${plans.id}/permissions/${role.id}`, {
      token,
      body: { type: 0, allow: String(1 << 10), deny: '0' },
    });
    assert.equal(allow.status, 204);
    const member = `/guilds/${guildId}/members/${bob.id}/roles/${role.id}`;
    assert.equal((await h.api('PUT', member, { token })).status, 204);
    await bob.page.getByRole('link', { name: /^plans/ }).waitFor();
    assert.equal((await h.api('DELETE', member, { token })).status, 204);
    await bob.page.getByRole('link', { name: /^plans/ }).waitFor({ state: 'detached' });

    // Roles move up and down among those below the mover's highest; @everyone stays last.
    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByRole('tab', { name: 'Roles' }).click();
    await a.getByLabel('New role name').fill('scouts');
    await a.getByRole('button', { name: 'Create role' }).click();
    const order = () => a.locator('.role-list li > button.link').allInnerTexts();
    await a.getByRole('button', { name: 'Move scouts up' }).click();
    await a.getByRole('button', { name: 'Move scouts down' }).waitFor();
    assert.deepEqual(await order(), ['scouts', 'planners', '@everyone']);
    assert.equal(await a.getByRole('button', { name: 'Move scouts up' }).count(), 0);
    await a.getByRole('button', { name: 'Move scouts down' }).click();
    await a.getByRole('button', { name: 'Move planners down' }).waitFor();
    assert.deepEqual(await order(), ['planners', 'scouts', '@everyone']);
    await shot(alice, 'roles-desktop');
    await a.keyboard.press('Escape');

    // A category collapses and expands from the keyboard, and stays collapsed across a reload.
    const category = (
      await h.api('POST', `/guilds/${guildId}/channels`, { token, body: { name: 'Projects', type: 4 } })
    ).body as { id: string };
    await h.api('POST', `/guilds/${guildId}/channels`, {
      token,
      body: { name: 'ideas', parent_id: category.id },
    });
    const toggle = a.getByRole('button', { name: 'Projects', expanded: true });
    await a.getByRole('link', { name: /^ideas/ }).waitFor();
    await toggle.focus();
    await a.keyboard.press('Enter');
    await a.getByRole('link', { name: /^ideas/ }).waitFor({ state: 'detached' });
    await a.reload();
    await a.getByRole('button', { name: 'Projects', expanded: false }).waitFor();
    assert.equal(await a.getByRole('link', { name: /^ideas/ }).count(), 0);
    await a.getByRole('button', { name: 'Projects' }).focus();
    await a.keyboard.press('Space');
    await a.getByRole('link', { name: /^ideas/ }).waitFor();
    await shot(alice, 'categories-desktop');
  });

  test('a dropped connection resumes with nothing missed or doubled', async () => {
    const b = bob.page;
    await b.goto(guildUrl);
    await message(bob, 'a picture').waitFor();
    await b.evaluate(() => {
      const w = window as unknown as { sawBanner: boolean };
      w.sawBanner = false;
      new MutationObserver(() => {
        if (document.body.innerText.includes('Reconnecting')) w.sawBanner = true;
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const token = await alice.page.evaluate(() => JSON.parse(localStorage.getItem('hearth.tokens')!).token);
    const channelId = guildUrl.split('/').pop()!;
    h.app.gateway.dropConnections(bob.id!);
    // Sent while bob is disconnected (the client waits before reconnecting).
    for (const n of [1, 2, 3]) {
      const res = await h.api('POST', `/channels/${channelId}/messages`, {
        token,
        body: { content: `missed ${n}` },
      });
      assert.equal(res.status, 200);
    }
    for (const n of [1, 2, 3]) await message(bob, `missed ${n}`).waitFor();
    await b.waitForFunction(() => !document.querySelector('.banner:not(.notice)'));
    assert.equal(await b.evaluate(() => (window as unknown as { sawBanner: boolean }).sawBanner), true);
    for (const n of [1, 2, 3]) assert.equal(await message(bob, `missed ${n}`).count(), 1);
    // And it is still live afterwards.
    await alice.page.goto(guildUrl);
    await send(alice, 'after the drop');
    await message(bob, 'after the drop').waitFor();
  });

  test('bob opens a DM with alice; they become friends', async () => {
    const b = bob.page;
    await b.locator('.members').getByRole('button', { name: alice.name }).click();
    await b.getByRole('button', { name: 'Send message' }).click();
    await b.waitForURL(/\/channels\/@me\/\d+$/);
    await send(bob, 'psst, a direct message');
    await alice.page.getByRole('link', { name: 'Direct messages, 1 unread' }).waitFor();
    await alice.page.getByRole('link', { name: /Direct messages/ }).click();
    await alice.page.locator('.sidebar').getByRole('link', { name: bob.name }).click();
    await message(alice, 'psst, a direct message').waitFor();
    await shot(alice, 'dm-desktop');
    await shot(alice, 'dm-phone', phone);

    await b.getByRole('link', { name: 'Friends' }).click();
    await b.getByRole('tab', { name: 'Add friend' }).click();
    // An unknown name says what to check, not just "failed".
    await b.getByLabel('Add a friend by username').fill('nobody_by_this_name');
    await b.getByRole('button', { name: 'Send friend request' }).click();
    await b.getByText('Check that the username "nobody_by_this_name" is spelled right').waitFor();
    await b.getByLabel('Add a friend by username').fill(alice.name);
    await b.getByRole('button', { name: 'Send friend request' }).click();
    await b.getByText(`Friend request sent to ${alice.name}`).waitFor();

    const a = alice.page;
    await a.getByRole('link', { name: 'Friends' }).click();
    await a.getByRole('tab', { name: /Pending \(1\)/ }).click();
    await a.getByRole('button', { name: 'Accept' }).click();
    await a.getByRole('tab', { name: 'All' }).click();
    await a
      .locator('.friend', { hasText: bob.name })
      .getByText(/online/)
      .waitFor();
    await b.getByRole('tab', { name: 'All' }).click();
    await b.locator('.friend', { hasText: alice.name }).waitFor();

    // A group DM: bob (its owner) renames it, adds and removes carol; alice leaves; each list follows live.
    const carol = await h.register();
    const bobToken = await b.evaluate(() => JSON.parse(localStorage.getItem('hearth.tokens')!).token);
    for (const [token, other] of [
      [carol.token, bob.id!],
      [bobToken, carol.id],
    ])
      assert.equal(
        (await h.api('PUT', `/users/@me/relationships/${other}`, { token, body: {} })).status,
        204,
      );
    await b.getByRole('button', { name: 'New group DM' }).click();
    await b.getByRole('dialog').getByLabel(alice.name).check();
    await b.getByRole('button', { name: 'Create group DM' }).click();
    await b.waitForURL(/\/channels\/@me\/\d+$/);
    await b.getByRole('button', { name: 'Group settings' }).click();
    await b.getByLabel('Group name').fill('weekend');
    await b.getByRole('button', { name: 'Rename' }).click();
    await a.locator('.sidebar').getByRole('link', { name: 'weekend' }).waitFor();
    await b.getByLabel('Friend to add').selectOption({ label: carol.username });
    await b.getByRole('button', { name: 'Add', exact: true }).click();
    await b.getByRole('button', { name: `Remove ${carol.username}` }).click();
    await b.getByRole('button', { name: `Remove ${carol.username}` }).waitFor({ state: 'detached' });
    await shot(bob, 'group-dm-settings-desktop');

    await a.locator('.sidebar').getByRole('link', { name: 'weekend' }).click();
    await a.getByRole('button', { name: 'Group settings' }).click();
    assert.equal(
      await a.getByRole('button', { name: /^Remove / }).count(),
      0,
      'only the owner removes people',
    );
    await a.getByRole('button', { name: 'Leave group' }).click();
    await a.locator('.sidebar').getByRole('link', { name: 'weekend' }).waitFor({ state: 'detached' });
    await b.getByRole('button', { name: `Remove ${alice.name}` }).waitFor({ state: 'detached' });
    await b.keyboard.press('Escape');
  });

  let crowd = { id: '', tag: '' };
  test('in a server above 50 members the member list still follows presences (op 14 when it is opened)', async () => {
    const tokenOf = (p: Person) =>
      p.page.evaluate(() => JSON.parse(localStorage.getItem('hearth.tokens')!).token);
    const [aliceToken, bobToken] = [await tokenOf(alice), await tokenOf(bob)];
    const guild = (await h.api('POST', '/guilds', { token: aliceToken, body: { name: 'Crowd' } })).body;
    const channels = (await h.api('GET', `/guilds/${guild.id}/channels`, { token: aliceToken })).body;
    const general = channels.find((c: any) => c.type === 0);
    const invite = (
      await h.api('POST', `/channels/${general.id}/invites`, { token: aliceToken, body: { max_age: 0 } })
    ).body;
    assert.equal((await h.api('POST', `/invites/${invite.code}`, { token: bobToken })).status, 200);
    const tag = Math.random().toString(36).slice(2, 6);
    crowd = { id: guild.id, tag };
    for (let i = 0; i < 50; i++) {
      const u = await h.register({ username: `crowd_${tag}_${i}` });
      assert.equal((await h.api('POST', `/invites/${invite.code}`, { token: u.token })).status, 200);
    }
    // A fresh page identifies afresh: 52 members are above the default large_threshold.
    const a = alice.page;
    await a.goto(`${h.url}/channels/${guild.id}/${general.id}`);
    await a.getByRole('heading', { name: 'Crowd' }).waitFor();
    // Offline members GUILD_CREATE left out come with the member chunk the app asks for.
    await a.locator('.members').getByText(`crowd_${tag}_0`).waitFor();
    await bob.page.getByLabel('Status').selectOption('dnd');
    await a.locator('.members li', { hasText: bob.name }).getByRole('img', { name: 'dnd' }).waitFor();
    await bob.page.getByLabel('Status').selectOption('online');
    await a.locator('.members li', { hasText: bob.name }).getByRole('img', { name: 'online' }).waitFor();
  });

  test('kick and ban ask first, with a reason for the audit log and, for a ban, how much history goes', async () => {
    const a = alice.page;
    const token = await a.evaluate(() => JSON.parse(localStorage.getItem('hearth.tokens')!).token);
    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByRole('tab', { name: 'Members' }).click();
    const row = (n: number) =>
      a.locator('tr').filter({ has: a.getByRole('cell', { name: `crowd_${crowd.tag}_${n}`, exact: true }) });
    await row(0).getByRole('button', { name: 'Kick' }).click();
    const kick = a.getByRole('dialog', { name: `Kick crowd_${crowd.tag}_0?` });
    await kick.getByLabel('Reason (for the audit log)').fill('spamming');
    await kick.getByRole('button', { name: 'Kick', exact: true }).click();
    await row(0).waitFor({ state: 'detached' });

    await row(1).getByRole('button', { name: 'Ban' }).click();
    const ban = a.getByRole('dialog', { name: `Ban crowd_${crowd.tag}_1?` });
    await ban.getByLabel('Delete message history').selectOption({ label: 'Previous 7 days' });
    await ban.getByLabel('Reason (for the audit log)').fill('très rude');
    await shot(alice, 'ban-dialog-desktop');
    await ban.getByRole('button', { name: 'Ban', exact: true }).click();
    await row(1).waitFor({ state: 'detached' });
    await a.keyboard.press('Escape');

    const log = (await h.api('GET', `/guilds/${crowd.id}/audit-logs`, { token })).body as {
      audit_log_entries: Array<{ action_type: number; reason?: string; options?: Record<string, string> }>;
    };
    const kicked = log.audit_log_entries.find((e) => e.action_type === 20);
    const banned = log.audit_log_entries.find((e) => e.action_type === 22);
    assert.equal(kicked?.reason, 'spamming');
    assert.equal(banned?.reason, 'très rude');
    assert.equal(banned?.options?.delete_message_seconds, '604800');
  });

  test('on a phone: servers → channels → chat and back, by buttons, swipe and the browser Back', async () => {
    const b = bob.page;
    const fireside = guildUrl.split('/')[4];
    const aliceToken = await alice.page.evaluate(
      () => JSON.parse(localStorage.getItem('hearth.tokens')!).token,
    );
    const channels = (await h.api('GET', `/guilds/${fireside}/channels`, { token: aliceToken }))
      .body as Array<{
      id: string;
      name: string;
    }>;
    const archive = channels.find((c) => c.name === 'archive')!;
    await b.setViewportSize(phone);
    // A deep link opens the chat; the browser's Back then shows the channel list, still in the app.
    await b.goto(guildUrl);
    await b.locator('.composer textarea').waitFor();
    // The composer does not take the focus (and pop up the keyboard) on a phone.
    assert.notEqual(await b.evaluate(() => document.activeElement?.tagName), 'TEXTAREA');
    const phoneShot = (name: string) => b.screenshot({ path: join(shots, `${name}.png`) });
    // The member list has its button on a phone, and opens over the chat.
    await b.getByRole('button', { name: 'Show member list' }).click();
    await b.locator('.members').getByText(alice.name).waitFor();
    await phoneShot('phone-members');
    await b.getByRole('button', { name: 'Close member list' }).click({ position: { x: 20, y: 300 } });
    await b.locator('.members').waitFor({ state: 'hidden' });
    // A mention elsewhere shows on the Back button, the lists being hidden.
    await h.api('POST', `/channels/${archive.id}/messages`, {
      token: aliceToken,
      body: { content: `<@${bob.id}> over here` },
    });
    await b.getByRole('link', { name: 'Back to channels, 1 mentions elsewhere' }).waitFor();
    await phoneShot('phone-chat');
    await b.goBack();
    await b.waitForURL(new RegExp(`/channels/${fireside}$`));
    await b.getByRole('link', { name: 'archive, 1 mentions' }).waitFor();
    assert.equal(await b.locator('.composer textarea').isVisible(), false, 'the list, not the chat');
    await phoneShot('phone-channels');

    // Tapping a server shows its channel list, not its first channel.
    await b.getByRole('link', { name: /^Crowd/ }).click();
    await b.waitForURL(/\/channels\/\d+$/);
    await b.getByRole('heading', { name: 'Crowd' }).waitFor();
    await b.getByRole('link', { name: /^general/ }).click();
    await b.locator('.composer textarea').waitFor();
    // The Back button returns to the channel list; the browser's Back then to the server before.
    await b.getByRole('link', { name: /^Back to channels/ }).click();
    await b.getByRole('heading', { name: 'Crowd' }).waitFor();
    assert.equal(await b.locator('.composer textarea').isVisible(), false);
    await b.goBack();
    await b.waitForURL(new RegExp(`/channels/${fireside}$`));
    await b.getByRole('heading', { name: 'Fireside' }).waitFor();

    // A swipe to the right across the chat goes back to the list too.
    await b.getByRole('link', { name: /^archive/ }).click();
    await message(bob, 'over here').waitFor();
    // (No named functions inside: tsx would wrap them in a helper the page lacks.)
    await b.locator('.main').evaluate((el) => {
      const start = new Touch({ identifier: 1, target: el, clientX: 20, clientY: 300 });
      const end = new Touch({ identifier: 1, target: el, clientX: 250, clientY: 300 });
      el.dispatchEvent(new TouchEvent('touchstart', { bubbles: true, touches: [start] }));
      el.dispatchEvent(new TouchEvent('touchend', { bubbles: true, changedTouches: [end] }));
    });
    await b.waitForURL(new RegExp(`/channels/${fireside}$`));
    await b.getByRole('link', { name: /^archive/ }).waitFor();
    await b.setViewportSize(desktop);
    // On a desktop the server opens at the channel last open there.
    await b.getByRole('link', { name: /^Crowd/ }).click();
    await b.getByRole('link', { name: /^Fireside/ }).click();
    await b.waitForURL(new RegExp(`/channels/${fireside}/${archive.id}$`));
    await message(bob, 'over here').waitFor();
  });

  test('settings list the sessions, and sign out everywhere ends them all', async () => {
    const a = alice.page;
    await a.getByRole('link', { name: 'User settings' }).click();
    await a
      .getByLabel('Avatar (PNG, JPEG, GIF or WebP)')
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
    await a.getByRole('dialog', { name: 'Crop your avatar' }).getByRole('button', { name: 'Apply' }).click();
    await a.locator('.settings-main img.avatar').waitFor();
    await a.getByLabel('Display name').fill('Alice A.');
    await a.getByRole('button', { name: 'Save' }).click();
    await a.getByText('Saved.').waitFor();
    await a.getByRole('link', { name: 'Sessions' }).click();
    await a.getByText('This device').waitFor();
    await shot(alice, 'settings-desktop');
    await shot(alice, 'settings-phone', phone);
    await a.getByRole('button', { name: 'Sign out everywhere' }).click();
    await a.waitForURL(/\/login$/);
    assert.equal(await a.evaluate(() => localStorage.getItem('hearth.tokens')), null);
  });

  test('a forgotten password is reset from the mailed link, which signs out every session', async () => {
    const b = bob.page;
    await b.getByRole('link', { name: 'User settings' }).click();
    await b.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await b.waitForURL(/\/login$/);
    await b.getByRole('link', { name: 'Forgot your password?' }).click();
    await b.getByLabel('Email or username').fill(bob.email);
    await b.getByRole('button', { name: 'Send reset link' }).click();
    await b.getByText('a link to choose a new password is on its way').waitFor();
    const mail = await h.mailTo(bob.email, { subject: /Reset/ });
    const link = mail.match(/http:\/\/\S+\/reset-password#token=\S+/)?.[0];
    assert.ok(link, 'the mail carries a /reset-password link');
    await b.goto(link);
    await b.getByLabel('New password').fill('a brand new password');
    await b.getByRole('button', { name: 'Set password' }).click();
    await b.getByText('every session was signed out').waitFor();
    await b.getByRole('link', { name: 'Sign in' }).click();
    await b.getByLabel('Email or username').fill(bob.name);
    await b.getByLabel('Password').fill('correct horse battery');
    await b.getByRole('button', { name: 'Sign in' }).click();
    await b.getByText('Login or password is invalid.').first().waitFor();
    await b.getByLabel('Password').fill('a brand new password');
    await b.getByRole('button', { name: 'Sign in' }).click();
    await b.waitForURL(/\/channels\/@me$/);
  });

  test('an invite link opened signed out names the server on the sign-in page', async () => {
    const b = bob.page;
    await b.evaluate(() => localStorage.removeItem('hearth.tokens'));
    await b.goto(inviteLink);
    await b.waitForURL(/\/login$/);
    await b.getByText(/You have been invited to join Fireside \(2 members\)/).waitFor();
    await shot(bob, 'invited-login-phone', phone);
  });
});
