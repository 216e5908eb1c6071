#!/usr/bin/env node
// Builds the web app (apps/web → apps/web/dist) when its sources changed since the last build.
// `npm start` (scripts/start.mjs) and the browser tests run this, so a fresh clone serves the app with no second command.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const web = join(root, 'apps/web');
const dist = join(web, 'dist');
const stamp = join(dist, '.source-hash');
// What the bundle is made of: the app, its build config, and the shared packages it imports.
const inputs = [
  'apps/web/index.html',
  'apps/web/vite.config.ts',
  'apps/web/package.json',
  'apps/web/src',
  'apps/web/public',
  'packages/permissions/src',
  'packages/protocol/src',
  'package-lock.json',
];

function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

/**
 * Builds apps/web into apps/web/dist unless the stamp says its sources are unchanged (or `force`). With `inChild`,
 * the build runs in a child process: `npm start` serves from the process that calls this, and Vite's bundler left
 * ~240 MB in it for good (docs/performance.md, idle RSS).
 */
export async function buildWeb({ force = false, inChild = false } = {}) {
  const hash = createHash('sha256');
  for (const input of inputs) {
    for (const file of files(join(root, input)))
      hash.update(relative(root, file)).update('\0').update(readFileSync(file));
  }
  const digest = hash.digest('hex');
  if (!force && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
    // A build from before precompression gets its copies.
    precompress(dist);
    return;
  }
  if (inChild) {
    const args = [new URL(import.meta.url).pathname, ...(force ? ['--force'] : [])];
    const child = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (child.status !== 0)
      throw new Error(`building the web app failed (exit ${child.status ?? child.signal})`);
    return;
  }
  console.log('Building the web app (apps/web)…');
  const vite = await import(pathToFileURL(createRequire(join(web, 'package.json')).resolve('vite')).href);
  await vite.build({ root: web, logLevel: 'warn' });
  precompress(dist);
  writeFileSync(stamp, digest);
  console.log('Built apps/web/dist.');
}

/**
 * Writes `.br` and `.gz` beside every text file of the build (the server picks one by Accept-Encoding), at
 * the highest levels since it is done once. Skipped for small files and where compression does not pay.
 */
function precompress(dir) {
  for (const file of files(dir)) {
    if (!/\.(js|css|html|svg|json|txt|map)$/.test(file) || existsSync(`${file}.br`)) continue;
    const body = readFileSync(file);
    if (body.length < 1024) continue;
    const br = brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    });
    const gz = gzipSync(body, { level: 9 });
    if (br.length < body.length * 0.9) writeFileSync(`${file}.br`, br);
    if (gz.length < body.length * 0.9) writeFileSync(`${file}.gz`, gz);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildWeb({ force: process.argv.includes('--force') });
}
