import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHearth, type TestServer } from '../harness';
import { mastodon } from '../social-helpers';

// A status naming `@name@host` accounts not known here looks them up before it is saved (ADR 0040); an instance
// that never answers must not hold the post: the save waits a bounded time, and the mention stays plain text.

let h: TestServer;
before(async () => {
  h = await startHearth({});
});
after(() => h.close());

test('a status whose remote mentions are never answered is saved, the mention left as text', async () => {
  const asked: string[] = [];
  // An instance that never answers: the lookup stays pending for ever.
  h.app.services.social.posts.setResolver({
    resolve: (acct) => {
      asked.push(acct);
      return new Promise<string | null>(() => {});
    },
  });
  const u = await h.register();
  const res = await mastodon(h)('POST', '/api/v1/statuses', u, { status: 'hi @ghost@silent.example' });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(asked, ['ghost@silent.example']);
  assert.match(res.body.content, /@ghost@silent\.example/);
  assert.doesNotMatch(res.body.content, /<a /);
  assert.deepEqual(res.body.mentions, []);
});
