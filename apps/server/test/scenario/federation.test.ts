import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHearth, type TestServer } from '../harness';
import { mastodon, post, uploadPng } from '../social-helpers';

// Hearth's ActivityPub side on one instance (ADR 0040): discovery documents, actors and notes, and what an inbox
// refuses. Two instances talking to each other are tested in multi-process/federation.test.ts.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

const ap = { accept: 'application/activity+json' };
const get = (path: string, headers: Record<string, string> = {}) =>
  h.api('GET', path, { root: true, headers });

describe('discovery', () => {
  test('WebFinger answers a local account and nothing else', async () => {
    const u = await h.register();
    const res = await get(`/.well-known/webfinger?resource=acct:${u.username}@hearth.test`);
    assert.equal(res.status, 200);
    assert.equal(res.body.subject, `acct:${u.username}@hearth.test`);
    const self = res.body.links.find((l: any) => l.rel === 'self');
    assert.equal(self.href, `http://hearth.test/users/${u.id}`);
    assert.equal(self.type, 'application/activity+json');
    assert.equal((await get('/.well-known/webfinger?resource=acct:nobody@hearth.test')).status, 404);
    assert.equal(
      (await get(`/.well-known/webfinger?resource=acct:${u.username}@elsewhere.example`)).status,
      404,
    );
    // The Mastodon API names the same actor.
    assert.equal((await m('GET', `/api/v1/accounts/${u.id}`)).body.uri, `http://hearth.test/users/${u.id}`);
  });

  test('NodeInfo 2.1 counts local people and statuses; host-meta points at WebFinger', async () => {
    const links = await get('/.well-known/nodeinfo');
    assert.equal(links.status, 200);
    assert.equal(links.body.links[0].href, 'http://hearth.test/nodeinfo/2.1');
    const before = (await get('/nodeinfo/2.1')).body;
    const u = await h.register();
    await post(h, u, { status: 'counted' });
    const now = (await get('/nodeinfo/2.1')).body;
    assert.equal(now.version, '2.1');
    assert.equal(now.software.name, 'hearth');
    assert.deepEqual(now.protocols, ['activitypub']);
    assert.equal(now.usage.users.total, before.usage.users.total + 1);
    assert.equal(now.usage.localPosts, before.usage.localPosts + 1);
    const meta = await get('/.well-known/host-meta');
    assert.equal(meta.status, 200);
    assert.match(meta.text, /template="http:\/\/hearth.test\/.well-known\/webfinger\?resource=\{uri\}"/);
  });
});

describe('actors and notes', () => {
  test('a Person with both keys, its collections and profile; the instance actor', async () => {
    const u = await h.register();
    const updated = await m('PATCH', '/api/v1/accounts/update_credentials', u, {
      locked: true,
      discoverable: false,
      fields_attributes: { 0: { name: 'site', value: 'example.com' } },
    });
    assert.equal(updated.status, 200, updated.text);
    const res = await get(`/users/${u.id}`, ap);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/activity\+json/);
    const p = res.body;
    assert.equal(p.type, 'Person');
    assert.equal(p.id, `http://hearth.test/users/${u.id}`);
    assert.equal(p.preferredUsername, u.username);
    assert.equal(p.inbox, `http://hearth.test/users/${u.id}/inbox`);
    assert.equal(p.outbox, `http://hearth.test/users/${u.id}/outbox`);
    assert.equal(p.followers, `http://hearth.test/users/${u.id}/followers`);
    assert.equal(p.following, `http://hearth.test/users/${u.id}/following`);
    assert.equal(p.endpoints.sharedInbox, 'http://hearth.test/inbox');
    assert.equal(p.manuallyApprovesFollowers, true);
    assert.equal(p.discoverable, false);
    assert.equal(p.publicKey.owner, p.id);
    assert.match(p.publicKey.publicKeyPem, /BEGIN PUBLIC KEY/);
    const methods = [p.assertionMethod].flat();
    assert.ok(
      methods.some((k: any) => k.type === 'Multikey' && k.publicKeyMultibase.startsWith('z6Mk')),
      'Ed25519',
    );
    assert.deepEqual(
      [p.attachment].flat().map((a: any) => [a.type, a.name, a.value]),
      [['PropertyValue', 'site', 'example.com']],
    );
    // The same keys every time (made once, kept).
    assert.equal((await get(`/users/${u.id}`, ap)).body.publicKey.publicKeyPem, p.publicKey.publicKeyPem);
    const followers = await get(`/users/${u.id}/followers`, ap);
    assert.equal(followers.status, 200);
    assert.equal(followers.body.totalItems, 0);

    const instance = (await get('/users/instance', ap)).body;
    assert.equal(instance.type, 'Application');
    assert.match(instance.publicKey.publicKeyPem, /BEGIN PUBLIC KEY/);
  });

  test('unknown, non-numeric and disabled accounts are no actors; a browser is not answered JSON-LD', async () => {
    assert.equal((await get('/users/123456789012345678', ap)).status, 404);
    assert.equal((await get('/users/nobody', ap)).status, 404);
    const u = await h.register();
    const html = await get(`/users/${u.id}`, { accept: 'text/html' });
    assert.doesNotMatch(html.headers.get('content-type') ?? '', /activity\+json|ld\+json/);
  });

  test('a public status is a Note; a followers-only one is not served', async () => {
    const u = await h.register();
    const pub = await post(h, u, { status: 'in the open' });
    const priv = await post(h, u, { status: 'just friends', visibility: 'private' });
    const note = await get(`/users/${u.id}/statuses/${pub}`, ap);
    assert.equal(note.status, 200);
    assert.equal(note.body.type, 'Note');
    assert.equal(note.body.attributedTo, `http://hearth.test/users/${u.id}`);
    assert.equal(note.body.content, '<p>in the open</p>');
    assert.equal(note.body.to, 'as:Public');
    assert.equal((await m('GET', `/api/v1/statuses/${pub}`, u)).body.uri, note.body.id);
    assert.equal((await get(`/users/${u.id}/statuses/${priv}`, ap)).status, 404);
  });

  test("a status's media are in its Note as Documents another instance can fetch", async () => {
    const u = await h.register();
    const media = await uploadPng(h, u, {
      width: 64,
      height: 48,
      colour: '#cc3300',
      description: 'an orange square',
    });
    const id = await post(h, u, { status: 'look', media_ids: [media] });
    const note = await get(`/users/${u.id}/statuses/${id}`, ap);
    assert.equal(note.status, 200);
    const [doc, ...more] = [note.body.attachment].flat();
    assert.equal(more.length, 0);
    assert.equal(doc.type, 'Document');
    assert.equal(doc.mediaType, 'image/png');
    assert.equal(doc.name, 'an orange square');
    assert.deepEqual([doc.width, doc.height], [64, 48]);
    // The same plain URL the Mastodon API gives for the posted status, on the public address, with no signature.
    const status = await m('GET', `/api/v1/statuses/${id}`, u);
    assert.equal(doc.url, status.body.media_attachments[0].url);
    assert.match(doc.url, /^http:\/\/hearth\.test\/[^?]+$/);
    const file = await fetch(doc.url.replace('http://hearth.test', h.url));
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'image/png');
    // A status without media has none in its Note.
    const plain = await post(h, u, { status: 'words only' });
    assert.equal((await get(`/users/${u.id}/statuses/${plain}`, ap)).body.attachment, undefined);
  });
});

describe('inbox safety', () => {
  test('an unsigned activity is refused and changes nothing', async () => {
    const u = await h.register();
    const follow = {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: 'https://evil.example/follows/1',
      type: 'Follow',
      actor: 'https://evil.example/users/mallory',
      object: `http://hearth.test/users/${u.id}`,
    };
    for (const path of [`/users/${u.id}/inbox`, '/inbox']) {
      const res = await h.api('POST', path, {
        root: true,
        raw: JSON.stringify(follow),
        headers: { 'content-type': 'application/activity+json' },
      });
      assert.equal(res.status, 401, path);
    }
    assert.equal((await m('GET', `/api/v1/accounts/${u.id}`)).body.followers_count, 0);
    assert.deepEqual((await m('GET', '/api/v1/follow_requests', u)).body, []);
  });

  test('an oversized body is refused before it is read', async () => {
    const res = await h.api('POST', '/inbox', {
      root: true,
      raw: 'x'.repeat(1024 * 1024 + 1),
      headers: { 'content-type': 'application/activity+json' },
    });
    assert.equal(res.status, 413);
  });

  test('looking up an account on a private or loopback address fetches nothing and finds nothing', async () => {
    const u = await h.register();
    for (const acct of [
      'someone@127.0.0.1',
      'someone@localhost',
      'someone@10.0.0.1',
      'someone@[::1]',
      'x@169.254.169.254',
    ])
      assert.equal(
        (await m('GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`, u)).status,
        404,
        acct,
      );
  });
});
