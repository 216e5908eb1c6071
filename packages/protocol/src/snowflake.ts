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

  /** The next id as a decimal string, the form used on the wire. */
  next(): string {
    return this.nextBigInt().toString();
  }

  nextBigInt(): bigint {
    let ms = this.now();
    if (ms > this.lastMs) {
      this.sequence = 0n;
    } else if (this.sequence < MAX_SEQUENCE) {
      // Same millisecond, or the clock stepped back: stay on the last timestamp.
      ms = this.lastMs;
      this.sequence++;
    } else {
      // 4096 ids on this timestamp. If the clock is on it, wait for the next tick; if it is behind (stepped back,
      // or frozen), move the timestamp on by one instead of blocking.
      if (ms === this.lastMs) ms = this.waitPast(ms);
      if (ms <= this.lastMs) ms = this.lastMs + 1n;
      this.sequence = 0n;
    }
    this.lastMs = ms;
    return (ms << 22n) | this.prefix | this.sequence;
  }

  private now(): bigint {
    return BigInt(Math.floor(this.clock())) - DISCORD_EPOCH;
  }

  /** Busy-waits for the clock to pass `ms`, for at most 20 real ms (an injected clock may never move). */
  private waitPast(ms: bigint): bigint {
    const deadline = Date.now() + 20;
    let now = this.now();
    while (now <= ms && Date.now() < deadline) now = this.now();
    return now;
  }
}

/** When a snowflake was minted. */
export function snowflakeTimestamp(id: string | bigint): Date {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH));
}

const DAY_MS = 86_400_000;
let isoDay = Number.NaN;
let isoDayPrefix = '';
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * When a snowflake was minted, exactly as `snowflakeTimestamp(id).toISOString()` writes it (a message's `timestamp`),
 * at a quarter of the cost: no Date is made but for the first id of each day, whose date part is kept for the next
 * (the messages of a page are mostly of one day). Snowflakes end in 2084, so the year has four digits.
 */
export function snowflakeIsoTimestamp(id: string): string {
  const ms = Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    isoDay = day;
    isoDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const t = ms - day * DAY_MS;
  const milli = t % 1000;
  const hms = `${pad2(Math.floor(t / 3_600_000))}:${pad2(Math.floor(t / 60_000) % 60)}:${pad2(Math.floor(t / 1000) % 60)}`;
  return `${isoDayPrefix}${hms}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** The smallest snowflake of a moment, for time-based cursors. */
export function snowflakeFromTimestamp(at: number | Date): string {
  const ms = BigInt(Math.floor(typeof at === 'number' ? at : at.getTime())) - DISCORD_EPOCH;
  return (ms < 0n ? 0n : ms << 22n).toString();
}

/** The largest snowflake Hearth stores: ids are PostgreSQL bigints, so 2^63 − 1 (Discord's are below 2^63 too). */
export const MAX_SNOWFLAKE = (1n << 63n) - 1n;

/**
 * A regular expression (source) for decimal strings of at most `max`'s digit count whose value is at most `max`:
 * any shorter string, or a prefix of `max` followed by a smaller digit and then anything, or `max` itself.
 */
function decimalAtMost(max: bigint): string {
  const digits = max.toString();
  const alternatives = digits.length > 1 ? [`[0-9]{1,${digits.length - 1}}`] : [];
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    const rest = digits.length - 1 - i;
    if (d > 0) alternatives.push(`${digits.slice(0, i)}[0-${d - 1}]${rest ? `[0-9]{${rest}}` : ''}`);
  }
  alternatives.push(digits);
  return `^(?:${alternatives.join('|')})$`;
}

/** The wire pattern of a snowflake: 1 to 19 decimal digits, at most MAX_SNOWFLAKE. */
export const SNOWFLAKE_PATTERN = decimalAtMost(MAX_SNOWFLAKE);

const snowflakeRegExp = new RegExp(SNOWFLAKE_PATTERN);

/** A snowflake Hearth can store: a decimal string matching SNOWFLAKE_PATTERN. */
export function isSnowflake(s: unknown): s is string {
  return typeof s === 'string' && snowflakeRegExp.test(s);
}
