import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  ModalBuilder,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { type BotWorld, botWorld } from '../bots/bot-setup';
import { TestGateway } from '../gateway-client';
import { join } from '../guild-helpers';
import type { TestUser } from '../harness';

// An unmodified discord.js bot answering interactions that people invoke against Hearth (ADR 0039): reply, ephemeral
// reply, deferReply + editReply + followUp, buttons and update, showModal and the submit, autocomplete.

let world: BotWorld;
let client: Client;
let alice: TestUser;
let bob: TestUser;
let aliceGw: TestGateway;
let bobGw: TestGateway;
const commandIds = new Map<string, string>();
const errors: unknown[] = [];

const commands = [
  new SlashCommandBuilder()
    .setName('ping')
    .setDescription('Pong')
    .addStringOption((o) => o.setName('topic').setDescription('Topic').setAutocomplete(true))
    .addUserOption((o) => o.setName('who').setDescription('Who')),
  new SlashCommandBuilder().setName('secret').setDescription('Only you'),
  new SlashCommandBuilder().setName('slow').setDescription('Thinks first'),
  new SlashCommandBuilder().setName('choose').setDescription('Buttons'),
  new SlashCommandBuilder().setName('form').setDescription('A modal'),
  new SlashCommandBuilder()
    .setName('upload')
    .setDescription('Takes a file')
    .addAttachmentOption((o) => o.setName('file').setDescription('The file').setRequired(true)),
];

async function answer(i: Interaction): Promise<void> {
  if (i.isAutocomplete()) {
    const typed = String(i.options.getFocused());
    await i.respond([{ name: `${typed}-alpha`, value: `${typed}-alpha` }]);
  } else if (i.isChatInputCommand()) {
    if (i.commandName === 'ping') {
      const who = i.options.getUser('who');
      await i.reply(`pong ${i.options.getString('topic') ?? ''} ${who?.username ?? ''}`.trim());
    } else if (i.commandName === 'secret') {
      await i.reply({ content: 'only you', flags: MessageFlags.Ephemeral });
    } else if (i.commandName === 'slow') {
      await i.deferReply();
      await i.editReply('done thinking');
      await i.followUp({ content: 'and a secret', flags: MessageFlags.Ephemeral });
    } else if (i.commandName === 'choose') {
      await i.reply({
        content: 'choose',
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId('yes').setLabel('Yes').setStyle(ButtonStyle.Primary),
            new ButtonBuilder().setURL('https://example.com/').setLabel('Docs').setStyle(ButtonStyle.Link),
          ),
        ],
      });
    } else if (i.commandName === 'upload') {
      // The person's file, read by its URL; the answers carry files (multipart callback, edit and follow-up).
      const file = i.options.getAttachment('file', true);
      const text = await (await fetch(file.url)).text();
      await i.deferReply();
      await i.editReply({
        content: `read ${file.name} (${file.size} bytes): ${text}`,
        files: [{ attachment: Buffer.from(text.toUpperCase()), name: 'shout.txt' }],
      });
      await i.followUp({ content: 'a copy', files: [{ attachment: Buffer.from(text), name: 'copy.txt' }] });
    } else if (i.commandName === 'form') {
      await i.showModal(
        new ModalBuilder()
          .setCustomId('feedback')
          .setTitle('Feedback')
          .addComponents(
            new ActionRowBuilder<TextInputBuilder>().addComponents(
              new TextInputBuilder().setCustomId('text').setLabel('Text').setStyle(TextInputStyle.Short),
            ),
          ),
      );
    }
  } else if (i.isButton() && i.customId === 'yes') {
    await i.update({ content: `chosen by ${i.user.username}`, components: [] });
  } else if (i.isModalSubmit() && i.customId === 'feedback') {
    await i.reply(`thanks: ${i.fields.getTextInputValue('text')}`);
  }
}

before(async () => {
  world = await botWorld('Interactive Bot', { config: { interactionDeadlineMs: 30_000 } });
  client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: `${world.h.url}/api`, retries: 0 },
  });
  client.on(Events.InteractionCreate, (i) => {
    answer(i).catch((err) => errors.push(err));
  });
  const ready = once(client, Events.ClientReady);
  await client.login(world.token);
  await ready;
  const set = await client.application!.commands.set(
    commands.map((c) => c.toJSON()),
    world.g.id,
  );
  for (const c of set.values()) commandIds.set(c.name, c.id);
  alice = await join(world.h, world.g);
  bob = await join(world.h, world.g);
  aliceGw = await TestGateway.identify(world.h, alice.token, {}, 1);
  bobGw = await TestGateway.identify(world.h, bob.token, {}, 1);
});

after(async () => {
  aliceGw?.close();
  bobGw?.close();
  await client?.destroy();
  await world?.h.close();
});

let nonces = 0;
/** Alice invokes: the route answers 204 and her own sessions get the echo. */
async function invoke(body: Record<string, unknown>, user: TestUser = alice) {
  const nonce = String(++nonces);
  const res = await world.h.api('POST', '/interactions', {
    token: user.token,
    body: {
      application_id: world.applicationId,
      guild_id: world.g.id,
      channel_id: world.g.textChannelId,
      session_id: 'web',
      nonce,
      ...body,
    },
  });
  assert.equal(res.status, 204, res.text);
  return nonce;
}

const command = (name: string, options: unknown[] = []) => ({
  type: 2,
  data: { id: commandIds.get(name), name, type: 1, options },
});

test('a slash command: the bot replies in the channel; the invoker is told of success', async () => {
  const nonce = await invoke(
    command('ping', [
      { name: 'topic', type: 3, value: 'news' },
      { name: 'who', type: 6, value: bob.id },
    ]),
  );
  const echo = await aliceGw.dispatch('INTERACTION_CREATE', (d) => d.nonce === nonce);
  const message = await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content.startsWith('pong'), 15_000);
  assert.equal(message.content, `pong news ${bob.username}`);
  assert.equal(message.author.id, world.botUserId);
  assert.equal(message.type, 20);
  const success = await aliceGw.dispatch('INTERACTION_SUCCESS', (d) => d.nonce === nonce);
  assert.equal(success.id, echo.id);
  // Another member sees it too: it is a message of the channel.
  await bobGw.dispatch('MESSAGE_CREATE', (d) => d.id === message.id);
  assert.deepEqual(errors, []);
});

test("an attachment option: the bot reads the person's file and answers with files of its own", async () => {
  // As Discord's client sends it: payload_json, then the file the option's value (0) names.
  const upload = command('upload', [{ name: 'file', type: 11, value: 0 }]);
  const form = new FormData();
  form.append(
    'payload_json',
    JSON.stringify({
      application_id: world.applicationId,
      guild_id: world.g.id,
      channel_id: world.g.textChannelId,
      nonce: 'upload',
      ...upload,
      data: { ...upload.data, attachments: [{ id: '0', filename: 'hello.txt' }] },
    }),
  );
  form.append('files[0]', new Blob(['hello']), 'hello.txt');
  const res = await fetch(`${world.h.url}/api/v10/interactions`, {
    method: 'POST',
    headers: { authorization: alice.token },
    body: form,
  });
  assert.equal(res.status, 204, await res.text());
  const loading = await aliceGw.dispatch('MESSAGE_CREATE', (d) => (d.flags & 128) === 128, 15_000);
  const edited = await aliceGw.dispatch('MESSAGE_UPDATE', (d) => d.id === loading.id, 15_000);
  assert.equal(edited.content, 'read hello.txt (5 bytes): hello');
  assert.equal(edited.attachments[0].filename, 'shout.txt');
  assert.equal(await (await fetch(edited.attachments[0].url)).text(), 'HELLO');
  const copy = await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content === 'a copy', 15_000);
  assert.equal(copy.attachments[0].filename, 'copy.txt');
  assert.deepEqual(errors, []);
});

test('an ephemeral reply reaches the invoker only, and no history lists it', async () => {
  await invoke(command('secret'));
  const message = await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content === 'only you', 15_000);
  assert.equal(message.flags & 64, 64);
  assert.equal(await bobGw.never('MESSAGE_CREATE', (d) => d.id === message.id, 500), true);
  for (const user of [alice, bob]) {
    const history = await world.h.api('GET', `/channels/${world.g.textChannelId}/messages?limit=50`, {
      token: user.token,
    });
    assert.equal(history.status, 200);
    assert.equal(
      history.body.some((m: { id: string }) => m.id === message.id),
      false,
    );
  }
  const direct = await world.h.api('GET', `/channels/${world.g.textChannelId}/messages/${message.id}`, {
    token: bob.token,
  });
  assert.equal(direct.status, 404);
  assert.deepEqual(errors, []);
});

test('deferReply shows the loading message, editReply fills it, followUp adds an ephemeral one', async () => {
  await invoke(command('slow'));
  const loading = await aliceGw.dispatch('MESSAGE_CREATE', (d) => (d.flags & 128) === 128, 15_000);
  assert.equal(loading.content, '');
  const edited = await aliceGw.dispatch('MESSAGE_UPDATE', (d) => d.id === loading.id, 15_000);
  assert.equal(edited.content, 'done thinking');
  assert.equal(edited.flags & 128, 0);
  const followUp = await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content === 'and a secret', 15_000);
  assert.equal(followUp.flags & 64, 64);
  assert.equal(await bobGw.never('MESSAGE_CREATE', (d) => d.id === followUp.id, 500), true);
  assert.deepEqual(errors, []);
});

test('buttons round-trip on the message; a click reaches the bot, which updates the message', async () => {
  await invoke(command('choose'));
  const message = await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content === 'choose', 15_000);
  assert.equal(message.components[0].type, 1);
  assert.deepEqual(
    message.components[0].components.map((c: { style: number }) => c.style),
    [1, 5],
  );
  const fetched = await world.h.api('GET', `/channels/${world.g.textChannelId}/messages/${message.id}`, {
    token: bob.token,
  });
  assert.equal(fetched.body.components[0].components[0].custom_id, 'yes');
  assert.equal(fetched.body.components[0].components[1].url, 'https://example.com/');
  // A click on a button that is not there is refused.
  const wrong = await world.h.api('POST', '/interactions', {
    token: bob.token,
    body: {
      type: 3,
      application_id: world.applicationId,
      guild_id: world.g.id,
      channel_id: world.g.textChannelId,
      message_id: message.id,
      data: { component_type: 2, custom_id: 'no' },
    },
  });
  assert.equal(wrong.status, 400, wrong.text);
  await invoke({ type: 3, message_id: message.id, data: { component_type: 2, custom_id: 'yes' } }, bob);
  const updated = await aliceGw.dispatch('MESSAGE_UPDATE', (d) => d.id === message.id, 15_000);
  assert.equal(updated.content, `chosen by ${bob.username}`);
  assert.deepEqual(updated.components, []);
  assert.deepEqual(errors, []);
});

test('showModal reaches the invoker; the submit reaches the bot, which replies', async () => {
  const nonce = await invoke(command('form'));
  const modal = await aliceGw.dispatch('INTERACTION_MODAL_CREATE', (d) => d.nonce === nonce, 15_000);
  assert.equal(modal.custom_id, 'feedback');
  assert.equal(modal.title, 'Feedback');
  assert.equal(modal.components[0].components[0].custom_id, 'text');
  // Bob cannot submit Alice's modal.
  const stolen = await world.h.api('POST', '/interactions', {
    token: bob.token,
    body: {
      type: 5,
      application_id: world.applicationId,
      guild_id: world.g.id,
      channel_id: world.g.textChannelId,
      data: { id: modal.id, custom_id: 'feedback', components: [] },
    },
  });
  assert.equal(stolen.status, 404, stolen.text);
  await invoke({
    type: 5,
    data: {
      id: modal.id,
      custom_id: 'feedback',
      components: [{ type: 1, components: [{ type: 4, custom_id: 'text', value: 'lovely' }] }],
    },
  });
  await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content === 'thanks: lovely', 15_000);
  assert.deepEqual(errors, []);
});

test('autocomplete: the choices the bot offers reach the invoker', async () => {
  const nonce = await invoke({
    type: 4,
    data: {
      id: commandIds.get('ping'),
      name: 'ping',
      type: 1,
      options: [{ name: 'topic', type: 3, value: 'ne', focused: true }],
    },
  });
  const response = await aliceGw.dispatch(
    'APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE',
    (d) => d.nonce === nonce,
    15_000,
  );
  assert.deepEqual(response.choices, [{ name: 'ne-alpha', value: 'ne-alpha' }]);
  assert.deepEqual(errors, []);
});
