import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { jsonNestingExceeds } from '../../src/json-depth';

/** Nesting depth of a parsed value, recursively (the reference; the values here are small). */
function depthOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + Math.max(0, ...children.map(depthOf));
}

test('the depth it measures is the depth of the value, brackets inside strings and escapes included', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.jsonValue({ maxDepth: 8 }), fc.jsonValue({ maxDepth: 8, stringUnit: 'binary' })),
      fc.nat(10),
      (value, max) => {
        const text = JSON.stringify(value);
        assert.equal(jsonNestingExceeds(text, max), depthOf(value) > max, text);
      },
    ),
    { numRuns: 2000 },
  );
  assert.equal(jsonNestingExceeds('{"a":"[[[[\\"[[[["}', 1), false);
  assert.equal(jsonNestingExceeds('{"a\\\\":[[1]]}', 2), true);
  assert.equal(
    jsonNestingExceeds('{"a\\\\\\"[[":[[1]]}', 2),
    true,
    'an escaped quote after an escaped backslash',
  );
  assert.equal(jsonNestingExceeds('["unterminated [[[[', 1), false, 'left to the parser');
  assert.equal(jsonNestingExceeds(`${'['.repeat(64)}${']'.repeat(64)}`, 64), false);
  assert.equal(jsonNestingExceeds(`${'['.repeat(65)}${']'.repeat(65)}`, 64), true);
});

test('seven million levels are answered at once, without recursion', () => {
  assert.equal(jsonNestingExceeds(`{"a":${'['.repeat(7_000_000)}`, 64), true);
  assert.equal(jsonNestingExceeds('[1,2,3]'.repeat(1_000_000), 64), false);
});
