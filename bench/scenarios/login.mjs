import pg from 'pg';
import { PASSWORD } from '../lib/seed.mjs';
import { openTarget } from '../lib/setup.mjs';
import { ratio } from '../lib/util.mjs';
import { httpLoad } from '../lib/workers.mjs';

export const title = 'Login';

/**
 * POST /auth/login with username and password, closed loop, over many accounts (each may log in 10 times in 10
 * minutes). The ceiling is argon2 verification alone with the same hash and concurrency, in its own process.
 */
export async function run(ctx) {
  const config = {
    accounts: ctx.quick ? 150 : 1000,
    concurrency: 16,
    phaseMs: ctx.quick ? 2000 : 15_000,
    argon2: null,
  };
  const target = await openTarget(
    { ...ctx, target: null },
    { users: config.accounts, guilds: 1, channels: 1 },
  );
  try {
    const c = new pg.Client({ connectionString: target.db.url });
    await c.connect();
    const hash = (await c.query('SELECT password_hash FROM credentials LIMIT 1')).rows[0].password_hash;
    await c.end();
    const [, variant, , params] = hash.split('$');
    config.argon2 = `${variant} ${params}`;
    const logins = target.world.users.map((u) => u.login);
    ctx.log('warm-up');
    await httpLoad({
      target: target.api,
      kind: 'login',
      logins: logins.slice(0, 50),
      password: PASSWORD,
      concurrency: 4,
      durationMs: 1000,
    });
    ctx.log('logins');
    const logIn = await httpLoad({
      target: target.api,
      kind: 'login',
      logins: logins.slice(50),
      password: PASSWORD,
      concurrency: config.concurrency,
      durationMs: config.phaseMs,
    });
    ctx.log('ceiling: argon2 verify');
    const argon = await httpLoad({
      kind: 'argon2',
      hash,
      password: PASSWORD,
      concurrency: config.concurrency,
      durationMs: config.phaseMs,
    });
    return {
      config,
      postgres: target.postgres,
      figures: { login: logIn, ceilings: { argon2Verify: argon } },
      table: [
        {
          measure: 'logins/s (vs argon2 verify alone)',
          hearth: logIn.perSecond.toFixed(1),
          ceiling: argon.perSecond.toFixed(1),
          ratio: ratio(logIn.perSecond, argon.perSecond),
        },
        {
          measure: 'p50 / p99 ms',
          hearth: `${logIn.latencyMs.p50} / ${logIn.latencyMs.p99}`,
          ceiling: `${argon.latencyMs.p50} / ${argon.latencyMs.p99}`,
        },
        {
          measure: 'failed logins',
          hearth: logIn.requests - logIn.ok,
          goal: '0',
          met: logIn.requests === logIn.ok,
        },
      ],
    };
  } finally {
    await target.close();
  }
}
