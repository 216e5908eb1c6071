import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { ChannelType, Client, Events, GatewayIntentBits, type Message, Partials } from 'discord.js';
import { type BotWorld, nextEvent as botEvent, botWorld } from '../bots/bot-setup';
import { join, type TestGuild } from '../guild-helpers';
import type { TestServer, TestUser } from '../harness';

// An unmodified discord.js v14 bot, pointed at Hearth with `rest.api`, doing what bots do.

let world: BotWorld;
let h: TestServer;
let g: TestGuild;
let client: Client;
let botUserId: string;

/** Resolves with the first event of `name` whose arguments satisfy `match`. */
const nextEvent = <T extends unknown[]>(name: string, match?: (...args: T) => boolean, ms = 10_000) =>
  botEvent<T>(client, name, match, ms);

const post = (u: TestUser, channelId: string, content: string) =>
  h.api('POST', `/channels/${channelId}/messages`, { token: u.token, body: { content } });

before(async () => {
  world = await botWorld('Compat Bot');
  ({ h, g, botUserId } = world);
  client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMembers,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.GuildMessageReactions,
      GatewayIntentBits.GuildMessageTyping,
      GatewayIntentBits.DirectMessages,
      GatewayIntentBits.MessageContent,
    ],
    partials: [Partials.Channel],
    rest: { api: `${h.url}/api`, retries: 0 },
  });
  const ready = once(client, Events.ClientReady);
  await client.login(world.token);
  await ready;
});

after(async () => {
  await client?.destroy();
  await h?.close();
});

test('logs in with the guild cached and available', () => {
  assert.equal(client.user?.id, botUserId);
  const guild = client.guilds.cache.get(g.id);
  assert.ok(guild, 'guild cached');
  assert.equal(guild.available, true);
  assert.ok(guild.channels.cache.has(g.textChannelId));
  assert.ok(guild.members.cache.has(botUserId));
  assert.ok(guild.roles.everyone);
});

test('receives messageCreate, replies, edits and deletes (messageDelete fires)', async () => {
  const incoming = nextEvent<[Message]>(Events.MessageCreate, (m) => m.content === 'ping');
  await post(g.owner, g.textChannelId, 'ping');
  const [message] = await incoming;
  assert.equal(message.author.id, g.owner.id);
  assert.equal(message.guildId, g.id);
  const reply = await message.reply('pong');
  assert.equal(reply.content, 'pong');
  assert.equal(reply.reference?.messageId, message.id);
  const edited = await reply.edit('pong!');
  assert.equal(edited.content, 'pong!');
  const deleted = nextEvent<[Message]>(Events.MessageDelete, (m) => m.id === reply.id);
  await reply.delete();
  await deleted;
  const stored = await h.api('GET', `/channels/${g.textChannelId}/messages/${reply.id}`, {
    token: g.owner.token,
  });
  assert.equal(stored.status, 404);
});

test('reacts, and sees messageReactionAdd from a user', async () => {
  const incoming = nextEvent<[Message]>(Events.MessageCreate, (m) => m.content === 'react to me');
  const sent = (await post(g.owner, g.textChannelId, 'react to me')).body;
  const [message] = await incoming;
  await message.react('👍');
  const seen = await h.api('GET', `/channels/${g.textChannelId}/messages/${sent.id}`, {
    token: g.owner.token,
  });
  assert.equal(seen.body.reactions[0].count, 1);
  const reaction = nextEvent(Events.MessageReactionAdd, (_r: any, u: any) => u.id === g.owner.id);
  await h.api(
    'PUT',
    `/channels/${g.textChannelId}/messages/${sent.id}/reactions/${encodeURIComponent('🔥')}/@me`,
    { token: g.owner.token },
  );
  const [r] = (await reaction) as unknown as [any];
  assert.equal(r.emoji.name, '🔥');
});

test('fetches history, creates a channel and a role, and assigns it', async () => {
  const channel = await client.channels.fetch(g.textChannelId);
  assert.ok(channel?.isTextBased());
  const history = await (channel as any).messages.fetch({ limit: 10 });
  assert.ok(history.size >= 1);
  const guild = client.guilds.cache.get(g.id)!;
  const created = await guild.channels.create({ name: 'bot-made', type: ChannelType.GuildText });
  assert.equal(created.name, 'bot-made');
  const role = await guild.roles.create({ name: 'Helpers', permissions: [], mentionable: true });
  const member = await guild.members.fetch(g.owner.id);
  await member.roles.add(role);
  const check = await h.api('GET', `/guilds/${g.id}/members/${g.owner.id}`, { token: g.owner.token });
  assert.ok(check.body.roles.includes(role.id));
});

test('sees guildMemberAdd when a user joins by invite, and typingStart', async () => {
  const joined = nextEvent(Events.GuildMemberAdd);
  const u = await join(h, g);
  const [member] = (await joined) as [any];
  assert.equal(member.id, u.id);
  const typing = nextEvent(Events.TypingStart, (t: any) => t.user.id === u.id);
  await h.api('POST', `/channels/${g.textChannelId}/typing`, { token: u.token });
  await typing;
});

test('receives and sends DMs', async () => {
  const u = await h.register();
  const dm = (
    await h.api('POST', '/users/@me/channels', { token: u.token, body: { recipient_id: botUserId } })
  ).body;
  const incoming = nextEvent<[Message]>(Events.MessageCreate, (m) => m.content === 'hello bot');
  await post(u, dm.id, 'hello bot');
  const [message] = await incoming;
  assert.equal(message.channel.type, ChannelType.DM);
  const user = await client.users.fetch(u.id);
  const sent = await user.send('hello human');
  const history = await h.api('GET', `/channels/${dm.id}/messages`, { token: u.token });
  assert.ok(history.body.some((m: any) => m.id === sent.id));
});

test('fetches guild members through op 8', async () => {
  const guild = client.guilds.cache.get(g.id)!;
  const members = await guild.members.fetch();
  assert.ok(members.has(g.owner.id));
  assert.ok(members.has(botUserId));
});

test('recovers from a forced disconnect by resuming, with nothing missed', async () => {
  const resumed = nextEvent(Events.ShardResume, () => true, 20_000);
  h.app.gateway.dropConnections(botUserId);
  const missed = nextEvent<[Message]>(Events.MessageCreate, (m) => m.content === 'sent while away', 20_000);
  await post(g.owner, g.textChannelId, 'sent while away');
  await missed;
  await resumed;
});

test('manages stickers and scheduled events through guild.stickers and guild.scheduledEvents', async () => {
  const guild = client.guilds.cache.get(g.id)!;
  const { default: sharp } = await import('sharp');
  const file = await sharp({ create: { width: 64, height: 64, channels: 4, background: '#0af' } })
    .png()
    .toBuffer();
  const sticker = await guild.stickers.create({
    file,
    name: 'djs',
    tags: 'wave',
    description: 'from discord.js',
  });
  assert.equal(sticker.name, 'djs');
  assert.equal(sticker.guildId, g.id);
  const fetched = await guild.stickers.fetch();
  assert.ok(fetched.has(sticker.id));
  assert.equal((await client.fetchSticker(sticker.id)).name, 'djs');
  assert.equal((await client.fetchPremiumStickerPacks()).size, 0);
  const channel = guild.channels.cache.get(g.textChannelId)!;
  assert.ok(channel.isTextBased());
  const sent = await channel.send({ stickers: [sticker.id] });
  assert.equal(sent.stickers.first()?.id, sticker.id);
  assert.equal((await sticker.edit({ name: 'djs2' })).name, 'djs2');
  await sticker.delete();
  assert.equal((await guild.stickers.fetch()).has(sticker.id), false);

  const event = await guild.scheduledEvents.create({
    name: 'Launch',
    scheduledStartTime: new Date(Date.now() + 3600_000),
    scheduledEndTime: new Date(Date.now() + 7200_000),
    privacyLevel: 2,
    entityType: 3,
    entityMetadata: { location: 'Online' },
  });
  assert.equal(event.name, 'Launch');
  assert.equal(event.entityMetadata?.location, 'Online');
  await h.api('PUT', `/guilds/${g.id}/scheduled-events/${event.id}/users/@me`, { token: g.owner.token });
  const withCount = await guild.scheduledEvents.fetch({
    guildScheduledEvent: event.id,
    withUserCount: true,
    force: true,
  });
  assert.equal(withCount.userCount, 1);
  const subscribers = await event.fetchSubscribers({ withMember: true });
  assert.equal(subscribers.first()?.user.id, g.owner.id);
  assert.equal((await event.setStatus(2)).status, 2);
  assert.equal((await event.setStatus(3)).status, 3);
  assert.ok((await guild.scheduledEvents.fetch()).has(event.id));
  await guild.scheduledEvents.delete(event.id);
  assert.equal((await guild.scheduledEvents.fetch()).has(event.id), false);
});
