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
