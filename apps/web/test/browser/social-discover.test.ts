// The web app's search, hashtags, bookmarks and emoji reactions: Alice posts with a hashtag; Bob finds it by search,
// follows the hashtag (so her post comes into his home feed without following her), reacts to it and bookmarks it.
// At desktop width and at phone width.
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
const tag = `garden${Math.random().toString(36).slice(2, 7)}`;

const card = (p: Person, text: string) => p.page.locator('article.status-card', { hasText: text });

describe('search, hashtags, bookmarks and reactions in the web app', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    const res = await mastodon(h)('POST', '/api/v1/statuses', alice.user, { status: `tomato tips #${tag}` });
    assert.equal(res.status, 200, res.text);
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test('desktop: search finds the hashtag; following it brings the post home; react and bookmark', async () => {
    const b = bob.page;
    await b.goto(`${h.url}/social`);
    await b.getByRole('link', { name: 'Search', exact: true }).click();
    await b.waitForURL(/\/social\/search$/);
    await b.getByRole('region', { name: 'Directory' }).getByText(`@${alice.user.username}`).waitFor();
    await b.getByRole('searchbox', { name: /Search people/ }).fill(`#${tag}`);
    await b.getByRole('button', { name: 'Search', exact: true }).click();
    await b
      .getByRole('region', { name: 'Hashtags' })
      .getByRole('link', { name: `#${tag}` })
      .click();
    await b.waitForURL(new RegExp(`/social/tags/${tag}$`));
    await card(bob, 'tomato tips').waitFor();
    await b.getByRole('button', { name: 'Follow', exact: true }).click();
    await b.getByRole('button', { name: 'Unfollow', exact: true }).waitFor();

    // Home has her post now, though Bob does not follow Alice.
    await b.getByRole('link', { name: 'Home', exact: true }).click();
    await b.waitForURL(/\/social$/);
    const post = card(bob, 'tomato tips');
    await post.waitFor();
    await post.getByRole('button', { name: 'React' }).click();
    await post.getByRole('button', { name: 'React with 🎉' }).click();
    await post.getByRole('button', { name: '🎉 1' }).waitFor();
    await post.getByRole('button', { name: 'Bookmark' }).click();
    await post.locator('button[aria-label="Bookmark"][aria-pressed="true"]').waitFor();
    await b.screenshot({ path: join(shots, 'social-reactions.png') });

    await b.getByRole('link', { name: 'Bookmarks', exact: true }).click();
    await b.waitForURL(/\/social\/bookmarks$/);
    await card(bob, 'tomato tips').getByRole('button', { name: '🎉 1' }).waitFor();
    // Taking the reaction back.
    await card(bob, 'tomato tips').getByRole('button', { name: '🎉 1' }).click();
    await card(bob, 'tomato tips').getByRole('button', { name: '🎉 1' }).waitFor({ state: 'detached' });

    // Alice sees nothing of Bob's bookmark, and her hashtag links to its page.
    const a = alice.page;
    await a.goto(`${h.url}/social/bookmarks`);
    await a.getByText('Nothing bookmarked yet.').waitFor();
    await a.goto(`${h.url}/social`);
    await card(alice, 'tomato tips')
      .getByRole('link', { name: `#${tag}` })
      .click();
    await a.waitForURL(new RegExp(`/social/tags/${tag}$`));
    await a.getByRole('button', { name: 'Follow', exact: true }).waitFor();
  });

  test('search finds posts by their words in any order, and pages to older ones with More posts', async () => {
    const word = `harvest${Math.random().toString(36).slice(2, 7)}`;
    for (let i = 0; i < 22; i++) {
      const res = await mastodon(h)('POST', '/api/v1/statuses', alice.user, {
        status: `${word} number ${i} done`,
      });
      assert.equal(res.status, 200, res.text);
    }
    const b = bob.page;
    await b.goto(`${h.url}/social/search`);
    await b.getByRole('searchbox', { name: /Search people/ }).fill(`done ${word}`);
    await b.getByRole('button', { name: 'Search', exact: true }).click();
    const posts = b.getByRole('region', { name: 'Posts' });
    await posts.locator('article.status-card', { hasText: `${word} number 21 done` }).waitFor();
    assert.equal(await posts.locator('article.status-card').count(), 20);
    await posts.getByRole('button', { name: 'More posts' }).click();
    await posts.locator('article.status-card', { hasText: `${word} number 0 done` }).waitFor();
    assert.equal(await posts.locator('article.status-card').count(), 22);
    await posts.getByRole('button', { name: 'More posts' }).waitFor({ state: 'detached' });
    // A word left out: nothing.
    await b.getByRole('searchbox', { name: /Search people/ }).fill(`${word} -done`);
    await b.getByRole('button', { name: 'Search', exact: true }).click();
    await b.getByText(`Nothing found for “${word} -done”.`).waitFor();
  });

  test('phone: the bar leads to search and bookmarks; followed hashtags are listed', async () => {
    const b = bob.page;
    await b.setViewportSize(phone);
    try {
      await b.goto(`${h.url}/social`);
      await b.getByRole('link', { name: 'Search', exact: true }).click();
      await b.waitForURL(/\/social\/search$/);
      const followed = b.getByRole('region', { name: 'Followed hashtags' });
      await followed.getByRole('link', { name: `#${tag}` }).waitFor();
      await b.screenshot({ path: join(shots, 'social-search-phone.png') });
      // Nothing overflows the phone's width.
      const wide = await b.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= phone.width, `page is ${wide}px wide`);
      await followed.getByRole('link', { name: `#${tag}` }).click();
      await b.getByRole('button', { name: 'Unfollow', exact: true }).click();
      await b.getByRole('button', { name: 'Follow', exact: true }).waitFor();
      await b.getByRole('link', { name: 'Bookmarks', exact: true }).click();
      await card(bob, 'tomato tips').waitFor();
    } finally {
      await b.setViewportSize(desktop);
    }
  });
});
