import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { createRestAPIClient, MastoHttpError } from 'masto';
import generator from 'megalodon';
import { polls } from '../../src/store/schema';
import { startHearth, type TestServer } from '../harness';
import { mastodon } from '../social-helpers';

// Polls on statuses: made with the status, Poll on the Status, votes, hide_totals, visibility, and the `poll`
// notification at the end through the jobs facility.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

const poll = (extra: Record<string, unknown> = {}) => ({
  status: 'Which one?',
  poll: { options: ['tea', 'coffee', 'water'], expires_in: 3600, ...extra },
});

describe('polls', () => {
  test('a status with a poll: the Poll object, bad polls refused, forms too', async () => {
    const a = await h.register();
    const res = await m('POST', '/api/v1/statuses', a, poll());
    assert.equal(res.status, 200, res.text);
    const p = res.body.poll;
    assert.equal(p.id, res.body.id);
    assert.equal(p.expired, false);
    assert.equal(p.multiple, false);
    assert.equal(p.votes_count, 0);
    assert.equal(p.voters_count, 0);
    assert.deepEqual(p.options, [
      { title: 'tea', votes_count: 0 },
      { title: 'coffee', votes_count: 0 },
      { title: 'water', votes_count: 0 },
    ]);
    assert.deepEqual(p.emojis, []);
    assert.equal(p.voted, false);
    assert.deepEqual(p.own_votes, []);
    assert.ok(Math.abs(Date.parse(p.expires_at) - Date.now() - 3600_000) < 60_000);
    assert.deepEqual((await m('GET', `/api/v1/polls/${p.id}`)).body.options, p.options);

    for (const [body, why] of [
      [{ status: 'x', poll: { options: ['one'], expires_in: 3600 } }, /at least 2/],
      [{ status: 'x', poll: { options: ['1', '2', '3', '4', '5'], expires_in: 3600 } }, /at most 4/],
      [{ status: 'x', poll: { options: ['a', 'x'.repeat(51)], expires_in: 3600 } }, /at most 50/],
      [{ status: 'x', poll: { options: ['a', 'a'], expires_in: 3600 } }, /different/],
      [{ status: 'x', poll: { options: ['a', ' '], expires_in: 3600 } }, /blank/],
      [{ status: 'x', poll: { options: ['a', 'b'], expires_in: 60 } }, /duration/],
      [{ status: 'x', poll: { options: ['a', 'b'], expires_in: 3_000_000 } }, /duration/],
      [{ status: 'x', poll: { options: ['a', 'b'], expires_in: 3600 }, media_ids: ['1'] }, /media or a poll/],
    ] as const) {
      const bad = await m('POST', '/api/v1/statuses', a, body);
      assert.equal(bad.status, 422, JSON.stringify(body));
      assert.match(bad.body.error, why);
    }
    assert.equal(
      (await m('POST', '/api/v1/statuses', a, { status: 'x', poll: { options: ['a'] } })).status,
      400,
    );
    // The poll stays through an edit of the text alone.
    assert.equal((await m('PUT', `/api/v1/statuses/${p.id}`, a, { status: 'Which?' })).body.poll.id, p.id);

    // Rails-style forms, as some clients send them.
    const form = await h.api('POST', '/api/v1/statuses', {
      token: `Bearer ${a.token}`,
      raw: 'status=form&poll[options][]=yes&poll[options][]=no&poll[expires_in]=600&poll[multiple]=true',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 200, form.text);
    assert.equal(form.body.poll.multiple, true);
    assert.deepEqual(
      form.body.poll.options.map((o: any) => o.title),
      ['yes', 'no'],
    );
  });

  test('voting: once, on options, one choice unless multiple; hide_totals; who may vote', async () => {
    const [a, b, c, d] = [await h.register(), await h.register(), await h.register(), await h.register()];
    const single = (await m('POST', '/api/v1/statuses', a, poll())).body.poll.id;
    const vote = (user: any, id: string, choices: unknown) =>
      m('POST', `/api/v1/polls/${id}/votes`, user, { choices });

    assert.equal((await vote(null, single, [0])).status, 401);
    assert.equal((await vote(b, single, [0, 1])).status, 422);
    assert.equal((await vote(b, single, [3])).status, 422);
    assert.equal((await vote(b, single, [])).status, 400);
    const voted = await vote(b, single, [1]);
    assert.equal(voted.status, 200, voted.text);
    assert.equal(voted.body.voted, true);
    assert.deepEqual(voted.body.own_votes, [1]);
    assert.equal(voted.body.votes_count, 1);
    assert.equal(voted.body.options[1].votes_count, 1);
    const again = await vote(b, single, [0]);
    assert.equal(again.status, 422);
    assert.match(again.body.error, /already voted/);
    assert.equal((await vote(c, single, [1])).status, 200);
    const seen = (await m('GET', `/api/v1/statuses/${single}`, c)).body.poll;
    assert.equal(seen.votes_count, 2);
    assert.equal(seen.voters_count, 2);
    assert.deepEqual(seen.own_votes, [1]);
    const anonymous = (await m('GET', `/api/v1/polls/${single}`)).body;
    assert.equal(anonymous.voted, false);

    const multi = (await m('POST', '/api/v1/statuses', a, poll({ multiple: true, hide_totals: true }))).body
      .poll.id;
    const both = await vote(b, multi, [0, 2]);
    assert.equal(both.status, 200, both.text);
    assert.deepEqual(both.body.own_votes, [0, 2]);
    assert.equal(both.body.votes_count, 2);
    assert.equal(both.body.voters_count, 1);
    // hide_totals: counts per option are hidden until the end, except from the author.
    assert.deepEqual(
      both.body.options.map((o: any) => o.votes_count),
      [null, null, null],
    );
    assert.deepEqual(
      (await m('GET', `/api/v1/polls/${multi}`, a)).body.options.map((o: any) => o.votes_count),
      [1, 0, 1],
    );

    // A followers-only poll: an outsider can neither read nor vote (404, as for nothing).
    const priv = (await m('POST', '/api/v1/statuses', a, { ...poll(), visibility: 'private' })).body.poll.id;
    assert.equal((await m('GET', `/api/v1/polls/${priv}`, d)).status, 404);
    assert.equal((await vote(d, priv, [0])).status, 404);
    assert.equal((await vote(d, '123456789012345678', [0])).status, 404);
    // A status without a poll has none.
    const plain = (await m('POST', '/api/v1/statuses', a, { status: 'no poll' })).body;
    assert.equal(plain.poll, null);
    assert.equal((await m('GET', `/api/v1/polls/${plain.id}`)).status, 404);
    // Deleting the status deletes its poll.
    await m('DELETE', `/api/v1/statuses/${single}`, a);
    assert.equal((await m('GET', `/api/v1/polls/${single}`)).status, 404);
  });

  test('at its end (the job), voters and the author get a `poll` notification; voting is closed', async () => {
    const [a, b, c] = [await h.register(), await h.register(), await h.register()];
    const id = (await m('POST', '/api/v1/statuses', a, poll())).body.poll.id;
    await m('POST', `/api/v1/polls/${id}/votes`, b, { choices: [0] });
    // Its time comes: the poll's end and its job are moved to now.
    const db = h.app.database.db;
    await db.execute(sql`update polls set expires_at = now() - interval '1 second' where id = ${id}`);
    await db.execute(sql`update jobs set run_at = now() where key like ${`social.poll-end:${id}:%`}`);
    let notes: any[] = [];
    for (let i = 0; i < 100 && notes.length === 0; i++) {
      notes = (await m('GET', '/api/v1/notifications?types[]=poll', b)).body;
      if (notes.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(notes.length, 1);
    assert.equal(notes[0].type, 'poll');
    assert.equal(notes[0].status.id, id);
    assert.equal(notes[0].status.poll.expired, true);
    assert.equal(notes[0].account.id, a.id);
    const own = (await m('GET', '/api/v1/notifications?types[]=poll', a)).body;
    assert.equal(own.length, 1);
    assert.equal((await m('GET', '/api/v1/notifications?types[]=poll', c)).body.length, 0);
    const closed = await m('POST', `/api/v1/polls/${id}/votes`, c, { choices: [1] });
    assert.equal(closed.status, 422);
    assert.match(closed.body.error, /ended/);
    // A second run notifies nobody again.
    await h.app.services.social.polls.end(a.id, id);
    assert.equal((await m('GET', '/api/v1/notifications?types[]=poll', b)).body.length, 1);
  });

  test("edits, as Mastodon's: new options reset the votes and tell the voters; the history has each version's poll", async () => {
    const [a, b, c, stranger] = [
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
    ];
    const id = (await m('POST', '/api/v1/statuses', a, poll())).body.id;
    assert.equal((await m('POST', `/api/v1/polls/${id}/votes`, b, { choices: [1] })).status, 200);
    const boost = await m('POST', `/api/v1/statuses/${id}/reblog`, c);
    assert.equal(boost.status, 200, boost.text);
    const updates = async (u: typeof a) =>
      (await m('GET', '/api/v1/notifications?types[]=update', u)).body as any[];

    // Same options, a longer duration: the votes stay, the end moves.
    const longer = await m('PUT', `/api/v1/statuses/${id}`, a, {
      status: 'Which one, still?',
      poll: { options: ['tea', 'coffee', 'water'], expires_in: 7200 },
    });
    assert.equal(longer.status, 200, longer.text);
    assert.equal(longer.body.poll.votes_count, 1);
    assert.ok(Math.abs(Date.parse(longer.body.poll.expires_at) - Date.now() - 7200_000) < 60_000);
    assert.equal((await updates(b)).length, 0);
    // Mastodon tells who boosted it of every edit.
    assert.equal((await updates(c)).length, 1);

    // Other options: every vote goes, the voter is told and may vote again.
    const changed = await m('PUT', `/api/v1/statuses/${id}`, a, {
      status: 'Which one, now?',
      poll: { options: ['tea', 'juice'], expires_in: 3600, multiple: true },
    });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.poll.votes_count, 0);
    assert.equal(changed.body.poll.multiple, true);
    assert.deepEqual(
      changed.body.poll.options.map((o: any) => o.title),
      ['tea', 'juice'],
    );
    const told = await updates(b);
    assert.equal(told.length, 1);
    assert.equal(told[0].status.id, id);
    assert.equal(told[0].account.id, a.id);
    const seen = (await m('GET', `/api/v1/polls/${id}`, b)).body;
    assert.equal(seen.voted, false);
    assert.deepEqual(seen.own_votes, []);
    assert.equal((await m('POST', `/api/v1/polls/${id}/votes`, b, { choices: [0, 1] })).status, 200);

    // The history: each version with the poll it had (options only, as Mastodon's StatusEdit).
    const history = (await m('GET', `/api/v1/statuses/${id}/history`, b)).body as any[];
    assert.deepEqual(
      history.map((v) => v.poll?.options.map((o: any) => o.title) ?? null),
      [
        ['tea', 'coffee', 'water'],
        ['tea', 'coffee', 'water'],
        ['tea', 'juice'],
      ],
    );

    // What may not be: someone else's status (404 as for nothing), a bad poll, a poll beside media.
    const theirs = await m('PUT', `/api/v1/statuses/${id}`, stranger, poll());
    assert.equal(theirs.status, 404);
    const bad = await m('PUT', `/api/v1/statuses/${id}`, a, {
      status: 'x',
      poll: { options: ['one'], expires_in: 3600 },
    });
    assert.equal(bad.status, 422);
    assert.match(bad.body.error, /at least 2/);
    assert.equal((await m('GET', `/api/v1/polls/${id}`, b)).body.votes_count, 2);
    assert.equal(
      (await m('PUT', `/api/v1/statuses/${id}`, a, { status: 'x', poll: { options: ['a'] } })).status,
      400,
    );

    // `poll: null` removes it; the history keeps the versions that had one.
    const removed = await m('PUT', `/api/v1/statuses/${id}`, a, { status: 'No poll now', poll: null });
    assert.equal(removed.status, 200, removed.text);
    assert.equal(removed.body.poll, null);
    assert.equal((await m('GET', `/api/v1/polls/${id}`, b)).status, 404);
    const last = (await m('GET', `/api/v1/statuses/${id}/history`, a)).body as any[];
    assert.equal(last.length, 4);
    assert.deepEqual(last[2].poll.options, [{ title: 'tea' }, { title: 'juice' }]);
    assert.equal(last[3].poll, null);
  });

  test('an edit that moves the end: the earlier end does nothing, the new one notifies once', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const id = (await m('POST', '/api/v1/statuses', a, poll())).body.id;
    await m('POST', `/api/v1/polls/${id}/votes`, b, { choices: [0] });
    const db = h.app.database.db;
    const end = async () =>
      (await db.select({ at: polls.expiresAt }).from(polls).where(eq(polls.id, id)))[0]!.at.toISOString();
    const firstEnd = await end();
    const edited = await m('PUT', `/api/v1/statuses/${id}`, a, {
      status: 'later',
      poll: { options: ['tea', 'coffee', 'water'], expires_in: 86_400 },
    });
    assert.equal(edited.status, 200, edited.text);
    // The job queued for the first end finds the poll ending later: nothing (no error to retry either).
    await h.app.services.social.polls.end(a.id, id, firstEnd);
    assert.equal((await m('GET', '/api/v1/notifications?types[]=poll', b)).body.length, 0);
    // Its time comes: the poll's own end notifies.
    const newEnd = await end();
    await db.execute(sql`update polls set expires_at = now() - interval '1 second' where id = ${id}`);
    await h.app.services.social.polls.end(a.id, id, newEnd);
    assert.equal((await m('GET', '/api/v1/notifications?types[]=poll', b)).body.length, 1);
  });

  test('masto.js and megalodon edit a poll', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const client = createRestAPIClient({ url: h.url, accessToken: a.token });
    const status = await client.v1.statuses.create({
      status: 'masto poll to edit',
      poll: { options: ['x', 'y'], expiresIn: 600 },
    });
    await m('POST', `/api/v1/polls/${status.id}/votes`, b, { choices: [0] });
    const edited = await client.v1.statuses.$select(status.id).update({
      status: 'edited by masto',
      poll: { options: ['x', 'z'], expiresIn: 600 },
    });
    assert.deepEqual(
      edited.poll?.options.map((o) => o.title),
      ['x', 'z'],
    );
    assert.equal(edited.poll?.votesCount, 0);
    const history = await client.v1.statuses.$select(status.id).history.list();
    assert.deepEqual(
      // masto.js's StatusEdit type has no `poll`; Mastodon's entity has it.
      history.map((v) =>
        (v as { poll?: { options: Array<{ title: string }> } }).poll?.options.map((o) => o.title),
      ),
      [
        ['x', 'y'],
        ['x', 'z'],
      ],
    );
    const mega = generator('mastodon', h.url, a.token);
    const again = await mega.editStatus(status.id, {
      status: 'edited by megalodon',
      poll: { options: ['x', 'z', 'w'], expires_in: 600 },
    });
    assert.deepEqual(
      again.data.poll?.options.map((o) => o.title),
      ['x', 'z', 'w'],
    );
  });

  test('masto.js: a poll, a vote, the poll fetched', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const client = createRestAPIClient({ url: h.url, accessToken: a.token });
    const other = createRestAPIClient({ url: h.url, accessToken: b.token });
    const status = await client.v1.statuses.create({
      status: 'masto poll',
      poll: { options: ['x', 'y'], expiresIn: 600, multiple: true },
    });
    assert.ok(status.poll);
    const after = await other.v1.polls.$select(status.poll.id).votes.create({ choices: [0, 1] });
    assert.deepEqual(after.ownVotes, [0, 1]);
    const fetched = await client.v1.polls.$select(status.poll.id).fetch();
    assert.equal(fetched.votesCount, 2);
    await assert.rejects(
      other.v1.polls.$select(status.poll.id).votes.create({ choices: [0] }),
      (err) => err instanceof MastoHttpError && err.statusCode === 422,
    );
  });
});
