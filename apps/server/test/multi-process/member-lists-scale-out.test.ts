import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TestGateway } from '../gateway-client';
import { callApi as api, asServer, ProcessGroup, waitForHealth } from '../process';

// Lazy member lists (ADR 0041) with two processes: each keeps its rosters from the shared bus, so a session on A
// follows changes served by B.

const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const skip = !adminUrl || !redisUrl ? 'needs DATABASE_URL and REDIS_URL' : false;
let group: ProcessGroup;

describe('lazy member lists across processes', { skip }, () => {
  before(async () => {
    group = await ProcessGroup.onPostgres();
  });
  after(async () => {
    await group?.close();
  });

  test('a list followed on A gets the INSERTs of a member who joins through B and comes online on B', async () => {
    const workerBase = 700 + Math.floor(Math.random() * 100);
    const a = await group.start(workerBase, { REDIS_URL: redisUrl as string });
    const b = await group.start(workerBase + 1, { REDIS_URL: redisUrl as string });
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
    const register = async (name: string) => {
      const res = await api(a, 'POST', '/auth/register', undefined, {
        email: `${name}@example.test`,
        username: name,
        password: 'long enough',
      });
      assert.equal(res.status, 201);
      return { id: res.body.user_id as string, token: res.body.token as string };
    };
    const tag = randomBytes(3).toString('hex');
    const owner = await register(`owner_${tag}`);
    const joiner = await register(`joiner_${tag}`);
    const guild = (await api(a, 'POST', '/guilds', owner.token, { name: 'Lists' })).body;
    const channel = (await api(a, 'GET', `/guilds/${guild.id}/channels`, owner.token)).body.find(
      (c: any) => c.type === 0,
    );

    const follower = await TestGateway.identify(asServer(a), owner.token, {}, 1);
    follower.send({ op: 14, d: { guild_id: guild.id, channels: { [channel.id]: [[0, 99]] } } });
    const sync = await follower.dispatch('GUILD_MEMBER_LIST_UPDATE');
    assert.equal(sync.member_count, 1);

    const invite = (await api(b, 'POST', `/channels/${channel.id}/invites`, owner.token, {})).body;
    assert.equal((await api(b, 'POST', `/invites/${invite.code}`, joiner.token)).status, 200);
    const inserted = (d: any) =>
      d.ops.some((op: any) => op.op === 'INSERT' && op.item?.member?.user.id === joiner.id);
    const joined = await follower.dispatch('GUILD_MEMBER_LIST_UPDATE', inserted, 15_000);
    assert.equal(joined.member_count, 2);

    const online = await TestGateway.identify(asServer(b), joiner.token, {}, 1);
    try {
      const came = await follower.dispatch(
        'GUILD_MEMBER_LIST_UPDATE',
        (d) => inserted(d) && d.online_count === 2,
        15_000,
      );
      const op = came.ops.find((o: any) => o.op === 'INSERT' && o.item?.member);
      assert.equal(op.item.member.presence.status, 'online');
    } finally {
      online.close();
      follower.close();
    }
  });
});
