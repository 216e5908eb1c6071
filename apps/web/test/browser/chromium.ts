import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { freePort, startHearth, type TestServer, type TestUser } from '../../../server/test/harness';

const root = new URL('../../../..', import.meta.url).pathname;
/** Where the browser tests leave their screenshots. */
export const shots = join(root, 'test-artifacts', 'screenshots');

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
  extraArgs: string[] = [],
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
      ...extraArgs,
    ],
  });
}

/** Builds the web app, then starts a Hearth serving it on a free port (its public URL that address). */
export async function startWebHearth(overrides: Parameters<typeof startHearth>[0] = {}): Promise<TestServer> {
  const built = spawnSync(process.execPath, [join(root, 'scripts/build-web.mjs')], { stdio: 'inherit' });
  assert.equal(built.status, 0, 'the web app builds');
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  return startHearth({ port, publicUrl: `http://127.0.0.1:${port}`, ...overrides });
}

/** Signs `user` in to the web app in `page` by storing their tokens as a sign-in does. */
export async function signInWithTokens(page: Page, url: string, user: TestUser): Promise<void> {
  await page.goto(`${url}/login`);
  await page.evaluate((t) => localStorage.setItem('hearth.tokens', JSON.stringify(t)), {
    user_id: user.id,
    token: user.token,
    refresh_token: user.refreshToken,
    expires_at: Date.now() + 14 * 60_000,
  });
}

export const desktop = { width: 1280, height: 800 };
export const phone = { width: 390, height: 780 };
/** A 2×2 red PNG. */
export const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

/** A registered person signed in to the web app in a Chromium profile of their own. */
export interface Person {
  user: TestUser;
  context: BrowserContext;
  page: Page;
  dir: string;
}

/** Registers `name` (made unique) and signs them in, in a fresh Chromium profile at desktop size. */
export async function signedInPerson(h: TestServer, name: string): Promise<Person> {
  const suffix = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const user = await h.register({ username: `${name}_${suffix}` });
  const dir = mkdtempSync(join(tmpdir(), `hearth-chromium-${name}-`));
  const context = await launchProfile(dir, desktop);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  await signInWithTokens(page, h.url, user);
  return { user, context, page, dir };
}

/** Closes each person's browser and removes their profile. */
export async function closePeople(people: Array<Person | undefined>): Promise<void> {
  for (const p of people) {
    await p?.context.close();
    if (p) rmSync(p.dir, { recursive: true, force: true });
  }
}

/** axe-core's script, read once, evaluated into a page on its first check. */
let axeSource: string | null = null;

/** The serious and critical violations axe-core finds in the page as it is, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as any).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v: { id: string; impact: string; nodes: Array<{ target: string[] }> }) =>
          `${v.impact} ${v.id}: ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(' | ')}`,
      );
  });
}
