import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { jwtVerify, SignJWT } from 'jose';
import { AccessTokens } from '../../src/domain/auth/tokens';
import { nonCanonicalSignatures } from '../token-variants';

const secret = 'a server secret of a reasonable length, 32+ bytes';
const key = new TextEncoder().encode(secret);
const claims = { userId: '123456789012345678', sessionId: 'session-1' };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('access tokens', () => {
  const tokens = new AccessTokens(secret, 900);

  test('round trip, and standard HS256 JWTs both ways (jose as the independent implementation)', async () => {
    const token = tokens.sign(claims);
    assert.deepEqual(tokens.verify(token), claims);
    const { payload, protectedHeader } = await jwtVerify(token, key, { algorithms: ['HS256'] });
    assert.equal(protectedHeader.alg, 'HS256');
    assert.equal(payload.sub, claims.userId);
    assert.equal(payload.sid, claims.sessionId);
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 900);
    const fromJose = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setExpirationTime('5m')
      .sign(key);
    assert.deepEqual(tokens.verify(fromJose), claims);
  });

  test('expires', () => {
    const t0 = Date.now();
    const token = tokens.sign(claims, t0);
    assert.deepEqual(tokens.verify(token, t0 + 899_000), claims);
    assert.equal(tokens.verify(token, t0 + 901_000), null);
  });

  test('rejects another key, tampering, other algorithms and malformed tokens', () => {
    const token = tokens.sign(claims);
    const [h, p, s] = token.split('.');
    assert.equal(new AccessTokens('another secret entirely, also long enough', 900).verify(token), null);
    const forgedPayload = b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: '1' });
    assert.equal(tokens.verify(`${h}.${forgedPayload}.${s}`), null);
    assert.equal(tokens.verify(`${b64({ alg: 'none' })}.${p}.`), null);
    assert.equal(tokens.verify(`${h}.${p}`), null);
    assert.equal(tokens.verify(`${token}.x`), null);
    for (const junk of ['', '...', 'a.b.c', 'not a token', `${h}.%%%.${s}`])
      assert.equal(tokens.verify(junk), null);
    // Signed with the right key by hand, so that any header and payload can be tried.
    const sign = (header: object, payload: object) => {
      const unsigned = `${b64(header)}.${b64(payload)}`;
      return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
    };
    const exp = Math.floor(Date.now() / 1000) + 60;
    // Correctly signed, but not our shape.
    assert.equal(tokens.verify(sign({ alg: 'HS256', crit: ['x'], x: 1 }, { sub: '1', sid: 's', exp })), null);
    assert.equal(tokens.verify(sign({ alg: 'HS256' }, { sub: '1', sid: 's' })), null);
    assert.equal(tokens.verify(sign({ alg: 'HS256' }, { sub: '1', exp })), null);
    assert.equal(tokens.verify(sign({ alg: 'HS256' }, { sub: 1, sid: 's', exp })), null);
    assert.equal(tokens.verify(sign({ alg: 'HS256' }, { sub: '1', sid: 's', exp, nbf: exp })), null);
    assert.equal(tokens.verify(sign({ alg: 'HS512' }, { sub: '1', sid: 's', exp })), null);
    assert.deepEqual(tokens.verify(sign({ alg: 'HS256' }, { sub: '1', sid: 's', exp })), {
      userId: '1',
      sessionId: 's',
    });
  });

  test('only the canonical encoding of the signature passes (no spare bits set, no padding)', () => {
    const token = tokens.sign(claims);
    for (const variant of nonCanonicalSignatures(token)) {
      assert.deepEqual(
        Buffer.from(variant.split('.')[2], 'base64url'),
        Buffer.from(token.split('.')[2], 'base64url'),
        'the same bytes',
      );
      assert.equal(tokens.verify(variant), null, variant);
    }
    assert.deepEqual(tokens.verify(token), claims);
  });
});
