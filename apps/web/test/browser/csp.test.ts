// Content-Security-Policy in a real browser: /api/docs (Swagger UI) still works under its policy, and a served
// image shows under the files' policy.
// Needs Debian's Chromium (`apt-get install -y chromium`); without it the suite says it skipped.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { startHearth, type TestServer } from '../../../server/test/harness';
import { chromiumSkip, launchProfile } from './chromium';

describe('CSP in a browser', { skip: chromiumSkip }, () => {
  let h: TestServer;
  let context: BrowserContext;
  let dir: string;
  before(async () => {
    h = await startHearth();
    dir = mkdtempSync(join(tmpdir(), 'hearth-chromium-docs-'));
    context = await launchProfile(dir);
  });
  after(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
    await h?.close();
  });

  test('Swagger UI runs under its CSP, with no violation reported', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const res = await page.goto(`${h.url}/api/docs/`);
    assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('.info .title').count(), 1);
    // Opening an operation runs Swagger UI's own scripts further.
    await page.locator('.opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor();
    assert.deepEqual(violations, []);
  });

  // Known defect (session 18): since the stickers and scheduled-events routes were added, Swagger UI lists only
  // the first tag's operations (no error shown, none in the console); /api/docs/json holds every route
  // (http.test checks it). Kept as a todo so the run reports it until the cause is found.
  test('Swagger UI lists every operation', {
    todo: 'renders only the first tag since the stickers merge',
  }, async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${h.url}/api/docs/`);
    const listed = await page
      .waitForFunction(() => document.querySelectorAll('.opblock').length > 80, null, { timeout: 20_000 })
      .then(() => true)
      .catch(() => false);
    assert.ok(listed, 'the routes are listed');
  });

  test('an image attachment opened from its URL shows under the files policy (sandboxed, nothing loaded)', async () => {
    const u = await h.register();
    const guild = (await h.api('POST', '/guilds', { token: u.token, body: { name: 'Docs' } })).body;
    const channels = (await h.api('GET', `/guilds/${guild.id}/channels`, { token: u.token })).body;
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'picture' }));
    // A 2×2 red PNG.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
      'base64',
    );
    form.append('files[0]', new Blob([png], { type: 'image/png' }), 'red.png');
    const posted = await fetch(
      `${h.url}/api/v10/channels/${channels.find((c: any) => c.type === 0).id}/messages`,
      {
        method: 'POST',
        headers: { authorization: u.token },
        body: form,
      },
    );
    const url = (await posted.json()).attachments[0].url.replace('http://hearth.test', h.url);
    const page = await context.newPage();
    const res = await page.goto(url);
    assert.match(res?.headers()['content-security-policy'] ?? '', /sandbox/);
    const width = await page.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth);
    assert.equal(width, 2);
    await page.close();
  });
});
