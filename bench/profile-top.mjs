// node bench/profile-top.mjs <file.cpuprofile> [n]: the functions with the most self time in a V8 CPU profile,
// and the share of time spent idle, in GC and in native code.
import { readFileSync } from 'node:fs';

const [file, n = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const byPackage = new Map();
const packageOf = (url) => {
  if (!url) return '(native, GC, idle)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node internals';
  const app = url.match(/\/(apps\/server\/src\/[^/]+|packages\/[^/]+)\//);
  return app ? app[1] : url;
};
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]);
  const f = node.callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(apps|packages)\//, '$1/')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0));
  const pkg = packageOf(f.url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + (deltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(n));
console.log(`total ${(total / 1e6).toFixed(1)} s sampled`);
for (const [key, us] of rows) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
console.log('\nby package (self time):');
for (const [pkg, us] of [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15))
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${pkg}`);
