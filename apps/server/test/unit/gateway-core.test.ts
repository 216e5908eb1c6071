import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type FrameSink, Outbox, type Rest } from '../../src/gateway/core/outbox';
import { SessionRegistry } from '../../src/gateway/core/registry';
import { ResumeBuffer } from '../../src/gateway/core/resume-buffer';

// The gateway's transport-neutral parts, used the way another protocol would: a stream of Server-Sent Events whose
// sessions are listed under timelines, numbered messages resumed from Last-Event-ID.

/** A sink that writes each message as an SSE event (`head` is its `id:` line), as an HTTP response would carry it. */
function sseSink() {
  const written: string[] = [];
  const state = { open: true, terminated: false, closed: null as null | number };
  const sink: FrameSink = {
    get open() {
      return state.open;
    },
    bufferedAmount: 0,
    write(head: string, rest: Rest) {
      const tail = !rest ? '' : Array.isArray(rest) ? Buffer.concat(rest).toString() : rest.toString();
      written.push(`${head}data: ${tail}\n\n`);
    },
    writeFramed(frame: Buffer) {
      written.push(frame.toString());
    },
    cork() {},
    uncork() {},
    terminate() {
      state.open = false;
      state.terminated = true;
    },
    close(code: number) {
      state.open = false;
      state.closed = code;
    },
  };
  return { sink, written, state };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

interface StreamSession {
  id: string;
  userId: string;
  indexed: Set<string>;
}
const stream = (id: string, userId: string): StreamSession => ({ id, userId, indexed: new Set() });

describe('session registry', () => {
  test('lists a session under exactly the keys given, by user, and forgets it everywhere', () => {
    const registry = new SessionRegistry<StreamSession>();
    const a = stream('a', 'u1');
    const b = stream('b', 'u1');
    registry.add(a);
    registry.add(b);
    registry.reindex(a, new Set(['public', 'hashtag:cats']));
    registry.reindex(b, new Set(['public']));
    assert.deepEqual([...(registry.audience('public') ?? [])], [a, b]);
    assert.deepEqual([...(registry.ofUser('u1') ?? [])], [a, b]);

    registry.reindex(a, new Set(['user:u1']));
    assert.equal(registry.audience('hashtag:cats'), undefined, 'an audience nobody is in is gone');
    assert.deepEqual([...(registry.audience('public') ?? [])], [b]);

    registry.holding.add(b);
    registry.remove(b);
    assert.equal(registry.has('b'), false);
    assert.equal(registry.audience('public'), undefined);
    assert.equal(registry.holding.size, 0);
    assert.deepEqual([...(registry.ofUser('u1') ?? [])], [a]);
    assert.equal(registry.size, 1);
  });
});

describe('resume buffer and outbox over another transport', () => {
  test('numbered messages go out in one tick, and a reconnect gets those after its last id', async () => {
    const first = sseSink();
    let outbox: Outbox | null = new Outbox(first.sink, 1 << 20, () => {});
    const buffer = new ResumeBuffer(3, (head, rest) => outbox?.send(head, rest));
    const shared = Buffer.from('{"status":"hi"}');
    for (let i = 0; i < 4; i++) buffer.push(`id: ${buffer.next}\n`, shared);
    await tick();
    assert.equal(first.written.length, 4);
    assert.equal(first.written[3], 'id: 4\ndata: {"status":"hi"}\n\n');
    assert.deepEqual(
      buffer.kept.map((m) => m.s),
      [2, 3, 4],
      'only the last three kept',
    );

    buffer.acknowledge(2);
    const second = sseSink();
    outbox = new Outbox(second.sink, 1 << 20, () => {});
    buffer.replay(3);
    await tick();
    assert.deepEqual(second.written, ['id: 4\ndata: {"status":"hi"}\n\n']);
    assert.equal(buffer.acked, 2);
  });

  test('a consumer past the byte cap is cut off instead of holding memory', () => {
    const { sink, state } = sseSink();
    let overflowed = false;
    const outbox = new Outbox(sink, 64, () => {
      overflowed = true;
    });
    outbox.send('x'.repeat(40));
    outbox.send('x'.repeat(40));
    assert.equal(state.terminated, true);
    assert.equal(overflowed, true);
  });
});
