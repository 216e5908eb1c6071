import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ChannelKind,
  ChannelType,
  isCategoryType,
  isDmType,
  isMessageableType,
  isTextType,
  isThreadType,
  isVoiceType,
} from '../../src/channel-kinds';

const all = Object.values(ChannelType);

test('each predicate answers for exactly the types of its kind', () => {
  const cases = [
    [isThreadType, ChannelKind.thread],
    [isDmType, ChannelKind.dm],
    [isTextType, ChannelKind.text],
    [isVoiceType, ChannelKind.voice],
    [isCategoryType, ChannelKind.category],
    [isMessageableType, ChannelKind.messageable],
  ] as const;
  for (const [is, kind] of cases)
    for (const type of all)
      assert.equal(is(type), (kind as readonly number[]).includes(type), `${kind.join(',')} ${type}`);
  assert.equal(isThreadType(undefined), false);
});

test('threads, DMs, text-like, voice channels and categories are apart; messages go to text-like, DMs, threads', () => {
  const kinds = [
    ChannelKind.thread,
    ChannelKind.dm,
    ChannelKind.text,
    ChannelKind.voice,
    ChannelKind.category,
  ];
  const seen = kinds.flat();
  assert.equal(new Set(seen).size, seen.length);
  assert.deepEqual(
    [...ChannelKind.messageable].sort((a, b) => a - b),
    [...ChannelKind.text, ...ChannelKind.dm, ...ChannelKind.thread].sort((a, b) => a - b),
  );
  for (const type of seen) assert.ok(all.includes(type));
});

test("Discord's numbers", () => {
  assert.deepEqual(ChannelKind.thread, [10, 11, 12]);
  assert.deepEqual(ChannelKind.dm, [1, 3]);
  assert.deepEqual(ChannelKind.text, [0, 5]);
  assert.deepEqual(ChannelKind.voice, [2, 13]);
});
