import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TestGateway } from '../gateway-client';
import { callApi as api, asServer, ProcessGroup, waitForHealth } from '../process';

// Voice states across processes (ADR 0034): they live in the database and travel as bus events, so a join on one
// process is seen, live and in GUILD_CREATE, by sessions on another. Rooms are placed through Redis: one process per
// room, chosen by the channel's rtc_region among the processes' VOICE_REGIONs, placed again when its holder dies.

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

  test('regions: each process lists both, rtc_region places the room on its region, a second joiner is sent to the holder, a dead holder is replaced', async () => {
    const workerBase = 700 + Math.floor(Math.random() * 90);
    const env = { REDIS_URL: redisUrl as string, VOICE_ROOM_LEASE: '5' };
    const north = await group.start(workerBase, {
      ...env,
      VOICE_REGION: 'north',
      VOICE_REGION_NAME: 'North',
    });
    const south = await group.start(workerBase + 1, {
      ...env,
      VOICE_REGION: 'south',
      VOICE_REGION_NAME: 'South',
    });
    await Promise.all([waitForHealth(north), waitForHealth(south)]);
    const host = (p: { url: string }) => new URL(p.url).host;
    const register = async (name: string) => {
      const res = await api(north, 'POST', '/auth/register', undefined, {
        email: `${name}-${randomBytes(3).toString('hex')}@example.test`,
        username: `${name}_${randomBytes(3).toString('hex')}`,
        password: 'long enough',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.token as string;
    };
    const owner = await register('placer');
    const joiner = await register('joiner');
    const guild = (await api(north, 'POST', '/guilds', owner, { name: 'Regions' })).body;
    const channels = (await api(north, 'GET', `/guilds/${guild.id}/channels`, owner)).body;
    const text = channels.find((c: any) => c.type === 0);
    const invite = (await api(north, 'POST', `/channels/${text.id}/invites`, owner, {})).body;
    assert.equal((await api(south, 'POST', `/invites/${invite.code}`, joiner)).status, 200);

    for (const [p, own, other] of [
      [north, 'north', 'south'],
      [south, 'south', 'north'],
    ] as const) {
      // Other processes sharing this Redis (the earlier test's) may add their region; these two are there.
      const regions = (await api(p, 'GET', '/voice/regions', owner)).body;
      assert.deepEqual(regions[0], {
        id: own,
        name: own === 'north' ? 'North' : 'South',
        optimal: true,
        deprecated: false,
        custom: true,
      });
      assert.deepEqual(
        regions.find((r: any) => r.id === other),
        {
          id: other,
          name: other === 'north' ? 'North' : 'South',
          optimal: false,
          deprecated: false,
          custom: true,
        },
      );
    }

    const southern = channels.find((c: any) => c.type === 2);
    const set = await api(north, 'PATCH', `/channels/${southern.id}`, owner, { rtc_region: 'south' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const automatic = (
      await api(north, 'POST', `/guilds/${guild.id}/channels`, owner, { name: 'auto', type: 2 })
    ).body;

    const ownerGw = await TestGateway.identify(asServer(north), owner, {}, 1);
    const joinerGw = await TestGateway.identify(asServer(south), joiner, {}, 1);
    const op4 = (gw: TestGateway, channelId: string) =>
      gw.send({
        op: 4,
        d: { guild_id: guild.id, channel_id: channelId, self_mute: false, self_deaf: false },
      });
    const server = (gw: TestGateway) => gw.dispatch('VOICE_SERVER_UPDATE', () => true, 30_000);

    // rtc_region south: joined through north, the room goes to south; the joiner on south is sent there too.
    op4(ownerGw, southern.id);
    const ownerServer = await server(ownerGw);
    assert.equal(ownerServer.endpoint, host(south));
    op4(joinerGw, southern.id);
    assert.equal((await server(joinerGw)).endpoint, host(south));
    // The room lives on one process: a connection sent to north is refused (409), on south it reaches the SFU.
    const connect = {
      guild_id: guild.id,
      session_id: ownerGw.ready.session_id,
      token: ownerServer.token,
      sdp: 'v=0',
    };
    assert.equal((await api(north, 'POST', '/voice/connect', owner, connect)).status, 409);
    const atSouth = await api(south, 'POST', '/voice/connect', owner, connect);
    assert.equal(atSouth.status, 400, JSON.stringify(atSouth.body));

    // Automatic: the first joiner's own process (south) holds it; the owner, on north, is sent to south.
    op4(joinerGw, automatic.id);
    assert.equal((await server(joinerGw)).endpoint, host(south));
    op4(ownerGw, automatic.id);
    assert.equal((await server(ownerGw)).endpoint, host(south));

    // The web app on north may send its offer to south: its CSP names south, and south answers the CORS preflight.
    const page = await fetch(`${north.url}/`);
    assert.match(page.headers.get('content-security-policy') ?? '', new RegExp(`http://${host(south)}`));
    const preflight = await fetch(`${south.url}/api/v10/voice/connect`, {
      method: 'OPTIONS',
      headers: { origin: north.url, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');

    // south dies: its claim and its region lapse after the lease, and the room is placed again, on north.
    south.child.kill('SIGKILL');
    let endpoint = '';
    for (let i = 0; i < 60 && endpoint !== host(north); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      op4(ownerGw, automatic.id);
      endpoint = (await server(ownerGw)).endpoint;
    }
    assert.equal(endpoint, host(north));
    const left = (await api(north, 'GET', '/voice/regions', owner)).body.map((r: any) => r.id);
    assert.ok(left.includes('north') && !left.includes('south'), String(left));
    const gone = await api(north, 'PATCH', `/channels/${southern.id}`, owner, { rtc_region: 'south' });
    assert.equal(gone.status, 400);
  });
});
