import assert from 'node:assert/strict';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import generator, { type Entity, type MegalodonInterface, type WebSocketInterface } from 'megalodon';
import sharp from 'sharp';
import { startHearth, type TestServer, type TestUser } from '../harness';

// megalodon, unmodified, against Hearth's Mastodon client API: a second client library beside masto.js. It signs in
// the way apps do (registerApp's authorization URL, the consent page, fetchAccessToken), then posts with media,
// replies, favourites, follows a locked account, reads notifications and listens on the user stream.

let h: TestServer;
let png: Buffer;
let pngPath: string;
before(async () => {
  h = await startHearth();
  png = await sharp({ create: { width: 64, height: 48, channels: 4, background: '#33aa66' } })
    .png()
    .toBuffer();
  // megalodon sends files with the form-data package, which reads a stream (its README's way: a file's stream).
  pngPath = join(h.dataDir, 'green.png');
  writeFileSync(pngPath, png);
});
after(() => h.close());

const REDIRECT = 'https://megalodon.example/callback';

/** megalodon's OAuth helpers, with the person's part (the consent page's form) done as a browser would. */
async function signIn(user: TestUser): Promise<MegalodonInterface & { token: string }> {
  const anonymous = generator('mastodon', h.url);
  const app = await anonymous.registerApp('megalodon test', {
    scopes: ['read', 'write', 'follow'],
    redirect_uris: REDIRECT,
    website: 'https://megalodon.example',
  });
  assert.ok(app.url && app.client_secret);
  const authorizeUrl = new URL(app.url);
  assert.equal(authorizeUrl.pathname, '/oauth/authorize');
  const page = await fetch(authorizeUrl);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Authorize megalodon test/);
  const approved = await fetch(`${h.url}/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...Object.fromEntries(authorizeUrl.searchParams),
      login: user.email,
      password: user.password,
      decision: 'allow',
    }).toString(),
    redirect: 'manual',
  });
  assert.equal(approved.status, 302);
  const code = new URL(approved.headers.get('location') ?? '').searchParams.get('code');
  assert.ok(code);
  const token = await anonymous.fetchAccessToken(app.client_id, app.client_secret, code, REDIRECT);
  assert.ok(token.access_token);
  assert.equal(token.scope, 'read write follow');
  return Object.assign(generator('mastodon', h.url, token.access_token), { token: token.access_token });
}

/** The next event of a kind on a megalodon stream that passes `match`. */
function next<T>(stream: WebSocketInterface, event: string, match: (value: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const listener = (value: T) => {
      if (!match(value)) return;
      stream.removeListener(event, listener);
      resolve(value);
    };
    stream.on(event, listener);
  });
}

describe('megalodon', () => {
  test('OAuth sign-in, locked follow, media post, reply, favourite, notifications and the user stream', async () => {
    const [aliceUser, bobUser] = [await h.register(), await h.register()];
    const alice = await signIn(aliceUser);
    const bob = await signIn(bobUser);

    const app = await alice.verifyAppCredentials();
    assert.equal(app.data.name, 'megalodon test');
    const me = (await alice.verifyAccountCredentials()).data;
    assert.equal(me.id, aliceUser.id);

    // Bob's account is locked: Alice's follow is a request until he accepts it.
    const locked = await bob.updateCredentials({ locked: true });
    assert.equal(locked.data.locked, true);
    const requested = await alice.followAccount(bobUser.id);
    assert.equal(requested.data.requested, true);
    assert.equal(requested.data.following, false);
    const requests = await bob.getFollowRequests();
    assert.deepEqual(
      requests.data.map((a) => (a as Entity.Account).id),
      [aliceUser.id],
    );
    const accepted = await bob.acceptFollowRequest(aliceUser.id);
    assert.equal(accepted.data.followed_by, true);
    const [rel] = (await alice.getRelationships([bobUser.id])).data;
    assert.equal(rel.following, true);
    // Bob follows Alice back (she is not locked), so her statuses reach his home stream.
    assert.equal((await bob.followAccount(aliceUser.id)).data.following, true);

    // userStreaming() connects to the instance's `urls.streaming_api`; the test server's public URL (hearth.test)
    // does not resolve here, so the same megalodon socket is opened at the address the server listens on.
    assert.equal(await bob.streamingURL(), 'ws://hearth.test');
    const megalodonApi = (
      bob as unknown as { client: { socket(url: string, stream: string): WebSocketInterface } }
    ).client;
    const stream = megalodonApi.socket(`${h.url.replace(/^http/, 'ws')}/api/v1/streaming`, 'user');
    await new Promise<void>((resolve) => stream.once('connect', () => resolve()));
    try {
      const media = await alice.uploadMedia(createReadStream(pngPath), {
        description: 'a green square',
      });
      assert.equal(media.data.type, 'image');
      const arriving = next<Entity.Status>(stream, 'update', (s) => s.account.id === aliceUser.id);
      const posted = await alice.postStatus(`hello from megalodon @${bobUser.username}`, {
        media_ids: [media.data.id],
        visibility: 'public',
      });
      const status = posted.data as Entity.Status;
      assert.equal(status.media_attachments.length, 1);
      assert.equal(status.media_attachments[0].description, 'a green square');
      const live = await arriving;
      assert.equal(live.id, status.id);
      assert.equal(live.media_attachments[0].id, media.data.id);

      const reply = (await bob.postStatus(`@${aliceUser.username} lovely`, { in_reply_to_id: status.id }))
        .data as Entity.Status;
      assert.equal(reply.in_reply_to_id, status.id);
      const context = await alice.getStatusContext(status.id);
      assert.deepEqual(
        context.data.descendants.map((s) => s.id),
        [reply.id],
      );

      const favourited = await bob.favouriteStatus(status.id);
      assert.equal(favourited.data.favourited, true);
      assert.equal(favourited.data.favourites_count, 1);

      // Emoji reactions through megalodon's Pleroma client (Pleroma's routes), with the same token.
      const bobPleroma = generator('pleroma', h.url, bob.token);
      const reacted = await bobPleroma.createEmojiReaction(status.id, '🎉');
      assert.deepEqual(
        reacted.data.emoji_reactions.map((r) => [r.name, r.count, r.me]),
        [['🎉', 1, true]],
      );
      const reactions = await generator('pleroma', h.url, alice.token).getEmojiReactions(status.id);
      assert.deepEqual(
        reactions.data.map((r) => [r.name, r.count, r.me, r.accounts?.map((a) => a.id)]),
        [['🎉', 1, false, [bobUser.id]]],
      );

      // Alice's favourite of Bob's reply reaches his stream as a notification.
      const notified = next<Entity.Notification>(stream, 'notification', (n) => n.type === 'favourite');
      await alice.favouriteStatus(reply.id);
      const note = await notified;
      assert.equal(note.account?.id, aliceUser.id);
      assert.equal(note.status?.id, reply.id);
    } finally {
      stream.stop();
    }

    const notifications = (await alice.getNotifications()).data;
    const kinds = notifications.map((n) => [n.type, n.account?.id]);
    // megalodon's Mastodon client leaves out types Mastodon lacks; its Pleroma client names the reaction.
    assert.deepEqual(kinds, [
      ['favourite', bobUser.id],
      ['mention', bobUser.id],
      ['follow', bobUser.id],
    ]);
    const asPleroma = (await generator('pleroma', h.url, alice.token).getNotifications()).data;
    assert.deepEqual(
      asPleroma.map((n) => [n.type, n.account?.id, n.reaction?.name]),
      [
        ['reaction', bobUser.id, '🎉'],
        ['favourite', bobUser.id, undefined],
        ['mention', bobUser.id, undefined],
        ['follow', bobUser.id, undefined],
      ],
    );
    const bobs = (await bob.getNotifications()).data.map((n) => n.type);
    assert.ok(bobs.includes('mention'));
    assert.ok(bobs.includes('favourite'));

    const home = (await bob.getHomeTimeline()).data.map((s) => s.id);
    assert.ok(home.length >= 2);

    // Revoking the token through megalodon signs that app out.
    const anonymous = generator('mastodon', h.url);
    const app2 = await anonymous.registerApp('megalodon revoke', {
      scopes: ['read'],
      redirect_uris: REDIRECT,
    });
    const cc = await fetch(`${h.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: app2.client_id,
        client_secret: app2.client_secret,
      }),
    });
    const appToken = ((await cc.json()) as { access_token: string }).access_token;
    assert.equal(
      (await generator('mastodon', h.url, appToken).verifyAppCredentials()).data.name,
      'megalodon revoke',
    );
    await anonymous.revokeToken(app2.client_id, app2.client_secret ?? '', appToken);
    await assert.rejects(generator('mastodon', h.url, appToken).verifyAppCredentials());
  });
});
