// The search box's filters, read against a guild's members and channels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSearch, type SearchNames } from '../../src/screens/search/query';

const names: SearchNames = {
  user: (n) => ({ alice: '11', 'bob builder': null, bob: '22' })[n.toLowerCase()] ?? null,
  channel: (n) => ({ general: '100', plans: '200' })[n.toLowerCase()] ?? null,
};

test('words are the full-text part; from:, mentions:, in: and has: become filters', () => {
  assert.deepEqual(parseSearch('  hello   world ', names), {
    query: { content: 'hello world' },
    error: null,
  });
  assert.deepEqual(parseSearch('from:Alice in:#plans has:image has:link mentions:@bob cake', names), {
    query: {
      content: 'cake',
      author_id: ['11'],
      channel_id: ['200'],
      mentions: ['22'],
      has: ['image', 'link'],
    },
    error: null,
  });
  assert.deepEqual(parseSearch('from:alice from:bob', names).query, { author_id: ['11', '22'] });
  // A word that only looks like a filter is a word.
  assert.deepEqual(parseSearch('ratio 16:9 from:', names).query, { content: 'ratio 16:9 from:' });
});

test('an unknown member, channel or kind is said, not searched for', () => {
  assert.equal(parseSearch('from:carol', names).error, 'No member named “carol”.');
  assert.equal(parseSearch('in:#secret', names).error, 'No channel named “#secret”.');
  assert.match(parseSearch('has:pdf', names).error ?? '', /^has: takes link, embed, file, image/);
  assert.match(parseSearch('   ', names).error ?? '', /Type words to find/);
});

test('before:, after: and during: a local day become snowflake bounds; a bad date is an error', () => {
  const snowflakeAt = (ms: number) => (BigInt(ms) - 1420070400000n) << 22n;
  const start = new Date(2025, 2, 14).getTime();
  const next = new Date(2025, 2, 15).getTime();
  assert.deepEqual(parseSearch('before:2025-03-14', names).query, { max_id: snowflakeAt(start).toString() });
  assert.deepEqual(parseSearch('after:2025-03-14 cake', names).query, {
    content: 'cake',
    min_id: (snowflakeAt(next) - 1n).toString(),
  });
  const during = parseSearch('during:2025-03-14', names).query!;
  assert.equal(during.min_id, (snowflakeAt(start) - 1n).toString());
  assert.equal(during.max_id, snowflakeAt(next).toString());
  // A message made at noon that day lies inside the bounds; one the next morning does not.
  const noon = snowflakeAt(start + 12 * 3_600_000);
  assert.ok(noon > BigInt(during.min_id!) && noon < BigInt(during.max_id!));
  assert.ok(snowflakeAt(next + 3_600_000) >= BigInt(during.max_id!));
  // Several narrow together: the later lower bound and the earlier upper bound.
  assert.deepEqual(
    parseSearch('after:2025-03-01 after:2025-03-13 before:2025-03-20 before:2025-03-15', names).query,
    {
      min_id: (snowflakeAt(start) - 1n).toString(),
      max_id: snowflakeAt(next).toString(),
    },
  );
  assert.match(parseSearch('before:yesterday', names).error ?? '', /before: takes a date/);
  assert.match(parseSearch('during:2025-02-30', names).error ?? '', /during: takes a date/);
});
