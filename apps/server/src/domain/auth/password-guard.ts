import { ErrorCode } from '@hearth/protocol';
import type { BackoffPolicy, RateLimiter } from '../../state/rate-limiter';
import { rateLimited } from '../errors';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** One account from one address: five guesses, then a wait doubling from 1 s up to 15 minutes between guesses. */
const perAddressPolicy: BackoffPolicy = {
  free: 5,
  baseDelayMs: 1000,
  maxDelayMs: 15 * MINUTE,
  forgetAfterMs: DAY,
};

/** One account from every address it was never used from: a much higher ceiling, then the same doubling waits. */
function perAccountPolicy(free: number): BackoffPolicy {
  return { free, baseDelayMs: 1000, maxDelayMs: 15 * MINUTE, forgetAfterMs: DAY };
}

/** Whom a password check is for: an account, or (for a login naming none) the login text itself. */
export interface PasswordTarget {
  userId: string | null;
  /** `user:<id>`, or `login:<normalized text>` when no account has that login. */
  key: string;
}

/**
 * Password guessing limits shared by login and every check of the current password (ADR 0015).
 * Guesses are counted per (account, address), so a stranger's guesses delay only that stranger, and per account
 * from addresses the account has no session from, so many addresses together are stopped too, while the owner
 * at an address they have used is held back only by their own guesses from it.
 */
export class PasswordGuard {
  private readonly accountPolicy: BackoffPolicy;

  constructor(
    private readonly limiter: RateLimiter,
    accountCeiling: number,
    /** Whether the account has had a session from this address (it is one the owner uses). */
    private readonly knownAddress: (userId: string, ip: string) => Promise<boolean>,
  ) {
    this.accountPolicy = perAccountPolicy(accountCeiling);
  }

  /**
   * Runs `verify` when the limits allow a guess now and returns its answer; a right password clears this
   * address's guesses. Throws 429 with Retry-After while a wait runs (the password is not even checked).
   */
  async check(target: PasswordTarget, ip: string | null, verify: () => Promise<boolean>): Promise<boolean> {
    const addressKey = `password:${target.key}@${ip ?? '-'}`;
    const mine = await this.limiter.attempt(addressKey, perAddressPolicy);
    if (!mine.allowed) throw tooManyGuesses(mine.retryAfterMs);
    const known = target.userId !== null && ip !== null && (await this.knownAddress(target.userId, ip));
    if (!known) {
      const all = await this.limiter.attempt(`password:${target.key}`, this.accountPolicy);
      if (!all.allowed) throw tooManyGuesses(all.retryAfterMs);
    }
    const ok = await verify();
    if (ok) await this.limiter.forget(addressKey);
    return ok;
  }
}

function tooManyGuesses(retryAfterMs: number) {
  return rateLimited(ErrorCode.General, 'You are being rate limited.', retryAfterMs);
}
