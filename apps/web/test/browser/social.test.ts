// The web app's social side end to end: three people in three Chromium profiles against a real Hearth on PGlite.
// Alice approves her followers by hand; Bob follows her, she accepts, they post and comment; Carol follows nobody.
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
let carol: Person;

const person = (name: string) => signedInPerson(h, name);

async function shot(p: Person, name: string, size = desktop): Promise<void> {
  await p.page.setViewportSize(size);
  await p.page.screenshot({ path: join(shots, `${name}.png`) });
  await p.page.setViewportSize(desktop);
}

/** The status card showing `text`. */
const card = (p: Person, text: string) => p.page.locator('article.status-card', { hasText: text });

/** Writes a post in the home feed's composer. */
async function post(p: Person, text: string, visibility?: string): Promise<void> {
  const form = p.page.getByRole('form', { name: 'New post' });
  await form.locator('textarea').fill(text);
  if (visibility) await form.getByLabel('Visibility').selectOption({ label: visibility });
  await form.getByRole('button', { name: 'Post', exact: true }).click();
  await card(p, text).waitFor();
}

/** Replies to the card showing `to` with `text` (after the names the composer starts with). */
async function reply(p: Person, to: string, text: string): Promise<void> {
  const c = card(p, to).first();
  await c.getByRole('button', { name: /^Reply/ }).click();
  const box = c.locator('textarea');
  assert.match(await box.inputValue(), /^@\w+ /, 'a reply starts by naming whom it answers');
  await box.press('End');
  await box.pressSequentially(text);
  await c
    .getByRole('form', { name: /^Reply to/ })
    .getByRole('button', { name: 'Reply', exact: true })
    .click();
  await c.locator('textarea').waitFor({ state: 'detached' });
}

describe('the social side of the web app', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await person('alice');
    bob = await person('bob');
    carol = await person('carol');
  });
  after(async () => {
    await closePeople([alice, bob, carol]);
    await h?.close();
  });

  test('the Home feed entry beside the servers opens the social side; Back returns to the chat', async () => {
    const a = alice.page;
    await a.goto(`${h.url}/channels/@me`);
    await a.getByRole('link', { name: /^Home feed/ }).click();
    await a.waitForURL(/\/social$/);
    await a.getByRole('form', { name: 'New post' }).waitFor();
    await a.getByText('Nothing here yet.').waitFor();
    await a.goBack();
    await a.waitForURL(/\/channels\/@me$/);
    await a.goForward();
    await a.waitForURL(/\/social$/);
  });

  test('alice edits her profile: name prefix and suffix, bio, a field, and approving followers by hand', async () => {
    const a = alice.page;
    await a.getByRole('link', { name: 'Profile', exact: true }).click();
    await a.waitForURL(new RegExp(`/@${alice.user.username}$`));
    await a.getByRole('button', { name: 'Edit profile' }).click();
    const dialog = a.getByRole('dialog', { name: 'Edit profile' });
    await dialog.getByLabel('Name prefix').fill('Dr.');
    await dialog.getByLabel('Display name').fill('Alice Liddell');
    await dialog.getByLabel('Name suffix').fill('PhD');
    await dialog
      .getByLabel('Bio')
      .fill(`Down the #rabbithole with @${bob.user.username}, see https://example.org`);
    await dialog.getByLabel('Field 1 label').fill('Pronouns');
    await dialog.getByLabel('Field 1 content').fill('she/her');
    await dialog.getByLabel('Approve followers by hand').check();
    // Images go as a multipart update_credentials.
    await dialog.getByLabel('Avatar').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
    await dialog
      .getByLabel('Banner')
      .setInputFiles({ name: 'banner.png', mimeType: 'image/png', buffer: png });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    const head = a.getByRole('region', { name: 'Profile' });
    // The chat side shows the same account's new display name.
    await a.locator('.user-panel .name', { hasText: 'Alice Liddell' }).waitFor();
    assert.equal((await head.getByRole('heading', { level: 1 }).innerText()).trim(), 'Dr. Alice Liddell PhD');
    await head.getByText('Approves followers').waitFor();
    await head.locator('.profile-id img.avatar[src^="/avatars/"]').waitFor();
    await head.locator('.banner-image img[src^="/banners/"]').waitFor();
    await head.locator('.hashtag', { hasText: '#rabbithole' }).waitFor();
    await head.locator(`a.mention[href="/@${bob.user.username}"]`).waitFor();
    assert.equal(await head.locator('a[href="https://example.org"][target="_blank"]').count(), 1);
    await head.locator('dt', { hasText: 'Pronouns' }).waitFor();
    await head.locator('dd', { hasText: 'she/her' }).waitFor();
    await shot(alice, 'social-profile-desktop');
    await shot(alice, 'social-profile-phone', phone);
  });

  test('bob asks to follow alice; she accepts from her notifications; his button follows', async () => {
    const b = bob.page;
    await b.goto(`${h.url}/@${alice.user.username}`);
    await b.getByRole('button', { name: 'Follow', exact: true }).click();
    await b.getByRole('button', { name: 'Requested' }).waitFor();

    const a = alice.page;
    await a.goto(`${h.url}/channels/@me`);
    // The unread badge on the rail counts the request.
    await a.getByRole('link', { name: 'Home feed, 1 unread notifications' }).waitFor();
    await a.goto(`${h.url}/social/notifications`);
    const requests = a.getByRole('region', { name: 'Follow requests' });
    await requests.getByText(bob.user.username).first().waitFor();
    await a.getByRole('region', { name: 'Notifications' }).getByText('asked to follow you').waitFor();
    await requests.getByRole('button', { name: 'Accept' }).click();
    await requests.waitFor({ state: 'detached' });
    await a.getByRole('link', { name: /^Home feed$/ }).waitFor();

    await b.reload();
    await b.getByRole('button', { name: 'Unfollow' }).waitFor();
    await b.getByRole('link', { name: '1 follower' }).click();
    await b.waitForURL(/\/followers$/);
    await b
      .getByRole('region', { name: /^Followers of/ })
      .getByText(bob.user.username)
      .first()
      .waitFor();
  });

  let postUrl = '';
  test('alice posts; bob sees it in his home feed, favourites and comments; comments nest and collapse', async () => {
    const a = alice.page;
    await a.goto(`${h.url}/social`);
    await post(alice, 'Curiouser and curiouser');
    // The counter counts down from the server's limit.
    const form = a.getByRole('form', { name: 'New post' });
    await form.locator('textarea').fill('12345');
    assert.equal(await form.getByTitle('Characters left').innerText(), '4995');
    await form.locator('textarea').fill('');

    const b = bob.page;
    await b.goto(`${h.url}/social`);
    const seen = card(bob, 'Curiouser and curiouser');
    await seen.locator('.social-name', { hasText: 'Dr. Alice Liddell PhD' }).waitFor();
    await seen.getByRole('button', { name: /^Favourite/ }).click();
    await seen.getByRole('button', { name: 'Favourite, 1' }).waitFor();
    await reply(bob, 'Curiouser and curiouser', 'said Alice');
    await seen.getByRole('button', { name: 'Reply, 1 replies' }).waitFor();

    // The status page: alice answers bob's comment and bob answers her, three levels deep.
    await seen.locator('a.status-time').click();
    await b.waitForURL(new RegExp(`/@${alice.user.username}/\\d+$`));
    postUrl = b.url();
    await card(bob, 'said Alice').waitFor();
    await a.goto(postUrl);
    await reply(alice, 'said Alice', 'quite so');
    await b.reload();
    await reply(bob, 'quite so', 'indeed, deeper');
    const deep = b.locator('ol.replies ol.replies ol.replies article.status-card', {
      hasText: 'indeed, deeper',
    });
    await deep.waitFor();

    // Collapsing bob's first comment hides its subtree; expanding shows it again.
    const first = card(bob, 'said Alice');
    await first.getByRole('button', { name: 'Hide replies' }).click();
    await card(bob, 'quite so').waitFor({ state: 'detached' });
    await card(bob, 'indeed, deeper').waitFor({ state: 'detached' });
    await first.getByRole('button', { name: 'Show 2 replies' }).click();
    await deep.waitFor();
    await shot(bob, 'social-thread-desktop');
    await shot(bob, 'social-thread-phone', phone);
  });

  test("bob's badge counts alice's reply; his notifications say so and clear it", async () => {
    const b = bob.page;
    await b.goto(`${h.url}/channels/@me`);
    await b.getByRole('link', { name: 'Home feed, 1 unread notifications' }).waitFor();
    await b.getByRole('link', { name: /^Home feed/ }).click();
    await b.getByRole('link', { name: 'Notifications, 1 unread' }).click();
    await b.waitForURL(/\/social\/notifications$/);
    await b.getByRole('region', { name: 'Notifications' }).getByText('replied to you').waitFor();
    await b.getByRole('link', { name: 'Notifications', exact: true }).waitFor();

    const a = alice.page;
    await a.goto(`${h.url}/social/notifications`);
    const list = a.getByRole('region', { name: 'Notifications' });
    await list.getByText('favourited your post').waitFor();
    assert.equal(await list.getByText('replied to you').count(), 2, "bob's two comments on her thread");
  });

  test('alice edits and deletes; the edit is marked and its history shown', async () => {
    const a = alice.page;
    // Her profile's posts leave her comments out; "Posts and replies" has them, each linked to what it answers.
    await a.goto(`${h.url}/@${alice.user.username}`);
    await card(alice, 'Curiouser and curiouser').waitFor();
    assert.equal(await card(alice, 'quite so').count(), 0);
    await a.getByRole('link', { name: 'Posts and replies' }).click();
    await card(alice, 'quite so')
      .getByRole('link', { name: `Replying to @${bob.user.username}` })
      .waitFor();
    await a.goto(`${h.url}/social`);
    const mine = card(alice, 'Curiouser and curiouser');
    await mine.getByRole('button', { name: 'Edit' }).click();
    const box = mine.getByRole('form', { name: 'Edit post' }).locator('textarea');
    assert.equal(await box.inputValue(), 'Curiouser and curiouser');
    await box.fill('Curiouser and curiouser!');
    await mine.getByRole('button', { name: 'Save' }).click();
    await mine.getByRole('button', { name: '(edited)' }).click();
    const history = a.getByRole('dialog', { name: 'Edit history' });
    await history.getByText('Original').waitFor();
    assert.equal(await history.locator('li').count(), 2);
    await a.keyboard.press('Escape');

    // Markup in a post is text: the server escapes it and the app builds elements, never HTML.
    await post(alice, 'look <b>here</b> <img src=x onerror="window.pwned=1">');
    const markup = card(alice, 'look <b>here</b>');
    assert.equal(await markup.locator('.status-content img, .status-content b').count(), 0);
    assert.equal(await a.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);

    await post(alice, 'a post to take back');
    await card(alice, 'a post to take back').getByRole('button', { name: 'Delete' }).click();
    await a.getByRole('dialog', { name: 'Delete post' }).getByRole('button', { name: 'Delete' }).click();
    await card(alice, 'a post to take back').waitFor({ state: 'detached' });
    await a.reload();
    await card(alice, 'Curiouser and curiouser!').waitFor();
    assert.equal(await card(alice, 'a post to take back').count(), 0);
  });

  test('a followers-only post reaches bob, not carol', async () => {
    await post(alice, 'only for my followers', 'Followers only');
    const id = await card(alice, 'only for my followers').getAttribute('data-status');

    await bob.page.goto(`${h.url}/social`);
    await card(bob, 'only for my followers').waitFor();

    const c = carol.page;
    await c.goto(`${h.url}/@${alice.user.username}`);
    await card(carol, 'Curiouser and curiouser!').waitFor();
    assert.equal(await card(carol, 'only for my followers').count(), 0);
    await c.goto(`${h.url}/@${alice.user.username}/${id}`);
    await c.getByText('This post does not exist or you cannot see it.').waitFor();
    await c.goto(`${h.url}/social/local`);
    await card(carol, 'Curiouser and curiouser!').waitFor();
    assert.equal(await card(carol, 'only for my followers').count(), 0);
  });

  test('a timeline loads older pages as it is scrolled (Link paging)', async () => {
    for (let i = 0; i < 24; i++) {
      const res = await h.api('POST', '/api/v1/statuses', {
        token: alice.user.token,
        body: { status: `page filler ${i}.` },
      });
      assert.equal(res.status, 200);
    }
    const c = carol.page;
    await c.goto(`${h.url}/social/local`);
    await card(carol, 'page filler 23.').waitFor();
    await c.locator('.feed-end').scrollIntoViewIfNeeded();
    await card(carol, 'page filler 0.').waitFor();
    await card(carol, 'Curiouser and curiouser!').waitFor();
    assert.equal(await card(carol, 'page filler 5.').count(), 1, 'each status once');
  });

  test('at phone width: the rail leads to the feed, a post opens, and Back returns', async () => {
    const b = bob.page;
    await b.setViewportSize(phone);
    await b.goto(`${h.url}/channels/@me`);
    await b.getByRole('link', { name: /^Home feed/ }).click();
    await b.waitForURL(/\/social$/);
    await card(bob, 'page filler 23.').locator('a.status-time').click();
    await b.waitForURL(/\/@\w+\/\d+$/);
    await b.locator('.focused').getByText('page filler 23.').waitFor();
    await shot(bob, 'social-post-phone', phone);
    await b.setViewportSize(phone);
    await b.goBack();
    await b.waitForURL(/\/social$/);
    await b.getByRole('link', { name: 'Chat' }).click();
    await b.waitForURL(/\/channels\/@me$/);
    // A deep link to a post gets the feed put beneath it, so Back stays in the app.
    await b.goto(postUrl);
    await card(bob, 'said Alice').waitFor();
    await b.getByRole('button', { name: 'Back' }).click();
    await b.waitForURL(/\/social$/);
    await b.setViewportSize(desktop);
  });
});
