import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { freePort, startHearth, type TestServer } from '../../../server/test/harness';

const root = new URL('../../../..', import.meta.url).pathname;
/** Where browser tests write their screenshots (git-ignored). */
export const shots = join(root, 'test-artifacts', 'screenshots');

/** Builds the web app (when its sources changed) and starts Hearth on a real port serving it. */
export async function hearthWithWebApp(): Promise<TestServer> {
  const built = spawnSync(process.execPath, [join(root, 'scripts/build-web.mjs')], { stdio: 'inherit' });
  assert.equal(built.status, 0, 'the web app builds');
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  return startHearth({ port, publicUrl: `http://127.0.0.1:${port}` });
}

/** Debian's Chromium (`apt-get install -y chromium`), or the one CHROMIUM_PATH names. */
export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or false. */
export const chromiumSkip = existsSync(executablePath)
  ? false
  : `no Chromium at ${executablePath} (apt-get install -y chromium)`;

/** A headless Chromium profile in `dir`, with nothing of its own reaching out to the network. */
export function launchProfile(
  dir: string,
  viewport?: { width: number; height: number },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, {
    executablePath,
    headless: true,
    ...(viewport ? { viewport } : {}),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
