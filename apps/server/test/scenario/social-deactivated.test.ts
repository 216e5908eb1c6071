import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { users } from '../../src/store/schema';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

// A deactivated (disabled) account is gone from the social side, as Mastodon hides a suspended one: its profile,
// statuses and media answer 404 to everyone, in every read; reactivating brings them back.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

const setDisabled = (u: TestUser, disabled: boolean) =>
  h.app.database.db.update(users).set({ disabled }).where(eq(users.id, u.id));

async function uploadPng(u: TestUser): Promise<string> {
  const png = await sharp({ create: { width: 40, height: 30, channels: 4, background: '#00aa00' } })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)]), 'dot.png');
  const res = await fetch(`${h.url}/api/v1/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${u.token}` },
    body: form,
  });
  assert.equal(res.status, 200);
  return (await res.json()).id;
}

const fetchStatus = async (url: string) => (await fetch(url.replace('http://hearth.test', h.url))).status;

describe('deactivated accounts', () => {
  test('profile, statuses, context, timelines, search and media are 404 or absent; reactivation restores', async () => {
    const [gone, follower, replier] = [await h.register(), await h.register(), await h.register()];
    assert.equal((await m('POST', `/api/v1/accounts/${gone.id}/follow`, follower)).status, 200);
    const media = await uploadPng(gone);
    const word = `vanish${Math.random().toString(36).slice(2, 8)}`;
    const pub = await post(h, gone, { status: `${word} #${word}`, media_ids: [media] });
    const priv = await post(h, gone, { status: 'friends only', visibility: 'private' });
    const reply = await post(h, replier, { status: 'a reply', in_reply_to_id: pub });
    const url: string = (await m('GET', `/api/v1/statuses/${pub}`, null)).body.media_attachments[0].url;
    assert.equal(await fetchStatus(url), 200);

    await setDisabled(gone, true);
    for (const viewer of [null, follower]) {
      const who = viewer ? 'follower' : 'signed out';
      assert.equal((await m('GET', `/api/v1/statuses/${pub}`, viewer)).status, 404, who);
      assert.equal((await m('GET', `/api/v1/accounts/${gone.id}`, viewer)).status, 404, who);
      assert.equal((await m('GET', `/api/v1/accounts/${gone.id}/statuses`, viewer)).status, 404, who);
      const context = await m('GET', `/api/v1/statuses/${reply}/context`, viewer);
      assert.equal(context.status, 200);
      assert.deepEqual(context.body.ancestors, [], `${who}: no ancestor from the deactivated account`);
      const local = await m('GET', '/api/v1/timelines/public?limit=40', viewer);
      assert.ok(!local.body.some((s: { id: string }) => s.id === pub), who);
      const tagged = await m('GET', `/api/v1/timelines/tag/${word}`, viewer);
      assert.deepEqual(tagged.body, [], who);
    }
    assert.equal((await m('GET', `/api/v1/statuses/${priv}`, follower)).status, 404);
    const home = await m('GET', '/api/v1/timelines/home', follower);
    assert.ok(!home.body.some((s: { id: string }) => [pub, priv].includes(s.id)));
    const found = await m('GET', `/api/v2/search?q=${word}&type=statuses`, follower);
    assert.deepEqual(found.body.statuses, []);
    assert.equal(await fetchStatus(url), 404, 'its media is no longer served');
    assert.equal((await m('POST', `/api/v1/statuses/${pub}/favourite`, follower)).status, 404);

    await setDisabled(gone, false);
    assert.equal((await m('GET', `/api/v1/statuses/${pub}`, null)).status, 200);
    assert.equal((await m('GET', `/api/v1/accounts/${gone.id}`, null)).status, 200);
    assert.equal(await fetchStatus(url), 200);
  });
});
