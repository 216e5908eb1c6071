import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, join } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth({ gatewayIdentifyLimit: 1000 });
});
after(() => closeWithClients(h));

test('acks are monotonic and mention counts follow direct, role and @everyone mentions after the read position', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  const role = (
    await h.api('POST', `/guilds/${g.id}/roles`, {
      token: g.owner.token,
      body: { name: 'ping', mentionable: true },
    })
  ).body;
  await h.api('PUT', `/guilds/${g.id}/members/${m.id}/roles/${role.id}`, { token: g.owner.token });
  const post = async (content: string) =>
    (
      await h.api('POST', `/channels/${g.textChannelId}/messages`, {
        token: g.owner.token,
        body: { content },
      })
    ).body;
  const first = await post('hello');
  const ack = await h.api('POST', `/channels/${g.textChannelId}/messages/${first.id}/ack`, {
    token: m.token,
    body: { token: null },
  });
  assert.equal(ack.status, 200);
  assert.deepEqual(ack.body, { token: null });
  await post(`<@${m.id}> direct`);
  await post(`<@&${role.id}> role`);
  await post('@everyone all');
  const plain = await post('no mention');
  // The read states as READY carries them.
  const state = async () => {
    const c = await TestGateway.identify(h, m.token);
    c.ws.close(1000);
    return c.ready.read_state.entries.find((s: any) => s.id === g.textChannelId);
  };
  assert.equal((await state()).mention_count, 3);
  assert.equal((await state()).last_message_id, first.id);
  // Acking an older message does not move the position back.
  await h.api('POST', `/channels/${g.textChannelId}/messages/${plain.id}/ack`, { token: m.token, body: {} });
  await h.api('POST', `/channels/${g.textChannelId}/messages/${first.id}/ack`, { token: m.token, body: {} });
  assert.equal((await state()).last_message_id, plain.id);
  assert.equal((await state()).mention_count, 0);
  // Editing a message to mention again does not count it twice.
  const direct = await post(`<@${m.id}> once`);
  await h.api('PATCH', `/channels/${g.textChannelId}/messages/${direct.id}`, {
    token: g.owner.token,
    body: { content: `<@${m.id}> once, edited <@${m.id}>` },
  });
  assert.equal((await state()).mention_count, 1);
  const ev = h.events.findLast((e) => e.t === 'MESSAGE_ACK')!;
  assert.equal(ev.topic, `user:${m.id}`);
  assert.equal((ev.d as any).message_id, plain.id);
  const outsider = await h.register();
  assert.equal(
    (
      await h.api('POST', `/channels/${g.textChannelId}/messages/${plain.id}/ack`, {
        token: outsider.token,
        body: {},
      })
    ).status,
    404,
  );
});

test('a manual ack (Mark unread) moves the position back, and the mentions after it count again', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  const post = async (content: string) =>
    (
      await h.api('POST', `/channels/${g.textChannelId}/messages`, {
        token: g.owner.token,
        body: { content },
      })
    ).body;
  const first = await post('hello');
  await post(`<@${m.id}> look`);
  const last = await post('bye');
  const ack = (id: string, body: unknown, token = m.token) =>
    h.api('POST', `/channels/${g.textChannelId}/messages/${id}/ack`, { token, body });
  assert.equal((await ack(last.id, {})).status, 200);
  const gw = await TestGateway.identify(h, m.token);
  assert.equal((await ack(first.id, { manual: true })).status, 200);
  const event = await gw.dispatch('MESSAGE_ACK', (d) => d.message_id === first.id);
  assert.equal(event.channel_id, g.textChannelId);
  assert.equal(event.mention_count, 1, 'the mention after the position is unread again');
  gw.ws.close(1000);
  const c = await TestGateway.identify(h, m.token);
  c.ws.close(1000);
  const state = c.ready.read_state.entries.find((s: any) => s.id === g.textChannelId);
  assert.equal(state.last_message_id, first.id);
  assert.equal(state.mention_count, 1);
  // Someone who cannot see the channel learns nothing, manual or not.
  const outsider = await h.register();
  assert.equal((await ack(first.id, { manual: true }, outsider.token)).status, 404);
  assert.equal((await ack(first.id, { manual: 'yes' })).status, 400);
});
