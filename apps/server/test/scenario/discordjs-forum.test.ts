import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import {
  ChannelType,
  Client,
  Events,
  type ForumChannel,
  GatewayIntentBits,
  type Message,
  type ThreadChannel,
} from 'discord.js';
import { type BotWorld, nextEvent as botEvent, botWorld } from '../bots/bot-setup';

// An unmodified discord.js v14 bot in a forum channel: creates it with tags, posts, reads posts, tags and pins.

let world: BotWorld;
let client: Client;

const nextEvent = <T extends unknown[]>(name: string, match?: (...args: T) => boolean) =>
  botEvent<T>(client, name, match);

before(async () => {
  world = await botWorld('Forum Bot');
  client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
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

test('a discord.js bot creates a forum with tags, posts in it, sees posts as threads, tags and pins them', async () => {
  const { h, g } = world;
  const guild = client.guilds.cache.get(g.id)!;
  const forum = (await guild.channels.create({
    name: 'support',
    type: ChannelType.GuildForum,
    topic: 'Ask away',
    availableTags: [
      { name: 'bug', emoji: { id: null, name: '🐛' } },
      { name: 'solved', moderated: true },
    ],
    defaultReactionEmoji: { id: null, name: '👍' },
  })) as ForumChannel;
  assert.equal(forum.type, ChannelType.GuildForum);
  assert.deepEqual(
    forum.availableTags.map((t) => [t.name, t.moderated, t.emoji?.name ?? null]),
    [
      ['bug', false, '🐛'],
      ['solved', true, null],
    ],
  );
  assert.equal(forum.defaultReactionEmoji?.name, '👍');
  const [bug, solved] = forum.availableTags.map((t) => t.id);

  // A person's post reaches the bot as threadCreate (newly created), then its starter message.
  const created = nextEvent<[ThreadChannel, boolean]>(Events.ThreadCreate, (t) => t.name === 'It crashes');
  const starter = nextEvent<[Message]>(Events.MessageCreate, (m) => m.content === 'on start');
  const res = await h.api('POST', `/channels/${forum.id}/threads`, {
    token: g.owner.token,
    body: { name: 'It crashes', applied_tags: [bug], message: { content: 'on start' } },
  });
  assert.equal(res.status, 201, res.text);
  const [thread, newlyCreated] = await created;
  assert.equal(newlyCreated, true);
  assert.equal(thread.parentId, forum.id);
  assert.deepEqual(thread.appliedTags, [bug]);
  const [first] = await starter;
  assert.equal(first.channelId, thread.id);
  assert.equal((await thread.fetchStarterMessage())?.content, 'on start');

  // The bot posts, with a tag and a file; then marks it solved (moderated: it may manage threads) and pins it.
  const own = await forum.threads.create({
    name: 'Release notes',
    message: { content: 'v1 is out', files: [{ attachment: Buffer.from('notes'), name: 'notes.txt' }] },
    appliedTags: [bug],
  });
  assert.equal(own.parentId, forum.id);
  assert.deepEqual(own.appliedTags, [bug]);
  const ownStarter = await own.fetchStarterMessage();
  assert.equal(ownStarter?.id, own.id);
  assert.equal(ownStarter?.attachments.first()?.name, 'notes.txt');
  const tagged = await own.setAppliedTags([bug, solved]);
  assert.deepEqual(tagged.appliedTags, [bug, solved]);
  const pinned = await own.pin();
  assert.ok(pinned.flags.has('Pinned'));
  const active = await forum.threads.fetchActive();
  assert.deepEqual([...active.threads.keys()].sort(), [thread.id, own.id].sort());

  // Messages cannot be sent to the forum itself.
  await assert.rejects(
    client.rest.post(`/channels/${forum.id}/messages`, { body: { content: 'nope' } }),
    (err: { code?: number }) => err.code === 40058,
  );
});
