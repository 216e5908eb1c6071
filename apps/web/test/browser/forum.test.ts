// A forum channel in the web app: its posts as cards with tags, replies and the start of the first message, a tag
// filter, a new post that opens as its thread; at desktop and phone width.
// Needs Debian's Chromium (`apt-get install -y chromium`); without it the suite says it skipped.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { createGuild, join as joinGuild, type TestGuild } from '../../../server/test/guild-helpers';
import type { TestServer, TestUser } from '../../../server/test/harness';
import { chromiumSkip, launchProfile, shots, startWebHearth } from './chromium';

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 780 };

describe('a forum channel in the web app', { skip: chromiumSkip }, () => {
  let h: TestServer;
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let g: TestGuild;
  let bob: TestUser;
  let forum: { id: string; available_tags: Array<{ id: string; name: string }> };
  let bobPost: string;

  before(async () => {
    h = await startWebHearth();
    g = await createGuild(h, undefined, 'Makers');
    bob = await joinGuild(h, g);
    const created = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: {
        name: 'questions',
        type: 15,
        topic: 'Ask the makers',
        available_tags: [{ name: 'bug', emoji_name: '🐛' }, { name: 'idea' }],
      },
    });
    assert.equal(created.status, 201, created.text);
    forum = created.body;
    const [bug] = forum.available_tags;
    const posted = await h.api('POST', `/channels/${forum.id}/threads`, {
      token: bob.token,
      body: {
        name: 'Printer jams',
        applied_tags: [bug.id],
        message: { content: 'It jams on the second page.' },
      },
    });
    assert.equal(posted.status, 201, posted.text);
    bobPost = posted.body.id;
    dir = mkdtempSync(join(tmpdir(), 'hearth-chromium-forum-'));
    context = await launchProfile(dir, desktop);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
  });
  after(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await h?.close();
  });

  test('the forum lists posts as cards; a new post opens as its thread; tags filter the list', async () => {
    await page.goto(`${h.url}/login`);
    await page.getByLabel('Email or username').fill(g.owner.email);
    await page.getByLabel('Password').fill(g.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/channels\//);
    await page.goto(`${h.url}/channels/${g.id}/${forum.id}`);
    const list = page.getByRole('region', { name: 'Posts in questions' });
    const card = list.locator('.post-card', { hasText: 'Printer jams' });
    await card.waitFor();
    await card.getByText('It jams on the second page.').waitFor();
    await card.getByText('0 replies').waitFor();
    assert.match(await card.locator('.tags').innerText(), /bug/);
    await page.screenshot({ path: join(shots, 'forum-desktop.png') });

    await list.getByRole('button', { name: 'New post' }).click();
    const form = page.getByRole('form', { name: 'New post' });
    await form.getByLabel('Title').fill('Laser cutter hours');
    await form.getByLabel('Message').fill('Can we open it on Sundays?');
    await form.getByLabel('idea').check();
    await form.getByRole('button', { name: 'Post' }).click();
    await page.waitForURL(new RegExp(`/channels/${g.id}/(?!${forum.id})\\d+$`));
    await page.locator('.messages li.message', { hasText: 'Can we open it on Sundays?' }).waitFor();

    await page.goto(`${h.url}/channels/${g.id}/${forum.id}`);
    await list.locator('.post-card').nth(1).waitFor();
    assert.equal(await list.locator('.post-card').count(), 2);
    await list.getByRole('group', { name: 'Filter by tag' }).getByRole('button', { name: 'idea' }).click();
    await list.locator('.post-card', { hasText: 'Printer jams' }).waitFor({ state: 'detached' });
    assert.equal(await list.locator('.post-card').count(), 1);
    await list.locator('.post-card', { hasText: 'Laser cutter hours' }).waitFor();

    // A reply makes the older post the latest active one; sorting by creation puts the newer first again.
    await list.getByRole('group', { name: 'Filter by tag' }).getByRole('button', { name: 'All' }).click();
    const replied = await h.api('POST', `/channels/${bobPost}/messages`, {
      token: bob.token,
      body: { content: 'Same here' },
    });
    assert.equal(replied.status, 200, replied.text);
    const first = list.locator('.post-card').first();
    await first.filter({ hasText: 'Printer jams' }).waitFor();
    await list.getByLabel('Sort by').selectOption('created');
    await first.filter({ hasText: 'Laser cutter hours' }).waitFor();
  });

  test('on a phone the forum is one column and a post opens in it', async () => {
    await page.setViewportSize(phone);
    await page.goto(`${h.url}/channels/${g.id}/${forum.id}`);
    const list = page.getByRole('region', { name: 'Posts in questions' });
    const card = list.locator('.post-card', { hasText: 'Printer jams' });
    await card.waitFor();
    await page.screenshot({ path: join(shots, 'forum-phone.png') });
    const box = await card.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= phone.width, 'the card fits the screen');
    await card.getByRole('button', { name: /Printer jams/ }).click();
    await page.locator('.messages li.message', { hasText: 'It jams on the second page.' }).waitFor();
    await page.setViewportSize(desktop);
  });
});
