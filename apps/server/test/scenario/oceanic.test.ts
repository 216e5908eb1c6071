import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { Message } from 'oceanic.js';
import { attachmentArrived, type BotWorld, botWorld, bulkDeleteVictims, nextEvent } from '../bots/bot-setup';
import { join } from '../guild-helpers';

// An unmodified Oceanic.js bot, pointed at Hearth with `rest.baseURL` only (it finds the gateway through
// GET /gateway/bot), doing what bots do.

// Oceanic's ESM entry re-exports its CommonJS build in a way tsx's loader leaves empty: load the CommonJS build.
const { Client } = createRequire(import.meta.url)('oceanic.js') as typeof import('oceanic.js');

let world: BotWorld;
let client: InstanceType<typeof Client>;

/** Resolves with the first `name` event of the client whose arguments satisfy `match`. */
const event = <T extends unknown[]>(name: string, match?: (...args: T) => boolean) =>
  nextEvent<T>(client as never, name, match, 10_000);

before(async () => {
  world = await botWorld('Oceanic bot');
  client = new Client({
    auth: `Bot ${world.token}`,
    gateway: {
      intents: [
        'GUILDS',
        'GUILD_MEMBERS',
        'GUILD_MESSAGES',
        'GUILD_MESSAGE_REACTIONS',
        'GUILD_MESSAGE_TYPING',
        'DIRECT_MESSAGES',
        'MESSAGE_CONTENT',
      ],
    },
    rest: { baseURL: `${world.h.url}/api/v10` },
  });
  const ready = event('ready');
  await client.connect();
  await ready;
});

after(async () => {
  client?.disconnect(false);
  await world?.h.close();
});

const channelId = () => world.g.textChannelId;
const post = (content: string) => world.post(content);

test('Oceanic: logs in with the guild cached', () => {
  assert.equal(client.user.id, world.botUserId);
  const guild = client.guilds.get(world.g.id);
  assert.ok(guild, 'guild cached');
  assert.ok(guild.channels.has(channelId()));
});

test('Oceanic: receives a message, replies, edits, deletes', async () => {
  const incoming = event<[Message]>('messageCreate', (m) => m.content === 'ping');
  await post('ping');
  const [message] = await incoming;
  assert.equal(message.author.id, world.g.owner.id);
  const reply = await client.rest.channels.createMessage(channelId(), {
    content: 'pong',
    messageReference: { messageID: message.id },
  });
  assert.equal(reply.messageReference?.messageID, message.id);
  const edited = await client.rest.channels.editMessage(channelId(), reply.id, { content: 'pong!' });
  assert.equal(edited.content, 'pong!');
  const deleted = event<[{ id: string }]>('messageDelete', (m) => m.id === reply.id);
  await client.rest.channels.deleteMessage(channelId(), reply.id);
  await deleted;
});

test('Oceanic: reactions, pins (current pins API), history', async () => {
  const sent = (await post('react and pin me')).body;
  await client.rest.channels.createReaction(channelId(), sent.id, '👍');
  const users = await client.rest.channels.getReactions(channelId(), sent.id, '👍');
  assert.deepEqual(
    users.map((u) => u.id),
    [world.botUserId],
  );
  await client.rest.channels.deleteReaction(channelId(), sent.id, '👍');
  await client.rest.channels.pinMessage(channelId(), sent.id);
  const pins = await client.rest.channels.getPins(channelId());
  assert.ok(pins.some((p) => p.message.id === sent.id));
  await client.rest.channels.unpinMessage(channelId(), sent.id);
  const history = await client.rest.channels.getMessages(channelId(), { limit: 10 });
  assert.ok(history.some((m) => m.id === sent.id));
});

test('Oceanic: typing, embeds, bulk delete', async () => {
  await client.rest.channels.sendTyping(channelId());
  const embed = await client.rest.channels.createMessage(channelId(), {
    embeds: [{ title: 'Status', description: 'all good', color: 0x00ff00 }],
  });
  assert.equal(embed.embeds[0].title, 'Status');
  const doomed = await bulkDeleteVictims(world);
  await client.rest.channels.deleteMessages(channelId(), doomed.ids);
  await doomed.deleted();
});

test('Oceanic: roles and member chunking', async () => {
  const guildId = world.g.id;
  const role = await client.rest.guilds.createRole(guildId, { name: 'Helpers', mentionable: true });
  await client.rest.guilds.addMemberRole(guildId, world.g.owner.id, role.id);
  const member = await client.rest.guilds.getMember(guildId, world.g.owner.id);
  assert.ok(member.roles.includes(role.id));
  await client.rest.guilds.editRole(guildId, role.id, { name: 'Helpers 2' });
  await client.rest.guilds.removeMemberRole(guildId, world.g.owner.id, role.id);
  await client.rest.guilds.deleteRole(guildId, role.id);
  const members = await client.guilds.get(guildId)!.fetchMembers();
  assert.ok(members.some((m) => m.id === world.g.owner.id));
});

test('Oceanic: DMs', async () => {
  const dm = await client.rest.channels.createDM(world.g.owner.id);
  const sent = await client.rest.channels.createMessage(dm.id, { content: 'hello in private' });
  assert.equal(sent.channelID, dm.id);
});

test('Oceanic: overwrites, threads, timeouts and bans', async () => {
  const { h, g } = world;
  const victim = await join(h, g);
  await client.rest.channels.editPermission(channelId(), victim.id, { type: 1, allow: 64n, deny: 2048n });
  const channel = await client.rest.channels.get(channelId());
  const overwrite = (channel as any).permissionOverwrites.get(victim.id);
  assert.deepEqual([overwrite?.allow, overwrite?.deny], [64n, 2048n]);
  await client.rest.channels.deletePermission(channelId(), victim.id);
  const starter = (await post('a topic')).body;
  const thread = await client.rest.channels.startThreadFromMessage(channelId(), starter.id, {
    name: 'topic',
  });
  const inThread = await client.rest.channels.createMessage(thread.id, { content: 'in the thread' });
  assert.equal(inThread.channelID, thread.id);
  const until = new Date(Date.now() + 5 * 60_000).toISOString();
  const timedOut = await client.rest.guilds.editMember(g.id, victim.id, {
    communicationDisabledUntil: until,
  });
  assert.ok(timedOut.communicationDisabledUntil);
  await client.rest.guilds.createBan(g.id, victim.id, { deleteMessageSeconds: 0 });
  const ban = await client.rest.guilds.getBan(g.id, victim.id);
  assert.equal(ban.user.id, victim.id);
  await client.rest.guilds.removeBan(g.id, victim.id);
});

test('Oceanic: uploads with and without content', async () => {
  const bytes = Buffer.from([0, 1, 2, 255, ...Buffer.from('a file from Oceanic')]);
  const withContent = await client.rest.channels.createMessage(channelId(), {
    content: 'here is a file',
    files: [{ name: 'oceanic.bin', contents: bytes }],
  });
  assert.equal(withContent.content, 'here is a file');
  assert.equal(withContent.attachments.size, 1);
  await attachmentArrived(world, withContent.id, 'oceanic.bin', bytes);
  const fileOnly = await client.rest.channels.createMessage(channelId(), {
    files: [{ name: 'only.bin', contents: bytes }],
  });
  assert.equal(fileOnly.content, '');
  await attachmentArrived(world, fileOnly.id, 'only.bin', bytes);
});
