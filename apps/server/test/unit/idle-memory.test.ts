import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { releaseStartupMemory } from '../../src/idle-memory';

test('releaseStartupMemory gives dropped garbage back and leaves no gc function exposed', () => {
  // ~150 MB of short-lived objects, dropped: the heap stays committed until a collection gives it back.
  let garbage: Array<{ i: number; s: string }> | null = [];
  for (let i = 0; i < 1_500_000; i++) garbage.push({ i, s: `item ${i}` });
  garbage = null;
  const before = process.memoryUsage().heapTotal;
  releaseStartupMemory();
  const after = process.memoryUsage().heapTotal;
  assert.ok(after < before / 2, `heap committed ${before} -> ${after} bytes`);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  assert.equal(runInNewContext('typeof gc'), 'undefined');
});
