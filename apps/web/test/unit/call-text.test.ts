import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callLength, callText } from '../../src/screens/messages/call-text';
import type { Message } from '../../src/types';

const callMessage = (participants: string[], ended: string | null): Message =>
  ({
    id: '1',
    channel_id: '2',
    author: { id: 'a', username: 'a' },
    content: '',
    timestamp: '2026-12-07T10:00:00.000Z',
    edited_timestamp: null,
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    attachments: [],
    type: 3,
    call: { participants, ended_timestamp: ended },
  }) as unknown as Message;

test('a call lasted a few seconds, a minute, N minutes, hours', () => {
  const at = '2026-12-07T10:00:00.000Z';
  assert.equal(callLength(at, '2026-12-07T10:00:20.000Z'), 'a few seconds');
  assert.equal(callLength(at, '2026-12-07T10:01:10.000Z'), 'a minute');
  assert.equal(callLength(at, '2026-12-07T10:12:00.000Z'), '12 minutes');
  assert.equal(callLength(at, '2026-12-07T12:00:00.000Z'), '2 hours');
});

test('started, lasted, or missed, by who reads it', () => {
  const going = callMessage(['a'], null);
  assert.deepEqual(callText(going, 'b'), { missed: false, lasted: null });
  const ended = callMessage(['a', 'b'], '2026-12-07T10:05:00.000Z');
  assert.deepEqual(callText(ended, 'b'), { missed: false, lasted: '5 minutes' });
  assert.deepEqual(callText(ended, 'a'), { missed: false, lasted: '5 minutes' });
  const unanswered = callMessage(['a'], '2026-12-07T10:01:00.000Z');
  assert.deepEqual(callText(unanswered, 'b'), { missed: true, lasted: 'a minute' });
  assert.equal(callText({ ...going, type: 0 }, 'b'), null);
});
