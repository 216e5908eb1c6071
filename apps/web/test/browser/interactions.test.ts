// Slash commands, components and modals in the web app (issue 20, ADR 0039), in Chromium against a real Hearth on
// PGlite with an unmodified @discordjs/core bot on the gateway: a person picks a command by typing `/`, fills its
// options (a bound checked, autocomplete answered by the bot) and sees the reply; an ephemeral answer only they see,
// dismissed; a deferred answer ("is thinking…") then edited and followed up; a button whose click updates the
// message; a select; a modal submitted; a command the bot never answers shown as failed; a member lacking a command's
// permission does not see it; a user command from a profile; at phone width, a message's Apps menu runs a message
// command, and a reload forgets an ephemeral answer.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type APIInteraction, type Client, InteractionType, MessageFlags } from '@discordjs/core';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { interactions } from '../../../server/src/store/schema';
import { join as joinGuild } from '../../../server/test/guild-helpers';
import { runJobsNow, type TestServer } from '../../../server/test/harness';
import {
  chromiumSkip,
  closePeople,
  desktop,
  type Person,
  phone,
  shots,
  signedInPerson,
  signInWithTokens,
  startWebHearth,
} from './chromium';
import { type CommandBot, startCommandBot } from './command-bot';

let h: TestServer;
let alice: Person;
let bob: Person;
let guildId: string;
let channelId: string;
let applicationId: string;
let bobId: string;
let bot: CommandBot;

/** How the bot answers each command, component and modal (`ghost` it never answers). */
async function answer(api: Client['api'], i: APIInteraction): Promise<void> {
  if (i.type === InteractionType.ApplicationCommandAutocomplete) {
    const typed = String(
      (i.data.options.find((o) => 'focused' in o && o.focused) as { value?: string } | undefined)?.value ??
        '',
    );
    const colours = ['green', 'grey', 'blue'].filter((c) => c.startsWith(typed));
    await api.interactions.createAutocompleteResponse(i.id, i.token, {
      choices: colours.map((c) => ({ name: `colour ${c}`, value: c })),
    });
    return;
  }
  if (i.type === InteractionType.MessageComponent) {
    const content =
      'values' in i.data ? `chose ${i.data.values.join(' and ')}` : `clicked ${i.data.custom_id}`;
    await api.interactions.updateMessage(i.id, i.token, { content });
    return;
  }
  if (i.type === InteractionType.ModalSubmit) {
    const row = i.data.components[0] as { components?: Array<{ value?: string }> } | undefined;
    const value = row?.components?.[0]?.value;
    await api.interactions.reply(i.id, i.token, { content: `you asked: ${value}` });
    return;
  }
  if (i.type !== InteractionType.ApplicationCommand) return;
  const name = i.data.name;
  const opts = ('options' in i.data ? (i.data.options ?? []) : []) as Array<{ name: string; value: unknown }>;
  const opt = (n: string) => opts.find((o) => o.name === n)?.value;
  if (name === 'roll') {
    await api.interactions.reply(i.id, i.token, {
      content: `rolled a d${opt('sides')}${opt('colour') ? ` in ${opt('colour')}` : ''}`,
    });
  } else if (name === 'secret') {
    await api.interactions.reply(i.id, i.token, {
      content: 'for your eyes only',
      flags: MessageFlags.Ephemeral,
    });
  } else if (name === 'slow') {
    await api.interactions.defer(i.id, i.token);
    await new Promise((r) => setTimeout(r, 1500));
    await api.interactions.editReply(i.application_id, i.token, { content: 'done slowly' });
    await api.interactions.followUp(i.application_id, i.token, { content: 'and one more thing' });
  } else if (name === 'panel') {
    await api.interactions.reply(i.id, i.token, {
      content: 'a panel',
      components: [
        {
          type: 1,
          components: [
            { type: 2, style: 1, custom_id: 'up', label: 'Up' },
            { type: 2, style: 4, custom_id: 'off', label: 'Off', disabled: true },
            { type: 2, style: 5, url: 'https://example.com/', label: 'Docs' },
          ],
        },
        {
          type: 1,
          components: [
            {
              type: 3,
              custom_id: 'flavour',
              placeholder: 'Pick a flavour',
              options: [
                { label: 'Vanilla', value: 'vanilla' },
                { label: 'Mint', value: 'mint' },
              ],
            },
          ],
        },
      ],
    });
  } else if (name === 'ask') {
    await api.interactions.createModal(i.id, i.token, {
      custom_id: 'ask',
      title: 'Ask the bot',
      components: [
        {
          type: 1,
          components: [
            { type: 4, custom_id: 'q', label: 'Your question', style: 2, required: true, min_length: 3 },
          ],
        },
      ],
    });
  } else if (name === 'Quote') {
    const target = 'target_id' in i.data ? i.data.target_id : undefined;
    await api.interactions.reply(i.id, i.token, { content: `quoted ${target ? 'it' : '?'}` });
  } else if (name === 'Wave') {
    const target = 'target_id' in i.data ? i.data.target_id : undefined;
    await api.interactions.reply(i.id, i.token, { content: `waved at ${target === bobId ? 'bob' : '?'}` });
  } else if (name === 'attach') {
    // The person's file (an attachment option) comes in `resolved`; the answer carries a file of its own.
    const id = opt('file') as string;
    const file = (
      i.data as { resolved?: { attachments?: Record<string, { filename: string; url: string }> } }
    ).resolved?.attachments?.[id];
    const text = file ? await (await fetch(file.url)).text() : '';
    await api.interactions.reply(i.id, i.token, {
      content: `got ${file?.filename} saying "${text}"`,
      files: [{ name: 'receipt.txt', data: Buffer.from('received') }],
    });
  } else if (name === 'admin') {
    await api.interactions.reply(i.id, i.token, { content: 'admin things' });
  }
  // `ghost`: never answered, so the deadline fails it.
}

async function openChannel(p: Page): Promise<void> {
  await p.goto(`${h.url}/channels/${guildId}/${channelId}`);
  await p.locator('.composer textarea').waitFor();
}

/** Types `/` and the start of a command's name, chooses it with Enter and waits for its options. */
async function pickCommand(p: Page, typed: string, label: string): Promise<void> {
  const box = p.locator('.composer textarea');
  await box.fill('');
  await box.pressSequentially(`/${typed}`);
  await p.getByRole('listbox', { name: 'Commands' }).getByRole('option', { name: label }).waitFor();
  await box.press('Enter');
  await p.getByRole('form', { name: `Options of ${label}` }).waitFor();
}

function log(p: Page) {
  return p.getByRole('log');
}

async function shot(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: join(shots, `${name}.png`) });
}

describe('slash commands, components and modals in the web app', { skip: chromiumSkip }, () => {
  before(async () => {
    // Long enough for a bot on a loaded machine; `ghost` does not wait it out (its deadline job is run at once: when
    // the deadline fires is timed in the scenario tests, what the web app shows of it here).
    h = await startWebHearth({ interactionDeadlineMs: 30_000 });
    alice = await signedInPerson(h, 'cmdalice');
    const guild = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Command Hall' } });
    assert.equal(guild.status, 201);
    guildId = guild.body.id;
    const channels = await h.api('GET', `/guilds/${guildId}/channels`, { token: alice.user.token });
    channelId = channels.body.find((c: { type: number }) => c.type === 0).id;
    bot = await startCommandBot(h, {
      owner: alice.user,
      guildId,
      name: 'Dice Bot',
      permissions: '8',
      answer,
    });
    applicationId = bot.applicationId;
    await bot.client.api.applicationCommands.bulkOverwriteGuildCommands(applicationId, guildId, [
      {
        name: 'roll',
        description: 'Rolls a die',
        options: [
          {
            type: 4,
            name: 'sides',
            description: 'How many sides',
            required: true,
            min_value: 2,
            max_value: 100,
          },
          { type: 3, name: 'colour', description: 'Its colour', autocomplete: true },
        ],
      },
      { name: 'secret', description: 'Tells only you' },
      { name: 'slow', description: 'Takes its time' },
      { name: 'panel', description: 'Shows buttons' },
      { name: 'ask', description: 'Asks you something' },
      { name: 'ghost', description: 'Never answers' },
      {
        name: 'attach',
        description: 'Takes a file',
        options: [{ type: 11, name: 'file', description: 'The file', required: true }],
      },
      // MANAGE_GUILD: the owner sees it, a plain member does not.
      { name: 'admin', description: 'For managers', default_member_permissions: '32' },
      { name: 'Quote', type: 3 },
      { name: 'Wave', type: 2 },
    ]);
    bob = await signedInPerson(h, 'cmdbob');
    bobId = bob.user.id;
    await joinGuild(h, { id: guildId, owner: alice.user, textChannelId: channelId } as never, bob.user);
    await signInWithTokens(bob.page, h.url, bob.user);
  });
  after(async () => {
    await closePeople([alice, bob]);
    await bot?.gateway.destroy();
    await h?.close();
  });

  test('pick /roll by typing, a bound refused, autocomplete from the bot, the reply', async () => {
    const a = alice.page;
    await openChannel(a);
    const box = a.locator('.composer textarea');
    await box.pressSequentially('/');
    const picker = a.getByRole('listbox', { name: 'Commands' });
    await picker.getByRole('option', { name: '/roll' }).waitFor();
    await picker.getByText('Dice Bot').waitFor();
    // The filter keeps what starts with what is typed; the arrows move the choice; Esc closes.
    await box.pressSequentially('s');
    await picker.getByRole('option', { name: '/secret' }).waitFor();
    assert.equal(await picker.getByRole('option', { name: '/roll' }).count(), 0);
    await box.press('Escape');
    assert.equal(await box.inputValue(), '');
    await shot(a, 'interactions-picker-desktop');

    await box.pressSequentially('/');
    await picker.getByRole('option', { name: '/roll' }).waitFor();
    await pickCommand(a, 'rol', '/roll');
    const form = a.getByRole('form', { name: 'Options of /roll' });
    await form.getByLabel(/sides/).fill('1');
    await form.getByRole('button', { name: 'Send /roll' }).click();
    await form.getByText('At least 2.').waitFor();
    await form.getByLabel(/sides/).fill('20');
    await form.getByLabel(/colour/).pressSequentially('gr');
    await form.getByRole('option', { name: 'colour green' }).click();
    const chips = form.getByRole('list', { name: 'Options filled' });
    assert.deepEqual(await chips.getByRole('listitem').allInnerTexts(), ['sides: 20', 'colour: green']);
    await shot(a, 'interactions-options-desktop');
    await form.getByLabel(/sides/).press('Enter');
    await log(a).getByText('rolled a d20 in green').waitFor();
    await log(a).getByText('used /roll').waitFor();
  });

  test('an ephemeral answer only the invoker sees, dismissed', async () => {
    const a = alice.page;
    await openChannel(bob.page);
    await pickCommand(a, 'secret', '/secret');
    await a.getByRole('button', { name: 'Send /secret' }).click();
    const note = log(a).getByText('Only you can see this');
    await note.waitFor();
    await log(a).getByText('for your eyes only').waitFor();
    // Bob sees what came after it, never it.
    await h.api('POST', `/channels/${channelId}/messages`, {
      token: alice.user.token,
      body: { content: 'after' },
    });
    await log(bob.page).getByText('after', { exact: true }).waitFor();
    assert.equal(await log(bob.page).getByText('for your eyes only').count(), 0);
    await log(a).getByRole('button', { name: 'Dismiss message' }).click();
    await log(a).getByText('for your eyes only').waitFor({ state: 'detached' });
  });

  test('an attachment option: a file picked in the form reaches the bot, whose answer has a file', async () => {
    const a = alice.page;
    await pickCommand(a, 'attach', '/attach');
    const form = a.getByRole('form', { name: 'Options of /attach' });
    await form.getByRole('button', { name: 'Send /attach' }).click();
    await form.getByText('Choose a file.').waitFor();
    await form.getByLabel(/file/).setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('hello bot'),
    });
    await form.getByRole('button', { name: 'Send /attach' }).click();
    await log(a).getByText('got notes.txt saying "hello bot"').waitFor();
    await log(a)
      .getByRole('link', { name: /receipt\.txt/ })
      .waitFor();
    await shot(a, 'interactions-attachment-desktop');
  });

  test('a deferred answer shows the bot thinking, then the edit and a follow-up', async () => {
    const a = alice.page;
    await pickCommand(a, 'slow', '/slow');
    await a.getByRole('button', { name: 'Send /slow' }).click();
    await log(a).getByText('Dice Bot is thinking…').waitFor();
    await log(a).getByText('done slowly').waitFor();
    await log(a).getByText('and one more thing').waitFor();
    assert.equal(await log(a).getByText('is thinking…').count(), 0);
  });

  test('a button click updates its message; a disabled one and a link; a select', async () => {
    const a = alice.page;
    await pickCommand(a, 'panel', '/panel');
    await a.getByRole('button', { name: 'Send /panel' }).click();
    await log(a).getByText('a panel').waitFor();
    assert.equal(await log(a).getByRole('button', { name: 'Off' }).isDisabled(), true);
    assert.equal(
      await log(a).getByRole('link', { name: /Docs/ }).getAttribute('href'),
      'https://example.com/',
    );
    await log(a).getByRole('button', { name: 'Up' }).click();
    await log(a).getByText('clicked up').waitFor();
    await log(a)
      .getByRole('button', { name: /Pick a flavour/ })
      .click();
    await log(a).getByRole('option', { name: 'Mint' }).click();
    await log(a).getByText('chose mint').waitFor();
    // Bob saw the same message change.
    await log(bob.page).getByText('chose mint').waitFor();
    await shot(a, 'interactions-components-desktop');
  });

  test('a modal: shown, Esc closes it, submitted', async () => {
    const a = alice.page;
    await pickCommand(a, 'ask', '/ask');
    await a.getByRole('button', { name: 'Send /ask' }).click();
    const dialog = a.getByRole('dialog', { name: 'Ask the bot' });
    await dialog.waitFor();
    await a.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await pickCommand(a, 'ask', '/ask');
    await a.getByRole('button', { name: 'Send /ask' }).click();
    await dialog.waitFor();
    await dialog.getByLabel(/Your question/).fill('why is the sky blue');
    await shot(a, 'interactions-modal-desktop');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await dialog.waitFor({ state: 'detached' });
    await log(a).getByText('you asked: why is the sky blue').waitFor();
  });

  test('a command the bot never answers is shown as failed', async () => {
    const a = alice.page;
    await pickCommand(a, 'ghost', '/ghost');
    await a.getByRole('button', { name: 'Send /ghost' }).click();
    await a.getByText('Sending command…').waitFor();
    // Its deadline, now instead of in 30 s (the job is enqueued with the interaction, maybe just after the click).
    for (const until = Date.now() + 30_000; ; ) {
      const pending = await h.app.database.db
        .select({ id: interactions.id })
        .from(interactions)
        .where(and(eq(interactions.userId, alice.user.id), eq(interactions.state, 'pending')));
      let moved = 0;
      for (const p of pending) moved += await runJobsNow(h, 'interactions.deadline', { interactionId: p.id });
      if (moved) break;
      assert.ok(Date.now() < until, "the unanswered command's deadline job was never queued");
      await new Promise((r) => setTimeout(r, 50));
    }
    await a.getByText('The application did not respond').waitFor({ timeout: 30_000 });
    await a.getByRole('button', { name: 'Dismiss' }).click();
    await a.getByText('The application did not respond').waitFor({ state: 'detached' });
  });

  test("a user command from a member's profile", async () => {
    const a = alice.page;
    await openChannel(bob.page);
    await bob.page.locator('.composer textarea').fill('hello from bob');
    await bob.page.locator('.composer textarea').press('Enter');
    const said = log(a).locator('li.message', { has: a.getByText('hello from bob', { exact: true }) });
    await said.locator('button.author').click();
    const profile = a.getByRole('dialog');
    await profile.getByRole('button', { name: 'Apps' }).click();
    await profile.getByRole('menuitem', { name: 'Wave' }).click();
    await log(a).getByText('waved at bob').waitFor();
  });

  test('a member lacking a command permission does not see it', async () => {
    const a = alice.page;
    const box = a.locator('.composer textarea');
    await box.fill('');
    await box.pressSequentially('/ad');
    await a.getByRole('listbox', { name: 'Commands' }).getByRole('option', { name: '/admin' }).waitFor();
    await box.press('Escape');

    const b = bob.page;
    const bobBox = b.locator('.composer textarea');
    await bobBox.pressSequentially('/');
    const picker = b.getByRole('listbox', { name: 'Commands' });
    await picker.getByRole('option', { name: '/roll' }).waitFor();
    assert.equal(await picker.getByRole('option', { name: '/admin' }).count(), 0);
    await bobBox.press('Escape');
    assert.deepEqual(bot.errors, []);
  });

  test('at phone width: a message command from the Apps menu', async () => {
    const a = alice.page;
    await a.setViewportSize(phone);
    await openChannel(a);
    const target = log(a).getByText('after', { exact: true });
    await target.waitFor();
    const row = log(a).locator('li.message', { has: a.getByText('after', { exact: true }) });
    await row.hover();
    await row.getByRole('button', { name: 'Apps' }).click();
    await row.getByRole('menuitem', { name: 'Quote' }).click();
    await log(a).getByText('quoted it').waitFor();
    await shot(a, 'interactions-apps-phone');
    await pickCommand(a, 'secret', '/secret');
    await a.getByRole('button', { name: 'Send /secret' }).click();
    await log(a).getByText('Only you can see this').waitFor();
    await shot(a, 'interactions-ephemeral-phone');
    // Like Discord's client, an ephemeral message lives in memory only: a reload does not bring it back.
    await openChannel(a);
    await log(a).getByText('quoted it').waitFor();
    assert.equal(await log(a).getByText('for your eyes only').count(), 0);
    await a.setViewportSize(desktop);
  });

  test('options typed inline run the command; a required one missing is said, then filled (desktop, phone)', async () => {
    const a = alice.page;
    await openChannel(a);
    const box = a.locator('.composer textarea');
    await box.pressSequentially('/roll sides:12 colour:blue');
    const running = a.getByRole('status', { name: 'Running /roll' });
    await running.waitFor();
    assert.match(await running.innerText(), /sides:12 colour:blue/);
    await shot(a, 'interactions-inline-desktop');
    await box.press('Enter');
    await log(a).getByText('rolled a d12 in blue').waitFor();
    assert.equal(await box.inputValue(), '');
    assert.equal(await log(a).getByText('/roll sides:12').count(), 0, 'not sent as a message');

    await a.setViewportSize(phone);
    await openChannel(a);
    await box.pressSequentially('/roll colour:grey');
    assert.match(await running.innerText(), /sides: \(required\)/);
    await box.press('Enter');
    const form = a.getByRole('form', { name: 'Options of /roll' });
    await form.getByText('/roll needs the option sides.').waitFor();
    await form.getByText('This option is required.').waitFor();
    assert.equal(await form.getByLabel(/colour/).inputValue(), 'grey');
    await shot(a, 'interactions-inline-missing-phone');
    await form.getByLabel(/sides/).fill('8');
    await form.getByLabel(/sides/).press('Enter');
    await log(a).getByText('rolled a d8 in grey').waitFor();
    await a.setViewportSize(desktop);
  });
});
