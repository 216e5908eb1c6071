#!/usr/bin/env node
// Runs the whole suite: unit tests once, scenario tests on PGlite and, when DATABASE_URL is
// set, again on PostgreSQL. Node 20's test runner does not expand globs, so files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function findTests(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(findTests(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

const roots = ['packages', 'apps/server/test', 'apps/web/test'].map((d) => join(root, d));
let files = roots.flatMap((d) => {
  try {
    return findTests(d);
  } catch {
    return [];
  }
});
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
// Scenario tests talk to a database; the rest are pure and run once.
const scenario = files.filter(
  (f) => f.startsWith('apps/server/test/') && !f.startsWith('apps/server/test/unit/'),
);
const pure = files.filter((f) => !scenario.includes(f));

function run(label, list, env) {
  if (!list.length) return 0;
  console.log(`\n=== ${label}: ${list.length} files ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...list], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return r.status ?? 1;
}

let failed = 0;
failed |= run('unit tests', pure, {});
failed |= run('scenarios on PGlite', scenario, { HEARTH_TEST_DB: 'pglite' });
if (process.env.DATABASE_URL) {
  failed |= run('scenarios on PostgreSQL', scenario, { HEARTH_TEST_DB: 'postgres' });
} else {
  console.log('\nSkipped: scenarios on PostgreSQL (set DATABASE_URL to run them).');
}
process.exit(failed ? 1 : 0);
