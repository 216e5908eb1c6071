import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Principal } from '../../src/domain/auth/auth.service';
import type { Outbox } from '../../src/gateway/core/outbox';
import { chooseCheckpoint } from '../../src/gateway/resume-records';
import { Session } from '../../src/gateway/session';
import { SessionState } from '../../src/gateway/session-state';

// What a session rebuilt on another process starts from (ADR 0020), and the barrier that keeps a client from
// holding a dispatch the stream cannot rebuild before its checkpoint is stored.

describe('resume checkpoints', () => {
  const cp = (seq: number, barrier = false) => ({
    seq,
    at: `${seq}-0`,
    ...(barrier ? { barrier: true as const } : {}),
  });

  test('the newest checkpoint the client has passed', () => {
    assert.deepEqual(chooseCheckpoint([cp(3, true), cp(7), cp(9)], 8), cp(7));
    assert.deepEqual(chooseCheckpoint([cp(3, true), cp(7), cp(9)], 9), cp(9));
    assert.equal(chooseCheckpoint([cp(3, true), cp(7)], 2), null, 'older than every checkpoint');
  });

  test('none when a dispatch the stream cannot rebuild lies after it', () => {
    assert.equal(chooseCheckpoint([cp(3), cp(7, true)], 5), null);
    assert.deepEqual(chooseCheckpoint([cp(3), cp(7, true), cp(8)], 7), cp(7, true));
  });
});

describe('session barriers', () => {
  function session(): { s: Session; sent: string[] } {
    const principal = { userId: '1', bot: false } as Principal;
    const s = new Session(principal, 'token', 0, new SessionState('1'));
    const sent: string[] = [];
    s.outbox = { send: (head: string) => sent.push(head) } as unknown as Outbox;
    return { s, sent };
  }
  const seqs = (sent: string[]) => sent.map((h) => Number(h.match(/"s":(\d+)/)?.[1]));

  test('a dispatch made for the session, and what follows it, wait until a checkpoint covers it', () => {
    const { s, sent } = session();
    let barriers = 0;
    s.onBarrier = () => barriers++;
    s.dispatchShared('MESSAGE_CREATE', Buffer.from('{}}'));
    s.dispatch('READY', {});
    s.dispatchShared('MESSAGE_CREATE', Buffer.from('{}}'));
    assert.deepEqual(seqs(sent), [1]);
    assert.equal(barriers, 1);
    s.persisted(2);
    assert.deepEqual(seqs(sent), [1, 2, 3]);
  });

  test('a resume sends only what no barrier holds back; the rest follows the checkpoint', () => {
    const { s, sent } = session();
    s.onBarrier = () => {};
    s.dispatchShared('MESSAGE_CREATE', Buffer.from('{}}'));
    s.dispatch('GUILD_MEMBERS_CHUNK', {});
    s.dispatchShared('MESSAGE_CREATE', Buffer.from('{}}'));
    sent.length = 0;
    s.replay(0);
    assert.deepEqual(seqs(sent), [1]);
    s.persisted(3);
    assert.deepEqual(seqs(sent), [1, 2, 3]);
  });

  test('without a record store nothing is held back', () => {
    const { s, sent } = session();
    s.dispatch('READY', {});
    s.dispatchShared('MESSAGE_CREATE', Buffer.from('{}}'));
    assert.deepEqual(seqs(sent), [1, 2]);
  });
});
