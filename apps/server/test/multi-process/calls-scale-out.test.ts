import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TestGateway } from '../gateway-client';
import { callApi as api, asServer, type GroupProcess, ProcessGroup, waitForHealth } from '../process';

// DM calls across processes (ADR 0034's addendum on calls): a call's rows are in the database and its events travel
// on the bus, so a call begun through one process rings, and is joined from, a session on another; the last one out
// ends it wherever they are; and a process that dies mid-call leaves nobody behind once the voice sweep has seen its
// sessions' presence expire (PRESENCE_TTL 1 s here; the sweep runs every minute).

const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const skip = !adminUrl || !redisUrl ? 'needs DATABASE_URL and REDIS_URL' : false;
let group: ProcessGroup;

/** Cross-process delivery on a loaded machine: generous. */
const WAIT = 30_000;
const callOp = (channelId: string | null) => ({
  op: 4,
  d: { guild_id: null, channel_id: channelId, self_mute: false, self_deaf: false },
});

async function register(p: GroupProcess, name: string): Promise<{ token: string; id: string }> {
  const res = await api(p, 'POST', '/auth/register', undefined, {
    email: `${name}-${randomBytes(3).toString('hex')}@example.test`,
    username: `${name}_${randomBytes(3).toString('hex')}`,
    password: 'long enough',
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const me = await api(p, 'GET', '/users/@me', res.body.token);
  return { token: res.body.token, id: me.body.id };
}

describe('DM calls over processes', { skip }, () => {
  before(async () => {
    group = await ProcessGroup.onPostgres();
  });
  after(async () => {
    TestGateway.closeAll();
    await group?.close();
  });

  test('begun through A, rung and joined on B; the last one out ends it; a process dying mid-call is cleaned up', async () => {
    const workerBase = 900 + Math.floor(Math.random() * 90);
    const env = { REDIS_URL: redisUrl as string, PRESENCE_TTL: '1' };
    const a = await group.start(workerBase, env);
    const b = await group.start(workerBase + 1, env);
    const c = await group.start(workerBase + 2, env);
    await Promise.all([waitForHealth(a), waitForHealth(b), waitForHealth(c)]);
    const caller = await register(a, 'caller');
    const callee = await register(b, 'callee');
    const dm = await api(a, 'POST', '/users/@me/channels', caller.token, { recipient_id: callee.id });
    assert.equal(dm.status, 200, JSON.stringify(dm.body));
    const channelId = dm.body.id;

    const onA = await TestGateway.identify(asServer(a), caller.token);
    const onB = await TestGateway.identify(asServer(b), callee.token);
    onA.send(callOp(channelId));
    const server = await onA.dispatch('VOICE_SERVER_UPDATE', () => true, WAIT);
    // The room is placed on the process the first joiner reached.
    assert.equal(server.endpoint, new URL(a.url).host);
    const created = await onB.dispatch('CALL_CREATE', (d) => d.channel_id === channelId, WAIT);
    assert.deepEqual(created.ringing, [callee.id]);
    const message = await onB.dispatch('MESSAGE_CREATE', (d) => d.id === created.message_id, WAIT);
    assert.equal(message.type, 3);

    // Joined from B: answered everywhere, sent to the room's process, listed on the call's message.
    onB.send(callOp(channelId));
    const joined = await onB.dispatch('VOICE_SERVER_UPDATE', () => true, WAIT);
    assert.equal(joined.endpoint, new URL(a.url).host);
    assert.deepEqual(
      (await onA.dispatch('CALL_UPDATE', (d) => d.channel_id === channelId, WAIT)).ringing,
      [],
    );
    await onA.dispatch(
      'VOICE_STATE_UPDATE',
      (d) => d.user_id === callee.id && d.channel_id === channelId,
      WAIT,
    );
    const listed = await onA.dispatch('MESSAGE_UPDATE', (d) => d.id === message.id, WAIT);
    assert.deepEqual(listed.call.participants, [caller.id, callee.id]);

    // The caller leaves through A, the callee through B: the call ends once, seen on both.
    onA.send(callOp(null));
    await onB.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === caller.id && d.channel_id === null, WAIT);
    onB.send(callOp(null));
    await onA.dispatch('CALL_DELETE', (d) => d.channel_id === channelId, WAIT);
    await onB.dispatch('CALL_DELETE', (d) => d.channel_id === channelId, WAIT);
    const ended = await onB.dispatch(
      'MESSAGE_UPDATE',
      (d) => d.id === message.id && d.call.ended_timestamp,
      WAIT,
    );
    assert.deepEqual(ended.call.participants, [caller.id, callee.id]);

    // A new call, begun from a session on C; C dies without a word.
    const onC = await TestGateway.identify(asServer(c), caller.token);
    onC.send(callOp(channelId));
    const again = await onB.dispatch('CALL_CREATE', (d) => d.channel_id === channelId, WAIT);
    assert.deepEqual(
      again.voice_states.map((v: any) => v.session_id),
      [onC.ready.session_id],
    );
    c.child.kill('SIGKILL');
    await c.exited;
    // The sessions that wait meanwhile keep beating (the sweep runs once a minute).
    const beat = setInterval(() => {
      for (const g of [onA, onB]) g.send({ op: 1, d: null });
    }, 5000);
    try {
      await onB.dispatch(
        'VOICE_STATE_UPDATE',
        (d) => d.user_id === caller.id && d.channel_id === null && d.session_id === onC.ready.session_id,
        180_000,
      );
      await onB.dispatch('CALL_DELETE', (d) => d.channel_id === channelId, WAIT);
      await onA.dispatch('CALL_DELETE', (d) => d.channel_id === channelId, WAIT);
      const missed = await onB.dispatch(
        'MESSAGE_UPDATE',
        (d) => d.id === again.message_id && d.call.ended_timestamp,
        WAIT,
      );
      assert.deepEqual(missed.call.participants, [caller.id]);
    } finally {
      clearInterval(beat);
    }
    // Nothing is left of it: a new call begins afresh.
    onA.send(callOp(channelId));
    const fresh = await onB.dispatch('CALL_CREATE', (d) => d.channel_id === channelId, WAIT);
    assert.notEqual(fresh.message_id, again.message_id);
    onA.send(callOp(null));
    await onB.dispatch('CALL_DELETE', (d) => d.channel_id === channelId, WAIT);
  });
});
