import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { TestGateway } from '../gateway-client';
import { createGuild, join } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

test('an overwrite that hides a channel is a CHANNEL_DELETE for those who lose it, and revealing it a CHANNEL_CREATE', async () => {
  const guild = await createGuild(h);
  const member = await join(h, guild);
  const channel = (
    await h.api('POST', `/guilds/${guild.id}/channels`, {
      token: guild.owner.token,
      body: { name: 'secret' },
    })
  ).body;
  const owner = await TestGateway.identify(h, guild.owner.token, {}, 1);
  const other = await TestGateway.identify(h, member.token, {}, 1);
  try {
    const overwrite = (deny: bigint) =>
      h.api('PUT', `/channels/${channel.id}/permissions/${guild.id}`, {
        token: guild.owner.token,
        body: { type: 0, allow: '0', deny: deny.toString() },
      });
    assert.equal((await overwrite(P.VIEW_CHANNEL)).status, 204);
    const gone = await other.dispatch('CHANNEL_DELETE');
    assert.equal(gone.id, channel.id);
    // The owner still sees it: an update, not a delete.
    assert.equal((await owner.dispatch('CHANNEL_UPDATE')).id, channel.id);

    assert.equal((await overwrite(0n)).status, 204);
    const back = await other.dispatch('CHANNEL_CREATE');
    assert.equal(back.id, channel.id);
    assert.equal(back.name, 'secret');
    assert.ok(!other.received.some((p) => p.t === 'CHANNEL_UPDATE' && p.d.id === channel.id));
  } finally {
    owner.close();
    other.close();
  }
});

test('joining a guild while online tells its members so (PRESENCE_UPDATE)', async () => {
  const guild = await createGuild(h);
  const newcomer = await h.register();
  const owner = await TestGateway.identify(h, guild.owner.token, {}, 1);
  const joining = await TestGateway.identify(h, newcomer.token);
  try {
    await join(h, guild, newcomer);
    const p = await owner.dispatch('PRESENCE_UPDATE', (d) => d.user.id === newcomer.id);
    assert.equal(p.status, 'online');
    assert.equal(p.guild_id, guild.id);
  } finally {
    owner.close();
    joining.close();
  }
});

test('closing with 1000 or 1001 ends the session: presence goes offline and RESUME is refused', async () => {
  const guild = await createGuild(h);
  const member = await join(h, guild);
  const owner = await TestGateway.identify(h, guild.owner.token, {}, 1);
  try {
    for (const code of [1000, 1001]) {
      const leaving = await TestGateway.identify(h, member.token, {}, 1);
      await owner.dispatch('PRESENCE_UPDATE', (d) => d.user.id === member.id && d.status === 'online');
      const sessionId = leaving.ready.session_id;
      leaving.ws.close(code);
      await owner.dispatch('PRESENCE_UPDATE', (d) => d.user.id === member.id && d.status === 'offline');
      const again = await TestGateway.open(h);
      await again.next((p) => p.op === 10);
      again.send({ op: 6, d: { token: member.token, session_id: sessionId, seq: leaving.seq } });
      const answer = await again.next((p) => p.op === 9);
      assert.equal(answer.d, false);
      again.close();
    }
  } finally {
    owner.close();
  }
});
