// Apps a person adds to their own account (Discord's user install, issue 20), in Chromium against a real Hearth on
// PGlite with an unmodified @discordjs/core bot: its developer turns user install on; Alice opens its install link
// and adds it to her apps; in a group DM its bot is not in, typing `/` lists its commands, one is run with an option
// and its answer appears as the app's message in the group DM (and an ephemeral one as "Only you can see this"), at
// desktop and phone width; Settings → Authorized apps lists it and removes it, and the group DM offers it no more.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type APIInteraction, type Client, InteractionType } from '@discordjs/core';
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
import { type CommandBot, startCommandBot } from './command-bot';

let h: TestServer;
let alice: Person;
let groupId: string;
let bot: CommandBot;
const seen: APIInteraction[] = [];

async function answer(api: Client['api'], i: APIInteraction): Promise<void> {
  seen.push(i);
  if (i.type !== InteractionType.ApplicationCommand) return;
  const opts = ('options' in i.data ? (i.data.options ?? []) : []) as Array<{ name: string; value: unknown }>;
  if (i.data.name === 'note') {
    const text = opts.find((o) => o.name === 'text')?.value;
    await api.interactions.reply(i.id, i.token, { content: `noted: ${text}` });
  } else if (i.data.name === 'quiet') {
    await api.interactions.reply(i.id, i.token, { content: 'just between us', flags: 64 });
  } else if (i.data.name === 'Quote it' && 'target_id' in i.data) {
    const target = (i.data.resolved as { messages?: Record<string, { content: string }> })?.messages?.[
      i.data.target_id as string
    ];
    await api.interactions.reply(i.id, i.token, { content: `quoted: ${target?.content}` });
  }
}

async function openGroup(p: Page): Promise<void> {
  await p.goto(`${h.url}/channels/@me/${groupId}`);
  await p.locator('.composer textarea').waitFor();
}

/** Typing `/no` loads the group DM's command index; once it has come, no picker shows. */
async function noCommandsOffered(p: Page): Promise<void> {
  const loaded = p.waitForResponse((r) => r.url().includes(`/channels/${groupId}/application-command-index`));
  await p.locator('.composer textarea').pressSequentially('/no');
  const res = await loaded;
  assert.deepEqual((await res.json()).application_commands, []);
  await p.locator('.composer textarea').press('End');
  assert.equal(await p.getByRole('listbox', { name: 'Commands' }).count(), 0);
}

describe('apps added to an account, used in a group DM', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth({ interactionDeadlineMs: 60_000 });
    alice = await signedInPerson(h, 'userappalice');
    const dev = await h.register({ username: `userappdev_${process.pid.toString(36)}` });
    const home = await h.api('POST', '/guilds', { token: dev.token, body: { name: 'Dev Home' } });
    bot = await startCommandBot(h, {
      owner: dev,
      guildId: home.body.id,
      name: 'Pocket Notes',
      permissions: '0',
      answer,
    });
    const { client } = bot;
    await client.api.applications.editCurrent({ integration_types_config: { 0: {}, 1: {} } });
    await client.api.applicationCommands.bulkOverwriteGlobalCommands(bot.applicationId, [
      {
        name: 'note',
        description: 'Notes something',
        integration_types: [1],
        contexts: [0, 1, 2],
        options: [{ type: 3, name: 'text', description: 'What to note', required: true }],
      },
      { name: 'quiet', description: 'Answers you alone', integration_types: [1], contexts: [2] },
      { name: 'Quote it', type: 3, integration_types: [1], contexts: [0, 1, 2] },
      { name: 'serveronly', description: 'Of the guild installation', contexts: [0, 1, 2] },
    ]);
    const bob = await h.register({ username: `userappbob_${process.pid.toString(36)}` });
    const carol = await h.register({ username: `userappcarol_${process.pid.toString(36)}` });
    const group = await h.api('POST', '/users/@me/channels', {
      token: alice.user.token,
      body: { recipients: [bob.id, carol.id] },
    });
    assert.equal(group.status, 200, group.text);
    groupId = group.body.id;
  });
  after(async () => {
    await closePeople([alice]);
    await bot?.gateway.destroy();
    await h?.close();
  });

  test('Alice adds the app to her account from its install link', async () => {
    const a = alice.page;
    // Before: the group DM offers nothing.
    await openGroup(a);
    await noCommandsOffered(a);
    await a.locator('.composer textarea').fill('');
    await a.goto(
      `${h.url}/oauth2/authorize?client_id=${bot.applicationId}&scope=applications.commands&integration_type=1`,
    );
    const form = a.getByRole('form', { name: 'Add to my apps' });
    await form.waitFor();
    await a.getByRole('heading', { name: 'Pocket Notes' }).waitFor();
    await a.screenshot({ path: join(shots, 'user-apps-authorize-desktop.png') });
    await form.getByRole('button', { name: 'Add to my apps' }).click();
    await a.getByRole('status').getByText('Pocket Notes was added to your apps.').waitFor();
    await a.goto(`${h.url}/settings/apps`);
    await a.getByRole('list', { name: 'Authorized apps' }).getByText('Pocket Notes').waitFor();
  });

  test("in the group DM: `/` lists her app's commands; /note is answered as the app, for all to see", async () => {
    const a = alice.page;
    await openGroup(a);
    const box = a.locator('.composer textarea');
    await box.pressSequentially('/');
    const picker = a.getByRole('listbox', { name: 'Commands' });
    await picker.getByRole('option', { name: '/note' }).waitFor();
    await picker.getByRole('option', { name: '/quiet' }).waitFor();
    await picker.getByText('Pocket Notes').waitFor();
    assert.equal(await picker.getByRole('option', { name: '/serveronly' }).count(), 0);
    await a.screenshot({ path: join(shots, 'user-apps-group-picker-desktop.png') });
    await box.pressSequentially('no');
    await box.press('Enter');
    const form = a.getByRole('form', { name: 'Options of /note' });
    await form.getByLabel(/text/).fill('buy bread');
    await form.getByLabel(/text/).press('Enter');
    const log = a.getByRole('log');
    await log.getByText('noted: buy bread').waitFor();
    await log.getByText('used /note').waitFor();
    await a.screenshot({ path: join(shots, 'user-apps-group-answer-desktop.png') });
    const i = seen.find((s) => s.type === InteractionType.ApplicationCommand && s.data.name === 'note')!;
    assert.equal(i.context, 2);
    assert.deepEqual(i.authorizing_integration_owners, { 1: alice.user.id });
    assert.equal(i.channel?.id, groupId);
    // A message of the group DM, by the app's bot: everyone in it reads it in its history.
    const history = await h.api('GET', `/channels/${groupId}/messages`, { token: alice.user.token });
    const answered = history.body.find((m: { content: string }) => m.content === 'noted: buy bread');
    assert.equal(answered.application_id, bot.applicationId);
  });

  test("a message's Apps menu in the group DM offers her app's message command; its answer quotes the message", async () => {
    const a = alice.page;
    await openGroup(a);
    const log = a.getByRole('log');
    const row = log.locator('li.message', { has: a.getByText('noted: buy bread', { exact: true }) });
    await row.waitFor();
    await row.hover();
    await row.getByRole('button', { name: 'Apps' }).click();
    await row.getByRole('menuitem', { name: 'Quote it' }).click();
    await log.getByText('quoted: noted: buy bread').waitFor();
    const i = seen.find((s) => s.type === InteractionType.ApplicationCommand && s.data.name === 'Quote it')!;
    assert.equal(i.context, 2);
    assert.deepEqual(i.authorizing_integration_owners, { 1: alice.user.id });
  });

  test('at phone width: /quiet answers her alone, shown as only hers', async () => {
    const a = alice.page;
    await a.setViewportSize(phone);
    await openGroup(a);
    const box = a.locator('.composer textarea');
    await box.pressSequentially('/qu');
    await a.getByRole('listbox', { name: 'Commands' }).getByRole('option', { name: '/quiet' }).waitFor();
    await a.screenshot({ path: join(shots, 'user-apps-group-picker-phone.png') });
    await box.press('Enter');
    await a.getByRole('button', { name: 'Send /quiet' }).click();
    const log = a.getByRole('log');
    await log.getByText('just between us').waitFor();
    await log.getByText('Only you can see this').waitFor();
    await a.screenshot({ path: join(shots, 'user-apps-group-ephemeral-phone.png') });
    const history = await h.api('GET', `/channels/${groupId}/messages`, { token: alice.user.token });
    assert.ok(!history.body.some((m: { content: string }) => m.content === 'just between us'));
    await a.setViewportSize(desktop);
  });

  test('Settings → Authorized apps removes it; the group DM offers its commands no more', async () => {
    const a = alice.page;
    await a.goto(`${h.url}/settings/apps`);
    await a.getByRole('button', { name: 'Remove Pocket Notes' }).click();
    await a.getByText('No apps are added to your account.').waitFor();
    assert.deepEqual((await h.api('GET', '/oauth2/tokens', { token: alice.user.token })).body, []);
    // A fresh page: the picker's index is loaded anew (a loaded one is reused for half a minute).
    await openGroup(a);
    await noCommandsOffered(a);
    assert.deepEqual(bot.errors, []);
  });
});
