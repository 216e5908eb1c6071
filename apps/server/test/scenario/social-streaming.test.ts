import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStreamingAPIClient } from 'masto';
import WebSocket from 'ws';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

// Mastodon's streaming API: masto.js's streaming client and raw WebSockets against /api/v1/streaming.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

const follow = (a: TestUser, b: TestUser) => m('POST', `/api/v1/accounts/${b.id}/follow`, a);
const wsUrl = (query = '') => `${h.url.replace(/^http/, 'ws')}/api/v1/streaming${query}`;

interface Message {
  stream?: string[];
  event?: string;
  payload?: string;
  error?: string;
  status?: number;
}

/** A raw WebSocket on the streaming API that keeps every message and can wait for one. */
class Stream {
  readonly messages: Message[] = [];
  private waiters: Array<() => void> = [];
  closed: { code: number } | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)));
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closed = { code };
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(query: string, opts: { protocol?: string } = {}): Promise<Stream> {
    const ws = new WebSocket(wsUrl(query), opts.protocol ? [opts.protocol] : []);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Stream(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Waits for the first message (from `from` on) that `match` accepts. */
  async next(match: (m: Message) => boolean, from = 0): Promise<Message> {
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      if (this.closed) throw new Error(`closed with ${this.closed.code}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Resolves once every message sent before it was handled (the server answers a bad one with an error). */
  async sync(): Promise<void> {
    const from = this.messages.length;
    this.send({ type: 'ping-sync' });
    await this.next((m) => m.error === 'Unknown message type', from);
  }

  /** The statuses that arrived as `update` on `stream`, by id. */
  updates(stream: string): string[] {
    return this.messages
      .filter((m) => m.event === 'update' && m.stream?.[0] === stream)
      .map((m) => JSON.parse(m.payload ?? '{}').id);
  }

  close(): void {
    this.ws.close();
  }
}

/** Reads a Server-Sent Events response: its events (`event:` and `data:` lines), waiting for one as needed. */
class EventReader {
  readonly events: Array<{ event: string; data: string }> = [];
  private buffer = '';
  private waiters: Array<() => void> = [];
  private done = false;
  constructor(readonly response: Response) {
    assert.equal(response.status, 200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const pump = async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.buffer += value;
        let end = this.buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          const field = (name: string) =>
            block
              .split('\n')
              .find((l) => l.startsWith(`${name}: `))
              ?.slice(name.length + 2);
          const event = field('event');
          if (event) this.events.push({ event, data: field('data') ?? '' });
          end = this.buffer.indexOf('\n\n');
        }
        for (const w of this.waiters.splice(0)) w();
      }
    };
    pump()
      .catch(() => {})
      .finally(() => {
        this.done = true;
        for (const w of this.waiters.splice(0)) w();
      });
  }

  async next(match: (e: { event: string; data: string }) => boolean) {
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (this.done) throw new Error('the event stream ended');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

const isUpdate =
  (id: string, stream = 'user') =>
  (m: Message) =>
    m.event === 'update' && m.stream?.[0] === stream && JSON.parse(m.payload ?? '{}').id === id;

describe('streaming API', { timeout: 60_000 }, () => {
  test('masto.js: user stream gets followed statuses and notifications; hashtag and public streams', async () => {
    const [alice, bob] = [await h.register(), await h.register()];
    await follow(bob, alice);
    const instance = (await m('GET', '/api/v2/instance')).body;
    assert.equal(instance.configuration.urls.streaming, 'ws://hearth.test');
    const streamingApiUrl = h.url.replace(/^http/, 'ws');
    const bobStream = createStreamingAPIClient({ streamingApiUrl, accessToken: bob.token, retry: false });
    const aliceStream = createStreamingAPIClient({ streamingApiUrl, accessToken: alice.token, retry: false });
    try {
      const user = bobStream.user.subscribe();
      const tag = bobStream.hashtag.subscribe({ tag: 'Hearth' });
      const notes = aliceStream.user.notification.subscribe();
      const events: any[] = [];
      const collect = async (sub: AsyncIterable<any>) => {
        for await (const e of sub) events.push(e);
      };
      collect(user).catch(() => {});
      collect(tag).catch(() => {});
      collect(notes).catch(() => {});
      const ready = async (u: TestUser, streams: string[]) => {
        while (!streams.every((s) => h.app.streaming.streamsOf(u.id).includes(s)))
          await new Promise((r) => setTimeout(r, 20));
      };
      await ready(bob, ['user', 'hashtag:hearth']);
      await ready(alice, ['user:notification']);

      const id = await post(h, alice, { status: 'hello #hearth' });
      await m('POST', `/api/v1/statuses/${id}/favourite`, bob);
      const wait = async (match: (e: any) => boolean) => {
        while (!events.some(match)) await new Promise((r) => setTimeout(r, 20));
        return events.find(match);
      };
      const update = await wait((e) => e.event === 'update' && e.stream[0] === 'user');
      assert.equal(update.payload.id, id);
      assert.equal(update.payload.account.id, alice.id);
      assert.equal(update.payload.favourited, false);
      const tagged = await wait((e) => e.event === 'update' && e.stream[0] === 'hashtag');
      assert.deepEqual(tagged.stream, ['hashtag', 'Hearth'], 'the tag as the client wrote it');
      const note = await wait((e) => e.event === 'notification');
      assert.equal(note.payload.type, 'favourite');
      assert.equal(note.payload.account.id, bob.id);
      assert.equal(note.payload.status.id, id);

      await m('DELETE', `/api/v1/statuses/${id}`, alice);
      const del = await wait((e) => e.event === 'delete');
      assert.equal(del.payload, id);
    } finally {
      bobStream.close();
      aliceStream.close();
    }
  });

  test('each reader gets only what they may see: followers-only, direct, blocks, mutes', async () => {
    const [alice, follower, stranger, named, muter, blocker] = await Promise.all(
      Array.from({ length: 6 }, () => h.register()),
    );
    for (const u of [follower, muter, blocker]) await follow(u, alice);
    await m('POST', `/api/v1/accounts/${alice.id}/mute`, muter);
    const streams = new Map<TestUser, Stream>();
    for (const u of [follower, stranger, named, muter, blocker]) {
      const s = await Stream.open(`?access_token=${u.token}&stream=user`);
      s.send({ type: 'subscribe', stream: 'public' });
      s.send({ type: 'subscribe', stream: 'hashtag', tag: 'x' });
      await s.sync();
      streams.set(u, s);
    }
    // The blocker blocks alice after subscribing: the block ends the follow, and the stream stops at once.
    await h.api('PUT', `/users/@me/relationships/${alice.id}`, { token: blocker.token, body: { type: 2 } });

    const priv = await post(h, alice, { status: 'followers #x', visibility: 'private' });
    const direct = await post(h, alice, { status: `@${named.username} secret #x`, visibility: 'direct' });
    const unlisted = await post(h, alice, { status: 'unlisted #x', visibility: 'unlisted' });
    const pub = await post(h, alice, { status: 'public #x' });
    // Everyone who should get the last one has it: what came before was routed already.
    await streams.get(follower)?.next(isUpdate(pub));
    await streams.get(stranger)?.next(isUpdate(pub, 'public'));
    await streams.get(named)?.next(isUpdate(pub, 'hashtag'));

    const f = streams.get(follower)!;
    assert.deepEqual(f.updates('user'), [priv, unlisted, pub]);
    assert.deepEqual(f.updates('public'), [pub]);
    assert.deepEqual(f.updates('hashtag'), [pub]);
    for (const u of [stranger, named]) {
      const s = streams.get(u)!;
      assert.deepEqual(s.updates('user'), [], 'not following: no home stream');
      assert.deepEqual(s.updates('public'), [pub]);
      assert.deepEqual(s.updates('hashtag'), [pub]);
    }
    for (const u of [muter, blocker]) {
      const s = streams.get(u)!;
      await s.sync();
      assert.deepEqual(
        s.messages.filter((msg) => msg.event === 'update'),
        [],
        'muted or blocked: nothing',
      );
    }
    // Nothing of the followers-only status reached anyone but the follower, anywhere; the direct one reached only
    // the account it names, as its mention notification.
    for (const [u, s] of streams)
      for (const msg of s.messages) {
        if (u !== follower) assert.ok(!msg.payload?.includes(priv), 'followers-only status leaked');
        if (u !== named) assert.ok(!msg.payload?.includes(direct), 'direct status leaked');
      }
    const mention = await streams.get(named)!.next((msg) => msg.event === 'notification');
    assert.equal(JSON.parse(mention.payload ?? '{}').status.id, direct);

    // Edits and deletes reach the follower; boosts by someone they follow too.
    await m('PUT', `/api/v1/statuses/${pub}`, alice, { status: 'public #x edited' });
    const edited = await f.next((msg) => msg.event === 'status.update');
    assert.match(JSON.parse(edited.payload ?? '{}').content, /edited/);
    await m('DELETE', `/api/v1/statuses/${unlisted}`, alice);
    assert.equal((await f.next((msg) => msg.event === 'delete')).payload, unlisted);
    const booster = await h.register();
    await follow(follower, booster);
    const other = await post(h, stranger, { status: 'boost me' });
    const boost = (await m('POST', `/api/v1/statuses/${other}/reblog`, booster)).body.id;
    const boosted = await f.next(isUpdate(boost));
    assert.equal(JSON.parse(boosted.payload ?? '{}').reblog.id, other);
    assert.equal(JSON.parse(boosted.payload ?? '{}').reblogged, false, 'no reader flags');
    for (const s of streams.values()) s.close();
  });

  test('followed hashtags reach the user stream (public only, not muted); deletes reach hashtag streams', async () => {
    const [reader, author, muted] = await Promise.all(Array.from({ length: 3 }, () => h.register()));
    const tag = `followed${Math.random().toString(36).slice(2, 8)}`;
    await m('POST', `/api/v1/accounts/${muted.id}/mute`, reader);
    const s = await Stream.open(`?access_token=${reader.token}&stream=user`);
    s.send({ type: 'subscribe', stream: 'hashtag', tag: tag.toUpperCase() });
    await s.sync();
    // Followed after subscribing: the stream learns it from the bus.
    assert.equal((await m('POST', `/api/v1/tags/${tag}/follow`, reader)).status, 200);
    await post(h, author, { status: `followers #${tag}`, visibility: 'private' });
    await post(h, author, { status: `unlisted #${tag}`, visibility: 'unlisted' });
    await post(h, muted, { status: `muted #${tag}` });
    const pub = await post(h, author, { status: `public #${tag}` });
    await s.next(isUpdate(pub));
    await s.next(isUpdate(pub, 'hashtag'));
    assert.deepEqual(s.updates('user'), [pub], 'only the public one, once');

    await m('DELETE', `/api/v1/statuses/${pub}`, author);
    const onTag = await s.next((msg) => msg.event === 'delete' && msg.stream?.[0] === 'hashtag');
    assert.deepEqual(onTag.stream, ['hashtag', tag.toUpperCase()]);
    assert.equal(onTag.payload, pub);
    assert.equal((await s.next((msg) => msg.event === 'delete' && msg.stream?.[0] === 'user')).payload, pub);

    // Unfollowed: the user stream stops getting the tag (the hashtag stream still does).
    await m('POST', `/api/v1/tags/${tag}/unfollow`, reader);
    const later = await post(h, author, { status: `later #${tag}` });
    await s.next(isUpdate(later, 'hashtag'));
    await s.sync();
    assert.deepEqual(s.updates('user'), [pub]);
    s.close();
  });

  test('Server-Sent Events: /api/v1/streaming/user and /hashtag?tag=; bad tokens, unknown streams', async () => {
    const [alice, bob] = [await h.register(), await h.register()];
    await follow(bob, alice);
    const sse = (path: string, token?: string, signal?: AbortSignal) =>
      fetch(`${h.url}/api/v1/streaming/${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal,
      });
    assert.equal((await sse('user?access_token=nope')).status, 401);
    const anonymousUser = await sse('user');
    assert.equal(anonymousUser.status, 401);
    assert.deepEqual(await anonymousUser.json(), { error: 'Missing access token' });
    assert.equal((await sse('nothing-here', bob.token)).status, 404);
    assert.equal((await sse('hashtag', bob.token)).status, 400, 'no tag');

    const stop = new AbortController();
    const user = new EventReader(await sse('user', bob.token, stop.signal));
    const tag = new EventReader(await sse('hashtag?tag=OverSse', undefined, stop.signal));
    assert.equal(user.response.headers.get('content-type'), 'text/event-stream');
    while (!h.app.streaming.streamsOf(bob.id).includes('user')) await new Promise((r) => setTimeout(r, 20));
    while (h.app.streaming.streamsOf('').length === 0) await new Promise((r) => setTimeout(r, 20));
    const id = await post(h, alice, { status: 'over sse #oversse' });
    const update = await user.next((e) => e.event === 'update');
    assert.equal(JSON.parse(update.data).id, id);
    assert.equal(JSON.parse((await tag.next((e) => e.event === 'update')).data).id, id);
    // An emoji reaction reaches the author as Pleroma's notification (no status.update for counts, as Mastodon).
    const notes = new EventReader(await sse('user/notification', alice.token, stop.signal));
    while (!h.app.streaming.streamsOf(alice.id).includes('user:notification'))
      await new Promise((r) => setTimeout(r, 20));
    const reacted = await m(
      'PUT',
      `/api/v1/pleroma/statuses/${id}/reactions/${encodeURIComponent('🎉')}`,
      bob,
    );
    assert.equal(reacted.status, 200);
    const note = JSON.parse((await notes.next((e) => e.event === 'notification')).data);
    assert.deepEqual([note.type, note.emoji, note.status.id], ['pleroma:emoji_reaction', '🎉', id]);
    assert.ok(!user.events.some((e) => e.event === 'status.update'));
    await m('DELETE', `/api/v1/statuses/${id}`, alice);
    assert.equal((await user.next((e) => e.event === 'delete')).data, id);
    assert.equal((await tag.next((e) => e.event === 'delete')).data, id);
    stop.abort();
    while (h.app.streaming.streamsOf(bob.id).length > 0) await new Promise((r) => setTimeout(r, 20));
  });

  test('tokens: query, subprotocol, none (public only), invalid (401), revoked (closed)', async () => {
    const u = await h.register();
    await assert.rejects(Stream.open('?access_token=nope&stream=public'), /HTTP 401/);
    const anon = await Stream.open('?stream=user');
    const err = await anon.next((msg) => msg.error !== undefined);
    assert.equal(err.status, 401);
    anon.send({ type: 'subscribe', stream: 'public:local' });
    anon.send({ type: 'subscribe', stream: 'list', list: '1' });
    assert.equal((await anon.next((msg) => msg.error === 'Missing access token', 1)).status, 401);
    anon.send({ type: 'subscribe', stream: 'nothing' });
    assert.equal((await anon.next((msg) => msg.error === 'Unknown stream type')).status, 400);
    const pub = await post(h, u, { status: 'for everyone' });
    await anon.next(isUpdate(pub, 'public:local'));
    anon.close();

    const viaProtocol = await Stream.open('?stream=user:notification', { protocol: u.token });
    assert.equal(viaProtocol.ws.protocol, u.token);
    await viaProtocol.sync();
    const fan = await h.register();
    await follow(fan, u);
    const note = await viaProtocol.next((msg) => msg.event === 'notification');
    assert.deepEqual(note.stream, ['user:notification']);
    assert.equal(JSON.parse(note.payload ?? '{}').type, 'follow');
    // Signing out (the token's session ends) ends the stream.
    await h.api('POST', '/auth/logout', { token: u.token });
    await viaProtocol.next(() => false).catch(() => {});
    assert.ok(viaProtocol.closed);

    const health = await fetch(`${h.url}/api/v1/streaming/health`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'OK');
  });

  test('bounds: streams per connection, message size, bad messages', async () => {
    const u = await h.register();
    const s = await Stream.open(`?access_token=${u.token}`);
    for (let i = 0; i < 40; i++) s.send({ type: 'subscribe', stream: 'hashtag', tag: `t${i}` });
    assert.equal((await s.next((msg) => msg.status === 429)).error, 'Too many streams on this connection');
    assert.equal(h.app.streaming.streamsOf(u.id).length, 32);
    s.ws.send('not json');
    assert.equal((await s.next((msg) => msg.error === 'Could not parse message')).status, 400);
    s.send({ type: 'subscribe', stream: 'hashtag' });
    assert.equal((await s.next((msg) => msg.error === 'No tag for stream provided')).status, 400);
    s.send({ type: 'subscribe', stream: 'public', padding: 'x'.repeat(5000) });
    await s.next(() => false).catch(() => {});
    assert.equal(s.closed?.code, 1009);
  });
});
