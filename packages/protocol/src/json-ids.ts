/**
 * JSON numbers that hold snowflakes. Discord's ids are 64-bit, and some libraries (discord.py) write them as JSON
 * numbers: `JSON.parse` rounds any integer past 2^53 to the nearest double, so an id would silently name another
 * message or role. These helpers read each such integer from its source text instead (Node 22+'s reviver
 * `context.source`), as a decimal string, which is what every schema and the domain expect for an id.
 */

/** A number in JSON text that no JavaScript value gives back exactly (a float of an id's magnitude, say). */
export class InexactNumberError extends Error {
  constructor(readonly path: Array<string | number>) {
    super(`The number at ${path.join('.') || 'the top level'} cannot be read exactly`);
  }
}

// A number token (after `:`, `,` or `[`) of 16 or more digits, or with an exponent: only those can exceed 2^53.
// Ids inside strings do not match, so the common body (ids as strings) never pays for the reviver.
const MAY_HOLD_BIG_NUMBER = /[:,[]\s*-?(?:\d{16}|[\d.]+[eE])/;
/** Whether JSON text may hold a number past 2^53 (cheap, may say yes for text that does not). */
export function jsonMayHoldBigNumbers(text: string): boolean {
  return MAY_HOLD_BIG_NUMBER.test(text);
}

const INTEGER_SOURCE = /^-?\d+$/;
const INEXACT: unique symbol = Symbol('inexact number');

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/**
 * Parses JSON text as `JSON.parse` does, except that an integer past 2^53 comes back as its exact decimal string,
 * and any other number past 2^53 (a float, an exponent) throws InexactNumberError naming where it is. Text without
 * a long number is parsed without a reviver, which would slow every parse down. Throws SyntaxError as JSON.parse.
 */
export function parseJsonKeepingIds(text: string): unknown {
  if (!jsonMayHoldBigNumbers(text)) return JSON.parse(text);
  let inexact = false;
  const keepBigIntegers: Reviver = (_key, value, context) => {
    if (typeof value !== 'number' || Math.abs(value) <= Number.MAX_SAFE_INTEGER) return value;
    const source = context?.source;
    if (source !== undefined && INTEGER_SOURCE.test(source)) return source;
    inexact = true;
    return INEXACT;
  };
  const value: unknown = (JSON.parse as (text: string, reviver: Reviver) => unknown)(text, keepBigIntegers);
  if (inexact) throw new InexactNumberError(pathOf(value, INEXACT) ?? []);
  return value;
}

/** The path to the first occurrence of `needle` in a parsed JSON value, or null. */
function pathOf(value: unknown, needle: unknown): Array<string | number> | null {
  if (value === needle) return [];
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const found = pathOf(child, needle);
    if (found) return [Array.isArray(value) ? Number(key) : key, ...found];
  }
  return null;
}

/** An id sent as a string or as a JSON number that was read exactly: its decimal string; otherwise undefined. */
export function snowflakeLike(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}
