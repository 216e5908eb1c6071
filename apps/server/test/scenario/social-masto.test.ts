import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOAuthAPIClient, createRestAPIClient, MastoHttpError, type mastodon } from 'masto';
import { startHearth, type TestServer, type TestUser } from '../harness';

// masto.js, unmodified, against Hearth's Mastodon client API: registering an app, signing in with the password
// grant, then what a client does first (verify_credentials, post, follow, home timeline, paging by Link,
// notifications and markers).

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

const OOB = 'urn:ietf:wg:oauth:2.0:oob';

async function signIn(
  user: TestUser,
): Promise<{ client: mastodon.rest.Client; app: mastodon.v1.Client; token: string }> {
  const anonymous = createRestAPIClient({ url: h.url });
  const app = await anonymous.v1.apps.create({
    clientName: 'masto test',
    redirectUris: OOB,
    scopes: 'read write follow',
  });
  assert.ok(app.clientId && app.clientSecret);
  const oauth = createOAuthAPIClient({ url: h.url });
  const token = await oauth.token.create({
    grantType: 'password',
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: OOB,
    username: user.email,
    password: user.password,
    scope: 'read write follow',
  });
  assert.equal(token.tokenType, 'Bearer');
  return {
    client: createRestAPIClient({ url: h.url, accessToken: token.accessToken }),
    app,
    token: token.accessToken,
  };
}

describe('masto.js', () => {
  test('sign in, verify_credentials, post, reply, favourite, follow, home timeline, paging', async () => {
    const [alice, bob] = [await h.register(), await h.register()];
    const { client: a } = await signIn(alice);
    const { client: b } = await signIn(bob);

    const instance = await createRestAPIClient({ url: h.url }).v2.instance.fetch();
    assert.equal(instance.domain, 'hearth.test');

    const me = await a.v1.accounts.verifyCredentials();
    assert.equal(me.id, alice.id);
    assert.equal(me.username, alice.username);
    assert.equal(me.source.privacy, 'public');

    const updated = await a.v1.accounts.updateCredentials({
      displayName: 'Alice',
      note: 'hi',
      fieldsAttributes: [{ name: 'pronouns', value: 'she/her' }],
    });
    assert.equal(updated.displayName, 'Alice');
    assert.deepEqual(
      updated.fields.map((f) => [f.name, f.value]),
      [['pronouns', 'she/her']],
    );

    const rel = await b.v1.accounts.$select(alice.id).follow();
    assert.equal(rel.following, true);
    const [seen] = await b.v1.accounts.relationships.fetch({ id: [alice.id] });
    assert.equal(seen.following, true);

    const first = await a.v1.statuses.create({ status: 'hello from masto #first', visibility: 'public' });
    assert.equal(first.account.id, alice.id);
    assert.equal(first.reblog, null);
    const reply = await b.v1.statuses.create({ status: `@${alice.username} welcome`, inReplyToId: first.id });
    assert.equal(reply.inReplyToId, first.id);
    const fav = await b.v1.statuses.$select(first.id).favourite();
    assert.equal(fav.favourited, true);
    assert.equal(fav.favouritesCount, 1);
    const context = await a.v1.statuses.$select(first.id).context.fetch();
    assert.deepEqual(
      context.descendants.map((s) => s.id),
      [reply.id],
    );

    const more = [];
    for (let i = 0; i < 3; i++) more.push((await a.v1.statuses.create({ status: `n${i}` })).id);
    const home = await b.v1.timelines.home.list({ limit: 40 });
    assert.deepEqual(
      home.map((s) => s.id),
      [...more.reverse(), reply.id, first.id],
    );
    // masto.js follows the Link header from page to page.
    const pages: string[][] = [];
    for await (const page of b.v1.timelines.home.list({ limit: 2 })) {
      pages.push(page.map((s) => s.id));
      if (pages.length > 5) break;
    }
    assert.deepEqual(
      pages.flat(),
      home.map((s) => s.id),
    );

    const followers = await a.v1.accounts.$select(alice.id).followers.list();
    assert.deepEqual(
      followers.map((x) => x.id),
      [bob.id],
    );
    // Notifications: bob's follow, his mention (the reply names alice) and his favourite, newest first.
    const notes = await a.v1.notifications.list({ limit: 40 });
    assert.deepEqual(
      notes.map((n) => [n.type, n.account.id, n.status?.id ?? null]),
      [
        ['favourite', bob.id, first.id],
        ['mention', bob.id, reply.id],
        ['follow', bob.id, null],
      ],
    );
    const mentions = await a.v1.notifications.list({ types: ['mention'] });
    assert.deepEqual(
      mentions.map((n) => n.id),
      [notes[1].id],
    );
    const pagedNotes: string[] = [];
    for await (const page of a.v1.notifications.list({ limit: 1 })) {
      pagedNotes.push(...page.map((n) => n.id));
      if (pagedNotes.length > 5) break;
    }
    assert.deepEqual(
      pagedNotes,
      notes.map((n) => n.id),
    );
    assert.equal((await a.v1.notifications.$select(notes[2].id).fetch()).type, 'follow');
    assert.equal((await a.v1.notifications.unreadCount.fetch()).count, 3);
    const marker = await a.v1.markers.create({ notifications: { lastReadId: notes[1].id } });
    assert.equal(marker.notifications.lastReadId, notes[1].id);
    assert.equal((await a.v1.notifications.unreadCount.fetch()).count, 1);
    assert.equal(
      (await a.v1.markers.fetch({ timeline: ['notifications'] })).notifications.lastReadId,
      notes[1].id,
    );
    await a.v1.notifications.$select(notes[0].id).dismiss();
    assert.equal((await a.v1.notifications.list()).length, 2);
    await a.v1.notifications.clear();
    assert.deepEqual(await a.v1.notifications.list(), []);
    await assert.rejects(
      b.v1.notifications.$select(notes[1].id).dismiss(),
      (err) => err instanceof MastoHttpError && err.statusCode === 404,
    );

    const edited = await a.v1.statuses.$select(first.id).update({ status: 'edited from masto' });
    assert.ok(edited.editedAt);
    const removed = await a.v1.statuses.$select(more[0]).remove();
    assert.equal(removed.text, 'n2');
  });

  test('a hidden status is a 404 to masto.js; a revoked token is refused', async () => {
    const [alice, eve] = [await h.register(), await h.register()];
    const { client: a, app, token } = await signIn(alice);
    const { client: e } = await signIn(eve);
    const secret = await a.v1.statuses.create({ status: 'followers only', visibility: 'private' });
    await assert.rejects(
      e.v1.statuses.$select(secret.id).fetch(),
      (err) => err instanceof MastoHttpError && err.statusCode === 404,
    );
    await createOAuthAPIClient({ url: h.url }).revoke({
      clientId: app.clientId as string,
      clientSecret: app.clientSecret as string,
      token,
    });
    await assert.rejects(
      a.v1.accounts.verifyCredentials(),
      (err) => err instanceof MastoHttpError && err.statusCode === 401,
    );
    // A wrong password or client secret gets no token.
    await assert.rejects(
      createOAuthAPIClient({ url: h.url }).token.create({
        grantType: 'password',
        clientId: app.clientId as string,
        clientSecret: 'wrong',
        redirectUri: OOB,
        username: alice.email,
        password: alice.password,
      }),
      (err) => err instanceof MastoHttpError && err.statusCode === 401,
    );
    await assert.rejects(
      createOAuthAPIClient({ url: h.url }).token.create({
        grantType: 'password',
        clientId: app.clientId as string,
        clientSecret: app.clientSecret as string,
        redirectUri: OOB,
        username: alice.email,
        password: 'not the password',
      }),
      (err) => err instanceof MastoHttpError && err.statusCode === 400 && err.message === 'invalid_grant',
    );
  });
});
