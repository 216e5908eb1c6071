import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DISCORD_EPOCH,
  isSnowflake,
  MAX_SNOWFLAKE,
  SNOWFLAKE_PATTERN,
  SnowflakeGenerator,
  snowflakeFromTimestamp,
  snowflakeIsoTimestamp,
  snowflakeTimestamp,
} from '../../src/snowflake';

function fields(id: string) {
  const b = BigInt(id);
  return {
    ms: Number((b >> 22n) + DISCORD_EPOCH),
    worker: Number((b >> 17n) & 31n),
    process: Number((b >> 12n) & 31n),
    seq: Number(b & 0xfffn),
  };
}

describe('snowflakes', () => {
  test("follow Discord's layout", () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const gen = new SnowflakeGenerator({ workerId: 17, processId: 5, clock: () => at });
    const a = gen.next();
    const b = gen.next();
    assert.deepEqual(fields(a), { ms: at, worker: 17, process: 5, seq: 0 });
    assert.deepEqual(fields(b), { ms: at, worker: 17, process: 5, seq: 1 });
    assert.equal(snowflakeTimestamp(a).getTime(), at);
    // Discord's documented example.
    assert.equal(snowflakeTimestamp('175928847299117063').toISOString(), '2016-04-30T11:18:25.796Z');
  });

  test('100,000 ids in a tight loop are distinct and strictly increasing', () => {
    const gen = new SnowflakeGenerator({ workerId: 1 });
    let prev = -1n;
    const seen = new Set<bigint>();
    for (let i = 0; i < 100_000; i++) {
      const id = gen.nextBigInt();
      assert.ok(id > prev);
      seen.add(id);
      prev = id;
    }
    assert.equal(seen.size, 100_000);
  });

  test('more than 4096 ids in one millisecond wait for the clock instead of running ahead', () => {
    let now = Date.UTC(2026, 5, 1);
    let calls = 0;
    // Frozen for 4096 ids plus a few reads of the generator waiting on it, then a tick.
    const gen = new SnowflakeGenerator({ workerId: 0, clock: () => (++calls % 4100 === 0 ? ++now : now) });
    let prev = -1n;
    let maxSeq = 0;
    for (let i = 0; i < 10_000; i++) {
      const id = gen.nextBigInt();
      assert.ok(id > prev, `id ${i} not increasing`);
      const f = fields(id.toString());
      assert.ok(f.ms <= now, 'timestamp ahead of the clock');
      maxSeq = Math.max(maxSeq, f.seq);
      prev = id;
    }
    assert.equal(maxSeq, 4095);
  });

  test('a clock stepping back never yields a smaller or repeated id', () => {
    const times = [5000, 5001, 4000, 3000, 5001, 5002, 1000, 6000];
    let i = 0;
    const gen = new SnowflakeGenerator({
      workerId: 2,
      clock: () => Date.UTC(2026, 0, 1) + times[Math.min(i++, times.length - 1)],
    });
    let prev = -1n;
    for (let n = 0; n < 50; n++) {
      const id = gen.nextBigInt();
      assert.ok(id > prev);
      prev = id;
    }
  });

  test('a frozen clock past the sequence still yields increasing ids', () => {
    const at = Date.UTC(2026, 0, 1);
    const gen = new SnowflakeGenerator({ workerId: 3, clock: () => at });
    let prev = -1n;
    for (let n = 0; n < 9000; n++) {
      const id = gen.nextBigInt();
      assert.ok(id > prev);
      prev = id;
    }
    // Two overflows: the timestamp moved on logically by 2 ms.
    assert.equal(snowflakeTimestamp(prev).getTime(), at + 2);
  });

  test('a clock stuck behind the last timestamp moves on without waiting', () => {
    let calls = 0;
    const times = [Date.UTC(2026, 0, 1, 0, 0, 1), Date.UTC(2026, 0, 1)];
    const gen = new SnowflakeGenerator({ workerId: 4, clock: () => times[Math.min(calls++, 1)] });
    let prev = -1n;
    for (let n = 0; n < 20_000; n++) {
      const id = gen.nextBigInt();
      assert.ok(id > prev);
      prev = id;
    }
    // One clock read per id: no busy-waiting on a clock that is a second behind.
    assert.equal(calls, 20_000);
  });

  test('generators with different worker ids never collide', () => {
    const at = Date.UTC(2026, 0, 1);
    const a = new SnowflakeGenerator({ workerId: 1, clock: () => at });
    const b = new SnowflakeGenerator({ workerId: 2, clock: () => at });
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      ids.add(a.next());
      ids.add(b.next());
    }
    assert.equal(ids.size, 4000);
  });

  test('invalid worker and process ids are refused', () => {
    for (const workerId of [-1, 32, 1.5, Number.NaN])
      assert.throws(() => new SnowflakeGenerator({ workerId }), { name: 'RangeError', message: /workerId/ });
    assert.throws(() => new SnowflakeGenerator({ workerId: 0, processId: 32 }), {
      name: 'RangeError',
      message: /processId/,
    });
  });

  test('the ISO timestamp of any snowflake is what Date writes, across days and in any order', () => {
    const id = fc.bigInt({ min: 0n, max: MAX_SNOWFLAKE }).map(String);
    // Neighbouring ids (one day's worth apart at most) and ones far apart, so that the kept day changes both ways.
    const near = fc
      .tuple(id, fc.bigInt({ min: -(86_400_000n << 22n), max: 86_400_000n << 22n }))
      .map(([a, d]) => {
        const b = BigInt(a) + d;
        return (b < 0n ? 0n : b > MAX_SNOWFLAKE ? MAX_SNOWFLAKE : b).toString();
      });
    fc.assert(
      fc.property(fc.array(fc.oneof(id, near), { minLength: 1, maxLength: 20 }), (ids) => {
        for (const x of ids) assert.equal(snowflakeIsoTimestamp(x), snowflakeTimestamp(x).toISOString());
      }),
      { numRuns: 2000 },
    );
    for (const x of ['0', '4194303', '4194304', MAX_SNOWFLAKE.toString()])
      assert.equal(snowflakeIsoTimestamp(x), snowflakeTimestamp(x).toISOString());
  });

  test('time cursors and validation', () => {
    const at = Date.UTC(2026, 3, 4);
    const id = snowflakeFromTimestamp(at);
    assert.equal(snowflakeTimestamp(id).getTime(), at);
    assert.equal(BigInt(id) & ((1n << 22n) - 1n), 0n);
    assert.equal(snowflakeFromTimestamp(0), '0');
    for (const good of ['0', '175928847299117063', '9223372036854775807', '0223372036854775808'])
      assert.ok(isSnowflake(good), good);
    for (const bad of [
      '',
      '-1',
      '1.5',
      'abc',
      ' 1',
      '1\n',
      '9223372036854775808',
      '9300000000000000000',
      '18446744073709551615',
      '00000000000000000001',
      123,
      null,
    ])
      assert.equal(isSnowflake(bad), false, String(bad));
  });

  test('the snowflake pattern accepts exactly the 1–19 digit strings up to 2^63 − 1', () => {
    const fits = (s: string) => /^[0-9]{1,19}$/.test(s) && BigInt(s) <= MAX_SNOWFLAKE;
    const near = fc.bigInt({ min: MAX_SNOWFLAKE - 10n ** 6n, max: MAX_SNOWFLAKE + 10n ** 6n });
    const anyValue = fc.bigInt({ min: 0n, max: 1n << 66n });
    // Strings near the bound, of every length, with leading zeros, and random digit strings.
    const digits = fc.oneof(
      near.map(String),
      anyValue.map(String),
      fc.tuple(fc.nat({ max: 3 }), anyValue).map(([zeros, v]) => '0'.repeat(zeros) + v),
      fc.stringMatching(/^[0-9]{1,22}$/),
    );
    fc.assert(
      fc.property(digits, (s) => {
        assert.equal(isSnowflake(s), fits(s), s);
        assert.equal(new RegExp(SNOWFLAKE_PATTERN, 'u').test(s), fits(s), s);
      }),
      { numRuns: 5000 },
    );
    // Every prefix-then-smaller-digit branch, at its edges.
    const max = MAX_SNOWFLAKE.toString();
    for (let i = 0; i < max.length; i++) {
      const over = `${max.slice(0, i)}${Number(max[i]) + 1}${'0'.repeat(max.length - 1 - i)}`;
      if (Number(max[i]) < 9) assert.equal(isSnowflake(over), false, over);
      if (Number(max[i]) > 0) {
        const under = `${max.slice(0, i)}${Number(max[i]) - 1}${'9'.repeat(max.length - 1 - i)}`;
        assert.equal(isSnowflake(under), true, under);
      }
    }
  });
});
