import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStreamKey, streamKey } from '../../src/schemas/voice';
import { videoCsrc, voiceCsrc } from '../../src/voice-csrc';

test("a guild stream's key is Discord's, and reads back; anything else is no key", () => {
  const key = streamKey('1', '22', '333');
  assert.equal(key, 'guild:1:22:333');
  assert.deepEqual(parseStreamKey(key), { guildId: '1', channelId: '22', userId: '333' });
  for (const bad of [
    '',
    'call:1:2',
    'guild:1:2',
    'guild:1:2:3:4',
    'guild:a:2:3',
    `guild:1:2:${'9'.repeat(21)}`,
  ])
    assert.equal(parseStreamKey(bad), null, bad);
});

test("a person's microphone, camera and screen carry three different CSRCs", () => {
  const id = '175928847299117063';
  const csrcs = new Set([voiceCsrc(id), videoCsrc(id, 'camera'), videoCsrc(id, 'screen')]);
  assert.equal(csrcs.size, 3);
  for (const c of csrcs) assert.ok(Number.isInteger(c) && c >= 0 && c <= 0xffffffff);
  assert.equal(videoCsrc(id, 'camera'), voiceCsrc(`${id}:camera`));
});
