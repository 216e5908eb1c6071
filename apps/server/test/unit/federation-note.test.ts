import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Announce, Create, Note, Page } from '@fedify/vocab';
import type { FederatedMedia } from '../../src/domain/social/posts.service';
import {
  createOf,
  namedActors,
  noteToStatus,
  pageLink,
  remoteAttachments,
  statusToNote,
} from '../../src/federation/note';

// The pure mapping between statuses and Notes (ADR 0040), on a Create(Note) shaped as mastodon.social sends it
// (its extension context, tags, contentMap and replies collection), with hostile markup added to its content.

const mastodonCreate = {
  '@context': [
    'https://www.w3.org/ns/activitystreams',
    {
      ostatus: 'http://ostatus.org#',
      atomUri: 'ostatus:atomUri',
      inReplyToAtomUri: 'ostatus:inReplyToAtomUri',
      conversation: 'ostatus:conversation',
      sensitive: 'as:sensitive',
      toot: 'http://joinmastodon.org/ns#',
      votersCount: 'toot:votersCount',
    },
  ],
  id: 'https://mastodon.social/users/Gargron/statuses/113424209829131429/activity',
  type: 'Create',
  actor: 'https://mastodon.social/users/Gargron',
  published: '2024-11-04T14:00:26Z',
  to: ['https://www.w3.org/ns/activitystreams#Public'],
  cc: ['https://mastodon.social/users/Gargron/followers'],
  object: {
    id: 'https://mastodon.social/users/Gargron/statuses/113424209829131429',
    type: 'Note',
    summary: null,
    inReplyTo: null,
    published: '2024-11-04T14:00:26Z',
    url: 'https://mastodon.social/@Gargron/113424209829131429',
    attributedTo: 'https://mastodon.social/users/Gargron',
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    cc: ['https://mastodon.social/users/Gargron/followers'],
    sensitive: false,
    atomUri: 'https://mastodon.social/users/Gargron/statuses/113424209829131429',
    inReplyToAtomUri: null,
    conversation: 'tag:mastodon.social,2024-11-04:objectId=830385811:objectType=Conversation',
    content:
      '<p>Hello <span class="h-card" translate="no"><a href="https://mastodon.social/@fedify" class="u-url mention">@<span>fedify</span></a></span> <a href="https://mastodon.social/tags/fediverse" class="mention hashtag" rel="tag">#<span>fediverse</span></a><script>alert(1)</script><img src=x onerror="alert(2)"></p><p>second <a href="javascript:alert(3)">line</a></p>',
    contentMap: {
      en: '<p>Hello <span class="h-card" translate="no"><a href="https://mastodon.social/@fedify" class="u-url mention">@<span>fedify</span></a></span> <a href="https://mastodon.social/tags/fediverse" class="mention hashtag" rel="tag">#<span>fediverse</span></a><script>alert(1)</script><img src=x onerror="alert(2)"></p><p>second <a href="javascript:alert(3)">line</a></p>',
    },
    attachment: [],
    tag: [
      { type: 'Mention', href: 'https://mastodon.social/users/fedify', name: '@fedify' },
      { type: 'Hashtag', href: 'https://mastodon.social/tags/fediverse', name: '#fediverse' },
    ],
    replies: {
      id: 'https://mastodon.social/users/Gargron/statuses/113424209829131429/replies',
      type: 'Collection',
      first: {
        type: 'CollectionPage',
        next: 'https://mastodon.social/users/Gargron/statuses/113424209829131429/replies?only_other_accounts=true&page=true',
        partOf: 'https://mastodon.social/users/Gargron/statuses/113424209829131429/replies',
        items: [],
      },
    },
  },
};

const followers = 'https://mastodon.social/users/Gargron/followers';

async function noteOf(json: unknown): Promise<Note> {
  // The fixture's @context is ActivityStreams' own (preloaded in Fedify) plus inline terms, and the Note is embedded:
  // nothing is fetched.
  const create = await Create.fromJsonLd(json);
  const object = await create.getObject();
  assert.ok(object instanceof Note);
  return object;
}

describe('Notes to statuses', () => {
  test('a Mastodon Create(Note) becomes a public status with its text, sanitised', async () => {
    const s = noteToStatus(await noteOf(mastodonCreate), followers);
    assert.ok(s);
    assert.equal(s.uri, 'https://mastodon.social/users/Gargron/statuses/113424209829131429');
    assert.equal(s.url, 'https://mastodon.social/@Gargron/113424209829131429');
    assert.equal(s.attributedTo, 'https://mastodon.social/users/Gargron');
    assert.equal(s.visibility, 'public');
    assert.equal(s.sensitive, false);
    assert.equal(s.spoilerText, '');
    assert.equal(s.published?.toISOString(), '2024-11-04T14:00:26.000Z');
    assert.equal(s.inReplyTo, null);
    assert.doesNotMatch(s.content, /script|onerror|<img|javascript:/);
    assert.match(s.content, /<a href="https:\/\/mastodon.social\/@fedify" class="u-url mention"/);
    assert.match(s.content, /rel="nofollow noopener noreferrer"/);
    assert.equal(s.text, 'Hello @fedify #fediverse\n\nsecond line');
  });

  test('visibility follows the audience: unlisted, followers-only, direct', async () => {
    const withAudience = (to: string[], cc: string[]) =>
      noteOf({ ...mastodonCreate, object: { ...mastodonCreate.object, to, cc } });
    const pub = 'https://www.w3.org/ns/activitystreams#Public';
    assert.equal(noteToStatus(await withAudience([followers], [pub]), followers)?.visibility, 'unlisted');
    assert.equal(noteToStatus(await withAudience([followers], []), followers)?.visibility, 'private');
    assert.equal(
      noteToStatus(await withAudience(['https://example.com/users/x'], []), followers)?.visibility,
      'direct',
    );
  });

  test('a content warning becomes spoiler text', async () => {
    const note = await noteOf({
      ...mastodonCreate,
      object: { ...mastodonCreate.object, summary: 'spoilers <b>ahead</b>', sensitive: true },
    });
    const s = noteToStatus(note, followers);
    assert.equal(s?.spoilerText, 'spoilers ahead');
    assert.equal(s?.sensitive, true);
  });
});

describe('statuses to Notes', () => {
  const local = {
    uri: 'https://hearth.test/users/1/statuses/2',
    url: 'https://hearth.test/@alice/2',
    actor: 'https://hearth.test/users/1',
    followers: 'https://hearth.test/users/1/followers',
    content: '<p>hi</p>',
    spoilerText: 'cw',
    sensitive: true,
    visibility: 'unlisted' as const,
    language: null,
    createdAt: new Date('2026-01-02T03:04:05.000Z'),
    inReplyTo: 'https://mastodon.social/users/Gargron/statuses/113424209829131429',
    inReplyToAuthor: null,
    mentions: [],
    attachments: [] as FederatedMedia[],
  };

  test('a local status as a Note addresses its audience and reads back the same', async () => {
    const json = (await statusToNote(local).toJsonLd()) as Record<string, any>;
    assert.equal(json.type, 'Note');
    assert.equal(json.id, local.uri);
    assert.equal(json.attributedTo, local.actor);
    assert.equal(json.to, local.followers);
    assert.equal(json.cc, 'as:Public');
    assert.equal(json.summary, 'cw');
    assert.equal(json.sensitive, true);
    assert.equal(json.inReplyTo, local.inReplyTo);
    assert.equal(json.published, '2026-01-02T03:04:05Z');
    const back = noteToStatus(await Note.fromJsonLd(json), local.followers);
    assert.equal(back?.visibility, 'unlisted');
    assert.equal(back?.content, '<p>hi</p>');
    assert.equal(back?.uri, local.uri);
  });

  test("a status's media go out as Documents, in order, and read back as another instance's attachments", async () => {
    const attachments: FederatedMedia[] = [
      {
        url: 'https://hearth.test/media/1/10/original.png',
        mediaType: 'image/png',
        description: 'a red square',
        width: 640,
        height: 480,
      },
      {
        url: 'https://hearth.test/media/1/11/original.mp4',
        mediaType: 'video/mp4',
        description: null,
        width: null,
        height: null,
      },
    ];
    const json = (await createOf({ ...local, attachments }).toJsonLd()) as Record<string, any>;
    const sent = json.object.attachment;
    assert.equal(sent.length, 2);
    assert.deepEqual(
      sent.map((a: any) => [a.type, a.mediaType, a.url]),
      attachments.map((a) => ['Document', a.mediaType, a.url]),
    );
    const back = await remoteAttachments(
      await Note.fromJsonLd({ '@context': json['@context'], ...json.object }),
    );
    assert.deepEqual(
      back.map((a) => [a.url, a.mediaType, a.description, a.width, a.height]),
      attachments.map((a) => [a.url, a.mediaType, a.description, a.width, a.height]),
    );
    // A status without media carries no attachment at all.
    assert.equal(((await statusToNote(local).toJsonLd()) as Record<string, any>).attachment, undefined);
  });

  test('the Create of a public status is addressed to the public, its followers in cc', async () => {
    const json = (await createOf({ ...local, visibility: 'public' }).toJsonLd()) as Record<string, any>;
    assert.equal(json.type, 'Create');
    assert.equal(json.actor, local.actor);
    assert.equal(json.to, 'as:Public');
    assert.equal(json.cc, local.followers);
    assert.equal(json.object.id, local.uri);
    assert.equal(json.id, `${local.uri}/activity`);
  });

  test('a reply addresses the author it answers; mentions are Mention tags in cc; direct goes to them alone', async () => {
    const gargron = 'https://mastodon.social/users/Gargron';
    const bob = 'https://other.example/users/bob';
    const reply = {
      ...local,
      visibility: 'public' as const,
      inReplyToAuthor: gargron,
      mentions: [{ href: bob, name: '@bob@other.example' }],
    };
    const json = (await createOf(reply).toJsonLd()) as Record<string, any>;
    assert.equal(json.to, 'as:Public');
    assert.deepEqual(json.cc, [local.followers, bob, gargron]);
    assert.equal(json.object.inReplyTo, local.inReplyTo);
    assert.deepEqual(json.object.tag, { type: 'Mention', href: bob, name: '@bob@other.example' });

    const direct = (await createOf({ ...reply, visibility: 'direct' }).toJsonLd()) as Record<string, any>;
    assert.equal(direct.to, bob);
    assert.equal(direct.cc, undefined);
    assert.doesNotMatch(JSON.stringify(direct), /Public|followers/);
    const note = statusToNote({ ...reply, visibility: 'direct' });
    assert.equal(noteToStatus(note, local.followers)?.visibility, 'direct');
    assert.deepEqual(await namedActors(note), [bob]);
  });
});

// A Lemmy post as a community relays it (Lemmy 0.19's shape): Announce{Create{Page}}, the post's link a Link attachment.
const lemmyAnnounce = {
  '@context': [
    'https://www.w3.org/ns/activitystreams',
    'https://w3id.org/security/v1',
    { lemmy: 'https://join-lemmy.org/ns#', sensitive: 'as:sensitive' },
  ],
  id: 'https://lemmy.example/activities/announce/create/1b2c',
  type: 'Announce',
  actor: 'https://lemmy.example/c/knitting',
  to: ['https://www.w3.org/ns/activitystreams#Public'],
  cc: ['https://lemmy.example/c/knitting/followers'],
  object: {
    id: 'https://lemmy.example/activities/create/9f8e',
    type: 'Create',
    actor: 'https://lemmy.example/u/bob',
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    cc: ['https://lemmy.example/c/knitting'],
    object: {
      id: 'https://lemmy.example/post/42',
      type: 'Page',
      attributedTo: 'https://lemmy.example/u/bob',
      to: ['https://lemmy.example/c/knitting', 'https://www.w3.org/ns/activitystreams#Public'],
      cc: [],
      audience: 'https://lemmy.example/c/knitting',
      name: 'Sock <patterns> & more',
      content: '<p>Share yours<script>alert(1)</script></p>',
      mediaType: 'text/html',
      attachment: [{ type: 'Link', href: 'https://example.com/socks?a=1&b=2' }],
      sensitive: false,
      published: '2026-12-01T10:00:00Z',
    },
  },
};

describe('Lemmy Pages to statuses', () => {
  test('a relayed Page becomes its title in bold, its content and its link; its url is the Page', async () => {
    const announce = await Announce.fromJsonLd(lemmyAnnounce);
    const create = await announce.getObject();
    assert.ok(create instanceof Create);
    const page = await create.getObject();
    assert.ok(page instanceof Page);
    const link = await pageLink(page);
    assert.equal(link, 'https://example.com/socks?a=1&b=2');
    const s = noteToStatus(page, null, link);
    assert.ok(s);
    assert.equal(s.uri, 'https://lemmy.example/post/42');
    assert.equal(s.url, 'https://lemmy.example/post/42');
    assert.equal(s.attributedTo, 'https://lemmy.example/u/bob');
    assert.equal(s.visibility, 'public');
    assert.match(s.content, /^<p><strong>Sock &lt;patterns&gt; &amp; more<\/strong><\/p><p>Share yours<\/p>/);
    assert.match(
      s.content,
      /<a href="https:\/\/example\.com\/socks\?a=1&amp;b=2"[^>]*rel="nofollow noopener noreferrer"/,
    );
    assert.doesNotMatch(s.content, /script/);
    assert.equal(s.text.split('\n')[0], 'Sock <patterns> & more');
  });

  test('a Page without a link has none; a javascript: url is no link; a long title is cut', async () => {
    const page = await Page.fromJsonLd({
      ...lemmyAnnounce.object.object,
      '@context': 'https://www.w3.org/ns/activitystreams',
      attachment: [],
      url: 'javascript:alert(1)',
      name: 'x'.repeat(500),
    });
    assert.equal(await pageLink(page), null);
    const s = noteToStatus(page, null, null);
    assert.ok(s);
    assert.match(s.content, new RegExp(`^<p><strong>${'x'.repeat(200)}</strong></p><p>Share yours</p>$`));
  });
});
