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

  // Swagger UI (5.34) virtualizes the operation list once it holds 150 rows (tags + operations): only the rows near
  // the viewport are in the DOM. Hearth crossed that with the stickers merge, so counting `.opblock` elements on
  // the first screen sees the first tag only. Scrolling through the page must show every operation of the
  // document, each under its tag.
  test('Swagger UI lists every operation', async () => {
    const spec = (await h.api('GET', '/api/docs/json')).body;
    const expected = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, { tags?: string[] }>>(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const tag of op.tags ?? ['default']) expected.add(`${tag} ${method.toUpperCase()} ${path}`);
      }
    }
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${h.url}/api/docs/`);
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    // Rows in list order: the virtual list numbers them (data-index); without it they are all in the DOM at once.
    const seen = await page.evaluate(async () => {
      const rows = new Map<number, { tag?: string; op?: string }>();
      for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight / 2) {
        window.scrollTo(0, y);
        // Two frames: the virtual list renders the rows for the new offset (no named helper here: tsx would wrap
        // it in a __name call the page does not have).
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        document.querySelectorAll<HTMLElement>('.opblock-tag, .opblock').forEach((el, i) => {
          const index = Number(el.closest<HTMLElement>('.operations-virtual__item')?.dataset.index ?? i);
          if (el.matches('.opblock-tag')) rows.set(index, { tag: el.dataset.tag });
          else {
            const method = el.querySelector('.opblock-summary-method')?.textContent;
            const path = el.querySelector('.opblock-summary-path')?.getAttribute('data-path');
            rows.set(index, { op: `${method} ${path}` });
          }
        });
      }
      let tag: string | undefined;
      return [...rows.entries()]
        .sort(([a], [b]) => a - b)
        .flatMap(([, row]) => {
          tag = row.tag ?? tag;
          return row.op ? [`${tag} ${row.op}`] : [];
        });
    });
    assert.ok(expected.size > 80, `the document holds ${expected.size} operations`);
    assert.deepEqual(
      [...expected].filter((row) => !seen.includes(row)),
      [],
      'operations Swagger UI never showed',
    );
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
