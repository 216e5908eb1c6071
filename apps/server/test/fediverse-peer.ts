import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signRequest } from '@fedify/fedify';

// A tiny stand-in for another fediverse server, for scenario tests of Hearth's inbox (ADR 0040): it serves its
// actors (each with its own RSA key) and WebFinger, records what is delivered to its inboxes, and sends activities
// signed with draft-cavage HTTP Signatures, as Mastodon does. Activities are plain JSON written by the test.

export interface PeerActor {
  name: string;
  /** The actor IRI. */
  id: string;
  keyId: string;
  privateKey: CryptoKey;
  publicKeyPem: string;
  /** Extra properties of the actor document (name, summary, …), changed by the test between requests. */
  extra: Record<string, unknown>;
}

export interface Peer {
  origin: string;
  host: string;
  actor(name: string): Promise<PeerActor>;
  /** POSTs `activity` (Mastodon's `@context` is added when it has none) to `inbox`, signed by `by`; answers the status. */
  send(by: PeerActor, inbox: string, activity: Record<string, unknown>): Promise<number>;
  /** Serves `doc` (with Mastodon's context) at its `id`, as the peer's own object. */
  serve(doc: { id: string } & Record<string, unknown>): void;
  /** Serves a JSON document as it is at `path` (a JSON-LD context the peer's activities name, as Pleroma's do). */
  serveRaw(path: string, doc: unknown, type?: string): void;
  /** Serves bytes as they are at `path` with `type` (a media file); `redirect` answers 302 to it instead. */
  serveFile(path: string, body: Buffer, type: string): void;
  redirect(path: string, location: string): void;
  /** How many times each served file's path was requested. */
  fileHits: Map<string, number>;
  /** Activities delivered to this peer's inboxes, oldest first. */
  received: Array<Record<string, any>>;
  /** While true, its inboxes answer 503 and keep nothing (an instance that is down). */
  down: boolean;
  /** Gives `actor` a new key pair, served from now on under the same key id (key rotation). */
  rotateKey(actor: PeerActor): Promise<void>;
  close(): Promise<void>;
}

const AS = 'https://www.w3.org/ns/activitystreams';
/** The context Mastodon puts on what it sends (its ActivityPub docs): `sensitive` and `Hashtag` are not in AS 2.0's. */
const MASTODON_CONTEXT = [
  AS,
  'https://w3id.org/security/v1',
  {
    manuallyApprovesFollowers: 'as:manuallyApprovesFollowers',
    sensitive: 'as:sensitive',
    Hashtag: 'as:Hashtag',
    toot: 'http://joinmastodon.org/ns#',
    Emoji: 'toot:Emoji',
    discoverable: 'toot:discoverable',
    alsoKnownAs: { '@id': 'as:alsoKnownAs', '@type': '@id' },
    movedTo: { '@id': 'as:movedTo', '@type': '@id' },
    blurhash: 'toot:blurhash',
    focalPoint: { '@container': '@list', '@id': 'toot:focalPoint' },
  },
];

async function pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey('spki', key)).toString('base64');
  return `-----BEGIN PUBLIC KEY-----\n${der.match(/.{1,64}/g)?.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/**
 * Starts a peer on 127.0.0.1 (Hearth must allow private addresses and plain HTTP: test settings), named by
 * `hostName` (default 127.0.0.1; `localhost` gives a second server with another domain).
 */
export async function startPeer(opts: { hostName?: string } = {}): Promise<Peer> {
  const actors = new Map<string, PeerActor>();
  const received: Array<Record<string, any>> = [];
  const objects = new Map<string, Record<string, unknown>>();
  const raw = new Map<string, { doc: unknown; type: string }>();
  const files = new Map<string, { body: Buffer; type: string } | { location: string }>();
  const fileHits = new Map<string, number>();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (status: number, body: unknown, type = 'application/activity+json') => {
        res.writeHead(status, { 'content-type': type });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && url.pathname.endsWith('/inbox')) {
        if (peer.down) {
          res.writeHead(503).end();
          return;
        }
        try {
          received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {}
        res.writeHead(202).end();
        return;
      }
      if (url.pathname === '/.well-known/webfinger') {
        const name = /^acct:([^@]+)@/.exec(url.searchParams.get('resource') ?? '')?.[1];
        const a = name ? actors.get(name) : undefined;
        if (!a) return json(404, {}, 'application/json');
        return json(
          200,
          {
            subject: `acct:${a.name}@${new URL(origin).host}`,
            links: [{ rel: 'self', type: 'application/activity+json', href: a.id }],
          },
          'application/jrd+json',
        );
      }
      const media = files.get(url.pathname);
      if (media) {
        fileHits.set(url.pathname, (fileHits.get(url.pathname) ?? 0) + 1);
        if ('location' in media) res.writeHead(302, { location: media.location }).end();
        else res.writeHead(200, { 'content-type': media.type }).end(media.body);
        return;
      }
      const file = raw.get(url.pathname);
      if (file) return json(200, file.doc, file.type);
      const object = objects.get(url.href);
      if (object) return json(200, { '@context': MASTODON_CONTEXT, ...object });
      const m = /^\/users\/([a-z0-9_]+)$/.exec(url.pathname);
      const a = m ? actors.get(m[1]) : undefined;
      if (!a) return json(404, {});
      json(200, {
        '@context': MASTODON_CONTEXT,
        id: a.id,
        type: 'Person',
        preferredUsername: a.name,
        name: a.name,
        inbox: `${a.id}/inbox`,
        outbox: `${a.id}/outbox`,
        followers: `${a.id}/followers`,
        following: `${a.id}/following`,
        endpoints: { sharedInbox: `${origin}/inbox` },
        manuallyApprovesFollowers: false,
        publicKey: { id: a.keyId, owner: a.id, publicKeyPem: a.publicKeyPem },
        ...a.extra,
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://${opts.hostName ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  const peer: Peer = {
    origin,
    host: new URL(origin).host,
    received,
    down: false,
    async rotateKey(a) {
      const pair = await rsaPair();
      a.privateKey = pair.privateKey;
      a.publicKeyPem = await pem(pair.publicKey);
    },
    serve: (doc) => objects.set(doc.id, doc),
    serveRaw: (path, doc, type = 'application/ld+json') => raw.set(path, { doc, type }),
    serveFile: (path, body, type) => files.set(path, { body, type }),
    redirect: (path, location) => files.set(path, { location }),
    fileHits,
    async actor(name) {
      const pair = await rsaPair();
      const id = `${origin}/users/${name}`;
      const a: PeerActor = {
        name,
        id,
        keyId: `${id}#main-key`,
        privateKey: pair.privateKey,
        publicKeyPem: await pem(pair.publicKey),
        extra: {},
      };
      actors.set(name, a);
      return a;
    },
    async send(by, inbox, activity) {
      const body = JSON.stringify({ '@context': MASTODON_CONTEXT, ...activity });
      const request = await signRequest(
        new Request(inbox, {
          method: 'POST',
          headers: { 'content-type': 'application/activity+json' },
          body,
        }),
        by.privateKey,
        new URL(by.keyId),
      );
      const res = await fetch(request);
      await res.arrayBuffer();
      return res.status;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return peer;
}

function rsaPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  ) as Promise<CryptoKeyPair>;
}
