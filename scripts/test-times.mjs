#!/usr/bin/env node
// Compares the per-file times of two runs of scripts/test.mjs (test-artifacts/test-times/*.json):
//   node scripts/test-times.mjs <before.json> <after.json> [--top N]
// With one file, lists its slowest files per tier. Times from a loaded machine move a lot: compare runs made alike.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt === -1 ? 20 : Number(args.splice(topAt, 2)[1]);
if (!args.length || args.length > 2) {
  console.error('usage: node scripts/test-times.mjs <before.json> [<after.json>] [--top N]');
  process.exit(2);
}
const runs = args.map((path) => JSON.parse(readFileSync(path, 'utf8')));
const fmtLoad = (l) => (Array.isArray(l) ? l.map((x) => x.toFixed(1)).join(' ') : '?');
const describe = (r) =>
  `${r.startedAt}, Node ${r.node}, concurrency ${r.concurrency}, templates ${r.templates ? 'on' : 'off'}, load ${fmtLoad(r.loadAverage?.start)} at start, ${fmtLoad(r.loadAverage?.end)} at end`;
for (const [i, r] of runs.entries()) console.log(`${i ? 'after ' : 'before'}: ${describe(r)}`);
const [before, after] = runs;
for (const tier of (after ?? before).tiers) {
  const old = after ? before.tiers.find((t) => t.tier === tier.tier) : null;
  const oldTimes = new Map((old?.files ?? []).map((f) => [f.file, f.seconds]));
  console.log(
    `\n${tier.label}: ${old ? `${old.wallSeconds} s -> ` : ''}${tier.wallSeconds} s wall, ${tier.files.length} files`,
  );
  for (const f of tier.files.slice(0, top)) {
    const was = oldTimes.get(f.file);
    const change =
      was === undefined
        ? ''
        : `  (was ${was.toFixed(1)} s, ${(f.seconds - was >= 0 ? '+' : '') + (f.seconds - was).toFixed(1)})`;
    console.log(`  ${f.seconds.toFixed(1).padStart(7)} s  ${f.file}${change}`);
  }
}
