import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChannelContext } from '../../src/domain/guilds/channel-context';
import { ContextCache } from '../../src/domain/guilds/context-cache';
import { BUS_GAP, type Bus, type BusEvent, createMemoryBus } from '../../src/events/bus';
import { EventPublisher } from '../../src/events/publisher';

// The parts of a context and what drops each; the scenarios in message-context-freshness.test.ts and scale-out.test.ts
// show the same through the API.

const GUILD = '100';
const CHANNEL = '200';
const USER = '300';

function context(over: { channelType?: number; member?: boolean; channelId?: string } = {}): ChannelContext {
  const channelId = over.channelId ?? CHANNEL;
  return {
    channel: { id: channelId, guildId: GUILD, type: over.channelType ?? 0 },
    guild: { id: GUILD, ownerId: '1' },
    member: over.member === false ? null : { guildId: GUILD, userId: USER },
    roleIds: ['400'],
    roles: [],
    overwrites: [],
    recipient: false,
    threadMember: false,
    caller: { id: USER, username: 'someone' },
  } as unknown as ChannelContext;
}

function kept(cache = new ContextCache(), ctx = context()): ContextCache {
  cache.remember(cache.begin(), USER, ctx);
  assert.ok(cache.get(ctx.channel.id, USER), 'kept');
  return cache;
}

const event = (t: string, topic: string, d: unknown = {}): BusEvent => ({ t, topic, d });

describe('context cache', () => {
  test('a context is served only while every part of it is fresh', () => {
    const cache = kept();
    const now = Date.now();
    assert.equal(cache.get(CHANNEL, USER, now)?.member?.userId, USER);
    assert.equal(cache.get(CHANNEL, '301', now), null, 'another user in the same channel');
    assert.equal(cache.get('201', USER, now), null, 'another channel');
    assert.equal(cache.get(CHANNEL, USER, now + 60_000), null, 'expired');
  });

  test('threads, DMs and non-members are never kept', () => {
    for (const ctx of [
      context({ channelType: 11 }),
      context({ channelType: 12 }),
      context({ member: false }),
    ]) {
      const cache = new ContextCache();
      cache.remember(cache.begin(), USER, ctx);
      assert.equal(cache.get(CHANNEL, USER), null, `type ${ctx.channel.type}`);
    }
    const dm = new ContextCache();
    dm.remember(dm.begin(), USER, {
      ...context(),
      guild: null,
      channel: { id: CHANNEL, guildId: null, type: 1 },
    } as never);
    assert.equal(dm.get(CHANNEL, USER), null, 'DM');
  });

  test('a read that started before a drop is not remembered', () => {
    const cache = new ContextCache();
    const started = cache.begin();
    cache.observe(event('GUILD_MEMBER_REMOVE', `guild:${GUILD}`, { guild_id: GUILD, user: { id: USER } }));
    cache.remember(started, USER, context());
    assert.equal(cache.get(CHANNEL, USER), null);
    cache.remember(cache.begin(), USER, context());
    assert.ok(cache.get(CHANNEL, USER));
  });

  test('messages, reactions, typing and presences drop nothing', () => {
    const cache = kept();
    const started = cache.begin();
    for (const t of [
      'MESSAGE_CREATE',
      'MESSAGE_REACTION_ADD',
      'TYPING_START',
      'PRESENCE_UPDATE',
      'MESSAGE_ACK',
    ])
      cache.observe(
        event(t, `channel:${CHANNEL}`, { guild_id: GUILD, channel_id: CHANNEL, user: { id: USER } }),
      );
    assert.ok(cache.get(CHANNEL, USER));
    assert.equal(started, cache.begin(), 'no drop counted');
  });

  test("a member's event drops that member only", () => {
    const cache = kept();
    cache.remember(cache.begin(), '301', {
      ...context(),
      member: { guildId: GUILD, userId: '301' },
    } as never);
    cache.observe(event('GUILD_MEMBER_UPDATE', `guild:${GUILD}`, { guild_id: GUILD, user: { id: '301' } }));
    assert.equal(cache.get(CHANNEL, '301'), null);
    assert.ok(cache.get(CHANNEL, USER));
  });

  test("any other event of the guild drops the guild's parts, known or not", () => {
    for (const t of [
      'GUILD_ROLE_UPDATE',
      'CHANNEL_UPDATE',
      'GUILD_UPDATE',
      'THREAD_CREATE',
      'SOMETHING_NEW',
    ]) {
      const cache = kept();
      cache.remember(cache.begin(), USER, context({ channelId: '201' }));
      cache.observe(event(t, `guild:${GUILD}`, { id: '999', guild_id: GUILD }));
      assert.equal(cache.get(CHANNEL, USER), null, t);
      assert.equal(cache.get('201', USER), null, t);
    }
    const other = kept();
    other.observe(event('GUILD_ROLE_UPDATE', 'guild:101', { guild_id: '101' }));
    assert.ok(other.get(CHANNEL, USER), 'another guild');
  });

  test("a user's own events and USER_UPDATE drop the user's parts", () => {
    for (const e of [
      event('USER_UPDATE', `user:${USER}`, { id: USER }),
      event('SESSIONS_REVOKED', `user:${USER}`),
      event('USER_UPDATE', `guild:${GUILD}`, { id: USER }),
    ]) {
      const cache = kept();
      cache.observe(e);
      assert.equal(cache.get(CHANNEL, USER), null, `${e.t} on ${e.topic}`);
    }
  });

  test('events missed while the bus was away (BUS_GAP) drop everything', () => {
    const cache = kept();
    cache.remember(cache.begin(), '301', {
      ...context(),
      member: { guildId: GUILD, userId: '301' },
    } as never);
    const started = cache.begin();
    cache.observe(event(BUS_GAP, 'bus:gap', null));
    assert.equal(cache.get(CHANNEL, USER), null);
    assert.equal(cache.get(CHANNEL, '301'), null);
    cache.remember(started, USER, context());
    assert.equal(cache.get(CHANNEL, USER), null, 'a read from before is not kept');
  });

  test("a user's requests that miss together read once; other users and failed reads are not shared", async () => {
    const cache = new ContextCache();
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const read = (ctx: ChannelContext) => async () => {
      reads++;
      await gate;
      return ctx;
    };
    const same = Array.from({ length: 5 }, () => cache.through(CHANNEL, USER, read(context())));
    release();
    const got = await Promise.all(same);
    assert.equal(reads, 1, 'one read for five requests');
    assert.ok(got.every((c) => c?.member?.userId === USER));

    const other = new ContextCache();
    let otherReads = 0;
    const counting = (userId: string) => async () => {
      otherReads++;
      return { ...context(), member: { guildId: GUILD, userId } } as unknown as ChannelContext;
    };
    await Promise.all([
      other.through(CHANNEL, '301', counting('301')),
      other.through(CHANNEL, '302', counting('302')),
    ]);
    assert.equal(otherReads, 2, 'users do not wait for each other');

    const failing = new ContextCache();
    const first = failing.through(CHANNEL, USER, async () => {
      throw new Error('database unreachable');
    });
    const second = failing.through(CHANNEL, USER, async () => context());
    await assert.rejects(first, /unreachable/);
    assert.equal((await second)?.member?.userId, USER, 'a waiter reads for itself after a failed read');
  });

  test('the publisher shows each event to its observers before the bus has it', async () => {
    const seen: string[] = [];
    const bus: Bus = {
      ...createMemoryBus(),
      publish: async (e) => {
        seen.push(`bus ${e.t}`);
      },
    };
    const cache = kept();
    const publisher = new EventPublisher(bus, () => {}, [
      (e) => {
        seen.push(`observer ${e.t}`);
        cache.observe(e);
      },
    ]);
    publisher.publish('GUILD_MEMBER_REMOVE', `guild:${GUILD}`, { guild_id: GUILD, user: { id: USER } });
    assert.equal(cache.get(CHANNEL, USER), null, 'dropped synchronously');
    assert.deepEqual(seen, ['observer GUILD_MEMBER_REMOVE', 'bus GUILD_MEMBER_REMOVE']);
  });
});
