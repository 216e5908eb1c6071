import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Client,
  GatewayDispatchEvents,
  GatewayIntentBits,
  type GatewayMessageCreateDispatchData,
} from '@discordjs/core';
import { REST } from '@discordjs/rest';
import { WebSocketManager } from '@discordjs/ws';
import { type BotWorld, botWorld, bulkDeleteVictims } from '../bots/bot-setup';
import { join } from '../guild-helpers';

// An unmodified @discordjs/core bot (with @discordjs/rest and @discordjs/ws), pointed at Hearth with the REST
// `api` option only (the gateway URL comes from GET /gateway/bot), doing what bots do, including the routes it
// calls that discord.js does not.

let world: BotWorld;
let gateway: WebSocketManager;
let client: Client;

before(async () => {
  world = await botWorld('core bot');
  const rest = new REST({ api: `${world.h.url}/api`, retries: 0 }).setToken(world.token);
  gateway = new WebSocketManager({
    token: world.token,
    intents:
      GatewayIntentBits.Guilds |
      GatewayIntentBits.GuildMembers |
      GatewayIntentBits.GuildMessages |
      GatewayIntentBits.GuildMessageReactions |
      GatewayIntentBits.DirectMessages |
      GatewayIntentBits.MessageContent,
    rest,
  });
  client = new Client({ rest, gateway });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no READY')), 20_000);
    client.once(GatewayDispatchEvents.Ready, () => resolve(clearTimeout(timer)));
  });
  await gateway.connect();
  await ready;
});

after(async () => {
  await gateway?.destroy();
  await world?.h.close();
});

const channelId = () => world.g.textChannelId;
const post = (content: string) => world.post(content);

test('@discordjs/core: the routes a bot calls about itself', async () => {
  const me = await client.api.users.getCurrent();
  assert.equal(me.id, world.botUserId);
  const app = await client.api.applications.getCurrent();
  assert.equal(app.id, world.applicationId);
  const info = await client.api.oauth2.getCurrentBotApplicationInformation();
  assert.equal(info.id, world.applicationId);
  const auth = await client.api.oauth2.getCurrentAuthorizationInformation();
  assert.equal(auth.application.id, world.applicationId);
  const member = await client.api.users.getGuildMember(world.g.id);
  assert.equal(member.user?.id, world.botUserId);
  const guilds = await client.api.users.getGuilds();
  assert.ok(guilds.some((g) => g.id === world.g.id));
  const preview = await client.api.guilds.getPreview(world.g.id);
  assert.equal(preview.id, world.g.id);
  // The bot itself is the guild's one integration, as Discord lists an added bot.
  const integrations = await client.api.guilds.getIntegrations(world.g.id);
  assert.deepEqual(
    integrations.map((i) => [i.type, i.application?.id, i.account.id]),
    [['discord', world.applicationId, world.botUserId]],
  );
  assert.ok((await client.api.voice.getVoiceRegions()).length >= 1);
});

test('@discordjs/core: receives a message, replies, edits, reacts, pins, deletes', async () => {
  const incoming = new Promise<GatewayMessageCreateDispatchData>((resolve) => {
    const handler = ({ data }: { data: GatewayMessageCreateDispatchData }) => {
      if (data.content !== 'ping') return;
      client.off(GatewayDispatchEvents.MessageCreate, handler);
      resolve(data);
    };
    client.on(GatewayDispatchEvents.MessageCreate, handler);
  });
  await post('ping');
  const message = await incoming;
  const reply = await client.api.channels.createMessage(channelId(), {
    content: 'pong',
    message_reference: { message_id: message.id },
  });
  assert.equal(reply.message_reference?.message_id, message.id);
  const edited = await client.api.channels.editMessage(channelId(), reply.id, { content: 'pong!' });
  assert.equal(edited.content, 'pong!');
  await client.api.channels.addMessageReaction(channelId(), message.id, '👍');
  const users = await client.api.channels.getMessageReactions(channelId(), message.id, '👍');
  assert.deepEqual(
    users.map((u) => u.id),
    [world.botUserId],
  );
  await client.api.channels.deleteOwnMessageReaction(channelId(), message.id, '👍');
  await client.api.channels.pinMessage(channelId(), message.id);
  const pins = await client.api.channels.getPins(channelId());
  assert.ok(JSON.stringify(pins).includes(message.id));
  await client.api.channels.unpinMessage(channelId(), message.id);
  await client.api.channels.showTyping(channelId());
  const history = await client.api.channels.getMessages(channelId(), { limit: 5 });
  assert.ok(history.some((m) => m.id === reply.id));
  await client.api.channels.deleteMessage(channelId(), reply.id);
});

test('@discordjs/core: embeds, bulk delete, roles, member chunking, DMs', async () => {
  const embed = await client.api.channels.createMessage(channelId(), { embeds: [{ title: 'Status' }] });
  assert.equal(embed.embeds[0].title, 'Status');
  const doomed = await bulkDeleteVictims(world);
  await client.api.channels.bulkDeleteMessages(channelId(), doomed.ids);
  await doomed.deleted();
  const role = await client.api.guilds.createRole(world.g.id, { name: 'Helpers' });
  await client.api.guilds.addRoleToMember(world.g.id, world.g.owner.id, role.id);
  await client.api.guilds.editRole(world.g.id, role.id, { name: 'Helpers 2' });
  await client.api.guilds.removeRoleFromMember(world.g.id, world.g.owner.id, role.id);
  await client.api.guilds.deleteRole(world.g.id, role.id);
  const { members } = await client.requestGuildMembers({ guild_id: world.g.id, query: '', limit: 0 });
  assert.ok(members.some((m) => m.user?.id === world.g.owner.id));
  const dm = await client.api.users.createDM(world.g.owner.id);
  const sent = await client.api.channels.createMessage(dm.id, { content: 'hello in private' });
  assert.equal(sent.channel_id, dm.id);
});

test('@discordjs/core: overwrites, threads, timeouts and bans', async () => {
  const { h, g } = world;
  const victim = await join(h, g);
  await client.api.channels.editPermissionOverwrite(channelId(), victim.id, {
    type: 1,
    allow: '64',
    deny: '2048',
  });
  const channel = (await client.api.channels.get(channelId())) as { permission_overwrites?: Array<any> };
  const overwrite = channel.permission_overwrites?.find((o) => o.id === victim.id);
  assert.deepEqual([overwrite?.allow, overwrite?.deny], ['64', '2048']);
  await client.api.channels.deletePermissionOverwrite(channelId(), victim.id);
  const starter = (await post('a topic')).body;
  const thread = await client.api.channels.createThread(channelId(), { name: 'topic' }, starter.id);
  const inThread = await client.api.channels.createMessage(thread.id, { content: 'in the thread' });
  assert.equal(inThread.channel_id, thread.id);
  const until = new Date(Date.now() + 5 * 60_000).toISOString();
  const timedOut = await client.api.guilds.editMember(g.id, victim.id, {
    communication_disabled_until: until,
  });
  assert.ok(timedOut.communication_disabled_until);
  await client.api.guilds.banUser(g.id, victim.id, { delete_message_seconds: 0 });
  const ban = await client.api.guilds.getMemberBan(g.id, victim.id);
  assert.equal(ban.user.id, victim.id);
  await client.api.guilds.unbanUser(g.id, victim.id);
});
