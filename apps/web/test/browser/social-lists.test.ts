// The web app's lists and direct conversations: Bob follows Alice and Carol, makes a list, adds Alice from the people
// he follows, reads her posts in the list (Carol's are not there), makes it exclusive so Alice leaves Home; Alice
// writes Bob a direct post and Bob finds it unread under Direct. At desktop width and at phone width.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../../../server/test/harness';
import { mastodon } from '../../../server/test/social-helpers';
import {
  chromiumSkip,
  closePeople,
  desktop,
  type Person,
  phone,
  shots,
  signedInPerson,
  startWebHearth,
} from './chromium';

let h: TestServer;
let alice: Person;
let bob: Person;
let carol: Person;

const card = (p: Person, text: string) => p.page.locator('article.status-card', { hasText: text });

describe('lists and direct conversations in the web app', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    [alice, bob, carol] = [
      await signedInPerson(h, 'alice'),
      await signedInPerson(h, 'bob'),
      await signedInPerson(h, 'carol'),
    ];
    const m = mastodon(h);
    for (const u of [alice, carol])
      assert.equal((await m('POST', `/api/v1/accounts/${u.user.id}/follow`, bob.user)).status, 200);
    assert.equal(
      (await m('POST', '/api/v1/statuses', alice.user, { status: 'garden news from alice' })).status,
      200,
    );
    assert.equal(
      (await m('POST', '/api/v1/statuses', carol.user, { status: 'kitchen news from carol' })).status,
      200,
    );
  });
  after(async () => {
    await closePeople([alice, bob, carol]);
    await h?.close();
  });

  test('desktop: make a list, add someone one follows, read the list, make it exclusive', async () => {
    const b = bob.page;
    await b.goto(`${h.url}/social`);
    await b.getByRole('link', { name: 'Lists', exact: true }).click();
    await b.waitForURL(/\/social\/lists$/);
    await b.getByRole('textbox', { name: 'New list title' }).fill('Gardeners');
    await b.getByRole('button', { name: 'Create list' }).click();
    await b.waitForURL(/\/social\/lists\/\d+$/);
    await b.getByText('Nothing here yet. Add people you follow to this list.').waitFor();

    await b.getByRole('button', { name: 'Edit list' }).click();
    const following = b.getByRole('list', { name: 'People you follow' });
    await following
      .getByRole('listitem')
      .filter({ hasText: `@${alice.user.username}` })
      .getByRole('button', { name: 'Add' })
      .click();
    await b
      .getByRole('list', { name: 'People on this list' })
      .getByRole('listitem')
      .filter({ hasText: `@${alice.user.username}` })
      .waitFor();
    // The timeline reloads as the list changes.
    await card(bob, 'garden news from alice').waitFor();
    assert.equal(await card(bob, 'kitchen news from carol').count(), 0, 'Carol is not on the list');

    await b.getByRole('checkbox', { name: /Hide these people/ }).click();
    await b.locator('input[type="checkbox"]:checked').waitFor();
    await b.screenshot({ path: join(shots, 'social-list.png') });
    await b.getByRole('link', { name: 'Home', exact: true }).click();
    await b.waitForURL(/\/social$/);
    await card(bob, 'kitchen news from carol').waitFor();
    assert.equal(
      await card(bob, 'garden news from alice').count(),
      0,
      'an exclusive list’s people leave Home',
    );

    await b.getByRole('link', { name: 'Lists', exact: true }).click();
    await b.getByRole('link', { name: /Gardeners/ }).waitFor();
  });

  test('direct: a post to Bob alone is an unread conversation under Direct, a new one arrives live; others see none', async () => {
    const res = await mastodon(h)('POST', '/api/v1/statuses', alice.user, {
      status: `@${bob.user.username} the seeds arrived`,
      visibility: 'direct',
    });
    assert.equal(res.status, 200, res.text);
    const b = bob.page;
    await b.goto(`${h.url}/social`);
    await b.getByRole('link', { name: 'Direct', exact: true }).click();
    await b.waitForURL(/\/social\/conversations$/);
    const conversation = b.locator('article.conversation-card', { hasText: 'the seeds arrived' });
    await conversation.waitFor();
    assert.match((await conversation.getAttribute('class')) ?? '', /unread/);
    await conversation.getByText('New', { exact: true }).waitFor();

    // Another direct post comes in live, on top, while the page is open.
    while (!h.app.streaming.streamsOf(bob.user.id).includes('direct'))
      await new Promise((r) => setTimeout(r, 20));
    const again = await mastodon(h)('POST', '/api/v1/statuses', alice.user, {
      status: `@${bob.user.username} and the bulbs too`,
      visibility: 'direct',
    });
    assert.equal(again.status, 200, again.text);
    await b.locator('article.conversation-card').first().filter({ hasText: 'and the bulbs too' }).waitFor();

    const c = carol.page;
    await c.goto(`${h.url}/social/conversations`);
    await c.getByText('No direct messages.', { exact: false }).waitFor();
  });

  test('phone: lists and direct conversations fit the width', async () => {
    const b = bob.page;
    await b.setViewportSize(phone);
    try {
      await b.goto(`${h.url}/social/lists`);
      await b.getByRole('link', { name: /Gardeners/ }).click();
      await card(bob, 'garden news from alice').waitFor();
      await b.getByRole('button', { name: 'Edit list' }).click();
      await b.getByRole('list', { name: 'People on this list' }).getByRole('listitem').first().waitFor();
      await b.screenshot({ path: join(shots, 'social-list-phone.png') });
      const wide = await b.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= phone.width, `page is ${wide}px wide`);
      await b.goto(`${h.url}/social/conversations`);
      await b.locator('article.conversation-card').first().waitFor();
      const wideToo = await b.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wideToo <= phone.width, `page is ${wideToo}px wide`);
    } finally {
      await b.setViewportSize(desktop);
    }
  });
});
