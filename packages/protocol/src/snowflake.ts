/** Discord's epoch: 2015-01-01T00:00:00Z. */
export const DISCORD_EPOCH = 1420070400000n;

const MAX_SEQUENCE = 0xfffn;

/**
 * Mints Discord snowflakes: `(ms since epoch) << 22 | worker << 17 | process << 12 | sequence`.
 * Strictly increasing within a generator, also when the clock steps back (the last timestamp is kept).
 */
export class SnowflakeGenerator {
  private readonly prefix: bigint;
  private readonly clock: () => number;
  private lastMs = -1n;
  private sequence = 0n;

  constructor(opts: { workerId: number; processId?: number; clock?: () => number }) {
    const processId = opts.processId ?? 0;
    for (const [name, v] of [
      ['workerId', opts.workerId],
      ['processId', processId],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 31)
        throw new RangeError(`${name} must be an integer from 0 to 31, got ${v}`);
    }
    this.prefix = (BigInt(opts.workerId) << 17n) | (BigInt(processId) << 12n);
    this.clock = opts.clock ?? Date.now;
  }

  next(): string {
    return this.nextBigInt().toString();
  }

  nextBigInt(): bigint {
    let now = BigInt(this.clock()) - DISCORD_EPOCH;
    if (now <= this.lastMs) {
      // Same millisecond, or the clock went back: stay on the last timestamp.
      now = this.lastMs;
      this.sequence++;
      if (this.sequence > MAX_SEQUENCE) {
        // 4096 ids in one millisecond: wait briefly for the clock, then move on logically if it is stuck behind.
        const deadline = Date.now() + 2;
        while (BigInt(this.clock()) - DISCORD_EPOCH <= this.lastMs && Date.now() < deadline) {}
        now = BigInt(this.clock()) - DISCORD_EPOCH;
        if (now <= this.lastMs) now = this.lastMs + 1n;
        this.sequence = 0n;
      }
    } else {
      this.sequence = 0n;
    }
    this.lastMs = now;
    return (now << 22n) | this.prefix | this.sequence;
  }
}

/** When a snowflake was minted. */
export function snowflakeTimestamp(id: string | bigint): Date {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH));
}

/** The smallest snowflake of a moment, for time-based cursors. */
export function snowflakeFromTimestamp(at: number | Date): string {
  const ms = BigInt(typeof at === 'number' ? at : at.getTime()) - DISCORD_EPOCH;
  return (ms < 0n ? 0n : ms << 22n).toString();
}

const MAX_U64 = (1n << 64n) - 1n;

export function isSnowflake(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9]{1,20}$/.test(s) && BigInt(s) <= MAX_U64;
}
