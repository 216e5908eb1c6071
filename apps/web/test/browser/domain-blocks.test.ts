// Blocked domains in the web app's settings, in Chromium against a real Hearth on PGlite: a user blocks and unblocks
// a domain for themselves; only an instance admin (INSTANCE_ADMINS) sees and manages the instance's domain blocks
// and the instances Hearth knows, at desktop and phone width.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { TestServer, TestUser } from '../../../server/test/harness';
import {
  chromiumSkip,
  desktop,
  launchProfile,
  phone,
  shots,
  signInWithTokens,
  startWebHearth,
} from './chromium';

const ADMIN = `admin_${process.pid.toString(36)}`;
let h: TestServer;
let user: TestUser;
let admin: TestUser;
let context: BrowserContext;
let page: Page;
let dir: string;

describe('blocked domains in the web app', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth({ instanceAdmins: [ADMIN] });
    user = await h.register({ username: `dom_${process.pid.toString(36)}` });
    admin = await h.register({ username: ADMIN });
    dir = mkdtempSync(join(tmpdir(), 'hearth-chromium-domains-'));
    context = await launchProfile(dir, { width: 1280, height: 800 });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
  });
  after(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await h?.close();
  });

  const mine = () => page.getByRole('list', { name: 'Domains you block' });

  test('a user blocks a domain for themselves and unblocks it; the instance part is not theirs', async () => {
    await signInWithTokens(page, h.url, user);
    await page.goto(`${h.url}/settings/domains`);
    await page.getByRole('heading', { name: 'Blocked domains' }).waitFor();
    await page.getByText('You block no domain.').waitFor();
    await page.getByLabel('Domain', { exact: true }).fill('spam.example');
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    await mine().getByText('spam.example').waitFor();
    const listed = await fetch(`${h.url}/api/v1/domain_blocks`, {
      headers: { authorization: `Bearer ${user.token}` },
    }).then((r) => r.json());
    assert.deepEqual(listed, ['spam.example']);
    // Not a host name: the server's message is shown.
    await page.getByLabel('Domain', { exact: true }).fill('not a domain');
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText(/not a valid host name/)
      .waitFor();
    await page.getByRole('button', { name: 'Unblock spam.example' }).click();
    await page.getByText('You block no domain.').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'This instance (admin)' }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Known instances' }).count(), 0);
  });

  test('at phone width (390 px) the page fits the screen and blocking and unblocking work', async () => {
    await signInWithTokens(page, h.url, user);
    await page.setViewportSize({ width: 390, height: 780 });
    try {
      await page.goto(`${h.url}/settings/domains`);
      await page.getByRole('heading', { name: 'Blocked domains' }).waitFor();
      const domain = page.getByLabel('Domain', { exact: true });
      await domain.fill('a-rather-long-subdomain.of.spam-on-a-phone.example');
      await page.getByRole('button', { name: 'Block', exact: true }).click();
      await mine().getByText('a-rather-long-subdomain.of.spam-on-a-phone.example').waitFor();
      // Nothing wider than the screen: the field, the button and the list's Unblock are all reachable without sideways scrolling.
      assert.equal(
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
        true,
        'no sideways scroll',
      );
      const unblock = page.getByRole('button', {
        name: 'Unblock a-rather-long-subdomain.of.spam-on-a-phone.example',
      });
      for (const el of [domain, page.getByRole('button', { name: 'Block', exact: true }), unblock]) {
        const box = (await el.boundingBox())!;
        assert.ok(box.x >= 0 && box.x + box.width <= 390.5, JSON.stringify(box));
      }
      await page.screenshot({ path: join(shots, 'domain-blocks-phone.png') });
      await unblock.click();
      await page.getByText('You block no domain.').waitFor();
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  test('an admin blocks a domain for the instance and lifts it', async () => {
    await signInWithTokens(page, h.url, admin);
    await page.goto(`${h.url}/settings/domains`);
    await page.getByRole('heading', { name: 'This instance (admin)' }).waitFor();
    await page.getByLabel('Instance domain').fill('Bad.Example');
    await page.getByRole('button', { name: 'Block for everyone' }).click();
    const list = page.getByRole('list', { name: 'Domains the instance blocks' });
    await list.getByText('bad.example').waitFor();
    const blocks = await fetch(`${h.url}/api/v1/admin/domain_blocks`, {
      headers: { authorization: `Bearer ${admin.token}` },
    }).then((r) => r.json() as Promise<Array<{ domain: string }>>);
    assert.deepEqual(
      blocks.map((b) => b.domain),
      ['bad.example'],
    );
    await page.getByRole('button', { name: 'Lift the instance block of bad.example' }).click();
    await list.getByText('bad.example').waitFor({ state: 'detached' });
  });

  test('an admin silences a domain and sees the instances Hearth knows, at desktop and phone width', async () => {
    // An instance heard from (as the inbox notes a verified activity).
    await h.app.services.social.instances.received('https://quiet.example/users/someone');
    await signInWithTokens(page, h.url, admin);
    for (const size of [desktop, phone]) {
      await page.setViewportSize(size);
      await page.goto(`${h.url}/settings/domains`);
      const known = page.getByRole('list', { name: 'Known instances' });
      await known.getByText('quiet.example').waitFor();
      assert.equal(await known.getByText('silenced').count(), size === desktop ? 0 : 1);
      if (size === desktop) {
        await page.getByLabel('Instance domain').fill('quiet.example');
        await page.getByLabel('Severity').selectOption('silence');
        await page.getByRole('button', { name: 'Block for everyone' }).click();
        await known.getByText('silenced').waitFor();
        const blocks = await fetch(`${h.url}/api/v1/admin/domain_blocks`, {
          headers: { authorization: `Bearer ${admin.token}` },
        }).then((r) => r.json() as Promise<Array<{ domain: string; severity: string }>>);
        assert.deepEqual(
          blocks.map((b) => [b.domain, b.severity]),
          [['quiet.example', 'silence']],
        );
      } else {
        // The section fits a phone's width: nothing scrolls sideways.
        await page.getByRole('heading', { name: 'Known instances' }).scrollIntoViewIfNeeded();
        const box = await known.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= phone.width, JSON.stringify(box));
        assert.ok(
          await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
          'the page scrolls sideways',
        );
      }
    }
    // Someone who is not an admin is refused the list.
    const refused = await fetch(`${h.url}/api/v1/hearth/admin/instances`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    assert.equal(refused.status, 403);
    await page.setViewportSize(desktop);
  });
});
