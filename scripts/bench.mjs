// npm run bench [-- <scenario>...] [--quick] [--profile] [--sessions N] [--target http://host:port/api --token T --channel C]
// Runs the scenarios of bench/scenarios, writes bench/results/<scenario>.json and the tables of
// docs/performance.md. See README.md (Benchmarks) and docs/performance.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderPerformance } from '../bench/lib/report.mjs';
import { gitCommit, machine } from '../bench/lib/util.mjs';

const scenarios = [
  'message-create',
  'history',
  'fanout',
  'idle-sessions',
  'identify',
  'login',
  'scale-out',
  'presence-storm',
  'idle-rss',
  'social',
];
const peerScenarios = new Set(['message-create', 'history', 'fanout']);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    target: { type: 'string' },
    token: { type: 'string' },
    channel: { type: 'string' },
    // idle-sessions only: how many sessions to open (default 10,000; 200 with --quick).
    sessions: { type: 'string' },
  },
});
const unknown = positionals.filter((p) => !scenarios.includes(p));
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(', ')}; scenarios: ${scenarios.join(', ')}`);
  process.exit(2);
}
const sessions = values.sessions === undefined ? null : Number(values.sessions);
if (sessions !== null && !(Number.isInteger(sessions) && sessions > 0)) {
  console.error('--sessions needs a positive whole number');
  process.exit(2);
}
let target = null;
if (values.target) {
  if (!values.token || !values.channel) {
    console.error('--target needs --token and --channel');
    process.exit(2);
  }
  target = { api: values.target.replace(/\/+$/, ''), token: values.token, channel: values.channel };
}
let chosen = positionals.length ? positionals : scenarios;
if (target) chosen = chosen.filter((s) => peerScenarios.has(s));

const resultsDir = join('bench', 'results');
const profileDir = values.profile ? join(resultsDir, 'profiles') : null;
mkdirSync(resultsDir, { recursive: true });
if (profileDir) mkdirSync(profileDir, { recursive: true });

const started = Date.now();
let failures = 0;
for (const name of chosen) {
  const t0 = Date.now();
  const log = (msg) => console.log(`[${name} ${((Date.now() - t0) / 1000).toFixed(0)}s] ${msg}`);
  log(values.quick ? 'start (quick)' : 'start');
  try {
    const scenario = await import(`../bench/scenarios/${name}.mjs`);
    const out = await scenario.run({ quick: values.quick, target, profileDir, log, sessions });
    const result = {
      scenario: name,
      title: scenario.title,
      date: new Date().toISOString(),
      commit: gitCommit(),
      quick: values.quick,
      target: target ? target.api : 'hearth',
      node: process.version,
      postgres: out.postgres ?? null,
      machine: machine(),
      seconds: Math.round((Date.now() - t0) / 1000),
      config: out.config,
      table: out.table,
      figures: out.figures,
    };
    const file = join(resultsDir, target ? `${name}.peer.json` : `${name}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    for (const row of out.table)
      console.log(
        `  ${row.measure}: ${row.hearth}${row.ceiling != null ? ` (ceiling ${row.ceiling}${row.ratio != null ? `, ratio ${row.ratio}` : ''})` : ''}${row.goal ? ` goal ${row.goal}: ${row.met ? 'met' : 'missed'}` : ''}`,
      );
    log(`wrote ${file}`);
  } catch (err) {
    failures++;
    log(`failed: ${err.stack ?? err}`);
  }
}
if (!target) {
  const doc = join('docs', 'performance.md');
  writeFileSync(doc, renderPerformance(readFileSync(doc, 'utf8'), resultsDir, scenarios));
  console.log(`updated ${doc}`);
}
console.log(
  `bench finished in ${((Date.now() - started) / 1000).toFixed(0)} s${failures ? `, ${failures} failed` : ''}`,
);
process.exit(failures ? 1 : 0);
