import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

// Lazy member lists (ADR 0041): op 14 `channels` and GUILD_MEMBER_LIST_UPDATE, and the presences of large guilds.

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => closeWithClients(h));

type Item = { group: { id: string; count: number } } | { member: any };

/** A client's copy of its ranges: a sparse array spliced as the ops say (as the web app's member-list.ts does). */
function apply(copy: (Item | undefined)[], ops: any[]): void {
  for (const op of ops) {
    if (op.op === 'SYNC')
      op.items.forEach((item: Item, i: number) => {
        copy[op.range[0] + i] = item;
      });
    else if (op.op === 'INVALIDATE') for (let i = op.range[0]; i <= op.range[1]; i++) copy[i] = undefined;
    else if (op.op === 'INSERT' && op.index >= copy.length) copy[op.index] = op.item;
    else if (op.op === 'INSERT') copy.splice(op.index, 0, op.item);
    else if (op.op === 'UPDATE') copy[op.index] = op.item;
    else if (op.op === 'DELETE') copy.splice(op.index, 1);
  }
}

const label = (item: Item | undefined) =>
  !item
    ? '-'
    : 'group' in item
      ? `#${item.group.id}`
      : `${item.member.user.id}:${item.member.presence.status}`;

const subscribe = (c: TestGateway, guildId: string, channelId: string, ranges: number[][] = [[0, 99]]) =>
  c.send({ op: 14, d: { guild_id: guildId, channels: { [channelId]: ranges } } });

/** A session following a channel's list [0, 99], with its copy kept from the updates it gets. */
class Follower {
  copy: (Item | undefined)[] = [];
  last: any;
  constructor(
    readonly c: TestGateway,
    readonly g: TestGuild,
    readonly channelId = g.textChannelId,
  ) {}

  async start(): Promise<any> {
    subscribe(this.c, this.g.id, this.channelId);
    const d = await this.c.dispatch('GUILD_MEMBER_LIST_UPDATE');
    apply(this.copy, d.ops);
    this.last = d;
    return d;
  }

  /** Applies updates in order until one matches. */
  async until(match: (d: any) => boolean): Promise<any> {
    for (;;) {
      const d = await this.c.dispatch('GUILD_MEMBER_LIST_UPDATE');
      apply(this.copy, d.ops);
      this.last = d;
      if (match(d)) return d;
    }
  }

  /** Asks again and compares the fresh SYNC with what the updates made of the copy. */
  async verify(): Promise<string[]> {
    subscribe(this.c, this.g.id, this.channelId);
    const sync = await this.until((d) => d.ops.length === 1 && d.ops[0].op === 'SYNC');
    const fresh = sync.ops[0].items.map(label);
    assert.deepEqual(this.copy.slice(0, fresh.length).map(label), fresh);
    return fresh;
  }
}

const hasOp = (kind: string, userId?: string) => (d: any) =>
  d.ops.some((op: any) => op.op === kind && (!userId || op.item?.member?.user.id === userId));

describe('lazy member lists', () => {
  test('op 14 channels: a SYNC of the range, then INSERT/UPDATE/DELETE for presences, joins, roles and leaves', async () => {
    const g = await createGuild(h);
    const tag = Math.random().toString(36).slice(2, 7);
    const ann = await join(h, g, await h.register({ username: `ann_${tag}` }));
    const bob = await join(h, g, await h.register({ username: `bob_${tag}` }));
    const f = new Follower(await TestGateway.identify(h, g.owner.token, {}, 1), g);
    const first = await f.start();
    assert.equal(first.id, 'everyone');
    assert.equal(first.guild_id, g.id);
    assert.equal(first.member_count, 3);
    assert.equal(first.online_count, 1);
    assert.deepEqual(first.groups, [
      { id: 'online', count: 1 },
      { id: 'offline', count: 2 },
    ]);
    assert.equal(first.ops.length, 1);
    const [sync] = first.ops;
    assert.deepEqual(sync.range, [0, 99]);
    assert.deepEqual(sync.items.map(label), [
      '#online',
      `${g.owner.id}:online`,
      '#offline',
      `${ann.id}:offline`,
      `${bob.id}:offline`,
    ]);
    const owner = sync.items[1].member;
    assert.equal(owner.user.id, g.owner.id);
    assert.ok(Array.isArray(owner.roles) && owner.joined_at);
    assert.deepEqual(sync.items[0], { group: { id: 'online', count: 1 } });

    // Bob comes online: out of "offline", into "online" (sorted after the owner or before, by name).
    const bobs = await TestGateway.identify(h, bob.token, {}, 1);
    const online = await f.until(hasOp('INSERT', bob.id));
    assert.equal(online.online_count, 2);
    assert.ok(online.ops.some((op: any) => op.op === 'DELETE'));
    await f.verify();

    // A status change in place is one UPDATE.
    bobs.send({ op: 3, d: { status: 'dnd', activities: [], since: null, afk: false } });
    const dnd = await f.until(hasOp('UPDATE', bob.id));
    assert.deepEqual(
      dnd.ops.map((op: any) => op.op),
      ['UPDATE'],
    );
    assert.equal(dnd.ops[0].item.member.presence.status, 'dnd');

    // Someone joins: inserted among the offline members.
    const cy = await join(h, g, await h.register({ username: `cy_${tag}` }));
    const joined = await f.until(hasOp('INSERT', cy.id));
    assert.equal(joined.member_count, 4);
    await f.verify();

    // A hoisted role given to Bob: the lists are rebuilt, his role's group first.
    const role = await h.api('POST', `/guilds/${g.id}/roles`, {
      token: g.owner.token,
      body: { name: 'Mods', hoist: true },
    });
    assert.equal(role.status, 200, role.text);
    await h.api('PUT', `/guilds/${g.id}/members/${bob.id}/roles/${role.body.id}`, { token: g.owner.token });
    await f.until((d) => d.groups[0]?.id === role.body.id);
    const after = await f.verify();
    assert.deepEqual(after.slice(0, 2), [`#${role.body.id}`, `${bob.id}:dnd`]);

    // Ann leaves: deleted.
    assert.equal((await h.api('DELETE', `/users/@me/guilds/${g.id}`, { token: ann.token })).status, 204);
    const left = await f.until((d) => d.member_count === 3);
    assert.ok(left.ops.some((op: any) => op.op === 'DELETE'));
    const final = await f.verify();
    assert.ok(!final.some((l) => l.startsWith(ann.id)));
  });

  test('a channel the session cannot view: no list; a private channel has its own list id', async () => {
    const g = await createGuild(h);
    const member = await join(h, g);
    const secret = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: {
        name: 'secret',
        type: 0,
        permission_overwrites: [{ id: g.id, type: 0, allow: '0', deny: String(P.VIEW_CHANNEL) }],
      },
    });
    assert.equal(secret.status, 201, secret.text);
    const c = await TestGateway.identify(h, member.token, {}, 1);
    subscribe(c, g.id, secret.body.id);
    assert.ok(await c.never('GUILD_MEMBER_LIST_UPDATE'));
    // A stranger to the guild gets nothing either.
    const stranger = await TestGateway.identify(h, (await h.register()).token);
    subscribe(stranger, g.id, g.textChannelId);
    assert.ok(await stranger.never('GUILD_MEMBER_LIST_UPDATE'));

    const owner = await TestGateway.identify(h, g.owner.token, {}, 1);
    subscribe(owner, g.id, secret.body.id);
    const list = await owner.dispatch('GUILD_MEMBER_LIST_UPDATE');
    assert.notEqual(list.id, 'everyone');
    assert.deepEqual(list.ops[0].items.map(label), ['#online', `${g.owner.id}:online`]);
  });

  test('ranges are bounded: too wide, too many, overlapping, malformed or too many members are ignored', async () => {
    const g = await createGuild(h);
    const c = await TestGateway.identify(h, g.owner.token, {}, 1);
    const bad = [
      { [g.textChannelId]: [[0, 100]] },
      {
        [g.textChannelId]: [
          [0, 9],
          [10, 19],
          [20, 29],
          [30, 39],
          [40, 49],
          [50, 59],
        ],
      },
      {
        [g.textChannelId]: [
          [0, 99],
          [50, 149],
        ],
      },
      { [g.textChannelId]: [[5, 1]] },
      { [g.textChannelId]: [[-1, 5]] },
      { [g.textChannelId]: [[0, 1.5]] },
      { [g.textChannelId]: [[100_001, 100_050]] },
      { [g.textChannelId]: 'all' },
      Object.fromEntries(['1', '2', '3', '4', '5', g.textChannelId].map((id) => [id, [[0, 9]]])),
    ];
    for (const channels of bad) c.send({ op: 14, d: { guild_id: g.id, channels } });
    c.send({
      op: 14,
      d: { guild_id: g.id, members: Array.from({ length: 101 }, (_, i) => String(1000 + i)) },
    });
    assert.ok(await c.never('GUILD_MEMBER_LIST_UPDATE'));
    // The session is still fine and a good request is answered.
    subscribe(c, g.id, g.textChannelId, [
      [0, 99],
      [100, 199],
    ]);
    const ok = await c.dispatch('GUILD_MEMBER_LIST_UPDATE');
    assert.deepEqual(
      ok.ops.map((op: any) => [op.op, op.range]),
      [
        ['SYNC', [0, 99]],
        ['SYNC', [100, 199]],
      ],
    );
  });

  test('a large guild: a presence goes to sessions whose ranges show the member or that named it (op 14, op 8), bots with GUILD_PRESENCES, and nobody else', async () => {
    const g = await createGuild(h);
    const tag = Math.random().toString(36).slice(2, 7);
    const arriving = await join(h, g, await h.register({ username: `aa_${tag}` }));
    const [viewer, far, watcher] = [await join(h, g), await join(h, g), await join(h, g)];
    for (let i = 0; i < 46; i++) await join(h, g);
    const app = (await h.api('POST', '/applications', { token: g.owner.token, body: { name: `B${tag}` } }))
      .body;
    const botToken = (await h.api('POST', `/applications/${app.id}/bot/reset`, { token: g.owner.token })).body
      .token;
    await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
      token: g.owner.token,
      body: { guild_id: g.id, permissions: '0', authorize: true },
    });
    await h.api('PATCH', `/applications/${app.id}`, { token: g.owner.token, body: { flags: 1 << 12 } });

    // 52 members (the bot too), large for the default threshold of 50.
    const lazy = await TestGateway.identify(h, viewer.token, {}, 1);
    const f = new Follower(lazy, g);
    await f.start();
    const outOfRange = await TestGateway.identify(h, far.token, {}, 1);
    subscribe(outOfRange, g.id, g.textChannelId, [[200, 299]]);
    const empty = await outOfRange.dispatch('GUILD_MEMBER_LIST_UPDATE');
    assert.deepEqual(empty.ops, [{ op: 'SYNC', range: [200, 299], items: [] }]);
    const named = await TestGateway.identify(h, watcher.token, {}, 1);
    named.send({ op: 14, d: { guild_id: g.id, members: [arriving.id] } });
    // Asking for a member's presence with op 8 follows it too.
    const asked = await TestGateway.identify(h, g.owner.token, {}, 1);
    asked.send({ op: 8, d: { guild_id: g.id, user_ids: [arriving.id], presences: true, nonce: 'p' } });
    await asked.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'p');
    const plain = await TestGateway.identify(h, g.owner.token, {}, 1);
    const bot = await TestGateway.identify(h, botToken, { intents: 1 | (1 << 8) }, 1);
    for (const c of [named, plain]) {
      c.send({ op: 1, d: null });
      await c.next((p) => p.op === 11);
    }

    await TestGateway.identify(h, arriving.token, {}, 1);
    const isOnline = (d: any) => d.user.id === arriving.id && d.status === 'online';
    for (const c of [lazy, named, bot])
      assert.equal((await c.dispatch('PRESENCE_UPDATE', isOnline)).guild_id, g.id);
    await f.until(hasOp('INSERT', arriving.id));
    assert.ok(await plain.never('PRESENCE_UPDATE', isOnline));
    assert.ok(await outOfRange.never('PRESENCE_UPDATE', isOnline));
    assert.ok(await outOfRange.never('GUILD_MEMBER_LIST_UPDATE'));
    await f.verify();
  });
});
