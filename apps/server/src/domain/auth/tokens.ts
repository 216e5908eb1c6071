import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isSnowflake } from '@hearth/protocol';

/** An opaque secret and the hash we store of it. Tokens are prefixed with their owner's id for keyed lookup. */
export function newSecretToken(ownerId: string): { token: string; hash: string } {
  const token = `${Buffer.from(ownerId).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The owner id a token from newSecretToken names, or null when it has no valid prefix. */
export function tokenOwner(token: string): string | null {
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const id = Buffer.from(token.slice(0, dot), 'base64url').toString();
  return isSnowflake(id) ? id : null;
}

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/**
 * Short-lived access tokens: compact JWTs (RFC 7519) signed with HMAC-SHA256, `sub` the user and `sid` the session.
 * Signed and checked synchronously with node:crypto; every request verifies one, so this stays off the thread pool.
 */
export class AccessTokens {
  private readonly key: Buffer;
  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = Buffer.from(secret);
  }

  sign(claims: AccessClaims, now = Date.now()): string {
    const iat = Math.floor(now / 1000);
    const payload = { sid: claims.sessionId, sub: claims.userId, iat, exp: iat + this.ttlSeconds };
    const unsigned = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${unsigned}.${this.mac(unsigned).toString('base64url')}`;
  }

  /** The claims of a valid, unexpired HS256 token signed with our key; null for anything else. */
  verify(token: string, now = Date.now()): AccessClaims | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [header, payload, signature] = parts;
    // Compared as text: base64url decoding ignores the last character's spare bits and any padding, so comparing
    // decoded bytes would let several spellings of one signature pass; only the one we issue does.
    const given = Buffer.from(signature);
    const expected = Buffer.from(this.mac(`${header}.${payload}`).toString('base64url'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const h = parseJson(header);
    const p = parseJson(payload);
    // Only our own shape passes: HS256 without critical extensions, a numeric expiry in the future.
    if (h?.alg !== 'HS256' || h.crit !== undefined || !p) return null;
    if (typeof p.exp !== 'number' || p.exp * 1000 <= now) return null;
    if (p.nbf !== undefined && (typeof p.nbf !== 'number' || p.nbf * 1000 > now)) return null;
    if (typeof p.sub !== 'string' || typeof p.sid !== 'string') return null;
    return { userId: p.sub, sessionId: p.sid };
  }

  private mac(data: string): Buffer {
    return createHmac('sha256', this.key).update(data).digest();
  }
}

function parseJson(part: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString());
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}
