import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { instanceSettings, mailTokens, sessions } from '../../src/store/schema';
import { type ApiResponse, startHearth, type TestServer, tokenFromMail } from '../harness';
import { startSmtp } from '../smtp';
import { nonCanonicalSignatures } from '../token-variants';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

describe('register', () => {
  test('creates an account, signs it in and mails a confirmation link', async () => {
    const res = await h.api('POST', '/auth/register', {
      body: { email: 'Ada@Example.test', username: 'ada', password: 'lovelace-1815' },
    });
    assert.equal(res.status, 201);
    assert.match(res.body.user_id, /^\d{17,20}$/);
    assert.equal(res.body.expires_in, 900);
    assert.ok(res.body.token && res.body.refresh_token);

    const me = await h.api('GET', '/users/@me', { token: res.body.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.username, 'ada');
    assert.equal(me.body.email, 'Ada@Example.test');
    assert.equal(me.body.discriminator, '0');
    assert.equal(me.body.verified, false);
    assert.equal(me.body.bot, false);
    assert.equal('password_hash' in me.body, false);

    const bearer = await h.api('GET', '/users/@me', { token: `Bearer ${res.body.token}` });
    assert.equal(bearer.status, 200);

    const mail = await h.mailTo('Ada@Example.test');
    assert.match(mail, /Subject: Confirm your Hearth account/);
    assert.match(mail, /http:\/\/hearth\.test\/verify#token=/);
  });

  test('rejects bad input with field errors and writes nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ email: 'x@example.test', username: 'shortpw', password: 'short' }, 'password'],
      [{ email: 'x@example.test', username: 'longpw', password: 'x'.repeat(129) }, 'password'],
      [{ email: 'not-an-email', username: 'bademail', password: 'long enough' }, 'email'],
      [{ email: 'x@example.test', username: 'Has Space', password: 'long enough' }, 'username'],
      [{ email: 'x@example.test', username: 'a', password: 'long enough' }, 'username'],
      [{ email: 'x@example.test', password: 'long enough' }, 'username'],
    ];
    for (const [body, field] of cases) {
      const res = await h.api('POST', '/auth/register', { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.code, 50035);
      assert.equal(res.body.message, 'Invalid Form Body');
      assert.ok(res.body.errors[field]?._errors?.length, `${field} error in ${res.text}`);
    }
    const login = await h.api('POST', '/auth/login', {
      body: { login: 'x@example.test', password: 'long enough' },
    });
    assert.equal(login.status, 400);
  });

  test('usernames and emails are unique, case-insensitively', async () => {
    const first = await h.register({ username: 'grace', email: 'grace@example.test' });
    const sameName = await h.api('POST', '/auth/register', {
      body: { email: 'other@example.test', username: 'grace', password: 'long enough' },
    });
    assert.equal(sameName.status, 400);
    assert.equal(sameName.body.errors.username._errors[0].code, 'USERNAME_ALREADY_TAKEN');
    const sameEmail = await h.api('POST', '/auth/register', {
      body: { email: 'GRACE@example.test', username: 'grace2', password: 'long enough' },
    });
    assert.equal(sameEmail.status, 400);
    assert.equal(sameEmail.body.errors.email._errors[0].code, 'EMAIL_ALREADY_REGISTERED');
    // The failed attempts left no account behind.
    const login = await h.api('POST', '/auth/login', { body: { login: 'grace2', password: 'long enough' } });
    assert.equal(login.status, 400);
    assert.ok(first.id);
  });
});

describe('email confirmation', () => {
  test('a mailed token confirms the account once', async () => {
    const u = await h.register();
    const token = tokenFromMail(await h.mailTo(u.email));
    const ok = await h.api('POST', '/auth/verify', { body: { token } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('content-type'), null);
    const me = await h.api('GET', '/users/@me', { token: u.token });
    assert.equal(me.body.verified, true);
    assert.ok(h.events.some((e) => e.t === 'USER_UPDATE' && e.topic === `user:${u.id}`));

    const again = await h.api('POST', '/auth/verify', { body: { token } });
    assert.equal(again.status, 400);
    assert.equal(again.body.errors.token._errors[0].code, 'INVALID_TOKEN');
  });

  test('unknown and expired tokens are refused', async () => {
    const u = await h.register();
    const token = tokenFromMail(await h.mailTo(u.email));
    const [row] = await h.app.database.db.select().from(mailTokens).where(eq(mailTokens.userId, u.id));
    const ttl = row.expiresAt.getTime() - row.createdAt.getTime();
    assert.ok(Math.abs(ttl - 24 * 3600_000) < 60_000, `a confirmation link lasts 24 hours, not ${ttl} ms`);
    await h.app.database.db
      .update(mailTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(mailTokens.userId, u.id));
    assert.equal((await h.api('POST', '/auth/verify', { body: { token } })).status, 400);
    assert.equal((await h.api('POST', '/auth/verify', { body: { token: 'bm9wZQ.nope' } })).status, 400);
    const me = await h.api('GET', '/users/@me', { token: u.token });
    assert.equal(me.body.verified, false);
  });

  test('a new link can be requested', async () => {
    const u = await h.register();
    await h.mailTo(u.email);
    assert.equal((await h.api('POST', '/auth/verify/resend', { token: u.token })).status, 204);
    const second = await h.mailTo(u.email, { after: 1 });
    assert.equal(
      (await h.api('POST', '/auth/verify', { body: { token: tokenFromMail(second) } })).status,
      204,
    );
  });
});

describe('login', () => {
  test('by email or username, case-insensitively', async () => {
    const u = await h.register();
    for (const login of [u.email, u.email.toUpperCase(), u.username, u.username.toUpperCase()]) {
      const res = await h.api('POST', '/auth/login', { body: { login, password: u.password } });
      assert.equal(res.status, 200, login);
      assert.equal(res.body.user_id, u.id);
      assert.equal((await h.api('GET', '/users/@me', { token: res.body.token })).status, 200);
    }
  });

  test('a wrong password and an unknown account get the same answer', async () => {
    const u = await h.register();
    const wrong = await h.api('POST', '/auth/login', {
      body: { login: u.username, password: 'wrong password' },
    });
    const unknown = await h.api('POST', '/auth/login', {
      body: { login: 'nobody_here', password: 'wrong password' },
    });
    assert.equal(wrong.status, 400);
    assert.equal(unknown.status, 400);
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(wrong.body.errors.login._errors[0].code, 'INVALID_LOGIN');
  });
});

describe('tokens and sessions', () => {
  test('no, malformed, tampered and expired access tokens get 401', async () => {
    const u = await h.register();
    assert.equal((await h.api('GET', '/users/@me')).status, 401);
    const none = await h.api('GET', '/users/@me');
    assert.deepEqual(none.body, { code: 40001, message: '401: Unauthorized' });
    assert.equal((await h.api('GET', '/users/@me', { token: 'garbage' })).status, 401);
    const [head, payload, sig] = u.token.split('.');
    const tampered = `${head}.${payload}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.equal((await h.api('GET', '/users/@me', { token: tampered })).status, 401);
    // The same signature bytes, encoded otherwise (spare bits of the last character, padding): not the token.
    for (const variant of nonCanonicalSignatures(u.token))
      assert.equal((await h.api('GET', '/users/@me', { token: variant })).status, 401, variant);
    assert.equal((await h.api('GET', '/users/@me', { token: u.token })).status, 200);

    const [secret] = await h.app.database.db
      .select()
      .from(instanceSettings)
      .where(eq(instanceSettings.key, 'token_secret'));
    const sid = JSON.parse(Buffer.from(payload, 'base64url').toString()).sid;
    const expired = await new SignJWT({ sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(u.id)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 1000)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 100)
      .sign(new TextEncoder().encode(secret.value));
    assert.equal((await h.api('GET', '/users/@me', { token: expired })).status, 401);
    const forged = await new SignJWT({ sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(u.id)
      .setExpirationTime('15m')
      .sign(new TextEncoder().encode('not the server secret, but long enough'));
    assert.equal((await h.api('GET', '/users/@me', { token: forged })).status, 401);
  });

  test('refresh rotates the refresh token', async () => {
    const u = await h.register();
    const r1 = await h.api('POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } });
    assert.equal(r1.status, 200);
    assert.notEqual(r1.body.refresh_token, u.refreshToken);
    assert.equal((await h.api('GET', '/users/@me', { token: r1.body.token })).status, 200);
    const r2 = await h.api('POST', '/auth/refresh', { body: { refresh_token: r1.body.refresh_token } });
    assert.equal(r2.status, 200);
    assert.equal((await h.api('POST', '/auth/refresh', { body: { refresh_token: 'bad' } })).status, 401);
  });

  test('a reused refresh token revokes its whole session at once', async () => {
    const u = await h.register();
    const other = await h.api('POST', '/auth/login', { body: { login: u.username, password: u.password } });
    const r1 = await h.api('POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } });
    assert.equal(r1.status, 200);
    const replay = await h.api('POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } });
    assert.equal(replay.status, 401);
    // Everything of that session is dead: the newest access and refresh tokens included.
    assert.equal((await h.api('GET', '/users/@me', { token: r1.body.token })).status, 401);
    assert.equal((await h.api('GET', '/users/@me', { token: u.token })).status, 401);
    assert.equal(
      (await h.api('POST', '/auth/refresh', { body: { refresh_token: r1.body.refresh_token } })).status,
      401,
    );
    // Another session of the same user is untouched.
    assert.equal((await h.api('GET', '/users/@me', { token: other.body.token })).status, 200);
    assert.ok(h.events.some((e) => e.t === 'SESSIONS_REVOKED' && e.topic === `user:${u.id}`));
  });

  test('an expired refresh token is refused', async () => {
    const u = await h.register();
    await h.app.database.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.userId, u.id));
    assert.equal(
      (await h.api('POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } })).status,
      401,
    );
    assert.equal((await h.api('GET', '/users/@me', { token: u.token })).status, 401);
  });

  test('logout ends the session at once', async () => {
    const u = await h.register();
    const res = await h.api('POST', '/auth/logout', { token: u.token });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('content-type'), null);
    assert.equal(res.text, '');
    assert.equal((await h.api('GET', '/users/@me', { token: u.token })).status, 401);
    assert.equal(
      (await h.api('POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } })).status,
      401,
    );
  });

  test('sessions are listed and revoked one by one', async () => {
    const u = await h.register();
    const phone = await h.api('POST', '/auth/login', {
      body: { login: u.username, password: u.password },
      headers: { 'user-agent': 'HearthPhone/1.0' },
    });
    const list = await h.api('GET', '/auth/sessions', { token: u.token });
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 2);
    assert.equal(list.body.filter((s: any) => s.current).length, 1);
    const phoneSession = list.body.find((s: any) => s.client === 'HearthPhone/1.0');
    assert.ok(phoneSession);
    assert.equal(phoneSession.ip, '127.0.0.1');

    const stranger = await h.register();
    assert.equal(
      (await h.api('DELETE', `/auth/sessions/${phoneSession.id}`, { token: stranger.token })).status,
      404,
    );
    assert.equal((await h.api('GET', '/users/@me', { token: phone.body.token })).status, 200);

    assert.equal(
      (await h.api('DELETE', `/auth/sessions/${phoneSession.id}`, { token: u.token })).status,
      204,
    );
    assert.equal((await h.api('GET', '/users/@me', { token: phone.body.token })).status, 401);
    assert.equal((await h.api('GET', '/users/@me', { token: u.token })).status, 200);
    assert.equal(
      (await h.api('DELETE', `/auth/sessions/${phoneSession.id}`, { token: u.token })).status,
      404,
    );
    assert.equal((await h.api('GET', '/auth/sessions')).status, 401);
  });
});

describe('password recovery', () => {
  test('answers the same whether or not the account exists, and mails only real accounts', async () => {
    const u = await h.register();
    const known = await h.api('POST', '/auth/forgot', { body: { login: u.email } });
    const unknown = await h.api('POST', '/auth/forgot', { body: { login: 'ghost@example.test' } });
    assert.equal(known.status, 204);
    assert.equal(unknown.status, 204);
    assert.equal(known.text, unknown.text);
    assert.match(await h.mailTo(u.email, { subject: /Reset your Hearth password/ }), /reset-password#token=/);
    await assert.rejects(h.mailTo('ghost@example.test'));
  });

  test('a reset sets the password, signs out every session and works once', async () => {
    const u = await h.register();
    const second = await h.api('POST', '/auth/login', { body: { login: u.username, password: u.password } });
    await h.api('POST', '/auth/forgot', { body: { login: u.username } });
    const token = tokenFromMail(await h.mailTo(u.email, { subject: /Reset/ }));
    const weak = await h.api('POST', '/auth/reset', { body: { token, password: 'short' } });
    assert.equal(weak.status, 400);
    const res = await h.api('POST', '/auth/reset', { body: { token, password: 'a brand new password' } });
    assert.equal(res.status, 204);
    assert.equal((await h.api('GET', '/users/@me', { token: u.token })).status, 401);
    assert.equal((await h.api('GET', '/users/@me', { token: second.body.token })).status, 401);
    assert.equal(
      (await h.api('POST', '/auth/login', { body: { login: u.username, password: u.password } })).status,
      400,
    );
    assert.equal(
      (await h.api('POST', '/auth/login', { body: { login: u.username, password: 'a brand new password' } }))
        .status,
      200,
    );
    assert.equal(
      (await h.api('POST', '/auth/reset', { body: { token, password: 'yet another one' } })).status,
      400,
    );
  });

  test('a reset link expires after an hour', async () => {
    const u = await h.register();
    await h.api('POST', '/auth/forgot', { body: { login: u.email } });
    const token = tokenFromMail(await h.mailTo(u.email, { subject: /Reset/ }));
    const [row] = await h.app.database.db
      .select()
      .from(mailTokens)
      .where(eq(mailTokens.purpose, 'reset_password'));
    assert.ok(row.expiresAt.getTime() - row.createdAt.getTime() <= 3600_000 + 1000);
    await h.app.database.db
      .update(mailTokens)
      .set({ expiresAt: new Date(Date.now() - 1) })
      .where(eq(mailTokens.userId, u.id));
    assert.equal(
      (await h.api('POST', '/auth/reset', { body: { token, password: 'a brand new password' } })).status,
      400,
    );
  });

  test('changing the password while logged in signs out every other session', async () => {
    const u = await h.register();
    const other = await h.api('POST', '/auth/login', { body: { login: u.username, password: u.password } });
    const wrong = await h.api('PATCH', '/users/@me', {
      token: u.token,
      body: { password: 'not it', new_password: 'next password' },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.errors.password._errors[0].code, 'PASSWORD_DOES_NOT_MATCH');
    const missing = await h.api('PATCH', '/users/@me', {
      token: u.token,
      body: { new_password: 'next password' },
    });
    assert.equal(missing.status, 400);
    const ok = await h.api('PATCH', '/users/@me', {
      token: u.token,
      body: { password: u.password, new_password: 'next password' },
    });
    assert.equal(ok.status, 200);
    assert.equal((await h.api('GET', '/users/@me', { token: u.token })).status, 200);
    assert.equal((await h.api('GET', '/users/@me', { token: other.body.token })).status, 401);
    assert.equal(
      (await h.api('POST', '/auth/login', { body: { login: u.username, password: 'next password' } })).status,
      200,
    );
  });
});

describe('rate limits', () => {
  test('the auth routes are limited per IP, answered the Discord way', async () => {
    const limited = await startHearth({ authRateLimitPerMinute: 3, trustProxy: true });
    try {
      const hdr = { 'x-forwarded-for': '203.0.113.7' };
      for (let i = 0; i < 3; i++) {
        const res = await limited.api('POST', '/auth/login', {
          body: { login: `n${i}`, password: 'whatever' },
          headers: hdr,
        });
        assert.equal(res.status, 400);
        assert.equal(res.headers.get('x-ratelimit-limit'), '3');
        assert.equal(res.headers.get('x-ratelimit-remaining'), String(2 - i));
        assert.ok(res.headers.get('x-ratelimit-bucket'));
      }
      const res = await limited.api('POST', '/auth/login', {
        body: { login: 'n4', password: 'whatever' },
        headers: hdr,
      });
      assert.equal(res.status, 429);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.equal(res.body.global, false);
      assert.equal(typeof res.body.retry_after, 'number');
      assert.equal(res.body.message, 'You are being rate limited.');
      assert.equal(res.headers.get('x-ratelimit-remaining'), '0');
      assert.ok(Number(res.headers.get('x-ratelimit-reset-after')) > 0);
      // Another address is not affected.
      const other = await limited.api('POST', '/auth/login', {
        body: { login: 'n5', password: 'whatever' },
        headers: { 'x-forwarded-for': '198.51.100.9' },
      });
      assert.equal(other.status, 400);
    } finally {
      await limited.close();
    }
  });

  /** Logs in as `login` with `password` from `ip` (none: the test's own loopback address). */
  const login = (server: TestServer, body: { login: string; password: string }, ip?: string) =>
    server.api('POST', '/auth/login', { body, headers: ip ? { 'x-forwarded-for': ip } : {} });

  function assertSlowedDown(res: ApiResponse) {
    assert.equal(res.status, 429, res.text);
    assert.equal(res.body.message, 'You are being rate limited.');
    assert.equal(res.body.global, false);
    assert.ok(typeof res.body.retry_after === 'number' && res.body.retry_after > 0);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
  }

  test('a stranger guessing from one address is slowed down; the owner still gets in from elsewhere', async () => {
    const server = await startHearth({ trustProxy: true });
    try {
      const u = await server.register();
      const statuses: number[] = [];
      let last: ApiResponse | null = null;
      // By username and by email in turn: one account either way.
      for (let i = 0; i < 12; i++) {
        last = await login(
          server,
          { login: i % 2 ? u.email : u.username, password: `guess ${i}` },
          '203.0.113.50',
        );
        statuses.push(last.status);
      }
      assert.deepEqual(statuses.slice(0, 5), [400, 400, 400, 400, 400], 'five guesses are free');
      assert.ok(statuses.every((s) => s === 400 || s === 429));
      assertSlowedDown(last!);
      // A stranger who waits out each wait gets one more guess, and the next wait doubles (1 s, 2 s, then 4 s: long
      // enough that the checks below cannot outlast it on a busy machine).
      for (let round = 0; round < 2; round++) {
        await sleep(last!.body.retry_after * 1000 + 50);
        last = await login(server, { login: u.username, password: `late guess ${round}` }, '203.0.113.50');
        assert.equal(last.status, 400, `a guess after the wait is let through (round ${round})`);
        last = await login(server, { login: u.username, password: `early guess ${round}` }, '203.0.113.50');
        assertSlowedDown(last);
      }
      assert.ok(Number(last!.headers.get('retry-after')) >= 4, 'the wait doubled twice');
      // The stranger is held back even with the right password...
      assertSlowedDown(await login(server, { login: u.username, password: u.password }, '203.0.113.50'));
      // ...while the owner, from an address of their own (new or usual), is not locked out by the stranger.
      assert.equal(
        (await login(server, { login: u.username, password: u.password }, '198.51.100.20')).status,
        200,
      );
      assert.equal((await login(server, { login: u.email, password: u.password })).status, 200);
    } finally {
      await server.close();
    }
  });

  test('the per-account ceiling stops guesses from many addresses; the owner at a usual address gets in', async () => {
    const server = await startHearth({ trustProxy: true, authAccountFailureLimit: 10 });
    try {
      const u = await server.register();
      const statuses: number[] = [];
      for (let i = 0; i < 14; i++)
        statuses.push(
          (await login(server, { login: u.username, password: `guess ${i}` }, `198.51.100.${i + 1}`)).status,
        );
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(400));
      assert.equal(statuses.at(-1), 429, `statuses ${statuses}`);
      // A new address is refused even with the right password while the account's ceiling holds...
      assertSlowedDown(await login(server, { login: u.username, password: u.password }, '192.0.2.1'));
      // ...but the address the owner registered and logs in from is not.
      assert.equal((await login(server, { login: u.username, password: u.password })).status, 200);
    } finally {
      await server.close();
    }
  });

  test('the current password on PATCH /users/@me is under the login limits', async () => {
    const server = await startHearth({ trustProxy: true });
    try {
      const u = await server.register();
      const statuses: number[] = [];
      let last: ApiResponse | null = null;
      for (let i = 0; i < 10; i++) {
        last = await server.api('PATCH', '/users/@me', {
          token: u.token,
          body: { password: `guess ${i}`, new_password: 'taken over 1234' },
          headers: { 'x-forwarded-for': '203.0.113.60' },
        });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses.slice(0, 5), [400, 400, 400, 400, 400]);
      assertSlowedDown(last!);
      // The guesses counted against the account: login from that address is held back as well.
      assertSlowedDown(await login(server, { login: u.username, password: 'guess' }, '203.0.113.60'));
    } finally {
      await server.close();
    }
  });
});

describe('mail over SMTP', () => {
  test('with SMTP_URL the confirmation mail is delivered over SMTP and its link works', async () => {
    const smtp = await startSmtp();
    const server = await startHearth({
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      mailFrom: 'Hearth <noreply@hearth.test>',
    });
    try {
      const u = await server.register();
      const deadline = Date.now() + 5000;
      while (!smtp.delivered.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(smtp.delivered.length, 1);
      const [mail] = smtp.delivered;
      assert.equal(mail.from, 'noreply@hearth.test');
      assert.deepEqual(mail.to, [u.email]);
      assert.match(mail.raw, /^Subject: Confirm your Hearth account\r?$/m);
      // The body may be quoted-printable: undo soft line breaks and =XX escapes.
      const text = mail.raw
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(Number.parseInt(hex, 16)));
      const token = tokenFromMail(text);
      assert.equal((await server.api('POST', '/auth/verify', { body: { token } })).status, 204);
      assert.equal((await server.api('GET', '/users/@me', { token: u.token })).body.verified, true);
      assert.equal(existsSync(join(server.dataDir, 'outbox')), false, 'nothing went to the outbox');
    } finally {
      await server.close();
      await smtp.close();
    }
  });
});
