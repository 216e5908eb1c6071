import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq, inArray, like, sql } from 'drizzle-orm';
import sharp from 'sharp';
import { jobs, mediaAttachments } from '../../src/store/schema';
import { eventually, followPeer, PUBLIC } from '../federation-helpers';
import { type Peer, type PeerActor, startPeer } from '../fediverse-peer';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon } from '../social-helpers';

// Remote media (ADR 0052): a remote note's attachments and a remote account's avatar and header are recorded with
// their remote URLs, fetched by jobs through the outbound guard and served by Hearth; what cannot be fetched (too
// large, not media, a redirect to a private address, past the fourth) stays `unknown` with its remote URL.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
let peer: Peer;
/** Hearth's bound on remote video and audio in this test (images are bounded by their own 10 MiB too). */
const MAX_BYTES = 200_000;

before(async () => {
  h = await startHearth({
    federationAllowPrivateAddresses: true,
    federationAllowHttp: true,
    remoteMediaMaxBytes: MAX_BYTES,
  });
  m = mastodon(h);
  peer = await startPeer();
});
after(async () => {
  await h.close();
  await peer.close();
});

const png = (width: number, height: number, rgb: [number, number, number]) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();

/** Where Hearth serves its files (its public URL). */
const base = () => h.app.config.publicUrl;

/** Waits until no remote media job is due or running. */
async function mediaSettled(): Promise<void> {
  await eventually('the remote media jobs done', async () => {
    const [row] = await h.app.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(jobs)
      .where(
        and(
          like(jobs.kind, 'social.remote-%'),
          inArray(jobs.state, ['queued', 'running']),
          sql`${jobs.runAt} <= now()`,
        ),
      );
    return Number(row.n) === 0;
  });
}

const create = (actor: PeerActor, object: Record<string, any>) => ({
  id: `${object.id}/activity`,
  type: 'Create',
  actor: actor.id,
  to: object.to,
  cc: object.cc,
  object,
});

async function homeStatus(u: TestUser, uri: string) {
  const r = await m('GET', '/api/v1/timelines/home', u);
  return (r.body as any[]).find((s) => s.uri === uri) ?? null;
}

/** GET of a URL Hearth serves, without a token. */
const fetchPlain = (url: string) =>
  fetch(url.replace(base(), h.url)).then(async (r) => ({
    status: r.status,
    type: r.headers.get('content-type'),
  }));

describe('remote media', () => {
  let u: TestUser;
  let author: PeerActor;
  let accountId: string;

  test("a remote account's avatar and header are fetched and served by Hearth", async () => {
    u = await h.register();
    author = await peer.actor('painter');
    peer.serveFile('/media/avatar.png', await png(64, 64, [200, 30, 30]), 'image/png');
    peer.serveFile('/media/header.png', await png(300, 100, [30, 30, 200]), 'image/png');
    author.extra = {
      icon: { type: 'Image', mediaType: 'image/png', url: `${peer.origin}/media/avatar.png` },
      image: { type: 'Image', mediaType: 'image/png', url: `${peer.origin}/media/header.png` },
    };
    accountId = await followPeer(h, u, author, peer);
    const account = await eventually('the avatar and header stored', async () => {
      const r = await m('GET', `/api/v1/accounts/${accountId}`, u);
      return r.body.avatar.startsWith(`${base()}/avatars/`) && r.body.header.startsWith(`${base()}/banners/`)
        ? r.body
        : null;
    });
    assert.equal((await fetchPlain(account.avatar)).status, 200);
    assert.equal((await fetchPlain(account.header)).status, 200);
    assert.equal(peer.fileHits.get('/media/avatar.png'), 1);
  });

  test('attachments: fetched and served, or left remote when too large, not media, redirected inward, or past four', async () => {
    const image = await png(800, 600, [10, 160, 10]);
    peer.serveFile('/media/photo.png', image, 'image/png');
    // An MP4's header, then more bytes than Hearth takes.
    const big = Buffer.concat([
      Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32]),
      Buffer.alloc(MAX_BYTES + 1000),
    ]);
    peer.serveFile('/media/big.mp4', big, 'video/mp4');
    peer.serveFile('/media/page.png', Buffer.from('<!doctype html><title>not an image</title>'), 'image/png');
    // A redirect to a loopback address under another name (only the URL's own host is allowed by the test setting).
    const port = new URL(peer.origin).port;
    peer.redirect('/media/inward.png', `http://localhost:${port}/media/target.png`);
    peer.serveFile('/media/target.png', image, 'image/png');
    peer.serveFile('/media/fifth.png', image, 'image/png');

    const doc = (name: string, extra: Record<string, unknown> = {}) => ({
      type: 'Document',
      mediaType: 'image/png',
      url: `${peer.origin}/media/${name}`,
      name: `alt of ${name}`,
      ...extra,
    });
    const note = {
      id: `${author.id}/statuses/media-1`,
      type: 'Note',
      attributedTo: author.id,
      to: [PUBLIC],
      cc: [`${author.id}/followers`],
      content: '<p>five files</p>',
      published: '2026-12-01T10:00:00Z',
      attachment: [
        doc('photo.png', {
          blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
          focalPoint: [0.5, -0.25],
          width: 800,
          height: 600,
        }),
        { ...doc('big.mp4'), type: 'Video', mediaType: 'video/mp4' },
        doc('page.png'),
        doc('inward.png'),
        doc('fifth.png'),
      ],
    };
    assert.equal(await peer.send(author, `${h.url}/inbox`, create(author, note)), 202);
    const first = await eventually('the note in the home timeline', () => homeStatus(u, note.id));
    // Before the jobs ran, or in any case: four attachments, each with its remote URL.
    assert.equal(first.media_attachments.length, 4);
    assert.deepEqual(
      first.media_attachments.map((a: any) => a.remote_url),
      ['photo.png', 'big.mp4', 'page.png', 'inward.png'].map((n) => `${peer.origin}/media/${n}`),
    );
    await mediaSettled();
    const status = await eventually('the photo stored', async () => {
      const s = await homeStatus(u, note.id);
      return s?.media_attachments[0].url.startsWith(base()) ? s : null;
    });
    const [photo, video, page, inward] = status.media_attachments;
    assert.equal(photo.type, 'image');
    assert.equal(photo.description, 'alt of photo.png');
    assert.deepEqual(photo.meta.focus, { x: 0.5, y: -0.25 });
    assert.equal(photo.meta.original.width, 800);
    assert.ok(photo.preview_url.startsWith(base()));
    const served = await fetchPlain(photo.url);
    assert.equal(served.status, 200);
    assert.match(served.type ?? '', /^image\//);
    assert.equal((await fetchPlain(photo.preview_url)).status, 200);
    for (const a of [video, page, inward]) {
      assert.equal(a.type, 'unknown', a.remote_url);
      assert.equal(a.url, a.remote_url);
      assert.equal(a.preview_url, null);
    }
    // The redirect was not followed to its private target; the fifth file was never asked for.
    assert.equal(peer.fileHits.get('/media/inward.png'), 1);
    assert.equal(peer.fileHits.get('/media/target.png') ?? 0, 0);
    assert.equal(peer.fileHits.get('/media/fifth.png') ?? 0, 0);
    // Nothing unfetched is served here (its files were never stored).
    const [row] = await h.app.database.db
      .select()
      .from(mediaAttachments)
      .where(eq(mediaAttachments.id, page.id));
    assert.equal(row.cachedAt, null);
    assert.equal(
      (await fetchPlain(`${h.url}/media_attachments/${row.userId}/${row.id}/original.png`)).status,
      404,
    );

    // An edit that drops the photo and adds another: the new one is fetched, the old file is gone.
    peer.serveFile('/media/second.png', await png(100, 100, [1, 2, 3]), 'image/png');
    const edited = {
      ...note,
      content: '<p>edited</p>',
      updated: '2026-12-01T11:00:00Z',
      attachment: [doc('second.png')],
    };
    await peer.send(author, `${h.url}/inbox`, {
      id: `${author.id}#updates/media-1`,
      type: 'Update',
      actor: author.id,
      object: edited,
    });
    const after = await eventually('the edit with its new attachment stored', async () => {
      const s = await homeStatus(u, note.id);
      return s?.media_attachments.length === 1 && s.media_attachments[0].url.startsWith(base()) ? s : null;
    });
    assert.equal(after.media_attachments[0].remote_url, `${peer.origin}/media/second.png`);
    assert.equal((await fetchPlain(photo.url)).status, 404);

    // The sweep: files stored longer than REMOTE_MEDIA_CACHE_DAYS go, the attachment points at its remote URL again.
    await h.app.database.db
      .update(mediaAttachments)
      .set({ cachedAt: sql`now() - interval '8 days'` })
      .where(eq(mediaAttachments.id, after.media_attachments[0].id));
    assert.equal(await h.app.services.social.media.sweepRemote(), 1);
    const swept = await homeStatus(u, note.id);
    assert.equal(swept.media_attachments[0].url, `${peer.origin}/media/second.png`);
    assert.equal((await fetchPlain(after.media_attachments[0].url)).status, 404);
  });

  test('an instance past its rate waits: its files are fetched later, not now', async () => {
    const spent = await h.app.limiter.hit(
      `remote-media:${peer.host}`,
      h.app.config.remoteMediaFetchesPerMinute,
      60_000,
    );
    for (let i = spent.remaining; i > 0; i--)
      await h.app.limiter.hit(`remote-media:${peer.host}`, h.app.config.remoteMediaFetchesPerMinute, 60_000);
    peer.serveFile('/media/later.png', await png(50, 50, [9, 9, 9]), 'image/png');
    const note = {
      id: `${author.id}/statuses/media-2`,
      type: 'Note',
      attributedTo: author.id,
      to: [PUBLIC],
      cc: [`${author.id}/followers`],
      content: '<p>later</p>',
      published: '2026-12-01T12:00:00Z',
      attachment: [{ type: 'Image', mediaType: 'image/png', url: `${peer.origin}/media/later.png` }],
    };
    await peer.send(author, `${h.url}/inbox`, create(author, note));
    await eventually('the note in the home timeline', () => homeStatus(u, note.id));
    await mediaSettled();
    const s = await homeStatus(u, note.id);
    assert.equal(s.media_attachments[0].type, 'unknown');
    assert.equal(s.media_attachments[0].url, `${peer.origin}/media/later.png`);
    assert.equal(peer.fileHits.get('/media/later.png') ?? 0, 0);
    // It waits as a delayed job, not as a failure.
    const [waiting] = await h.app.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(jobs)
      .where(
        and(eq(jobs.kind, 'social.remote-media-fetch'), eq(jobs.state, 'queued'), sql`${jobs.runAt} > now()`),
      );
    assert.equal(Number(waiting.n), 1);
  });
});
