#!/usr/bin/env node
// Runs the whole suite in tiers: unit tests (pure logic, and the Redis, process and browser suites, which skip
// themselves without what they need), then the scenarios on PGlite and, when DATABASE_URL is set, on PostgreSQL.
// Ends with a summary naming every tier and every suite or test that was skipped, and why.
//
//   node scripts/test.mjs [--tiers unit,pglite,postgres] [file-filter …]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
let tiers = ['unit', 'pglite', 'postgres'];
const tiersAt = args.indexOf('--tiers');
if (tiersAt !== -1) {
  tiers = args[tiersAt + 1].split(',');
  args.splice(tiersAt, 2);
}
const only = args;

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

const reportDir = mkdtempSync(join(tmpdir(), 'hearth-test-report-'));
// The suite's own temporary directory: whatever a test leaves there is found afterwards, not mixed with the
// machine's /tmp (where other runs write at the same time).
const suiteTmp = mkdtempSync(join(tmpdir(), 'hearth-suite-tmp-'));
const ran = [];
const skippedTiers = [];
/** `reason -> names` of the suites and tests the runner skipped, read from a TAP copy of its report. */
const skips = new Map();

function run(tier, label, list, env) {
  if (!list.length) return 0;
  console.log(`\n=== ${label}: ${list.length} files ===`);
  const tap = join(reportDir, `${tier}.tap`);
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...list,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, TMPDIR: suiteTmp, ...env } },
  );
  ran.push(label);
  let report = '';
  try {
    report = readFileSync(tap, 'utf8');
  } catch {}
  for (const m of report.matchAll(/^\s*ok \d+ - (.*?) # SKIP ?(.*)$/gm)) {
    const reason = m[2] || 'skipped';
    skips.set(reason, [...(skips.get(reason) ?? []), `${m[1]} (${label})`]);
  }
  return r.status ?? 1;
}

let failed = 0;
if (tiers.includes('unit')) failed |= run('unit', 'unit tests', pure, {});
else skippedTiers.push('unit tests (not in --tiers)');
if (tiers.includes('pglite'))
  failed |= run('pglite', 'scenarios on PGlite', scenario, { HEARTH_TEST_DB: 'pglite' });
else skippedTiers.push('scenarios on PGlite (not in --tiers)');
if (!tiers.includes('postgres')) skippedTiers.push('scenarios on PostgreSQL (not in --tiers)');
else if (!process.env.DATABASE_URL)
  skippedTiers.push('scenarios on PostgreSQL (set DATABASE_URL to run them)');
else failed |= run('postgres', 'scenarios on PostgreSQL', scenario, { HEARTH_TEST_DB: 'postgres' });
rmSync(reportDir, { recursive: true, force: true });
// Hearth's tests name their temporary folders hearth-*; one still there was not cleaned up (tsx keeps its cache here).
const leftBehind = readdirSync(suiteTmp).filter((name) => name.startsWith('hearth-'));
rmSync(suiteTmp, { recursive: true, force: true });

console.log(`\n=== summary (Node ${process.version}) ===`);
console.log(`Ran: ${ran.join(', ') || 'nothing'}.`);
for (const tier of skippedTiers) console.log(`Skipped tier: ${tier}.`);
for (const [reason, names] of skips) console.log(`Skipped (${reason}): ${names.join('; ')}.`);
if (!skippedTiers.length && !skips.size) console.log('Nothing was skipped.');
if (leftBehind.length) {
  console.log(`Left behind in the temporary directory: ${leftBehind.join(', ')} (a test does not clean up).`);
  failed = 1;
}
console.log(failed ? 'FAILED' : 'passed');
process.exit(failed ? 1 : 0);
