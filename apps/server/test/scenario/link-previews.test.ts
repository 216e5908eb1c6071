// Link previews (ADR 0044): after a message is saved, the server reads the pages its links name through the outbound
// guard and adds their cards to its embeds, announced with MESSAGE_UPDATE; images are served through /embed-images.
// A local HTTP server plays the web (127.0.0.1 is allowed by OUTBOUND_ALLOW_HOSTS here; `localhost` is not).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';

let web: Server;
let base = '';
const hits = new Map<string, number>();

const page = (head: string) => `<!doctype html><html><head>${head}</head><body><p>text</p></body></html>`;

function serve(path: string): { status: number; type?: string; body?: string | Buffer; location?: string } {
  if (path === '/article')
    return {
      status: 200,
      type: 'text/html; charset=utf-8',
      body: page(`<title>Ignored</title>
        <meta property="og:title" content="Fish &amp; Chips">
        <meta property="og:description" content="How to fry, in 3 steps.">
        <meta property="og:site_name" content="Cooking">
        <meta property="og:type" content="article">
        <meta property="og:image" content="/pic.png">
        <meta name="twitter:card" content="summary_large_image">
        <meta name="theme-color" content="#ff8800">`),
    };
  if (/^\/p\d$/.test(path) || path === '/plain' || path === '/edited')
    return { status: 200, type: 'text/html', body: page(`<title>Page ${path}</title>`) };
  if (path === '/moved') return { status: 302, location: '/plain' };
  if (path === '/loop') return { status: 302, location: '/loop' };
  if (path === '/pic.png') return { status: 200, type: 'image/png', body: PNG };
  if (path === '/evil.svg') return { status: 200, type: 'image/png', body: SVG };
  if (path === '/svg-card')
    return { status: 200, type: 'text/html', body: page('<meta property="og:image" content="/evil.svg">') };
  if (path === '/huge')
    return {
      status: 200,
      type: 'text/html',
      body: page(`<meta property="og:title" content="Big page">${'<!-- padding -->'.repeat(200_000)}`),
    };
  if (path === '/private') return { status: 200, type: 'text/html', body: page('<title>Secret</title>') };
  return { status: 404, type: 'text/plain', body: 'no' };
}

let h: TestServer;
let g: TestGuild;
let member: TestUser;
let gw: TestGateway;

const send = async (content: string, extra: Record<string, unknown> = {}) => {
  const res = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
    token: member.token,
    body: { content, ...extra },
  });
  assert.equal(res.status, 200, res.text);
  return res.body;
};
/** A URL under Hearth's PUBLIC_URL, as this test reaches the server. */
const local = (url: string) => {
  const u = new URL(url);
  return `${h.url}${u.pathname}${u.search}`;
};
const updated = (id: string, where: (d: any) => boolean = () => true) =>
  gw.dispatch('MESSAGE_UPDATE', (d) => d.id === id && where(d), 20_000);

describe('link previews', () => {
  before(async () => {
    web = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const answer = serve(path);
      res.writeHead(answer.status, {
        ...(answer.type ? { 'content-type': answer.type } : {}),
        ...(answer.location ? { location: answer.location } : {}),
      });
      res.end(answer.body);
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
    h = await startHearth({ outboundAllowHosts: ['127.0.0.1'] });
    g = await createGuild(h);
    member = await join(h, g);
    gw = await TestGateway.identify(h, g.owner.token, {}, 1);
  });

  after(async () => {
    web?.closeAllConnections();
    web?.close();
    await closeWithClients(h);
  });

  test("a page's OpenGraph card becomes an embed, announced with MESSAGE_UPDATE, its image proxied", async () => {
    const sent = await send(`look ${base}/article.`);
    assert.deepEqual(sent.embeds, [], 'the message is answered before its links are read');
    const update = await updated(sent.id, (d) => d.embeds.length > 0);
    assert.equal(update.guild_id, g.id);
    assert.equal(update.edited_timestamp, null, 'a preview is no edit');
    const [embed] = update.embeds;
    assert.equal(embed.type, 'article');
    assert.equal(embed.url, `${base}/article`);
    assert.equal(embed.title, 'Fish & Chips');
    assert.equal(embed.description, 'How to fry, in 3 steps.');
    assert.deepEqual(embed.provider, { name: 'Cooking' });
    assert.equal(embed.color, 0xff8800);
    assert.equal(embed.image.url, `${base}/pic.png`);
    assert.equal(embed.thumbnail, undefined);
    // The image comes from Hearth itself, so the web app's CSP (img-src 'self') allows it.
    const proxy = new URL(embed.image.proxy_url);
    assert.equal(proxy.pathname, '/embed-images');
    const img = await fetch(local(proxy.href));
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/png');
    assert.equal(img.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await img.arrayBuffer()), PNG);
    // History shows it too.
    const got = await h.api('GET', `/channels/${g.textChannelId}/messages/${sent.id}`, {
      token: member.token,
    });
    assert.equal(got.body.embeds[0].title, 'Fish & Chips');
  });

  test('the image proxy serves only what a message signed, and only safe images', async () => {
    const signed = (
      await h.api('GET', `/channels/${g.textChannelId}/messages?limit=1`, { token: member.token })
    ).body[0].embeds[0].image.proxy_url as string;
    const forged = new URL(local(signed));
    forged.searchParams.set('url', `${base}/private`);
    assert.equal((await fetch(forged)).status, 404, 'another URL under the same signature');
    const unsigned = new URL('/embed-images', h.url);
    unsigned.searchParams.set('url', `${base}/pic.png`);
    assert.equal((await fetch(unsigned)).status, 404, 'no signature');
    assert.equal((await fetch(`${h.url}/embed-images`)).status, 400, 'no url');
    // An SVG (sent as image/png) behind a signed URL is still refused: the bytes decide, and SVG is never served.
    const sent = await send(`${base}/svg-card`);
    const update = await updated(sent.id, (d) => d.embeds.length > 0);
    assert.equal((await fetch(local(update.embeds[0].thumbnail.proxy_url))).status, 404);
    assert.equal(hits.get('/private') ?? 0, 0);
  });

  test('code, <links>, and private addresses get no preview; at most five links do', async () => {
    const port = new URL(base).port;
    const sent = await send(
      `\`${base}/p1\` <${base}/p2> http://localhost:${port}/private http://10.1.2.3/x ${base}/plain`,
    );
    const update = await updated(sent.id, (d) => d.embeds.length > 0);
    assert.deepEqual(
      update.embeds.map((e: any) => e.url),
      [`${base}/plain`],
    );
    assert.equal(hits.get('/p1') ?? 0, 0);
    assert.equal(hits.get('/p2') ?? 0, 0);
    assert.equal(hits.get('/private') ?? 0, 0, 'localhost resolves to loopback: refused by the guard');
    const many = await send([3, 4, 5, 6, 7, 8, 9].map((n) => `${base}/p${n}`).join(' '));
    const five = await updated(many.id, (d) => d.embeds.length > 0);
    assert.deepEqual(
      five.embeds.map((e: any) => e.title),
      ['Page /p3', 'Page /p4', 'Page /p5', 'Page /p6', 'Page /p7'],
    );
    assert.equal(hits.get('/p8') ?? 0, 0);
  });

  test('redirects are followed a few hops; big pages are read only up to their head; the cache answers repeats', async () => {
    const moved = await send(`${base}/moved`);
    const up = await updated(moved.id, (d) => d.embeds.length > 0);
    assert.equal(up.embeds[0].title, 'Page /plain');
    assert.equal(up.embeds[0].url, `${base}/moved`);
    const looping = await send(`${base}/loop ${base}/huge`);
    const big = await updated(looping.id, (d) => d.embeds.length > 0);
    assert.deepEqual(
      big.embeds.map((e: any) => e.title),
      ['Big page'],
    );
    assert.equal(hits.get('/loop'), 4, 'the first request and three redirects');
    const before = hits.get('/article');
    const again = await send(`${base}/article`);
    await updated(again.id, (d) => d.embeds.length > 0);
    assert.equal(hits.get('/article'), before, 'a page read within the day is not read again');
  });

  test('SUPPRESS_EMBEDS: nothing is fetched; clearing it previews; setting it hides them', async () => {
    const sent = await send(`${base}/p1 again`, { flags: 4 });
    assert.equal(sent.flags & 4, 4);
    const cleared = await h.api('PATCH', `/channels/${g.textChannelId}/messages/${sent.id}`, {
      token: member.token,
      body: { flags: 0 },
    });
    assert.equal(cleared.status, 200, cleared.text);
    const shown = await updated(sent.id, (d) => d.embeds.length > 0);
    assert.equal(shown.embeds[0].title, 'Page /p1');
    assert.equal(hits.get('/p1'), 1, 'read only once suppression was lifted');
    // A moderator may hide another's previews; a member may not hide the owner's.
    const own = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: { content: 'mine' },
    });
    const refused = await h.api('PATCH', `/channels/${g.textChannelId}/messages/${own.body.id}`, {
      token: member.token,
      body: { flags: 4 },
    });
    assert.equal(refused.status, 403);
    const hidden = await h.api('PATCH', `/channels/${g.textChannelId}/messages/${sent.id}`, {
      token: g.owner.token,
      body: { flags: 4 },
    });
    assert.equal(hidden.status, 200, hidden.text);
    assert.deepEqual(hidden.body.embeds, []);
  });

  test("an edit keeps the sender's own embeds, drops previews of links it removed, and previews new ones", async () => {
    const sent = await send(`${base}/plain`, { embeds: [{ title: 'Mine', description: 'hand-made' }] });
    const up = await updated(sent.id, (d) => d.embeds.length === 2);
    assert.deepEqual(
      up.embeds.map((e: any) => e.title),
      ['Mine', 'Page /plain'],
    );
    const edit = await h.api('PATCH', `/channels/${g.textChannelId}/messages/${sent.id}`, {
      token: member.token,
      body: { content: `now ${base}/edited` },
    });
    assert.equal(edit.status, 200, edit.text);
    assert.deepEqual(
      edit.body.embeds.map((e: any) => e.title),
      ['Mine'],
    );
    const after = await updated(sent.id, (d) => d.embeds.length === 2);
    assert.deepEqual(
      after.embeds.map((e: any) => e.title),
      ['Mine', 'Page /edited'],
    );
  });
});
