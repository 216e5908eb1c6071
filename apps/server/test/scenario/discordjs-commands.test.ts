import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { Routes } from '@discordjs/core';
import { REST } from '@discordjs/rest';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  Client,
  ContextMenuCommandBuilder,
  Events,
  GatewayIntentBits,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from 'discord.js';
import { type BotWorld, botWorld, nextEvent } from '../bots/bot-setup';

// Unmodified discord.js and @discordjs/core bots registering their commands against Hearth, as their guides show.

let world: BotWorld;
let client: Client;

before(async () => {
  world = await botWorld('Slash Bot');
  client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: `${world.h.url}/api`, retries: 0 },
  });
  const ready = once(client, Events.ClientReady);
  await client.login(world.token);
  await ready;
});

after(async () => {
  await client?.destroy();
  await world?.h.close();
});

const echo = new SlashCommandBuilder()
  .setName('echo')
  .setDescription('Says it back')
  .setNameLocalizations({ fr: 'écho' })
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageMessages)
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addStringOption((o) => o.setName('text').setDescription('What to say').setRequired(true).setMaxLength(200))
  .addChannelOption((o) => o.setName('where').setDescription('Where').addChannelTypes(ChannelType.GuildText))
  .addIntegerOption((o) =>
    o
      .setName('times')
      .setDescription('How often')
      .addChoices({ name: 'once', value: 1 }, { name: 'twice', value: 2 }),
  );

const admin = new SlashCommandBuilder()
  .setName('admin')
  .setDescription('Administration')
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addSubcommandGroup((g) =>
    g
      .setName('role')
      .setDescription('Roles')
      .addSubcommand((s) =>
        s
          .setName('give')
          .setDescription('Give a role')
          .addUserOption((o) => o.setName('who').setDescription('Who').setRequired(true))
          .addRoleOption((o) => o.setName('role').setDescription('Which').setRequired(true)),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('ping')
      .setDescription('Ping')
      .addNumberOption((o) => o.setName('delay').setDescription('Delay').setMinValue(0).setMaxValue(5.5))
      .addStringOption((o) => o.setName('topic').setDescription('Topic').setAutocomplete(true)),
  );

test('discord.js: client.application.commands set, create, fetch, edit, delete (global)', async () => {
  const app = client.application;
  assert.ok(app);
  const set = await app.commands.set([
    echo.toJSON(),
    admin.toJSON(),
    new ContextMenuCommandBuilder().setName('Quote Message').setType(ApplicationCommandType.Message).toJSON(),
  ]);
  assert.equal(set.size, 3);
  const registered = set.find((c) => c.name === 'echo');
  assert.ok(registered);
  assert.equal(registered.description, 'Says it back');
  assert.equal(registered.nameLocalizations?.fr, 'écho');
  assert.equal(registered.defaultMemberPermissions?.has(PermissionFlagsBits.ManageMessages), true);
  assert.deepEqual(registered.contexts, [InteractionContextType.Guild, InteractionContextType.BotDM]);
  assert.equal(registered.options[0].type, ApplicationCommandOptionType.String);
  assert.equal(registered.options[0].required, true);
  const adminCmd = set.find((c) => c.name === 'admin');
  assert.equal(adminCmd?.options[0].type, ApplicationCommandOptionType.SubcommandGroup);
  // discord.js compares a fetched command with another (its bots skip re-registering when nothing changed).
  assert.equal(registered.equals(set.get(registered.id) ?? registered), true);
  assert.equal(registered.equals(adminCmd ?? registered), false);

  const created = await app.commands.create({ name: 'hello', description: 'Greets you' });
  assert.equal(created.applicationId, world.applicationId);
  const fetched = await app.commands.fetch({ force: true });
  assert.deepEqual([...fetched.values()].map((c) => c.name).sort(), [
    'Quote Message',
    'admin',
    'echo',
    'hello',
  ]);
  const firstVersion = created.version;
  const edited = await app.commands.edit(created, { description: 'Greets you warmly' });
  assert.equal(edited.description, 'Greets you warmly');
  assert.notEqual(edited.version, firstVersion);
  await app.commands.delete(created.id);
  const after = await app.commands.fetch({ force: true });
  assert.equal(after.has(created.id), false);
});

test('discord.js: guild.commands.set and the permissions manager', async () => {
  const guild = client.guilds.cache.get(world.g.id);
  assert.ok(guild);
  const set = await guild.commands.set([
    { name: 'local', description: 'Only here' },
    { name: 'Wave At', type: ApplicationCommandType.User },
  ]);
  assert.equal(set.size, 2);
  const local = set.find((c) => c.name === 'local');
  assert.ok(local);
  assert.equal(local.guildId, world.g.id);
  const fetched = await client.application?.commands.fetch({ guildId: world.g.id, force: true });
  assert.equal(fetched?.size, 2);

  // Permissions are set with a person's token (the guild owner's here), read with the bot's; the bot hears of it.
  const heard = nextEvent<[{ id: string; guildId: string; permissions: unknown[] }]>(
    client,
    Events.ApplicationCommandPermissionsUpdate,
    (data) => data.id === local.id,
  );
  const updated = await guild.commands.permissions.set({
    command: local.id,
    token: world.g.owner.token,
    permissions: [{ id: world.g.id, type: 1, permission: false }],
  });
  assert.equal(updated.length, 1);
  const [event] = await heard;
  assert.equal(event.guildId, world.g.id);
  assert.equal(event.permissions.length, 1);
  const read = await guild.commands.permissions.fetch({ command: local.id });
  assert.deepEqual(
    read.map((p) => [p.id, p.type, p.permission]),
    [[world.g.id, 1, false]],
  );
  const all = await guild.commands.permissions.fetch({});
  assert.equal(all.get(local.id)?.length, 1);
  await assert.rejects(
    guild.commands.permissions.set({ command: local.id, token: world.token, permissions: [] }),
    'a bot token cannot set permissions',
  );
  await guild.commands.set([]);
  assert.equal((await guild.commands.fetch()).size, 0);
});

test('@discordjs/core: REST.put(Routes.applicationCommands / applicationGuildCommands) and friends', async () => {
  const rest = new REST({ api: `${world.h.url}/api`, retries: 0 }).setToken(world.token);
  const global = (await rest.put(Routes.applicationCommands(world.applicationId), {
    body: [echo.toJSON()],
  })) as Array<{ id: string; name: string; version: string }>;
  assert.deepEqual(
    global.map((c) => c.name),
    ['echo'],
  );
  const guildCmds = (await rest.put(Routes.applicationGuildCommands(world.applicationId, world.g.id), {
    body: [admin.toJSON()],
  })) as Array<{ id: string; guild_id: string }>;
  assert.equal(guildCmds[0].guild_id, world.g.id);
  const one = (await rest.get(
    Routes.applicationGuildCommand(world.applicationId, world.g.id, guildCmds[0].id),
  )) as {
    name: string;
  };
  assert.equal(one.name, 'admin');
  const patched = (await rest.patch(Routes.applicationCommand(world.applicationId, global[0].id), {
    body: { nsfw: true },
  })) as { nsfw: boolean; version: string };
  assert.equal(patched.nsfw, true);
  assert.notEqual(patched.version, global[0].version);
  await rest.delete(Routes.applicationCommand(world.applicationId, global[0].id));
  assert.deepEqual(await rest.get(Routes.applicationCommands(world.applicationId)), []);
  // Discord's errors reach the library as DiscordAPIError with the field errors.
  await assert.rejects(
    rest.post(Routes.applicationCommands(world.applicationId), {
      body: { name: 'Bad Name', description: 'x' },
    }),
    (err: { code?: number; status?: number }) => err.code === 50035 && err.status === 400,
  );
});
