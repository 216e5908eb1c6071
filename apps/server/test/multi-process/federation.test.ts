import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, freshPostgres } from '../harness';
import { callApi, type HearthProcess, requestJson, startProcess, waitForHealth } from '../process';

// Two Hearth instances federating over ActivityPub (ADR 0040): A at http://127.0.0.1:<port>, B at
// http://localhost:<port> — two host names, both loopback — each on its own database (PGlite, or a fresh PostgreSQL
// database each when DATABASE_URL is set). Plain HTTP with the test-only settings; HTTPS with a local CA is a later
// slice. Every activity between them is signed and verified by Fedify.

interface Instance extends HearthProcess {
  host: string;
  dataDir: string;
  drop: () => Promise<void>;
}

const started: Instance[] = [];

async function startInstance(
  hostName: string,
  workerId: number,
  env: Record<string, string> = {},
): Promise<Instance> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-federation-'));
  const db = process.env.DATABASE_URL ? await freshPostgres() : null;
  const p = startProcess({
    PORT: String(port),
    PUBLIC_URL: `http://${hostName}:${port}`,
    DATA_DIR: dataDir,
    WORKER_ID: String(workerId),
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT: '100000',
    JOBS_POLL_INTERVAL: '200',
    FEDERATION_ALLOW_PRIVATE_ADDRESSES: 'true',
    FEDERATION_ALLOW_HTTP: 'true',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...env,
  });
  const instance = { ...p, host: `${hostName}:${port}`, dataDir, drop: db?.drop ?? (async () => {}) };
  started.push(instance);
  return instance;
}

async function register(p: HearthProcess, name: string): Promise<{ id: string; token: string }> {
  const res = await callApi(p, 'POST', '/auth/register', undefined, {
    email: `${name}@example.test`,
    username: name,
    password: 'long enough',
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const me = await callApi(p, 'GET', '/users/@me', res.body.token);
  return { id: me.body.id, token: res.body.token };
}

const mastodon = (p: HearthProcess, method: string, path: string, token?: string, body?: unknown) =>
  requestJson(method, `${p.url}${path}`, body, token ? `Bearer ${token}` : undefined);

/** Asks until `check` answers something truthy (deliveries go through each side's job queue). */
async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `never happened: ${what}\n--- A ---\n${started[0]?.output()}\n--- B ---\n${started[1]?.output()}`,
  );
}

describe('two Hearth instances federate', { timeout: 900_000 }, () => {
  after(async () => {
    for (const p of started) p.child.kill('SIGKILL');
    await Promise.all(started.map((p) => p.exited));
    for (const p of started) {
      rmSync(p.dataDir, { recursive: true, force: true });
      await p.drop();
    }
  });

  test('WebFinger; a locked account followed and approved; a post delivered; a favourite notified; edits, boosts, profile changes and deletes both ways; undos; auto-accept; a follower removed', async () => {
    const a = await startInstance('127.0.0.1', 11);
    const b = await startInstance('localhost', 12);
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
    const alice = await register(a, 'alice');
    const bob = await register(b, 'bob');
    const locked = await mastodon(a, 'PATCH', '/api/v1/accounts/update_credentials', alice.token, {
      locked: true,
    });
    assert.equal(locked.status, 200);

    // A's discovery documents.
    const wf = await fetch(`${a.url}/.well-known/webfinger?resource=acct:alice@${a.host}`);
    assert.equal(wf.status, 200);
    const jrd = (await wf.json()) as {
      subject: string;
      links: Array<{ rel: string; type?: string; href?: string }>;
    };
    assert.equal(jrd.subject, `acct:alice@${a.host}`);
    const self = jrd.links.find((l) => l.rel === 'self');
    assert.equal(self?.href, `http://${a.host}/users/${alice.id}`);
    const actor = (await (
      await fetch(self.href, { headers: { accept: 'application/activity+json' } })
    ).json()) as Record<string, any>;
    assert.equal(actor.type, 'Person');
    assert.equal(actor.preferredUsername, 'alice');
    assert.equal(actor.manuallyApprovesFollowers, true);
    assert.match(actor.publicKey.publicKeyPem, /BEGIN PUBLIC KEY/);
    assert.ok(
      Array.isArray(actor.assertionMethod) && actor.assertionMethod.length >= 1,
      'an Ed25519 Multikey',
    );
    assert.equal(actor.endpoints.sharedInbox, `http://${a.host}/inbox`);
    const nodeinfoLinks = (await (await fetch(`${a.url}/.well-known/nodeinfo`)).json()) as { links: any[] };
    const nodeinfo = (await (await fetch(nodeinfoLinks.links[0].href)).json()) as Record<string, any>;
    assert.equal(nodeinfo.software.name, 'hearth');
    assert.equal(nodeinfo.usage.users.total, 1);
    assert.match(await (await fetch(`${a.url}/.well-known/host-meta`)).text(), /webfinger\?resource=\{uri\}/);
    assert.equal((await fetch(`${a.url}/.well-known/webfinger?resource=acct:nobody@${a.host}`)).status, 404);

    // B looks alice up (WebFinger, then her actor) and bob asks to follow her.
    const found = await mastodon(
      b,
      'GET',
      `/api/v1/accounts/lookup?acct=${encodeURIComponent(`alice@${a.host}`)}`,
      bob.token,
    );
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.equal(found.body.acct, `alice@${a.host}`);
    assert.equal(found.body.username, 'alice');
    assert.equal(found.body.locked, true);
    assert.equal(
      (await mastodon(b, 'GET', `/api/v1/accounts/lookup?acct=nobody@${a.host}`, bob.token)).status,
      404,
    );
    const follow = await mastodon(b, 'POST', `/api/v1/accounts/${found.body.id}/follow`, bob.token);
    assert.equal(follow.status, 200);
    assert.equal(follow.body.requested, true);
    assert.equal(follow.body.following, false);

    // Alice sees the request on A and approves it; B hears the Accept.
    const request = await eventually('the follow request reaches A', async () => {
      const r = await mastodon(a, 'GET', '/api/v1/follow_requests', alice.token);
      return r.body.find((x: any) => x.acct === `bob@${b.host}`);
    });
    assert.equal(
      (await mastodon(a, 'POST', `/api/v1/follow_requests/${request.id}/authorize`, alice.token)).status,
      200,
    );
    await eventually('B hears the Accept', async () => {
      const r = await mastodon(b, 'GET', `/api/v1/accounts/relationships?id[]=${found.body.id}`, bob.token);
      return r.body[0]?.following === true;
    });

    // Alice posts; it reaches bob's home timeline on B, as A's status.
    const post = await mastodon(a, 'POST', '/api/v1/statuses', alice.token, {
      status: 'hello from <A> & friends',
    });
    assert.equal(post.status, 200);
    const remoteStatus = await eventually("alice's post in bob's home timeline", async () => {
      const r = await mastodon(b, 'GET', '/api/v1/timelines/home', bob.token);
      return r.body.find((s: any) => s.uri === post.body.uri);
    });
    assert.equal(remoteStatus.account.acct, `alice@${a.host}`);
    assert.match(remoteStatus.content, /hello from &lt;A&gt; &amp; friends/);
    assert.equal(remoteStatus.visibility, 'public');

    // Bob favourites it on B; alice is notified on A.
    const fav = await mastodon(b, 'POST', `/api/v1/statuses/${remoteStatus.id}/favourite`, bob.token);
    assert.equal(fav.status, 200);
    const note = await eventually('the favourite notification on A', async () => {
      const r = await mastodon(a, 'GET', '/api/v1/notifications', alice.token);
      return r.body.find((n: any) => n.type === 'favourite');
    });
    assert.equal(note.account.acct, `bob@${b.host}`);
    assert.equal(note.status.id, post.body.id);
    const counted = await mastodon(a, 'GET', `/api/v1/statuses/${post.body.id}`, alice.token);
    assert.equal(counted.body.favourites_count, 1);

    // Undo(Like) and Undo(Follow) travel too.
    assert.equal(
      (await mastodon(b, 'POST', `/api/v1/statuses/${remoteStatus.id}/unfavourite`, bob.token)).status,
      200,
    );
    await eventually('the favourite taken back on A', async () => {
      const r = await mastodon(a, 'GET', `/api/v1/statuses/${post.body.id}`, alice.token);
      return r.body.favourites_count === 0;
    });

    // Edits, boosts, profile changes and deletes travel both ways: alice's reach bob on B, and (once alice follows bob,
    // who is not locked) bob's reach alice on A.
    const bobOnA = await mastodon(a, 'GET', `/api/v1/accounts/lookup?acct=bob@${b.host}`, alice.token);
    assert.equal(bobOnA.status, 200, JSON.stringify(bobOnA.body));
    await mastodon(a, 'POST', `/api/v1/accounts/${bobOnA.body.id}/follow`, alice.token);
    await eventually('A hears the automatic Accept', async () => {
      const r = await mastodon(
        a,
        'GET',
        `/api/v1/accounts/relationships?id[]=${bobOnA.body.id}`,
        alice.token,
      );
      return r.body[0]?.following === true;
    });
    const bobPost = await mastodon(b, 'POST', '/api/v1/statuses', bob.token, { status: 'bob was here' });
    const bobStatusOnA = await eventually("bob's post in alice's home timeline", async () => {
      const r = await mastodon(a, 'GET', '/api/v1/timelines/home', alice.token);
      return r.body.find((s: any) => s.uri === bobPost.body.uri);
    });
    const sides = [
      { from: a, to: b, author: alice, reader: bob, local: post.body, there: remoteStatus, name: 'alice' },
      { from: b, to: a, author: bob, reader: alice, local: bobPost.body, there: bobStatusOnA, name: 'bob' },
    ];
    for (const side of sides) {
      const edit = await mastodon(side.from, 'PUT', `/api/v1/statuses/${side.local.id}`, side.author.token, {
        status: `${side.name} edited this`,
        spoiler_text: 'an edit',
      });
      assert.equal(edit.status, 200, JSON.stringify(edit.body));
      const edited = await eventually(`${side.name}'s edit on the other side`, async () => {
        const r = await mastodon(side.to, 'GET', `/api/v1/statuses/${side.there.id}`, side.reader.token);
        return r.body.content?.includes('edited this') ? r.body : null;
      });
      assert.equal(edited.spoiler_text, 'an edit');
      assert.ok(edited.edited_at);
      const history = await mastodon(
        side.to,
        'GET',
        `/api/v1/statuses/${side.there.id}/history`,
        side.reader.token,
      );
      assert.equal(history.body.length, 2);

      // The reader boosts it: the author is notified at home; the boost taken back, the count goes back.
      const boost = await mastodon(
        side.to,
        'POST',
        `/api/v1/statuses/${side.there.id}/reblog`,
        side.reader.token,
      );
      assert.equal(boost.status, 200, JSON.stringify(boost.body));
      const reblogged = await eventually(`the boost of ${side.name}'s post notified`, async () => {
        const r = await mastodon(side.from, 'GET', '/api/v1/notifications', side.author.token);
        return r.body.find((n: any) => n.type === 'reblog' && n.status?.id === side.local.id);
      });
      assert.equal(reblogged.account.acct, `${side.name === 'alice' ? 'bob' : 'alice'}@${side.to.host}`);
      await mastodon(side.to, 'POST', `/api/v1/statuses/${side.there.id}/unreblog`, side.reader.token);
      await eventually(`the boost of ${side.name}'s post taken back`, async () => {
        const r = await mastodon(side.from, 'GET', `/api/v1/statuses/${side.local.id}`, side.author.token);
        return r.body.reblogs_count === 0;
      });

      const renamed = await mastodon(
        side.from,
        'PATCH',
        '/api/v1/accounts/update_credentials',
        side.author.token,
        {
          display_name: `${side.name} renamed`,
        },
      );
      assert.equal(renamed.status, 200);
      await eventually(`${side.name}'s new name on the other side`, async () => {
        const r = await mastodon(
          side.to,
          'GET',
          `/api/v1/accounts/${side.there.account.id}`,
          side.reader.token,
        );
        return r.body.display_name === `${side.name} renamed`;
      });
    }
    // Each deletes the post: gone on the other side.
    assert.equal((await mastodon(b, 'DELETE', `/api/v1/statuses/${bobPost.body.id}`, bob.token)).status, 200);
    await eventually("bob's post gone on A", async () => {
      const r = await mastodon(a, 'GET', `/api/v1/statuses/${bobStatusOnA.id}`, alice.token);
      return r.status === 404;
    });

    assert.equal((await mastodon(a, 'DELETE', `/api/v1/statuses/${post.body.id}`, alice.token)).status, 200);
    await eventually("alice's post gone on B", async () => {
      const r = await mastodon(b, 'GET', `/api/v1/statuses/${remoteStatus.id}`, bob.token);
      return r.status === 404;
    });

    assert.equal(
      (await mastodon(b, 'POST', `/api/v1/accounts/${found.body.id}/unfollow`, bob.token)).status,
      200,
    );
    await eventually('the follow ended on A', async () => {
      const r = await mastodon(a, 'GET', `/api/v1/accounts/${alice.id}`, alice.token);
      return r.body.followers_count === 0;
    });

    // An account that is not locked accepts at once (A answers the Follow with an Accept by itself).
    const carol = await register(a, 'carol');
    const carolOnB = await mastodon(b, 'GET', `/api/v1/accounts/lookup?acct=carol@${a.host}`, bob.token);
    assert.equal(carolOnB.status, 200);
    assert.equal(carolOnB.body.locked, false);
    await mastodon(b, 'POST', `/api/v1/accounts/${carolOnB.body.id}/follow`, bob.token);
    await eventually('B hears the automatic Accept', async () => {
      const r = await mastodon(
        b,
        'GET',
        `/api/v1/accounts/relationships?id[]=${carolOnB.body.id}`,
        bob.token,
      );
      return r.body[0]?.following === true;
    });
    const carolNotes = await mastodon(a, 'GET', '/api/v1/notifications', carol.token);
    const followed = carolNotes.body.find(
      (n: any) => n.type === 'follow' && n.account.acct === `bob@${b.host}`,
    );
    assert.ok(followed, 'carol is told bob follows her');

    // Carol removes bob from her followers: B hears a Reject and the follow ends there too.
    const removed = await mastodon(
      a,
      'POST',
      `/api/v1/accounts/${followed.account.id}/remove_from_followers`,
      carol.token,
    );
    assert.equal(removed.status, 200);
    await eventually('B hears the Reject', async () => {
      const r = await mastodon(
        b,
        'GET',
        `/api/v1/accounts/relationships?id[]=${carolOnB.body.id}`,
        bob.token,
      );
      return r.body[0]?.following === false && r.body[0]?.requested === false;
    });
  });

  test('a reply and mentions across instances; a direct status seen by its addressee only; a block sent; a domain block', async () => {
    const a = await startInstance('127.0.0.1', 13, { INSTANCE_ADMINS: 'dora' });
    const b = await startInstance('localhost', 14);
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
    const dora = await register(a, 'dora');
    const ed = await register(b, 'ed');
    const fay = await register(b, 'fay');
    const gil = await register(b, 'gil');

    // Ed follows dora (not locked); her status reaches him, and he answers it mentioning her.
    const doraOnB = await mastodon(b, 'GET', `/api/v1/accounts/lookup?acct=dora@${a.host}`, ed.token);
    assert.equal(doraOnB.status, 200, JSON.stringify(doraOnB.body));
    await mastodon(b, 'POST', `/api/v1/accounts/${doraOnB.body.id}/follow`, ed.token);
    await eventually('ed follows dora', async () => {
      const r = await mastodon(b, 'GET', `/api/v1/accounts/relationships?id[]=${doraOnB.body.id}`, ed.token);
      return r.body[0]?.following === true;
    });
    const question = await mastodon(a, 'POST', '/api/v1/statuses', dora.token, { status: 'who is there?' });
    const questionOnB = await eventually("dora's status on B", async () => {
      const r = await mastodon(b, 'GET', '/api/v1/timelines/home', ed.token);
      return r.body.find((s: any) => s.uri === question.body.uri);
    });
    const reply = await mastodon(b, 'POST', '/api/v1/statuses', ed.token, {
      status: `@dora@${a.host} ed is`,
      in_reply_to_id: questionOnB.id,
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const mentioned = await eventually('the mention on A', async () => {
      const r = await mastodon(a, 'GET', '/api/v1/notifications', dora.token);
      return r.body.find((n: any) => n.type === 'mention' && n.status?.uri === reply.body.uri);
    });
    assert.equal(mentioned.account.acct, `ed@${b.host}`);
    assert.equal(mentioned.status.in_reply_to_id, question.body.id);
    const context = await mastodon(a, 'GET', `/api/v1/statuses/${question.body.id}/context`);
    assert.deepEqual(
      context.body.descendants.map((s: any) => s.uri),
      [reply.body.uri],
    );

    // Dora mentions gil, whom A never saw (WebFinger finds him), and writes ed a direct status.
    const hello = await mastodon(a, 'POST', '/api/v1/statuses', dora.token, {
      status: `hello @gil@${b.host}`,
    });
    assert.equal(hello.status, 200, JSON.stringify(hello.body));
    await eventually('gil is notified on B', async () => {
      const r = await mastodon(b, 'GET', '/api/v1/notifications', gil.token);
      return r.body.find((n: any) => n.type === 'mention' && n.status?.uri === hello.body.uri);
    });
    const secret = await mastodon(a, 'POST', '/api/v1/statuses', dora.token, {
      status: `@ed@${b.host} only you`,
      visibility: 'direct',
    });
    const dm = await eventually('the direct status on B', async () => {
      const r = await mastodon(b, 'GET', '/api/v1/notifications', ed.token);
      return r.body.find((n: any) => n.type === 'mention' && n.status?.uri === secret.body.uri);
    });
    assert.equal(dm.status.visibility, 'direct');
    assert.equal((await mastodon(b, 'GET', `/api/v1/statuses/${dm.status.id}`, fay.token)).status, 404);
    assert.equal((await mastodon(b, 'GET', `/api/v1/statuses/${dm.status.id}`, ed.token)).status, 200);

    // Ed blocks dora: A hears the Block; his follow of her ends there, and she is told nothing but blocked_by.
    const edOnA = mentioned.account.id;
    const blocked = await mastodon(b, 'POST', `/api/v1/accounts/${doraOnB.body.id}/block`, ed.token);
    assert.equal(blocked.status, 200);
    await eventually('the block on A', async () => {
      const r = await mastodon(a, 'GET', `/api/v1/accounts/relationships?id[]=${edOnA}`, dora.token);
      return r.body[0]?.blocked_by === true && r.body[0]?.followed_by === false;
    });

    // Dora, an admin of A, blocks B's domain (another account of A may not): no account there is looked up any
    // more; lifted, it is again.
    const hal = await register(a, 'hal');
    assert.equal(
      (await mastodon(a, 'POST', '/api/v1/admin/domain_blocks', hal.token, { domain: 'localhost' })).status,
      403,
    );
    const domainBlock = await mastodon(a, 'POST', '/api/v1/admin/domain_blocks', dora.token, {
      domain: 'localhost',
      severity: 'suspend',
    });
    assert.equal(domainBlock.status, 200, JSON.stringify(domainBlock.body));
    assert.equal(
      (await mastodon(a, 'GET', `/api/v1/accounts/lookup?acct=fay@${b.host}`, dora.token)).status,
      404,
    );
    assert.equal(
      (await mastodon(a, 'DELETE', `/api/v1/admin/domain_blocks/${domainBlock.body.id}`, dora.token)).status,
      200,
    );
    assert.equal(
      (await mastodon(a, 'GET', `/api/v1/accounts/lookup?acct=fay@${b.host}`, dora.token)).status,
      200,
    );
  });
});
