import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { Permission } from '@hearth/permissions';
import {
  ApplicationIntegrationType,
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  InteractionContextType,
  MessageFlags,
  Partials,
  Routes,
} from 'discord.js';
import { type BotWorld, botWorld } from '../bots/bot-setup';
import { TestGateway } from '../gateway-client';
import { createGuild, join, type TestGuild } from '../guild-helpers';
import type { TestUser } from '../harness';

// Applications a person installs to their own account (Discord's user install, integration type 1), with an
// unmodified discord.js bot: its owner turns user install on (`integration_types_config`), Alice installs it
// (POST /oauth2/authorize with integration_type=1), and its commands with integration_types [1] follow her into a
// group DM (PRIVATE_CHANNEL), a DM with another person and a guild its bot is not in, with Discord's payload
// (`authorizing_integration_owners: {"1": alice}`, `context`, `app_permissions`); the answers are messages of that
// channel. Bob, who did not install it, is not offered its commands and cannot invoke them. A guild's rules still
// decide a command its guild installation reaches; USE_EXTERNAL_APPS denied makes the answers ephemeral.

let world: BotWorld;
let client: Client;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let elsewhere: TestGuild;
let aliceGw: TestGateway;
let bobGw: TestGateway;
let groupId: string;
let pairId: string;
const ids = new Map<string, string>();
const seen: Interaction[] = [];
const raw: Array<Record<string, any>> = [];
const errors: unknown[] = [];

/** Per interaction id: each of six follow-ups' outcome, a message id or the error's code. */
const followUps = new Map<string, Array<string | number>>();

/** Answers, then tries six follow-ups (some ephemeral), recording what each got. */
async function chatty(i: ChatInputCommandInteraction): Promise<void> {
  await i.reply('chatty');
  const outcomes: Array<string | number> = [];
  for (let k = 1; k <= 6; k++) {
    try {
      const m = await i.followUp({
        content: `follow-up ${k}`,
        ...(k === 2 ? { flags: MessageFlags.Ephemeral } : {}),
      });
      outcomes.push(m.id);
    } catch (err) {
      outcomes.push((err as { code?: number }).code ?? -1);
    }
  }
  followUps.set(i.id, outcomes);
}

async function answer(i: Interaction): Promise<void> {
  seen.push(i);
  if (!i.isChatInputCommand()) return;
  if (
    i.commandName === 'guildinstall' ||
    (i.commandName === 'anywhere' && i.options.getString('tag') === 'chatty')
  )
    await chatty(i);
  else if (i.commandName === 'anywhere')
    await i.reply(`anywhere for ${i.user.username} #${i.options.getString('tag')}`);
  else if (i.commandName === 'secret')
    await i.reply({ content: 'a secret for the installer', flags: MessageFlags.Ephemeral });
  else if (i.commandName === 'both') await i.reply('both answered');
}

before(async () => {
  world = await botWorld('Pocket Tools', { config: { interactionDeadlineMs: 30_000 } });
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
  const everywhere = [
    InteractionContextType.Guild,
    InteractionContextType.BotDM,
    InteractionContextType.PrivateChannel,
  ];
  const set = await client.application!.commands.set([
    {
      name: 'anywhere',
      description: 'Follows its installer',
      integrationTypes: [ApplicationIntegrationType.UserInstall],
      contexts: everywhere,
      options: [{ type: 3, name: 'tag', description: 'A tag', required: true }],
    },
    {
      name: 'secret',
      description: 'Answers its installer alone',
      integrationTypes: [ApplicationIntegrationType.UserInstall],
      contexts: [InteractionContextType.PrivateChannel],
    },
    { name: 'guildinstall', description: 'Of the guild installation', contexts: everywhere },
    {
      name: 'both',
      description: 'Either installation; administrators in guilds',
      integrationTypes: [ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall],
      contexts: everywhere,
      defaultMemberPermissions: '0',
    },
  ]);
  for (const c of set.values()) ids.set(c.name, c.id);
  alice = await join(world.h, world.g);
  bob = await join(world.h, world.g);
  carol = await world.h.register();
  elsewhere = await createGuild(world.h, alice, 'No Bot Here');
  await join(world.h, elsewhere, bob);
  aliceGw = await TestGateway.identify(world.h, alice.token, {}, 2);
  bobGw = await TestGateway.identify(world.h, bob.token, {}, 2);
  const group = await world.h.api('POST', '/users/@me/channels', {
    token: alice.token,
    body: { recipients: [bob.id, carol.id] },
  });
  assert.equal(group.status, 200, group.text);
  groupId = group.body.id;
  const pair = await world.h.api('POST', '/users/@me/channels', {
    token: alice.token,
    body: { recipient_id: bob.id },
  });
  assert.equal(pair.status, 200, pair.text);
  pairId = pair.body.id;
});

after(async () => {
  aliceGw?.close();
  bobGw?.close();
  await client?.destroy();
  await world?.h.close();
});

function install(user: TestUser) {
  return world.h.api(
    'POST',
    `/oauth2/authorize?client_id=${world.applicationId}&scope=applications.commands&integration_type=1`,
    { token: user.token, body: { authorize: true, integration_type: 1, permissions: '0' } },
  );
}

let nonces = 0;
function invoke(name: string, user: TestUser, channelId: string, options?: unknown[]) {
  return world.h.api('POST', '/interactions', {
    token: user.token,
    body: {
      type: 2,
      application_id: world.applicationId,
      channel_id: channelId,
      nonce: String(++nonces),
      data: { id: ids.get(name), name, type: 1, ...(options ? { options } : {}) },
    },
  });
}

const names = (index: { application_commands: Array<{ name: string }> }) =>
  index.application_commands.map((c) => c.name).sort();

test('integration_types_config: guild install only by default; the bot turns user install on, checked', async () => {
  const current = (await client.rest.get(Routes.currentApplication())) as Record<string, any>;
  assert.deepEqual(current.integration_types_config, { '0': {} });
  // Not offered for accounts yet: installing is refused with the field named.
  const early = await install(alice);
  assert.equal(early.status, 400, early.text);
  assert.ok(early.body.errors.integration_type, early.text);
  for (const bad of [
    {},
    { '1': { oauth2_install_params: { scopes: ['bot'], permissions: '0' } } },
    { '0': { oauth2_install_params: { scopes: ['applications.commands'], permissions: '8' } } },
    { '2': {} },
  ]) {
    const res = await world.h.api('PATCH', '/applications/@me', {
      token: `Bot ${world.token}`,
      body: { integration_types_config: bad },
    });
    assert.equal(res.status, 400, `${JSON.stringify(bad)} ${res.text}`);
    assert.equal(res.body.code, 50035);
  }
  const config = {
    '0': { oauth2_install_params: { scopes: ['applications.commands', 'bot'], permissions: '8' } },
    '1': { oauth2_install_params: { scopes: ['applications.commands'], permissions: '0' } },
  };
  const patched = (await client.rest.patch(Routes.currentApplication(), {
    body: { integration_types_config: config },
  })) as Record<string, any>;
  assert.deepEqual(patched.integration_types_config, config);
  const preview = await world.h.api(
    'GET',
    `/oauth2/authorize?client_id=${world.applicationId}&integration_type=1`,
    {
      token: carol.token,
    },
  );
  assert.equal(preview.status, 200, preview.text);
  assert.deepEqual(preview.body.application.integration_types_config, config);
});

test('installing to an account: applications.commands only; the list of authorized apps is the caller’s own', async () => {
  const badScope = await world.h.api(
    'POST',
    `/oauth2/authorize?client_id=${world.applicationId}&scope=bot+applications.commands&integration_type=1`,
    { token: alice.token, body: { authorize: true } },
  );
  assert.equal(badScope.status, 400, badScope.text);
  assert.ok(badScope.body.errors.scope);
  const unknown = await world.h.api(
    'POST',
    '/oauth2/authorize?client_id=123456789012345678&scope=applications.commands&integration_type=1',
    { token: alice.token, body: { authorize: true } },
  );
  assert.equal(unknown.status, 404);
  const asBot = await world.h.api('GET', '/oauth2/tokens', { token: `Bot ${world.token}` });
  assert.equal(asBot.status, 403);
  assert.equal((await world.h.api('GET', '/oauth2/tokens')).status, 401);

  const res = await install(alice);
  assert.equal(res.status, 200, res.text);
  assert.equal((await install(alice)).status, 200, 'installing again changes nothing');
  const mine = await world.h.api('GET', '/oauth2/tokens', { token: alice.token });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.body.length, 1);
  assert.equal(mine.body[0].application.id, world.applicationId);
  assert.equal(mine.body[0].application.bot.id, world.botUserId);
  assert.deepEqual(mine.body[0].scopes, ['applications.commands']);
  assert.deepEqual((await world.h.api('GET', '/oauth2/tokens', { token: bob.token })).body, []);
  // Bob cannot remove Alice's: the same 404 as one that does not exist.
  const theirs = await world.h.api('DELETE', `/oauth2/tokens/${mine.body[0].id}`, { token: bob.token });
  assert.equal(theirs.status, 404);
  assert.equal(theirs.body.code, 10012);
});

test('the command index: her installed app in the group DM, a DM and a guild without its bot; none for Bob', async () => {
  const group = await world.h.api('GET', `/channels/${groupId}/application-command-index`, {
    token: alice.token,
  });
  assert.equal(group.status, 200, group.text);
  assert.deepEqual(names(group.body), ['anywhere', 'both', 'secret']);
  assert.equal(group.body.applications[0].id, world.applicationId);
  assert.equal(group.body.applications[0].bot.id, world.botUserId);
  const pair = await world.h.api('GET', `/channels/${pairId}/application-command-index`, {
    token: alice.token,
  });
  assert.deepEqual(names(pair.body), ['anywhere', 'both', 'secret']);
  const guild = await world.h.api('GET', `/guilds/${elsewhere.id}/application-command-index`, {
    token: alice.token,
  });
  assert.deepEqual(names(guild.body), ['anywhere', 'both']);
  // Where its bot is, the guild's installation decides `both` (administrators only): not listed for Alice.
  const home = await world.h.api('GET', `/guilds/${world.g.id}/application-command-index`, {
    token: alice.token,
  });
  assert.deepEqual(names(home.body), ['anywhere', 'guildinstall']);
  for (const path of [
    `/channels/${groupId}/application-command-index`,
    `/guilds/${elsewhere.id}/application-command-index`,
  ]) {
    const theirs = await world.h.api('GET', path, { token: bob.token });
    assert.equal(theirs.status, 200, theirs.text);
    assert.deepEqual(names(theirs.body), []);
  }
});

test('in the group DM: PRIVATE_CHANNEL payload authorized by her install; the answer is a message all three see', async () => {
  const res = await invoke('anywhere', alice, groupId, [{ name: 'tag', type: 3, value: 'x1' }]);
  assert.equal(res.status, 204, res.text);
  const message = await bobGw.dispatch(
    'MESSAGE_CREATE',
    (d) => d.content === `anywhere for ${alice.username} #x1`,
  );
  assert.equal(message.channel_id, groupId);
  assert.equal(message.author.id, world.botUserId);
  assert.equal(message.application_id, world.applicationId);
  assert.deepEqual(message.interaction_metadata.authorizing_integration_owners, { '1': alice.id });
  assert.equal(message.interaction_metadata.user.id, alice.id);
  const i = raw.find((d) => d.channel_id === groupId && d.data?.name === 'anywhere')!;
  assert.equal(i.context, 2);
  assert.deepEqual(i.authorizing_integration_owners, { '1': alice.id });
  assert.equal(i.user.id, alice.id);
  assert.equal(i.member, undefined);
  assert.equal(i.guild_id, undefined);
  assert.equal(i.channel.id, groupId);
  assert.equal(i.channel.type, 3);
  assert.equal(
    BigInt(i.app_permissions),
    Permission.ATTACH_FILES | Permission.EMBED_LINKS | Permission.MENTION_EVERYONE,
  );
  // discord.js reads it as Discord's: the context and the owners.
  const parsed = seen.find((s) => s.channelId === groupId && s.isChatInputCommand())!;
  assert.equal(parsed.context, InteractionContextType.PrivateChannel);
  assert.equal(parsed.authorizingIntegrationOwners[ApplicationIntegrationType.UserInstall], alice.id);
  const history = await world.h.api('GET', `/channels/${groupId}/messages`, { token: carol.token });
  assert.ok(history.body.some((m: { id: string }) => m.id === message.id));
  assert.deepEqual(errors, []);
});

test('follow-ups: five for an interaction only her install brought (40094 after), no bound for the guild installation', async () => {
  const until = async (channelId: string, name: string) => {
    for (let tries = 0; tries < 600; tries++) {
      const i = seen.find(
        (s) =>
          s.channelId === channelId &&
          s.isChatInputCommand() &&
          s.commandName === name &&
          followUps.has(s.id),
      );
      if (i) return followUps.get(i.id)!;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no follow-ups recorded for /${name} in ${channelId}`);
  };
  assert.equal(
    (await invoke('anywhere', alice, groupId, [{ name: 'tag', type: 3, value: 'chatty' }])).status,
    204,
  );
  const limited = await until(groupId, 'anywhere');
  assert.equal(limited.filter((o) => typeof o === 'string').length, 5, `outcomes ${limited}`);
  assert.equal(limited[5], 40094, `outcomes ${limited}`);
  const history = await world.h.api('GET', `/channels/${groupId}/messages?limit=20`, { token: carol.token });
  assert.ok(!history.body.some((m: { content: string }) => m.content === 'follow-up 6'));
  // The guild's own installation of the same app (its bot is a member there): all six.
  assert.equal((await invoke('guildinstall', world.g.owner, world.g.textChannelId)).status, 204);
  const free = await until(world.g.textChannelId, 'guildinstall');
  assert.ok(
    free.every((o) => typeof o === 'string'),
    `outcomes ${free}`,
  );
  assert.deepEqual(errors, []);
});

test('ephemeral in the group DM: only the installer gets it, no history holds it', async () => {
  assert.equal((await invoke('secret', alice, groupId)).status, 204);
  const eph = await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content === 'a secret for the installer');
  assert.equal(eph.flags & 64, 64);
  const history = await world.h.api('GET', `/channels/${groupId}/messages`, { token: alice.token });
  assert.ok(!history.body.some((m: { id: string }) => m.id === eph.id));
});

test('in a DM with another person and in a guild without the bot; Bob, without it, is refused', async () => {
  assert.equal(
    (await invoke('anywhere', alice, pairId, [{ name: 'tag', type: 3, value: 'x2' }])).status,
    204,
  );
  await bobGw.dispatch('MESSAGE_CREATE', (d) => d.channel_id === pairId && d.content.endsWith('#x2'));
  assert.equal(raw.find((d) => d.channel_id === pairId)?.context, 2);

  const channelId = elsewhere.textChannelId;
  assert.equal(
    (await invoke('anywhere', alice, channelId, [{ name: 'tag', type: 3, value: 'x3' }])).status,
    204,
  );
  const pub = await bobGw.dispatch(
    'MESSAGE_CREATE',
    (d) => d.channel_id === channelId && d.content.endsWith('#x3'),
  );
  assert.equal(pub.guild_id, elsewhere.id);
  const i = raw.find((d) => d.channel_id === channelId)!;
  assert.equal(i.context, 0);
  assert.equal(i.guild_id, elsewhere.id);
  assert.equal(i.member.user.id, alice.id);
  assert.deepEqual(i.authorizing_integration_owners, { '1': alice.id });
  // Its bot is not a member: the application holds what @everyone holds in the channel.
  const everyone = (
    await world.h.api('GET', `/guilds/${elsewhere.id}/roles`, { token: alice.token })
  ).body.find((r: { id: string }) => r.id === elsewhere.id);
  assert.equal(i.app_permissions, everyone.permissions);

  // Bob invokes nothing of an app he did not install: the same 404 as an unknown application.
  const bobs = await invoke('anywhere', bob, channelId, [{ name: 'tag', type: 3, value: 'no' }]);
  assert.equal(bobs.status, 404, bobs.text);
  assert.equal(bobs.body.code, 10002);
  assert.equal((await invoke('anywhere', bob, groupId, [{ name: 'tag', type: 3, value: 'no' }])).status, 404);
});

test('USE_EXTERNAL_APPS denied in the channel: the app still answers its installer, to them alone', async () => {
  const channelId = elsewhere.textChannelId;
  await join(world.h, elsewhere, carol);
  assert.equal((await install(carol)).status, 200);
  const deny = await world.h.api('PUT', `/channels/${channelId}/permissions/${elsewhere.id}`, {
    token: alice.token,
    body: { type: 0, allow: '0', deny: Permission.USE_EXTERNAL_APPS.toString() },
  });
  assert.equal(deny.status, 204, deny.text);
  const carolGw = await TestGateway.identify(world.h, carol.token, {}, 1);
  try {
    const res = await invoke('anywhere', carol, channelId, [{ name: 'tag', type: 3, value: 'x4' }]);
    assert.equal(res.status, 204, res.text);
    const eph = await carolGw.dispatch('MESSAGE_CREATE', (d) => d.content?.endsWith('#x4'));
    assert.equal(eph.flags & 64, 64);
    const history = await world.h.api('GET', `/channels/${channelId}/messages`, { token: alice.token });
    assert.ok(!history.body.some((m: { id: string }) => m.id === eph.id));
    const i = raw.find((d) => d.channel_id === channelId && d.member?.user.id === carol.id)!;
    assert.equal(BigInt(i.member.permissions) & Permission.USE_EXTERNAL_APPS, 0n);
    // Alice owns the guild (every permission): hers stay public.
    assert.equal(
      (await invoke('anywhere', alice, channelId, [{ name: 'tag', type: 3, value: 'x5' }])).status,
      204,
    );
    const pub = await bobGw.dispatch('MESSAGE_CREATE', (d) => d.content?.endsWith('#x5'));
    assert.equal(pub.flags & 64, 0);
  } finally {
    carolGw.close();
  }
});

test("a guild's rules decide a command its installation reaches, even for one who installed it", async () => {
  const res = await invoke('both', alice, world.g.textChannelId);
  assert.equal(res.status, 403, res.text);
  // In the group DM the same command comes through her install alone: no guild, no rules of one.
  assert.equal((await invoke('both', alice, groupId)).status, 204);
  await bobGw.dispatch('MESSAGE_CREATE', (d) => d.channel_id === groupId && d.content === 'both answered');
});

test('removing the app: gone from her list and index, its commands refused', async () => {
  const [token] = (await world.h.api('GET', '/oauth2/tokens', { token: alice.token })).body;
  const res = await world.h.api('DELETE', `/oauth2/tokens/${token.id}`, { token: alice.token });
  assert.equal(res.status, 204, res.text);
  assert.deepEqual((await world.h.api('GET', '/oauth2/tokens', { token: alice.token })).body, []);
  const index = await world.h.api('GET', `/channels/${groupId}/application-command-index`, {
    token: alice.token,
  });
  assert.deepEqual(names(index.body), []);
  const after = await invoke('anywhere', alice, groupId, [{ name: 'tag', type: 3, value: 'late' }]);
  assert.equal(after.status, 404, after.text);
  assert.equal(
    (await world.h.api('DELETE', `/oauth2/tokens/${token.id}`, { token: alice.token })).status,
    404,
  );
});
