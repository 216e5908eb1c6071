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
  InteractionContextType,
  MessageFlags,
  Partials,
} from 'discord.js';
import { type BotWorld, botWorld } from '../bots/bot-setup';
import { TestGateway } from '../gateway-client';
import { join } from '../guild-helpers';
import type { TestUser } from '../harness';

// Interactions in the DM with an application's bot (Discord's BOT_DM context, ADR 0039): a global command whose
// contexts include 1 is invoked there; the bot gets `user`, no member or guild, `context: 1` and the DM as `channel`,
// and its answers are messages of the DM. Commands kept out of DMs, other people's DMs and other applications are 404.

let world: BotWorld;
let client: Client;
let alice: TestUser;
let bob: TestUser;
let aliceGw: TestGateway;
let dmId: string;
const ids = new Map<string, string>();
const raw: Array<Record<string, any>> = [];
const errors: unknown[] = [];

async function answer(i: Interaction): Promise<void> {
  if (i.isChatInputCommand() && i.commandName === 'hello') {
    const who = i.options.getUser('who');
    await i.reply({
      content: `hello ${i.user.username}${who ? ` and ${who.username}` : ''} in ${i.inGuild() ? 'a guild' : 'a DM'}`,
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('again').setLabel('Again').setStyle(ButtonStyle.Primary),
        ),
      ],
    });
  } else if (i.isChatInputCommand() && i.commandName === 'whisper') {
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    await i.editReply('a DM secret');
  } else if (i.isButton() && i.customId === 'again') {
    await i.update({ content: 'clicked in the DM', components: [] });
  }
}

before(async () => {
  world = await botWorld('DM Bot', { config: { interactionDeadlineMs: 30_000 } });
  client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages],
    partials: [Partials.Channel],
    rest: { api: `${world.h.url}/api`, retries: 0 },
  });
  client.on(Events.Raw, (p: { t?: string; d?: Record<string, any> }) => {
    if (p.t === 'INTERACTION_CREATE' && p.d) raw.push(p.d);
  });
  client.on(Events.InteractionCreate, (i) => {
    answer(i).catch((err) => errors.push(err));
  });
  const ready = once(client, Events.ClientReady);
  await client.login(world.token);
  await ready;
  const set = await client.application!.commands.set([
    {
      name: 'hello',
      description: 'Anywhere',
      contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
      options: [{ type: 6, name: 'who', description: 'Who' }],
    },
    { name: 'whisper', description: 'Default contexts' },
    { name: 'guildonly', description: 'Guilds only', contexts: [InteractionContextType.Guild] },
  ]);
  for (const c of set.values()) ids.set(c.name, c.id);
  const local = await client.application!.commands.create(
    { name: 'local', description: 'A guild command' },
    world.g.id,
  );
  ids.set('local', local.id);
  alice = await join(world.h, world.g);
  bob = await join(world.h, world.g);
  aliceGw = await TestGateway.identify(world.h, alice.token, {}, 1);
  const dm = await world.h.api('POST', '/users/@me/channels', {
    token: alice.token,
    body: { recipient_id: world.botUserId },
  });
  assert.equal(dm.status, 200, dm.text);
  dmId = dm.body.id;
});

after(async () => {
  aliceGw?.close();
  await client?.destroy();
  await world?.h.close();
});

let nonces = 0;
function invoke(
  name: string,
  opts: { user?: TestUser; channelId?: string; appId?: string; options?: unknown[] } = {},
) {
  return world.h.api('POST', '/interactions', {
    token: (opts.user ?? alice).token,
    body: {
      type: 2,
      application_id: opts.appId ?? world.applicationId,
      channel_id: opts.channelId ?? dmId,
      nonce: String(++nonces),
      data: { id: ids.get(name), name, type: 1, ...(opts.options ? { options: opts.options } : {}) },
    },
  });
}

test("a command in the DM with the bot: Discord's BOT_DM payload, and the reply is a message of the DM", async () => {
  const res = await invoke('hello', { options: [{ name: 'who', type: 6, value: bob.id }] });
  assert.equal(res.status, 204, res.text);
  const message = await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content?.startsWith('hello'), 15_000);
  assert.equal(message.content, `hello ${alice.username} and ${bob.username} in a DM`);
  assert.equal(message.channel_id, dmId);
  assert.equal(message.guild_id, undefined);
  assert.equal(message.author.id, world.botUserId);
  assert.equal(message.interaction_metadata.user.id, alice.id);
  assert.deepEqual(message.interaction_metadata.authorizing_integration_owners, { '0': '0' });
  const i = raw.find((d) => d.data?.name === 'hello')!;
  assert.equal(i.context, 1);
  assert.equal(i.user.id, alice.id);
  assert.equal(i.member, undefined);
  assert.equal(i.guild_id, undefined);
  assert.equal(i.guild, undefined);
  assert.equal(i.channel.id, dmId);
  assert.equal(i.channel.type, 1);
  assert.deepEqual(
    i.channel.recipients.map((u: { id: string }) => u.id),
    [alice.id],
  );
  assert.deepEqual(i.authorizing_integration_owners, { '0': '0' });
  assert.match(i.app_permissions, /^\d+$/);
  assert.equal(i.data.resolved.users[bob.id].id, bob.id);
  assert.equal(i.data.resolved.members, undefined);
  const history = await world.h.api('GET', `/channels/${dmId}/messages`, { token: alice.token });
  assert.equal(history.status, 200);
  // Read back from history, the response still says which interaction it answers (and the legacy `interaction`).
  const read = history.body.find((m: { id: string }) => m.id === message.id);
  assert.equal(read.interaction_metadata.id, i.id);
  assert.equal(read.interaction_metadata.user.id, alice.id);
  assert.equal(read.interaction_metadata.name, 'hello');
  assert.equal(read.interaction.name, 'hello');
  assert.equal(read.interaction.user.id, alice.id);
  assert.equal(read.application_id, world.applicationId);
  // discord.js reads it as interactionMetadata.
  const dm = await client.channels.fetch(dmId);
  assert.ok(dm?.isTextBased());
  const fetched = await dm.messages.fetch(message.id);
  assert.equal(fetched.interactionMetadata?.user.id, alice.id);
  assert.equal(fetched.interactionMetadata?.id, i.id);
  // A button on the bot's DM message works in the DM too.
  const click = await world.h.api('POST', '/interactions', {
    token: alice.token,
    body: {
      type: 3,
      application_id: world.applicationId,
      channel_id: dmId,
      message_id: message.id,
      nonce: 'click',
      data: { component_type: 2, custom_id: 'again' },
    },
  });
  assert.equal(click.status, 204, click.text);
  const updated = await aliceGw.dispatch('MESSAGE_UPDATE', (d) => d.id === message.id, 15_000);
  assert.equal(updated.content, 'clicked in the DM');
  assert.deepEqual(errors, []);
});

test('a command with default contexts answers ephemerally in the DM, to the invoker alone', async () => {
  const res = await invoke('whisper');
  assert.equal(res.status, 204, res.text);
  const edited = await aliceGw.dispatch('MESSAGE_UPDATE', (d) => d.content === 'a DM secret', 15_000);
  assert.equal(edited.flags & 64, 64);
  const history = await world.h.api('GET', `/channels/${dmId}/messages`, { token: alice.token });
  assert.equal(
    history.body.some((m: { id: string }) => m.id === edited.id),
    false,
  );
  assert.deepEqual(errors, []);
});

test('commands kept out of DMs, guild commands, other DMs and other applications are unknown', async () => {
  const guildOnly = await invoke('guildonly');
  assert.equal(guildOnly.status, 404, guildOnly.text);
  assert.equal(guildOnly.body.code, 10063);
  const local = await invoke('local');
  assert.equal(local.status, 404, local.text);
  assert.equal(local.body.code, 10063);
  // Bob is no recipient of Alice's DM with the bot: it is an unknown channel to him.
  const stranger = await invoke('hello', { user: bob });
  assert.equal(stranger.status, 404, stranger.text);
  assert.equal(stranger.body.code, 10003);
  // A DM between two people has no application in it.
  const between = await world.h.api('POST', '/users/@me/channels', {
    token: alice.token,
    body: { recipient_id: bob.id },
  });
  const elsewhere = await invoke('hello', { channelId: between.body.id });
  assert.equal(elsewhere.status, 404, elsewhere.text);
  assert.equal(elsewhere.body.code, 10002);
  // The guild's channel still takes the command (contexts include 0).
  const inGuild = await world.h.api('POST', '/interactions', {
    token: alice.token,
    body: {
      type: 2,
      application_id: world.applicationId,
      guild_id: world.g.id,
      channel_id: world.g.textChannelId,
      nonce: 'g',
      data: { id: ids.get('hello'), name: 'hello', type: 1 },
    },
  });
  assert.equal(inGuild.status, 204, inGuild.text);
  const message = await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content?.endsWith('in a guild'), 15_000);
  assert.equal(message.guild_id, world.g.id);
  assert.equal(message.interaction_metadata.user.id, alice.id);
  const one = await world.h.api('GET', `/channels/${world.g.textChannelId}/messages/${message.id}`, {
    token: alice.token,
  });
  assert.equal(one.status, 200, one.text);
  assert.equal(one.body.interaction_metadata.name, 'hello');
  assert.deepEqual(one.body.interaction_metadata.authorizing_integration_owners, { '0': world.g.id });
  assert.equal(raw.find((d) => d.channel_id === world.g.textChannelId)?.context, 0);
});
