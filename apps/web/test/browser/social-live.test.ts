// The social side live (the Mastodon user stream, ADR 0035): Bob follows Alice; with his home feed open her new
// posts, her image with its alt text and their edits and deletes reach him without a reload; his boost bumps her
// notification badge while she looks elsewhere. Two Chromium profiles against a real Hearth on PGlite.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../../../server/test/harness';
import {
  chromiumSkip,
  closePeople,
  desktop,
  type Person,
  phone,
  png,
  shots,
  signedInPerson,
  startWebHearth,
} from './chromium';

let h: TestServer;
let alice: Person;
let bob: Person;

const person = (name: string) => signedInPerson(h, name);

/** The Mastodon client API as `p` (what another app of theirs would do). */
async function masto<T>(p: Person, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${h.url}/api${path}`, {
    method,
    headers: { authorization: p.user.token, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

/** Uploads `png` as `p` with `description` as its alt text. */
async function uploadPng(p: Person, description: string): Promise<{ id: string }> {
  const form = new FormData();
  form.append('file', new Blob([png], { type: 'image/png' }), 'red.png');
  form.append('description', description);
  const res = await fetch(`${h.url}/api/v2/media`, {
    method: 'POST',
    headers: { authorization: p.user.token },
    body: form,
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { id: string };
}

const card = (p: Person, text: string) => p.page.locator('article.status-card', { hasText: text });

describe('the social side live', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await person('alice');
    bob = await person('bob');
    const a = await masto<{ id: string }>(
      bob,
      'GET',
      `/v1/accounts/lookup?acct=${encodeURIComponent(alice.user.username)}`,
    );
    await masto(bob, 'POST', `/v1/accounts/${a.id}/follow`);
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test("alice's new post, its edit and its deletion reach bob's open home feed without a reload", async () => {
    const b = bob.page;
    await b.goto(`${h.url}/social`);
    await b.getByText('Nothing here yet.').waitFor();
    await alice.page.goto(`${h.url}/social`);
    const form = alice.page.getByRole('form', { name: 'New post' });
    await form.locator('textarea').fill('Live from the rabbit hole');
    await form.getByRole('button', { name: 'Post', exact: true }).click();
    await card(bob, 'Live from the rabbit hole').waitFor();

    const posted = await masto<{ id: string }>(alice, 'POST', '/v1/statuses', { status: 'Soon edited' });
    await card(bob, 'Soon edited').waitFor();
    await masto(alice, 'PUT', `/v1/statuses/${posted.id}`, { status: 'Edited in place' });
    await card(bob, 'Edited in place').waitFor();
    await masto(alice, 'DELETE', `/v1/statuses/${posted.id}`);
    await card(bob, 'Edited in place').waitFor({ state: 'detached' });
  });

  test("alice's image post reaches bob with its alt text, opens large; bob's boost bumps her badge live", async () => {
    const b = bob.page;
    const media = await uploadPng(alice, 'A red square');
    await masto(alice, 'POST', '/v1/statuses', { status: 'Look at this', media_ids: [media.id] });
    const c = card(bob, 'Look at this');
    const img = c.locator('.media-grid img[alt="A red square"]');
    await img.waitFor();
    await c.getByRole('button', { name: 'Open image: A red square' }).click();
    const large = b.getByRole('dialog', { name: 'A red square' });
    await large.locator('img[alt="A red square"]').waitFor();
    await b.keyboard.press('Escape');
    await large.waitFor({ state: 'detached' });

    // Sensitive media waits behind "Show" with its content warning.
    const hidden = await uploadPng(alice, 'A hidden square');
    await masto(alice, 'POST', '/v1/statuses', {
      status: 'Behind a warning',
      spoiler_text: 'Red things',
      sensitive: true,
      media_ids: [hidden.id],
    });
    const w = card(bob, 'Red things');
    await w.locator('.media-hidden', { hasText: 'Red things' }).waitFor();
    assert.equal(await w.locator('img[alt="A hidden square"]').count(), 0);
    await w.getByRole('button', { name: 'Show', exact: true }).click();
    await w.locator('img[alt="A hidden square"]').waitFor();

    // Alice looks at her profile, not her notifications; bob boosts her post.
    const a = alice.page;
    await a.goto(`${h.url}/@${alice.user.username}`);
    // Bob's follow is her one unread notification so far.
    await a.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor();
    await c.getByRole('button', { name: /^Boost/ }).click();
    await c.getByRole('button', { name: 'Boost, 1' }).waitFor();
    assert.equal(await c.getByRole('button', { name: 'Boost, 1' }).getAttribute('aria-pressed'), 'true');
    await a.getByRole('link', { name: 'Notifications, 2 unread' }).waitFor();
    await a.getByRole('link', { name: 'Home feed, 2 unread notifications' }).waitFor();
    // Her profile's Media tab lists the posts with media only.
    await a
      .getByRole('navigation', { name: 'Posts' })
      .getByRole('link', { name: 'Media', exact: true })
      .click();
    await card(alice, 'Look at this').waitFor();
    assert.equal(await card(alice, 'Live from the rabbit hole').count(), 0);
    await a.screenshot({ path: join(shots, 'social-live-media-desktop.png') });
    await a.getByRole('link', { name: 'Notifications, 2 unread' }).click();
    await a.locator('.notification.reblog', { hasText: 'boosted your post' }).waitFor();
    // Bob's profile shows his boost under "<name> boosted".
    await b.goto(`${h.url}/@${bob.user.username}`);
    await b.locator('.boost', { hasText: 'boosted' }).filter({ hasText: 'Look at this' }).waitFor();
  });

  test('alice attaches two images with alt text in the composer, removes one, and bob sees the post live', async () => {
    await bob.page.goto(`${h.url}/social`);
    await card(bob, 'Look at this').first().waitFor();
    const a = alice.page;
    await a.goto(`${h.url}/social`);
    const form = a.getByRole('form', { name: 'New post' });
    await form.getByLabel('Attach media').setInputFiles([
      { name: 'one.png', mimeType: 'image/png', buffer: png },
      { name: 'two.png', mimeType: 'image/png', buffer: png },
    ]);
    await form.getByLabel('Alt text for one.png').fill('The first square');
    await form.getByLabel('Alt text for two.png').fill('The second square');
    await form.getByRole('button', { name: 'Remove two.png' }).click();
    await form.getByLabel('Alt text for two.png').waitFor({ state: 'detached' });
    await form.getByRole('button', { name: 'Sensitive' }).click();
    await form.locator('textarea').fill('Made in the composer');
    await form.getByRole('button', { name: 'Post', exact: true }).click();
    await form.locator('.composer-attachments').waitFor({ state: 'detached' });
    const c = card(bob, 'Made in the composer');
    await c.getByRole('button', { name: 'Show', exact: true }).click();
    await c.locator('img[alt="The first square"]').waitFor();
    assert.equal(await c.locator('.media-grid img').count(), 1);
  });

  test('at phone width a new post reaches the open feed too; scrolled down it waits behind the pill', async () => {
    const b = bob.page;
    await b.setViewportSize(phone);
    await b.goto(`${h.url}/social`);
    await card(bob, 'Look at this').first().waitFor();
    await masto(alice, 'POST', '/v1/statuses', { status: 'Small screens too' });
    await card(bob, 'Small screens too').waitFor();
    // Scrolled down, the next one waits behind "1 new post".
    for (let i = 0; i < 6; i++)
      await masto(alice, 'POST', '/v1/statuses', { status: `Filler ${i}\n\n.\n\n.` });
    await card(bob, 'Filler 5').waitFor();
    await b.locator('.social-scroll').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await b.waitForFunction(() => (document.querySelector('.social-scroll')?.scrollTop ?? 0) > 80);
    await masto(alice, 'POST', '/v1/statuses', { status: 'While you were away' });
    const pill = b.getByRole('button', { name: '1 new post' });
    await pill.waitFor();
    assert.equal(await card(bob, 'While you were away').count(), 0);
    await pill.click();
    await card(bob, 'While you were away').waitFor();
    await b.screenshot({ path: join(shots, 'social-live-phone.png') });
    await b.setViewportSize(desktop);
  });
});
