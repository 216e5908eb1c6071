#!/usr/bin/env node
// Runs the suite in tiers, each from the folders named for it:
//   unit           */test/unit/          pure logic, all files in one process: no Hearth process, no database,
//                                        no global state left behind (seconds)
//   scenario       */test/scenario/      HTTP and the gateway on a database: on PGlite, then on PostgreSQL when
//                                        DATABASE_URL is set (`pglite` and `postgres` name one of the two)
//   multi-process  */test/multi-process/ Hearth processes, Redis servers and outages; on PostgreSQL when
//                                        DATABASE_URL is set, else PGlite; suites skip themselves without what they
//                                        need (DATABASE_URL, REDIS_URL, redis-server)
//   browser        */test/browser/       Chromium driving the web app (skipped without Chromium)
// A test file in none of these folders fails the run. Ends with a summary naming every tier and every suite or test
// that was skipped, and why.
//
//   node scripts/test.mjs [--tiers unit,scenario,pglite,postgres,multi-process,browser] [file-filter …]
//
// Speed without testing less (issue 26, ADR 0048, docs/performance.md "The suite"):
// - the tiers that start Hearth copy a database migrated once for the run (apps/server/test/database-templates.ts)
//   instead of migrating one per test file (HEARTH_TEST_TEMPLATES=0 turns that off);
// - the scenario and browser tiers run their files in groups of HEARTH_TEST_FILES_PER_PROCESS (default 12), one test
//   process per group, each file imported inside a suite named after it so that its file-level hooks stay its own:
//   loading the server (~4.6 CPU-s through tsx) is paid once per group, not once per file (1: a process per file);
// - the scenario tiers run HEARTH_TEST_CONCURRENCY processes at once (default 1, one at a time; each file has its own
//   Hearth, data directory and database, so more is possible where it has been proven green, see the ADR);
// - tsx keeps its compiled files in .cache/tsx across runs (TSX_DISABLE_CACHE=1 turns that off).
// Each tier's summary names its slowest files; every file's time goes to test-artifacts/test-times/<when>.json
// (git-ignored) so that runs can be compared (`node scripts/test-times.mjs <old.json> <new.json>`).
import { spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir, userInfo } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const TIER_NAMES = ['unit', 'scenario', 'pglite', 'postgres', 'multi-process', 'browser'];
const args = process.argv.slice(2);
let tiers = ['unit', 'scenario', 'multi-process', 'browser'];
const tiersAt = args.indexOf('--tiers');
if (tiersAt !== -1) {
  tiers = (args[tiersAt + 1] ?? '').split(',').filter(Boolean);
  args.splice(tiersAt, 2);
  const unknown = tiers.filter((t) => !TIER_NAMES.includes(t));
  if (unknown.length || !tiers.length) {
    console.error(
      `--tiers takes a comma-separated list of ${TIER_NAMES.join(', ')}; got "${unknown.join(',')}"`,
    );
    process.exit(2);
  }
}
if (tiers.includes('scenario')) tiers.push('pglite', 'postgres');
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

const roots = ['packages', 'apps'].map((d) => join(root, d));
const all = roots.flatMap((d) => findTests(d));
const tierOf = (f) => ['unit', 'scenario', 'multi-process', 'browser'].find((t) => f.includes(`/test/${t}/`));
const homeless = all.filter((f) => !tierOf(f));
if (homeless.length) {
  console.error(
    `These test files are in no tier's folder (test/unit, test/scenario, test/multi-process, test/browser):\n  ${homeless.join('\n  ')}`,
  );
  process.exit(2);
}
const files = only.length ? all.filter((f) => only.some((o) => f.includes(o))) : all;
const inTier = (t) => files.filter((f) => tierOf(f) === t);

const reportDir = mkdtempSync(join(tmpdir(), 'hearth-test-report-'));
// The suite's own temporary directory: whatever a test leaves there is found afterwards, not mixed with the
// machine's /tmp (where other runs write at the same time).
const suiteTmp = mkdtempSync(join(tmpdir(), 'hearth-suite-tmp-'));
// tsx's cache (compiled TypeScript, keyed by each file's content) lives in $TMPDIR/tsx-<user>: pointed at .cache/tsx,
// a run starts with what the previous one compiled instead of compiling the whole server again.
if (!process.env.TSX_DISABLE_CACHE) {
  const cache = join(root, '.cache', 'tsx');
  mkdirSync(cache, { recursive: true });
  symlinkSync(cache, join(suiteTmp, `tsx-${process.geteuid?.() ?? userInfo().username}`));
}

/** Files run at once in the scenario tiers. */
const concurrencySetting = process.env.HEARTH_TEST_CONCURRENCY;
const scenarioConcurrency = concurrencySetting === undefined ? 1 : Number(concurrencySetting);
if (!Number.isInteger(scenarioConcurrency) || scenarioConcurrency < 1 || scenarioConcurrency > 16) {
  console.error(`HEARTH_TEST_CONCURRENCY takes a whole number from 1 to 16; got "${concurrencySetting}"`);
  process.exit(2);
}
/** Test files one process runs in the scenario and browser tiers (1: a process per file). */
const perProcessSetting = process.env.HEARTH_TEST_FILES_PER_PROCESS;
const filesPerProcess = perProcessSetting === undefined ? 12 : Number(perProcessSetting);
if (!Number.isInteger(filesPerProcess) || filesPerProcess < 1 || filesPerProcess > 1000) {
  console.error(
    `HEARTH_TEST_FILES_PER_PROCESS takes a whole number from 1 to 1000; got "${perProcessSetting}"`,
  );
  process.exit(2);
}
/** How a tier that starts Hearth in its test processes runs its files: `processes` at once. */
const groupsOf = (processes) =>
  filesPerProcess > 1
    ? { filesPerProcess, processes }
    : { flags: [`--test-concurrency=${processes}`], filesPerProcess: 1, processes: 1 };
const ran = [];
/** Per tier run: its label, wall seconds and every file's seconds (scripts/test-times-reporter.mjs). */
const timings = [];
const runStarted = new Date();
const loadAtStart = loadavg();
const skippedTiers = [];
/** `reason -> names` of the suites and tests the runner skipped, read from a TAP copy of its report. */
const skips = new Map();

// Unit tests share one process (no process per file, so no tsx start-up per file): they keep no global state.
const oneProcess =
  Number(process.versions.node.split('.')[0]) >= 23
    ? '--test-isolation=none'
    : '--experimental-test-isolation=none';

/**
 * Runs one tier. `filesPerProcess` > 1 runs its files in groups, each group in one process (module loading paid once
 * per group, not per file), every file wrapped in a suite of its own so its file-level hooks stay its own (see
 * groupEntry); `processes` groups run at once, each one's report printed whole when it ends.
 */
async function run(tier, label, list, env, { flags = [], filesPerProcess = 1, processes = 1 } = {}) {
  if (!list.length) {
    skippedTiers.push(`${label} (${only.length ? 'no test file matches the filter' : 'no test files'})`);
    return 0;
  }
  const groups = [];
  if (filesPerProcess > 1)
    for (let i = 0; i < list.length; i += filesPerProcess) groups.push(list.slice(i, i + filesPerProcess));
  const shape = groups.length
    ? `, ${groups.length} process${groups.length === 1 ? '' : 'es'} of up to ${filesPerProcess} files, ${Math.min(processes, groups.length)} at once`
    : '';
  console.log(`\n=== ${label}: ${list.length} files${shape} ===`);
  const started = performance.now();
  const reporters = (name) => [
    '--test-reporter=tap',
    `--test-reporter-destination=${join(reportDir, `${name}.tap`)}`,
    `--test-reporter=${join(root, 'scripts', 'test-times-reporter.mjs')}`,
    `--test-reporter-destination=${join(reportDir, `${name}.times.json`)}`,
  ];
  const nodeArgs = (name, files, extra) => [
    '--import',
    'tsx',
    '--test',
    ...extra,
    '--test-reporter=spec',
    `--test-reporter-destination=${groups.length > 1 && processes > 1 ? join(reportDir, `${name}.out`) : 'stdout'}`,
    ...reporters(name),
    ...files,
  ];
  const options = { cwd: root, env: { ...process.env, TMPDIR: suiteTmp, ...env } };
  let statuses;
  let names;
  if (!groups.length) {
    names = [tier];
    const r = spawnSync(process.execPath, nodeArgs(tier, list, flags), { ...options, stdio: 'inherit' });
    statuses = [r.status ?? 1];
  } else {
    names = groups.map((_, i) => `${tier}-${i + 1}`);
    statuses = new Array(groups.length);
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const i = next++;
        const entry = groupEntry(names[i], groups[i]);
        const args = nodeArgs(names[i], [entry], [oneProcess]);
        if (processes === 1) {
          statuses[i] = spawnSync(process.execPath, args, { ...options, stdio: 'inherit' }).status ?? 1;
          continue;
        }
        statuses[i] = await new Promise((done) =>
          spawn(process.execPath, args, { ...options, stdio: ['ignore', 'inherit', 'inherit'] }).on(
            'close',
            (code) => done(code ?? 1),
          ),
        );
        let out = '';
        try {
          out = readFileSync(join(reportDir, `${names[i]}.out`), 'utf8');
        } catch {}
        console.log(`\n--- ${label}, process ${i + 1} of ${groups.length}: ${groups[i].join(' ')}\n${out}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(processes, groups.length) }, worker));
  }
  const wall = (performance.now() - started) / 1000;
  ran.push(`${label} (${list.length} files, ${wall.toFixed(1)} s)`);
  recordTimes(
    tier,
    label,
    wall,
    names.map((name) => join(reportDir, `${name}.times.json`)),
  );
  let report = '';
  for (const name of names) {
    try {
      report += readFileSync(join(reportDir, `${name}.tap`), 'utf8');
    } catch {}
  }
  for (const m of report.matchAll(/^\s*ok \d+ - (.*?) # SKIP ?(.*)$/gm)) {
    const reason = m[2] || 'skipped';
    skips.set(reason, [...(skips.get(reason) ?? []), `${m[1]} (${label})`]);
  }
  const failedStatus = statuses.find((s) => s !== 0);
  // Node 22's runner has exited 0 with a failed test in its report (counted neither failed nor passed): the report
  // decides too.
  const notOk = [...report.matchAll(/^\s*not ok \d+ - (.*)$/gm)].filter((m) => !/# TODO\b/.test(m[1]));
  if (notOk.length && failedStatus === undefined) {
    console.log(
      `\nThe runner exited 0, but its report has ${notOk.length} failed test(s) or suite(s): the tier fails.`,
    );
    return 1;
  }
  return failedStatus ?? 0;
}

/**
 * Writes the entry module of one process's group of test files: each file is imported inside a suite named after
 * it, so the `before`/`after` hooks a file declares at its top level belong to that suite (run around that file's
 * tests only) instead of to the process's root (where they would all run first and last).
 */
function groupEntry(name, files) {
  const path = join(reportDir, `${name}.entry.mjs`);
  const imports = files
    .map(
      (f) =>
        `describe(${JSON.stringify(f)}, () => import(${JSON.stringify(pathToFileURL(join(root, f)).href)}));`,
    )
    .join('\n');
  writeFileSync(path, `import { describe } from 'node:test';\n${imports}\n`);
  return path;
}

/** Reads a tier's per-file times, names its slowest files, and keeps them for the run's JSON file. */
function recordTimes(tier, label, wall, timesFiles) {
  const files = {};
  for (const timesFile of timesFiles) {
    try {
      Object.assign(files, JSON.parse(readFileSync(timesFile, 'utf8')).files);
    } catch {}
  }
  const sorted = Object.entries(files)
    .map(([file, t]) => ({ file, seconds: Number(t.seconds.toFixed(2)), passed: t.passed }))
    .sort((a, b) => b.seconds - a.seconds);
  timings.push({ tier, label, wallSeconds: Number(wall.toFixed(1)), files: sorted });
  if (!sorted.length) return;
  const total = sorted.reduce((sum, f) => sum + f.seconds, 0);
  const top = sorted.slice(0, 10);
  console.log(
    `\nSlowest files in ${label} (${total.toFixed(1)} s over ${sorted.length} files${tier === 'unit' ? ', top-level tests only' : ''}):`,
  );
  for (const f of top)
    console.log(`  ${f.seconds.toFixed(1).padStart(7)} s  ${f.file}${f.passed ? '' : ' (failed)'}`);
}

const hasPostgres = Boolean(process.env.DATABASE_URL);
const wants = (tier, files) => tiers.includes(tier) && files.length > 0;
// The run's migrated databases (HEARTH_TEST_TEMPLATES=0: every test migrates its own, as before, to compare or to
// rule them out): an embedded one for the tiers that start Hearth in the test process on PGlite (multi-process tests
// start their own processes on empty data directories), a PostgreSQL one for every tier on PostgreSQL.
const useTemplates = process.env.HEARTH_TEST_TEMPLATES !== '0';
const pgliteTemplate =
  useTemplates && (wants('pglite', inTier('scenario')) || wants('browser', inTier('browser')));
const pgTemplate =
  useTemplates &&
  hasPostgres &&
  (wants('postgres', inTier('scenario')) || wants('multi-process', inTier('multi-process')));
const templates = {};
const templateDir = join(reportDir, 'template');
/** Runs apps/server/test/database-templates.ts (makes the run's migrated databases, or drops them). */
const templateScript = (...argv) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'apps/server/test/database-templates.ts', ...argv], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TMPDIR: suiteTmp },
  }).status;
if (pgliteTemplate || pgTemplate) {
  const started = performance.now();
  const kinds = [...(pgliteTemplate ? ['--pglite'] : []), ...(pgTemplate ? ['--postgres'] : [])];
  if (templateScript(templateDir, ...kinds) !== 0) {
    console.error('Could not make the migrated template databases (above): the tiers cannot start.');
    for (const dir of [reportDir, suiteTmp]) rmSync(dir, { recursive: true, force: true });
    process.exit(1);
  }
  console.log(`Migrated template databases made in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  if (pgliteTemplate) templates.HEARTH_TEST_PGLITE_TEMPLATE = templateDir;
  if (pgTemplate)
    templates.HEARTH_TEST_PG_TEMPLATE = readFileSync(join(templateDir, 'postgres-template'), 'utf8');
}
// Scenario and browser files run in groups of HEARTH_TEST_FILES_PER_PROCESS, one process per group; with 1, a process
// per file as before, HEARTH_TEST_CONCURRENCY files at once.
const scenario = groupsOf(scenarioConcurrency);
const browser = groupsOf(1);

let failed = 0;
if (tiers.includes('unit'))
  failed |= await run('unit', 'unit tests', inTier('unit'), {}, { flags: [oneProcess] });
else skippedTiers.push('unit tests (not in --tiers)');
if (tiers.includes('pglite'))
  failed |= await run(
    'pglite',
    'scenarios on PGlite',
    inTier('scenario'),
    { HEARTH_TEST_DB: 'pglite', ...templates },
    scenario,
  );
else skippedTiers.push('scenarios on PGlite (not in --tiers)');
if (!tiers.includes('postgres')) skippedTiers.push('scenarios on PostgreSQL (not in --tiers)');
else if (!hasPostgres) skippedTiers.push('scenarios on PostgreSQL (set DATABASE_URL to run them)');
else
  failed |= await run(
    'postgres',
    'scenarios on PostgreSQL',
    inTier('scenario'),
    { HEARTH_TEST_DB: 'postgres', ...templates },
    scenario,
  );
if (tiers.includes('multi-process'))
  failed |= await run(
    'multi-process',
    `multi-process tests (on ${hasPostgres ? 'PostgreSQL' : 'PGlite'})`,
    inTier('multi-process'),
    { HEARTH_TEST_DB: hasPostgres ? 'postgres' : 'pglite', ...templates },
  );
else skippedTiers.push('multi-process tests (not in --tiers)');
if (tiers.includes('browser'))
  failed |= await run(
    'browser',
    'browser tests',
    inTier('browser'),
    { HEARTH_TEST_DB: 'pglite', ...templates },
    browser,
  );
else skippedTiers.push('browser tests (not in --tiers)');
if (templates.HEARTH_TEST_PG_TEMPLATE) templateScript('--drop', templateDir);
rmSync(reportDir, { recursive: true, force: true });
let timesPath = null;
if (timings.length) {
  const dir = join(root, 'test-artifacts', 'test-times');
  mkdirSync(dir, { recursive: true });
  const stamp = runStarted.toISOString().replace(/[:.]/g, '-');
  timesPath = join(dir, `${stamp}-node${process.versions.node.split('.')[0]}.json`);
  const run = {
    node: process.version,
    startedAt: runStarted.toISOString(),
    filter: only,
    concurrency: scenarioConcurrency,
    templates: useTemplates,
    // The machine's 1, 5 and 15-minute load averages when the run started and when it ended.
    loadAverage: { start: loadAtStart, end: loadavg() },
    tiers: timings,
  };
  writeFileSync(timesPath, `${JSON.stringify(run, null, 1)}\n`);
}
// Hearth's tests name their temporary folders hearth-*; one still there was not cleaned up (tsx keeps its cache here).
const leftBehind = readdirSync(suiteTmp).filter((name) => name.startsWith('hearth-'));
rmSync(suiteTmp, { recursive: true, force: true });

console.log(`\n=== summary (Node ${process.version}) ===`);
console.log(`Ran: ${ran.join(', ') || 'nothing'}.`);
for (const tier of skippedTiers) console.log(`Skipped tier: ${tier}.`);
for (const [reason, names] of skips) console.log(`Skipped (${reason}): ${names.join('; ')}.`);
if (!skippedTiers.length && !skips.size) console.log('Nothing was skipped.');
if (timesPath) console.log(`Per-file times: ${relative(root, timesPath)}.`);
if (leftBehind.length) {
  console.log(`Left behind in the temporary directory: ${leftBehind.join(', ')} (a test does not clean up).`);
  failed = 1;
}
console.log(failed ? 'FAILED' : 'passed');
process.exit(failed ? 1 : 0);
