import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type Eris from 'eris';
import {
  attachmentArrived,
  type BotWorld,
  botWorld,
  bulkDeleteVictims,
  nextEvent,
  type TlsFront,
  tlsFront,
} from '../bots/bot-setup';
import { join } from '../guild-helpers';
import { freePort } from '../harness';

// An unmodified Eris bot doing what bots do. Eris speaks HTTPS on port 443 only, to `rest.domain`: Hearth runs
// behind a TLS front as a deployment would, and the bot is given that host, the API path and the front's
// certificate (`rest.agent`, `ws`); the gateway URL comes from GET /gateway/bot.

// Eris's ESM entry re-exports its CommonJS build in a way tsx's loader leaves empty: load the CommonJS build.
const { Client } = createRequire(import.meta.url)('eris') as typeof Eris;

let world: BotWorld;
let front: TlsFront;
let client: Eris.Client;

/** Resolves with the first `name` event of the client whose arguments satisfy `match`. */
const event = <T extends unknown[]>(name: string, match?: (...args: T) => boolean) =>
  nextEvent<T>(client, name, match);

before(async () => {
  const port = await freePort();
  front = await tlsFront(port);
  world = await botWorld('Eris bot', { port, publicUrl: `https://${front.host}` });
  client = new Client(`Bot ${world.token}`, {
    intents: [
      'guilds',
      'guildMembers',
      'guildMessages',
      'guildMessageReactions',
      'directMessages',
      'messageContent',
    ],
    rest: { domain: front.host, baseURL: '/api/v10', agent: new Agent({ ca: front.ca }) },
    ws: { ca: front.ca },
    restMode: true,
  });
  const ready = event('ready');
  await client.connect();
  await ready;
});

after(async () => {
  client?.disconnect({ reconnect: false });
  await world?.h.close();
  await front?.close();
});

const channelId = () => world.g.textChannelId;
const post = (content: string) => world.post(content);

test('Eris: logs in with the guild cached', () => {
  assert.equal(client.user.id, world.botUserId);
  const guild = client.guilds.get(world.g.id);
  assert.ok(guild, 'guild cached');
  assert.ok(guild.channels.has(channelId()));
});

test('Eris: receives a message, replies, edits, deletes', async () => {
  const incoming = event<[Eris.Message]>('messageCreate', (m) => m.content === 'ping');
  await post('ping');
  const [message] = await incoming;
  assert.equal(message.author.id, world.g.owner.id);
  const reply = await client.createMessage(channelId(), {
    content: 'pong',
    messageReference: { messageID: message.id },
  });
  assert.equal(reply.messageReference?.messageID, message.id);
  const edited = await client.editMessage(channelId(), reply.id, 'pong!');
  assert.equal(edited.content, 'pong!');
  const deleted = event<[{ id: string }]>('messageDelete', (m) => m.id === reply.id);
  await client.deleteMessage(channelId(), reply.id);
  await deleted;
});

test('Eris: reactions, pins, history', async () => {
  const sent = (await post('react and pin me')).body;
  await client.addMessageReaction(channelId(), sent.id, '👍');
  const users = await client.getMessageReaction(channelId(), sent.id, '👍');
  assert.deepEqual(
    users.map((u) => u.id),
    [world.botUserId],
  );
  await client.removeMessageReaction(channelId(), sent.id, '👍');
  await client.pinMessage(channelId(), sent.id);
  const pins = await client.getPins(channelId());
  assert.ok(pins.some((m) => m.id === sent.id));
  await client.unpinMessage(channelId(), sent.id);
  const history = await client.getMessages(channelId(), { limit: 10 });
  assert.ok(history.some((m) => m.id === sent.id));
});

test('Eris: typing, embeds, bulk delete', async () => {
  await client.sendChannelTyping(channelId());
  const embed = await client.createMessage(channelId(), {
    embeds: [{ title: 'Status', description: 'all good' }],
  });
  assert.equal(embed.embeds[0].title, 'Status');
  const doomed = await bulkDeleteVictims(world);
  await client.deleteMessages(channelId(), doomed.ids);
  await doomed.deleted();
});

test('Eris: roles and member chunking', async () => {
  const guildId = world.g.id;
  const role = await client.createRole(guildId, { name: 'Helpers', mentionable: true });
  await client.addGuildMemberRole(guildId, world.g.owner.id, role.id);
  const member = await client.getRESTGuildMember(guildId, world.g.owner.id);
  assert.ok(member.roles.includes(role.id));
  await client.editRole(guildId, role.id, { name: 'Helpers 2' });
  await client.removeGuildMemberRole(guildId, world.g.owner.id, role.id);
  await client.deleteRole(guildId, role.id);
  const members = await client.guilds.get(guildId)!.fetchMembers({ userIDs: [world.g.owner.id] });
  assert.deepEqual(
    members.map((m) => m.id),
    [world.g.owner.id],
  );
});

test('Eris: DMs', async () => {
  const dm = await client.getDMChannel(world.g.owner.id);
  const sent = await client.createMessage(dm.id, 'hello in private');
  assert.equal(sent.channel.id, dm.id);
});

test('Eris: overwrites, threads, timeouts and bans', async () => {
  const { h, g } = world;
  const victim = await join(h, g);
  await client.editChannelPermission(channelId(), victim.id, 64n, 2048n, 1);
  const channel = (await client.getRESTChannel(channelId())) as Eris.TextChannel;
  const overwrite = channel.permissionOverwrites.get(victim.id);
  assert.deepEqual([overwrite?.allow, overwrite?.deny], [64n, 2048n]);
  await client.deleteChannelPermission(channelId(), victim.id);
  const starter = (await post('a topic')).body;
  const thread = await client.createThreadWithMessage(channelId(), starter.id, { name: 'topic' });
  const inThread = await client.createMessage(thread.id, 'in the thread');
  assert.equal(inThread.channel.id, thread.id);
  const until = new Date(Date.now() + 5 * 60_000);
  const timedOut = await client.editGuildMember(g.id, victim.id, { communicationDisabledUntil: until });
  assert.ok(timedOut.communicationDisabledUntil);
  await client.banGuildMember(g.id, victim.id, { deleteMessageSeconds: 0 });
  const ban = await client.getGuildBan(g.id, victim.id);
  assert.equal(ban.user.id, victim.id);
  await client.unbanGuildMember(g.id, victim.id);
});

test('Eris: uploads with and without content', async () => {
  const bytes = Buffer.from([0, 1, 2, 255, ...Buffer.from('a file from Eris')]);
  const withContent = await client.createMessage(channelId(), 'here is a file', {
    file: bytes,
    name: 'eris.bin',
  });
  assert.equal(withContent.content, 'here is a file');
  assert.equal(withContent.attachments.length, 1);
  await attachmentArrived(world, withContent.id, 'eris.bin', bytes);
  const fileOnly = await client.createMessage(channelId(), {}, { file: bytes, name: 'only.bin' });
  assert.equal(fileOnly.content, '');
  await attachmentArrived(world, fileOnly.id, 'only.bin', bytes);
});
