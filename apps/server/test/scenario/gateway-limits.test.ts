import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type WebSocket from 'ws';
import { users } from '../../src/store/schema';
import { TestGateway } from '../gateway-client';
import { createGuild, join } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

// Gateway limits need their own settings: a short heartbeat, a short session TTL, a small IDENTIFY budget and a
// small outgoing byte cap.
let h: TestServer;
let fast: TestServer;
before(async () => {
  h = await startHearth({
    gatewaySessionTtlSeconds: 1,
    gatewayIdentifyLimit: 2,
    gatewayOutgoingCapBytes: 256 * 1024,
    gatewayResumeUrl: 'ws://node-a.hearth.test/gateway',
  });
  fast = await startHearth({ gatewayHeartbeatMs: 300 });
});
after(async () => {
  TestGateway.closeAll();
  await Promise.all([h.close(), fast.close()]);
});

describe('connection', () => {
  test('v=9 is accepted; compress=zlib-stream is ignored and frames stay plain JSON text', async () => {
    const u = await h.register();
    const c = await TestGateway.open(h, 'v=9&encoding=json&compress=zlib-stream');
    const binary: boolean[] = [];
    c.ws.on('message', (_data, isBinary) => binary.push(isBinary));
    assert.ok((await c.next((p) => p.op === 10)).d.heartbeat_interval > 0);
    c.send({ op: 2, d: { token: u.token, properties: {} } });
    const ready = await c.dispatch('READY');
    assert.equal(ready.user.id, u.id);
    assert.equal(ready.resume_gateway_url, 'ws://node-a.hearth.test/gateway', "this process's own URL");
    assert.ok(binary.length >= 1 && binary.every((b) => !b), 'text frames only');
  });

  test('a late heartbeat is asked for with op 1; a client that never beats is closed with 4009', async () => {
    const u = await fast.register();
    const answering = await TestGateway.identify(fast, u.token);
    const request = await answering.next((p) => p.op === 1);
    assert.equal(request.d, answering.seq);
    answering.send({ op: 1, d: answering.seq });
    await answering.next((p) => p.op === 11);
    const silent = await TestGateway.identify(fast, u.token);
    await silent.next((p) => p.op === 1);
    assert.equal(await silent.closed(), 4009);
  });

  test('a socket that beats but never identifies is closed with 4003 after a heartbeat interval', async () => {
    const idle = await TestGateway.open(fast);
    await idle.next((p) => p.op === 10);
    const beating = setInterval(() => idle.send({ op: 1, d: null }), 50);
    try {
      assert.equal(await idle.closed(), 4003);
    } finally {
      clearInterval(beating);
    }
    assert.ok(
      idle.received.some((p) => p.op === 11),
      'its heartbeats were answered until then',
    );
    // One that identifies in time stays.
    const u = await fast.register();
    const identified = await TestGateway.identify(fast, u.token);
    const keep = setInterval(() => identified.send({ op: 1, d: identified.seq }), 50);
    try {
      assert.ok(await identified.never('NO_SUCH_EVENT', () => true, 1000));
      assert.equal(identified.closeCode, null);
    } finally {
      clearInterval(keep);
    }
  });

  test('IDENTIFY is rate limited per user: over the budget the answer is op 9', async () => {
    const u = await h.register();
    const other = await h.register();
    await TestGateway.identify(h, u.token);
    await TestGateway.identify(h, u.token);
    const third = await TestGateway.open(h);
    await third.next((p) => p.op === 10);
    third.send({ op: 2, d: { token: u.token, properties: {} } });
    assert.equal((await third.next((p) => p.op === 9)).d, false);
    assert.ok(await third.never('READY'));
    // Another user's budget is their own.
    assert.equal((await TestGateway.identify(h, other.token)).ready.user.id, other.id);
  });

  test('a logged-out token or a disabled user is refused with 4004, spending none of the IDENTIFY budget', async () => {
    const u = await h.register();
    const second = await h.api('POST', '/auth/login', { body: { login: u.username, password: u.password } });
    assert.equal(second.status, 200);
    // The first session is checked and trusted for a moment, then logged out.
    assert.equal((await h.api('GET', '/users/@me', { token: u.token })).status, 200);
    assert.equal((await h.api('POST', '/auth/logout', { token: u.token })).status, 204);
    for (let i = 0; i < 3; i++) {
      const c = await TestGateway.open(h);
      await c.next((p) => p.op === 10);
      c.send({ op: 2, d: { token: u.token, properties: {} } });
      assert.equal(await c.closed(), 4004);
      assert.ok(!c.received.some((p) => p.t === 'READY'));
    }
    // The budget (2 per window here) is intact for the user's live session.
    assert.equal((await TestGateway.identify(h, second.body.token)).ready.user.id, u.id);
    await h.app.database.db.update(users).set({ disabled: true }).where(eq(users.id, u.id));
    const c = await TestGateway.open(h);
    await c.next((p) => p.op === 10);
    c.send({ op: 2, d: { token: second.body.token, properties: {} } });
    assert.equal(await c.closed(), 4004);
  });

  test('a session expires after the configured TTL; resuming it then gets op 9', async () => {
    const u = await h.register();
    const c = await TestGateway.identify(h, u.token);
    c.close();
    await c.closed();
    await new Promise((r) => setTimeout(r, 1500));
    const r = await TestGateway.open(h);
    await r.next((p) => p.op === 10);
    r.send({ op: 6, d: { token: u.token, session_id: c.ready.session_id, seq: c.seq } });
    assert.equal((await r.next((p) => p.op === 9)).d, false);
    assert.ok(await r.never('RESUMED'));
  });
});

describe('resume window', () => {
  test('RESUME from before the session’s buffer of 1000 dispatches gets op 9; from inside it, everything since', async () => {
    const g = await createGuild(h);
    const c = await TestGateway.identify(h, g.owner.token, {}, 1);
    const seq = c.seq;
    c.close();
    await c.closed();
    const publish = (n: number, from: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          h.app.bus.publish({
            t: 'MESSAGE_CREATE',
            topic: `channel:${g.textChannelId}`,
            d: { id: String(from + i), channel_id: g.textChannelId, guild_id: g.id, content: 'x' },
          }),
        ),
      );
    await publish(1001, 0);
    const resume = async (from: number) => {
      const r = await TestGateway.open(h);
      await r.next((p) => p.op === 10);
      r.send({ op: 6, d: { token: g.owner.token, session_id: c.ready.session_id, seq: from } });
      return r;
    };
    const late = await resume(seq);
    assert.equal((await late.next((p) => p.op === 9)).d, false);
    const inside = await resume(seq + 1001 - 5);
    const replayed = [];
    for (let i = 0; i < 5; i++) replayed.push((await inside.dispatch('MESSAGE_CREATE')).id);
    assert.deepEqual(replayed, ['996', '997', '998', '999', '1000']);
    await inside.dispatch('RESUMED');
  });
});

describe('slow consumers', () => {
  test('a session that stops reading is cut off at the byte cap; others get every event', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const healthy = await TestGateway.identify(h, g.owner.token, {}, 1);
    const slow = await TestGateway.identify(h, m.token, {}, 1);
    const socket = (slow.ws as unknown as { _socket: WebSocket & { pause(): void; resume(): void } })._socket;
    socket.pause();
    const sessionId = slow.ready.session_id as string;
    let got = 0;
    healthy.ws.on('message', (data) => {
      if (JSON.parse(data.toString()).t === 'MESSAGE_CREATE') got++;
    });
    const content = 'x'.repeat(4000);
    let sent = 0;
    // Events go straight onto the bus: enough bytes to fill the kernel's buffers and then the cap.
    while (h.app.gateway.isConnected(sessionId) && sent < 20_000) {
      for (let i = 0; i < 20; i++, sent++)
        await h.app.bus.publish({
          t: 'MESSAGE_CREATE',
          topic: `channel:${g.textChannelId}`,
          d: { id: String(sent), channel_id: g.textChannelId, guild_id: g.id, content },
        });
      const last = String(sent - 1);
      await healthy.dispatch('MESSAGE_CREATE', (d) => d.id === last, 10_000);
    }
    assert.equal(h.app.gateway.isConnected(sessionId), false, 'the slow session was disconnected');
    assert.ok(h.app.gateway.isConnected(healthy.ready.session_id), 'the healthy one was not');
    assert.equal(got, sent, 'the healthy session received every event');
    socket.resume();
    await slow.closed(30_000);
    assert.ok(slow.received.filter((p) => p.t === 'MESSAGE_CREATE').length < sent);
  });
});
