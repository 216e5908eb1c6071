import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { Outbox, textFrame } from '../../src/gateway/session';

// The outbox queues a tick's messages per socket and writes them together; shared bytes are joined with each
// session's head only as they are written.

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
  const raw = {
    cork() {},
    uncork() {},
    // A whole frame written past ws (a reply): recorded as the text it carries, in the order of the socket.
    write(frame: Buffer) {
      assert.equal(frame[0], 0x81, 'FIN and the text opcode');
      assert.equal(frame[1], frame.length - 2, 'an unmasked payload of the stated length');
      sent.push(frame.subarray(2).toString());
    },
  };
  const outbox = new Outbox(ws as unknown as WebSocket, raw as unknown as Duplex, 1 << 20, () => {});
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

  test('textFrame: a short text as a whole unmasked frame, longer ones refused', () => {
    assert.deepEqual([...textFrame('{"op":11}')], [0x81, 9, ...Buffer.from('{"op":11}')]);
    assert.equal(textFrame('x'.repeat(125)).length, 127);
    assert.throws(() => textFrame('x'.repeat(126)), RangeError);
  });
});
