import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { Outbox } from '../../src/gateway/core/outbox';
import { textFrame, WebSocketSink } from '../../src/gateway/ws-sink';

// The outbox queues a tick's messages per socket and writes them together; shared bytes go out behind each
// session's head in one frame, never copied to join them.

function fakeSocket(opts: { failing?: boolean } = {}) {
  const sent: string[] = [];
  let terminated = false;
  const ws = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send(data: string | Buffer) {
      if (opts.failing) throw new Error('socket broke');
      sent.push(data.toString());
    },
    terminate() {
      terminated = true;
    },
  };
  // Frames written past ws (replies, messages in parts) arrive in pieces: each is decoded once whole (RFC 6455
  // framing: FIN and the text opcode, a 7, 16 or 64-bit length, no mask) and recorded in the order of the socket.
  let bytes = Buffer.alloc(0);
  const raw = {
    cork() {},
    uncork() {},
    write(chunk: Buffer) {
      if (opts.failing) throw new Error('socket broke');
      bytes = Buffer.concat([bytes, chunk]);
      for (;;) {
        if (bytes.length < 2) return;
        assert.equal(bytes[0], 0x81, 'FIN and the text opcode');
        assert.equal(bytes[1] & 0x80, 0, 'not masked');
        let length = bytes[1];
        let at = 2;
        if (length === 126) [length, at] = [bytes.readUInt16BE(2), 4];
        else if (length === 127) [length, at] = [Number(bytes.readBigUInt64BE(2)), 10];
        if (bytes.length < at + length) return;
        sent.push(bytes.subarray(at, at + length).toString());
        bytes = bytes.subarray(at + length);
      }
    },
  };
  const sink = new WebSocketSink(ws as unknown as WebSocket, raw as unknown as Duplex);
  const outbox = new Outbox(sink, 1 << 20, () => {});
  return { outbox, sent, terminated: () => terminated };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('outbox', () => {
  test("a tick's messages are written in order, shared bytes joined to each head", async () => {
    const a = fakeSocket();
    const b = fakeSocket();
    const shared = Buffer.from('{"content":"héllo"}}');
    a.outbox.send('{"op":11}');
    a.outbox.send('{"op":0,"t":"MESSAGE_CREATE","s":1,"d":', shared);
    b.outbox.send('{"op":0,"t":"MESSAGE_CREATE","s":7,"d":', shared);
    assert.deepEqual(a.sent, [], 'nothing before the tick ends');
    await tick();
    assert.deepEqual(a.sent, ['{"op":11}', '{"op":0,"t":"MESSAGE_CREATE","s":1,"d":{"content":"héllo"}}']);
    assert.deepEqual(b.sent, ['{"op":0,"t":"MESSAGE_CREATE","s":7,"d":{"content":"héllo"}}']);
    assert.equal(JSON.parse(b.sent[0]).d.content, 'héllo');
  });

  test('a socket whose write throws is cut off; the others written in the same tick still get theirs', async () => {
    const before = fakeSocket();
    const broken = fakeSocket({ failing: true });
    const after = fakeSocket();
    for (const s of [before, broken, after]) s.outbox.send('{"op":0,"t":"X","s":1,"d":', Buffer.from('{}}'));
    await tick();
    assert.equal(broken.terminated(), true);
    assert.deepEqual(before.sent, ['{"op":0,"t":"X","s":1,"d":{}}']);
    assert.deepEqual(after.sent, ['{"op":0,"t":"X","s":1,"d":{}}']);
  });

  test('a reply goes out at once when nothing is queued, else behind what is', async () => {
    const s = fakeSocket();
    const ack = '{"op":11}';
    s.outbox.reply(ack, textFrame(ack));
    assert.deepEqual(s.sent, ['{"op":11}']);
    s.outbox.send('{"op":0,"t":"X","s":1,"d":{}}');
    s.outbox.reply(ack, textFrame(ack));
    assert.equal(s.sent.length, 1, 'queued behind the pending dispatch');
    await tick();
    assert.deepEqual(s.sent, ['{"op":11}', '{"op":0,"t":"X","s":1,"d":{}}', '{"op":11}']);
  });

  test('a message in parts goes out as one frame, in order with the rest, whatever its length', async () => {
    const s = fakeSocket();
    const shared = Buffer.from(`"members":[${'{"id":"1"},'.repeat(7000)}{"id":"2"}]}}`);
    const head = '{"op":0,"t":"GUILD_CREATE","s":2,"d":';
    s.outbox.send('{"op":0,"t":"READY","s":1,"d":{}}');
    s.outbox.send(head, [Buffer.from('{"id":"9",'), shared]);
    s.outbox.send('{"op":0,"t":"GUILD_CREATE","s":3,"d":', [Buffer.from('{"a":"é"}}')]);
    await tick();
    assert.equal(s.sent.length, 3);
    assert.equal(s.sent[0], '{"op":0,"t":"READY","s":1,"d":{}}');
    assert.ok(s.sent[1].length > 65536, 'a length in 64 bits');
    assert.equal(JSON.parse(s.sent[1]).d.members.length, 7001);
    assert.deepEqual(JSON.parse(s.sent[2]), { op: 0, t: 'GUILD_CREATE', s: 3, d: { a: 'é' } });
  });

  test('textFrame: a short text as a whole unmasked frame, longer ones refused', () => {
    assert.deepEqual([...textFrame('{"op":11}')], [0x81, 9, ...Buffer.from('{"op":11}')]);
    assert.equal(textFrame('x'.repeat(125)).length, 127);
    assert.throws(() => textFrame('x'.repeat(126)), RangeError);
  });
});
