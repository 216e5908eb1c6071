#!/usr/bin/env node
// `npm run layers` (part of `npm run check`): the import rules of .dependency-cruiser.mjs, checked by
// dependency-cruiser. It runs only on Node 22 or newer; where an older Node runs npm (this machine's image has 20),
// it runs under the Node 24 that .ci/run keeps in .cache/node/24, fetched from the npm registry the same way when
// absent, so the check means the same thing everywhere.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
const args = [depcruise, 'apps', 'packages', 'bench', 'scripts', '--config', '.dependency-cruiser.mjs'];

/** A Node binary of major version 22 or newer: this one, or the cached Node 24. */
function supportedNode() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const dir = join(root, '.cache', 'node', '24');
  const node = join(dir, 'package', 'bin', 'node');
  if (!existsSync(node)) {
    const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
    if (!arch)
      throw new Error(
        `dependency-cruiser needs Node >= 22, and there is no Node package for ${process.arch}`,
      );
    console.error(
      `layers: Node ${process.version} is too old for dependency-cruiser; fetching Node 24 into ${dir}`,
    );
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['pack', '--silent', `node-linux-${arch}@24`], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    execFileSync('tar', ['-xzf', tgz], { cwd: dir });
    rmSync(join(dir, tgz));
  }
  return node;
}

const result = spawnSync(supportedNode(), args, { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
