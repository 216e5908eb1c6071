// Groups in the web app (ADR 0031): the owner makes a server an approval-required group in server settings; bob
// finds it in the directory by search and asks to join; the owner approves him under Join requests; on a phone bob
// joins a public group found by its topic. Reports reach the owner under Reports. The owner sets the handle of the
// group's Mastodon account (a taken one is refused at the field), at desktop and phone width.
// Needs Debian's Chromium (`apt-get install -y chromium`); without it the suite says it skipped.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createGuild, type TestGuild } from '../../../server/test/guild-helpers';
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

describe('groups in the web app', { skip: chromiumSkip }, () => {
  let h: TestServer;
  let alice: Person;
  let bob: Person;
  let knitters: TestGuild;
  let ravens: TestGuild;
  let circle: TestGuild;

  before(async () => {
    h = await startWebHearth();
    [alice, bob] = [await signedInPerson(h, 'alice'), await signedInPerson(h, 'bob')];
    knitters = await createGuild(h, alice.user, 'Knitters');
    ravens = await createGuild(h, undefined, 'Ravens');
    circle = await createGuild(h, alice.user, 'Knitting circle');
    const made = await h.api('PATCH', `/guilds/${ravens.id}`, {
      token: ravens.owner.token,
      body: {
        description: 'Black birds',
        features: ['DISCOVERABLE'],
        hearth_group: { join_mode: 'public', tags: ['birds'] },
      },
    });
    assert.equal(made.status, 200, made.text);
    const forum = await h.api('POST', `/guilds/${ravens.id}/channels`, {
      token: ravens.owner.token,
      body: { name: 'sightings', type: 15 },
    });
    assert.equal(forum.status, 201, forum.text);
    const post = await h.api('POST', `/channels/${forum.body.id}/threads`, {
      token: ravens.owner.token,
      body: { name: 'A raven on the roof', message: { content: 'It was looking at me.' } },
    });
    assert.equal(post.status, 201, post.text);
    await h.api('POST', `/channels/${post.body.id}/messages`, {
      token: ravens.owner.token,
      body: { content: 'It came back the next day.' },
    });
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test('the owner makes the server a group; bob requests to join from the directory; the owner approves; a report reaches the owner', async () => {
    const a = alice.page;
    await a.goto(`${h.url}/channels/${knitters.id}/${knitters.textChannelId}`);
    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByLabel('Make this server a group').check();
    await a.getByLabel('Who can join').selectOption('approval');
    await a.getByLabel('List in the group directory').check();
    await a.getByLabel('Description').fill('Yarn and needles');
    await a.getByLabel('Rules').fill('Be kind.');
    await a.getByLabel(/^Topics/).fill('knitting, Yarn');
    await a.getByRole('button', { name: 'Save group settings' }).click();
    await a.getByRole('status').filter({ hasText: 'Group settings saved.' }).waitFor();
    await a.screenshot({ path: join(shots, 'group-settings-desktop.png') });
    const saved = await h.api('GET', `/guilds/${knitters.id}`, { token: alice.user.token });
    assert.deepEqual(saved.body.hearth_group, {
      join_mode: 'approval',
      rules: 'Be kind.',
      tags: ['knitting', 'yarn'],
      handle: null,
    });
    assert.ok(saved.body.features.includes('DISCOVERABLE'));
    await a.keyboard.press('Escape');

    const b = bob.page;
    await b.goto(`${h.url}/channels/@me`);
    await b.getByRole('link', { name: 'Find groups' }).click();
    await b.waitForURL(/\/groups$/);
    await b.getByLabel('Search groups').fill('knit');
    const groups = b.getByRole('list', { name: 'Groups' });
    const card = groups.getByRole('listitem', { name: 'Knitters' });
    await card.waitFor();
    await groups.getByRole('listitem', { name: 'Ravens' }).waitFor({ state: 'detached' });
    await card.getByText('Join by approval').waitFor();
    await card.getByRole('button', { name: 'Request to join' }).click();
    await card.getByRole('button', { name: 'Requested · Withdraw' }).waitFor();
    await b.screenshot({ path: join(shots, 'group-directory-desktop.png') });

    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByRole('tab', { name: 'Join requests' }).click();
    await a.getByRole('button', { name: `Approve ${bob.user.username}` }).click();
    await a.getByText('No one is waiting to join.').waitFor();
    await a.keyboard.press('Escape');
    // Bob is a member now: back from the directory, the server is on his rail (GUILD_CREATE came live).
    await b.getByRole('link', { name: '← Back' }).click();
    await b.getByRole('link', { name: /^Knitters/ }).waitFor();

    // Bob reports a message with the Report button; the owner, on her Reports tab, sees it come in live.
    await h.api('POST', `/channels/${knitters.textChannelId}/messages`, {
      token: alice.user.token,
      body: { content: 'Acrylic is the best yarn' },
    });
    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByRole('tab', { name: 'Reports' }).click();
    await a.getByText('No open reports.').waitFor();
    await b.goto(`${h.url}/channels/${knitters.id}/${knitters.textChannelId}`);
    const said = b.locator('.messages li.message', { hasText: 'Acrylic is the best yarn' });
    await said.hover();
    await said.getByRole('button', { name: 'Report' }).click();
    const dialog = b.getByRole('dialog', { name: 'Report message' });
    await dialog.getByLabel('Reason').selectOption('Breaks the rules');
    await dialog.getByLabel('What happened (optional)').fill('Heresy');
    await b.screenshot({ path: join(shots, 'report-message-desktop.png') });
    await dialog.getByRole('button', { name: 'Report' }).click();
    await dialog.getByText('the moderators have your report').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    const reports = a.getByRole('table', { name: 'Reports' });
    await reports.getByText('Acrylic is the best yarn').waitFor();
    await reports.getByText('Breaks the rules: Heresy').waitFor();
    await reports.getByRole('button', { name: 'Resolve' }).click();
    await a.getByText('No open reports.').waitFor();
    await a.keyboard.press('Escape');
  });

  test('alice reads a public group’s feed without joining it, under a Join bar', async () => {
    const a = alice.page;
    await a.setViewportSize(desktop);
    await a.goto(`${h.url}/groups`);
    const card = a.getByRole('list', { name: 'Groups' }).getByRole('listitem', { name: 'Ravens' });
    await card.getByRole('button', { name: 'Preview' }).click();
    await a.waitForURL(new RegExp(`/groups/${ravens.id}$`));
    const bar = a.getByRole('region', { name: 'Join this group' });
    await bar.getByText('You are previewing Ravens.').waitFor();
    await a.getByRole('button', { name: 'A raven on the roof' }).click();
    const post = a.getByRole('article', { name: 'A raven on the roof' });
    await post.getByText('It was looking at me.').waitFor();
    await post.getByText('It came back the next day.').waitFor();
    // Read-only: no composer anywhere; still not a member.
    assert.equal(await a.getByRole('textbox').count(), 0);
    await a.screenshot({ path: join(shots, 'group-preview-desktop.png') });
    const still = await h.api('GET', `/guilds/${ravens.id}/members/${alice.user.id}`, {
      token: ravens.owner.token,
    });
    assert.equal(still.status, 404);
  });

  test('on a phone bob finds a public group by its topic, previews it and joins it from the bar', async () => {
    const b = bob.page;
    await b.setViewportSize(phone);
    await b.goto(`${h.url}/groups`);
    const groups = b.getByRole('list', { name: 'Groups' });
    const card = groups.getByRole('listitem', { name: 'Ravens' });
    await card.getByRole('button', { name: '#birds' }).click();
    await b.getByRole('button', { name: 'Stop filtering by birds' }).waitFor();
    await groups.getByRole('listitem', { name: 'Knitters' }).waitFor({ state: 'detached' });
    await card.getByText('Anyone can join').waitFor();
    const width = await b.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= phone.width, `no sideways scrolling on a phone (${width}px)`);
    await b.screenshot({ path: join(shots, 'group-directory-phone.png') });
    await card.getByRole('button', { name: 'Preview' }).click();
    await b.getByRole('button', { name: 'A raven on the roof' }).click();
    await b.getByText('It came back the next day.').waitFor();
    const previewWidth = await b.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(previewWidth <= phone.width, `no sideways scrolling in the preview (${previewWidth}px)`);
    await b.screenshot({ path: join(shots, 'group-preview-phone.png') });
    await b.getByRole('region', { name: 'Join this group' }).getByRole('button', { name: 'Join' }).click();
    await b.waitForURL(new RegExp(`/channels/${ravens.id}`));
    const members = await h.api('GET', `/guilds/${ravens.id}/members/${bob.user.id}`, {
      token: ravens.owner.token,
    });
    assert.equal(members.status, 200, members.text);
    await b.setViewportSize(desktop);
  });

  test('the owner sets the handle; a taken one is refused at the field', async () => {
    const a = alice.page;
    await a.setViewportSize(desktop);
    await a.goto(`${h.url}/channels/${circle.id}/${circle.textChannelId}`);
    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByLabel('Make this server a group').check();
    await a.getByLabel('Who can join').selectOption('public');
    const handle = a.getByLabel(/^Handle/);
    // Bob's username is his: the group cannot take it.
    await handle.fill(bob.user.username);
    await a.getByRole('button', { name: 'Save group settings' }).click();
    const taken = a.getByText('This handle is taken.');
    await taken.waitFor();
    assert.equal(await handle.getAttribute('aria-invalid'), 'true');
    await a.screenshot({ path: join(shots, 'group-handle-taken-desktop.png') });
    const refused = await h.api('GET', `/guilds/${circle.id}`, { token: alice.user.token });
    assert.equal(refused.body.hearth_group, null, 'nothing was saved');

    const mine = `knit_circle_${circle.id.slice(-6)}`;
    await handle.fill(`@${mine}`);
    await a.getByRole('button', { name: 'Save group settings' }).click();
    await a.getByRole('status').filter({ hasText: 'Group settings saved.' }).waitFor();
    await taken.waitFor({ state: 'detached' });
    const saved = await h.api('GET', `/guilds/${circle.id}`, { token: alice.user.token });
    assert.equal(saved.body.hearth_group.handle, mine);
    assert.equal(saved.body.hearth_group.join_mode, 'public');
    // The group's Mastodon account answers to it.
    const account = await h.api('GET', `/api/v1/accounts/lookup?acct=${mine}`, {
      token: `Bearer ${bob.user.token}`,
    });
    assert.equal(account.status, 200, account.text);
    assert.equal(account.body.id, circle.id);
    assert.equal(account.body.group, true);
    await a.keyboard.press('Escape');
  });

  test('on a phone the owner reads and changes the handle; a member who may not manage the server has no settings', async () => {
    const a = alice.page;
    await a.goto(`${h.url}/channels/${circle.id}/${circle.textChannelId}`);
    await a.getByRole('button', { name: 'Server settings' }).click();
    // The settings dialog, narrowed to a phone's width.
    await a.setViewportSize(phone);
    const handle = a.getByLabel(/^Handle/);
    const before = await handle.inputValue();
    assert.match(before, /^knit_circle_/);
    await handle.fill(`${before}_x`);
    await a.getByRole('button', { name: 'Save group settings' }).click();
    await a.getByRole('status').filter({ hasText: 'Group settings saved.' }).waitFor();
    const width = await a.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= phone.width, `no sideways scrolling on a phone (${width}px)`);
    await a.screenshot({ path: join(shots, 'group-handle-phone.png') });
    const saved = await h.api('GET', `/guilds/${circle.id}`, { token: alice.user.token });
    assert.equal(saved.body.hearth_group.handle, `${before}_x`);
    await a.keyboard.press('Escape');
    await a.setViewportSize(desktop);

    // Bob joins (a public group) and has no server settings to change it with.
    const joined = await h.api('POST', `/api/v1/accounts/${circle.id}/follow`, {
      token: `Bearer ${bob.user.token}`,
    });
    assert.equal(joined.status, 200, joined.text);
    const b = bob.page;
    await b.goto(`${h.url}/channels/${circle.id}/${circle.textChannelId}`);
    await b.getByRole('link', { name: /^Knitting circle/ }).waitFor();
    assert.equal(await b.getByRole('button', { name: 'Server settings' }).count(), 0);
    const denied = await h.api('PATCH', `/guilds/${circle.id}`, {
      token: bob.user.token,
      body: { hearth_group: { handle: 'bobs_now' } },
    });
    assert.equal(denied.status, 403, denied.text);
  });
});
