// The web app's media library: Alice has two uploads, one in a post. She sees both with their reference count,
// edits the alt text of the posted one (Bob, reading the post, gets it), moves it to the trash (the post loses it),
// restores it, and deletes it for good from the trash. Bob's library has none of hers. At desktop and phone width.
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
  png,
  shots,
  signedInPerson,
  startWebHearth,
} from './chromium';

let h: TestServer;
let alice: Person;
let bob: Person;
let posted: string;
let statusId: string;
let loose: string;

async function upload(p: Person): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)]), 'red.png');
  const res = await fetch(`${h.url}/api/v2/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.user.token}` },
    body: form,
  });
  assert.equal(res.status, 200);
  return (await res.json()).id;
}

/** The media ids and their alt text of Alice's post, as Bob reads it. */
async function postMedia(): Promise<Array<[string, string | null]>> {
  const res = await mastodon(h)('GET', `/api/v1/statuses/${statusId}`, bob.user);
  assert.equal(res.status, 200, res.text);
  return res.body.media_attachments.map((m: { id: string; description: string | null }) => [
    m.id,
    m.description,
  ]);
}

describe('the media library in the web app', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    posted = await upload(alice);
    loose = await upload(alice);
    const res = await mastodon(h)('POST', '/api/v1/statuses', alice.user, {
      status: 'red square',
      media_ids: [posted],
    });
    assert.equal(res.status, 200, res.text);
    statusId = res.body.id;
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test('desktop: uploads with their reference count; alt text; trash, restore, delete for good', async () => {
    const a = alice.page;
    await a.goto(`${h.url}/social`);
    await a.getByRole('link', { name: 'Media', exact: true }).click();
    await a.waitForURL(/\/social\/media$/);
    const uploads = a.getByRole('list', { name: 'Uploads' });
    const cards = uploads.getByRole('listitem');
    await cards.nth(1).waitFor();
    assert.equal(await cards.count(), 2);
    // Newest first: the loose upload, then the posted one.
    const used = cards.nth(1);
    await used.getByRole('link', { name: 'Used in 1 post' }).waitFor();
    await cards.nth(0).getByText('Not used in any post').waitFor();

    // Alt text of the posted one: Bob reads it on the post.
    await used.getByRole('textbox', { name: 'Alt text' }).fill('A red square on white');
    await used.getByRole('button', { name: 'Save alt text' }).click();
    await used.getByRole('button', { name: 'Save alt text' }).waitFor({ state: 'detached' });
    assert.deepEqual(await postMedia(), [[posted, 'A red square on white']]);
    await a.screenshot({ path: join(shots, 'social-media-library.png') });

    // The link leads to the post.
    await used.getByRole('link', { name: 'Used in 1 post' }).click();
    await a.waitForURL(new RegExp(`/@${alice.user.username}/${statusId}$`));
    await a.getByRole('img', { name: 'A red square on white' }).first().waitFor();
    await a.goto(`${h.url}/social/media`);

    // To the trash: it leaves the post and this list, and the Trash tab has it.
    const card = a.getByRole('listitem', { name: 'Upload: A red square on white' });
    await card.getByRole('button', { name: 'Move to trash' }).click();
    await card.waitFor({ state: 'detached' });
    assert.deepEqual(await postMedia(), []);
    await a.getByRole('link', { name: 'Trash', exact: true }).click();
    await a.waitForURL(/\/social\/media\/trash$/);
    const trashed = a.getByRole('list', { name: 'Trash' }).getByRole('listitem');
    await trashed.first().waitFor();
    assert.equal(await trashed.count(), 1);
    await trashed.first().getByRole('button', { name: 'Restore' }).click();
    await a.getByText('The trash is empty.').waitFor();
    assert.deepEqual(await postMedia(), [[posted, 'A red square on white']]);

    // Trashed again and deleted for good, after a confirmation.
    await a.getByRole('link', { name: 'Uploads', exact: true }).click();
    await a
      .getByRole('listitem', { name: 'Upload: A red square on white' })
      .getByRole('button', { name: 'Move to trash' })
      .click();
    await a.getByRole('link', { name: 'Trash', exact: true }).click();
    await a.getByRole('button', { name: 'Delete for good' }).click();
    const dialog = a.getByRole('dialog', { name: 'Delete for good?' });
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await a.getByText('The trash is empty.').waitFor();
    assert.deepEqual(await postMedia(), []);
    assert.equal((await mastodon(h)('GET', `/api/v1/media/${posted}`, alice.user)).status, 404);

    // Bob's library has nothing of Alice's.
    await bob.page.goto(`${h.url}/social/media`);
    await bob.page.getByText('No uploads yet.').waitFor();
  });

  test('phone: the bar leads to the library; one column, nothing wider than the phone; trash and restore', async () => {
    const a = alice.page;
    await a.setViewportSize(phone);
    try {
      await a.goto(`${h.url}/social`);
      await a.getByRole('link', { name: 'Media', exact: true }).click();
      await a.waitForURL(/\/social\/media$/);
      const card = a.getByRole('list', { name: 'Uploads' }).getByRole('listitem').first();
      await card.getByText('Not used in any post').waitFor();
      const wide = await a.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= phone.width, `page is ${wide}px wide`);
      const box = await card.boundingBox();
      assert.ok(box && box.width > phone.width * 0.8, 'a card fills the width');
      await a.screenshot({ path: join(shots, 'social-media-library-phone.png') });
      await card.getByRole('textbox', { name: 'Alt text' }).fill('Loose square');
      await card.getByRole('button', { name: 'Save alt text' }).click();
      await a
        .getByRole('listitem', { name: 'Upload: Loose square' })
        .getByRole('button', { name: 'Move to trash' })
        .click();
      await a.getByText('No uploads yet.').waitFor();
      await a.getByRole('link', { name: 'Trash', exact: true }).click();
      await a
        .getByRole('listitem', { name: 'Upload: Loose square' })
        .getByRole('button', { name: 'Restore' })
        .click();
      await a.getByText('The trash is empty.').waitFor();
      const library = await mastodon(h)('GET', '/api/v1/hearth/media', alice.user);
      assert.deepEqual(
        library.body.map((m: { id: string; description: string }) => [m.id, m.description]),
        [[loose, 'Loose square']],
      );
    } finally {
      await a.setViewportSize(desktop);
    }
  });
});
