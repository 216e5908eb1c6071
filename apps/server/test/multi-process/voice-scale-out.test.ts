import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TestGateway } from '../gateway-client';
import { callApi as api, asServer, ProcessGroup, waitForHealth } from '../process';

// Voice states across processes (ADR 0034): they live in the database and travel as bus events, so a join on one
// process is seen, live and in GUILD_CREATE, by sessions on another.

const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const skip = !adminUrl || !redisUrl ? 'needs DATABASE_URL and REDIS_URL' : false;
let group: ProcessGroup;

describe('voice states over two processes', { skip }, () => {
  before(async () => {
    group = await ProcessGroup.onPostgres();
  });
  after(async () => {
    TestGateway.closeAll();
    await group?.close();
  });

  test('a join through A reaches a session on B, whose GUILD_CREATE lists it; a leave through A too', async () => {
    const workerBase = 600 + Math.floor(Math.random() * 90);
    const a = await group.start(workerBase, { REDIS_URL: redisUrl as string });
    const b = await group.start(workerBase + 1, { REDIS_URL: redisUrl as string });
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
    const reg = await api(a, 'POST', '/auth/register', undefined, {
      email: 'voice-scale@example.test',
      username: `voice_${randomBytes(3).toString('hex')}`,
      password: 'long enough',
    });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const token = reg.body.token;
    const guild = (await api(a, 'POST', '/guilds', token, { name: 'Loud' })).body;
    const voice = (await api(a, 'GET', `/guilds/${guild.id}/channels`, token)).body.find(
      (c: any) => c.type === 2,
    );

    const onA = await TestGateway.identify(asServer(a), token, {}, 1);
    const onB = await TestGateway.identify(asServer(b), token, {}, 1);
    onA.send({ op: 4, d: { guild_id: guild.id, channel_id: voice.id, self_mute: false, self_deaf: false } });
    const seen = await onB.dispatch('VOICE_STATE_UPDATE', (d) => d.channel_id === voice.id);
    assert.equal(seen.session_id, onA.ready.session_id);
    const late = await TestGateway.open(asServer(b));
    late.send({ op: 2, d: { token, properties: {} } });
    const created = await late.dispatch('GUILD_CREATE');
    assert.deepEqual(
      created.voice_states.map((v: any) => v.channel_id),
      [voice.id],
    );
    const read = await api(b, 'GET', `/guilds/${guild.id}/voice-states/@me`, token);
    assert.equal(read.body.channel_id, voice.id);

    onA.send({ op: 4, d: { guild_id: guild.id, channel_id: null, self_mute: false, self_deaf: false } });
    await onB.dispatch('VOICE_STATE_UPDATE', (d) => d.channel_id === null);
  });
});
