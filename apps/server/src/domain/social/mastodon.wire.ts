import { Limits } from '@hearth/protocol';
import type { posts } from '../../store/schema';
import type { AttachmentUrls } from '../messages/attachments';
import type { AccountRow } from './accounts';
import { escapeHtml, hashtags, renderText } from './text';

// Mastodon's Account, Status and Relationship entities (docs.joinmastodon.org/entities). Every documented field is
// present, null or [] when Hearth has nothing for it: clients crash on a missing one.

export type PostRow = typeof posts.$inferSelect;

/** Where an instance's pages live: profile, status and tag URLs are built from it. */
export class SocialUrls {
  /** `signer` signs the URLs of media that not everyone may see (ADR 0033). */
  constructor(
    readonly base: string,
    readonly signer: AttachmentUrls,
  ) {}
  profile = (username: string) => `${this.base}/@${username}`;
  /** A local account's ActivityPub actor (ADR 0040: by id, which never changes). */
  actor = (userId: string) => `${this.base}/users/${userId}`;
  status = (username: string, id: string) => `${this.base}/@${username}/${id}`;
  /** A local status's ActivityPub object. */
  statusUri = (userId: string, id: string) => `${this.base}/users/${userId}/statuses/${id}`;
  /** The IRI of a local account's Follow activity. */
  followUri = (userId: string, followId: string) => `${this.base}/users/${userId}/follows/${followId}`;
  tag = (name: string) => `${this.base}/tags/${encodeURIComponent(name)}`;
  /** A group's profile (ADR 0031: by the guild's id). */
  group = (guildId: string) => `${this.base}/groups/${guildId}`;
  avatar = (userId: string, hash: string | null) =>
    hash
      ? `${this.base}/avatars/${userId}/${hash}.${hash.startsWith('a_') ? 'gif' : 'png'}`
      : `${this.base}/avatars/original/missing.png`;
  header = (userId: string, hash: string | null) =>
    hash
      ? `${this.base}/banners/${userId}/${hash}.${hash.startsWith('a_') ? 'gif' : 'png'}`
      : `${this.base}/headers/original/missing.png`;
}

const day = (d: Date) => `${d.toISOString().slice(0, 10)}T00:00:00.000Z`;

/** Mastodon's `username`, `acct`, `url` and `uri` of an account: a remote one's username is `name@host` (ADR 0040). */
function accountNames(u: AccountRow['user'], urls: SocialUrls) {
  if (!u.remote)
    return { username: u.username, acct: u.username, url: urls.profile(u.username), uri: urls.actor(u.id) };
  const uri = u.uri ?? '';
  return { username: u.username.split('@')[0], acct: u.username, url: u.url ?? uri, uri };
}

/** Mastodon's `moved`: the Account this one moved to, while that account is active (ADR 0050). */
function movedAccount(a: AccountRow, urls: SocialUrls): Record<string, unknown> | null {
  return a.movedTo && !a.movedTo.user.disabled ? toAccount(a.movedTo, urls) : null;
}

export function toAccount(a: AccountRow, urls: SocialUrls) {
  const u = a.user;
  // A remote account's images are served here once fetched, and by their remote URL until then (ADR 0052).
  const avatar = !u.avatar && u.avatarRemoteUrl ? u.avatarRemoteUrl : urls.avatar(u.id, u.avatar);
  const header = !u.banner && u.headerRemoteUrl ? u.headerRemoteUrl : urls.header(u.id, u.banner);
  return {
    id: u.id,
    ...accountNames(u, urls),
    display_name: u.globalName ?? '',
    // A remote account's bio is stored as sanitised HTML already.
    note: u.remote ? u.bio : u.bio ? renderText(u.bio, new Map(), urls.tag) : '',
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    locked: u.locked,
    fields: u.profileFields.map((f) => ({ name: f.name, value: escapeHtml(f.value), verified_at: null })),
    emojis: [],
    bot: u.bot,
    group: u.groupActor,
    discoverable: u.discoverable,
    indexable: u.discoverable,
    noindex: !u.discoverable,
    hide_collections: false,
    suspended: false,
    limited: false,
    memorial: false,
    moved: movedAccount(a, urls),
    roles: [],
    created_at: day(u.createdAt),
    last_status_at: a.lastStatusAt ? a.lastStatusAt.toISOString().slice(0, 10) : null,
    statuses_count: a.statusesCount,
    followers_count: a.followersCount,
    following_count: a.followingCount,
    // Hearth's own: shown around the display name (e.g. "Dr." / "PhD"). Mastodon has no place for them.
    hearth: { name_prefix: u.namePrefix, name_suffix: u.nameSuffix },
  };
}

/** The signed-in user's own account, with `source` (what the profile editor shows) as verify_credentials answers. */
export function toCredentialAccount(a: AccountRow, urls: SocialUrls, followRequestsCount: number) {
  return {
    ...toAccount(a, urls),
    source: {
      privacy: 'public',
      sensitive: false,
      language: null,
      note: a.user.bio,
      fields: a.user.profileFields.map((f) => ({ name: f.name, value: f.value, verified_at: null })),
      follow_requests_count: followRequestsCount,
      hide_collections: false,
      discoverable: a.user.discoverable,
      indexable: a.user.discoverable,
      attribution_domains: [],
    },
    role: null,
  };
}

interface StatusViewerState {
  favourited: boolean;
}

export interface StatusParts {
  post: PostRow;
  author: AccountRow;
  mentions: AccountRow[];
  /** The groups it mentions (ADR 0031), by id and handle: Mentions of their accounts, after the users'. */
  groupMentions?: Array<{ id: string; handle: string }>;
  application: { name: string; website: string | null } | null;
  /** Null when nobody is signed in: Mastodon leaves the viewer's flags out then; Hearth sends false. */
  viewer: StatusViewerState | null;
  /** The source text, sent only where Mastodon sends it (delete, so a client can redraft). */
  withText?: boolean;
  /** Its current media attachments, as MediaAttachment objects, in order. */
  media?: unknown[];
  /** Its poll as the viewer sees it (Poll), if it has one. */
  poll?: unknown;
  /** Its emoji reactions (Pleroma's EmojiReaction: name, count, me, url for a custom one). */
  reactions?: Array<{ name: string; count: number; me: boolean; url: string | null }>;
}

export function toStatus(s: StatusParts, urls: SocialUrls) {
  const p = s.post;
  const username = s.author.user.username;
  return {
    id: p.id,
    uri: p.uri ?? urls.statusUri(s.author.user.id, p.id),
    url: p.url ?? p.uri ?? urls.status(username, p.id),
    created_at: p.createdAt.toISOString(),
    edited_at: p.editedAt ? p.editedAt.toISOString() : null,
    account: toAccount(s.author, urls),
    content: p.content,
    text: s.withText ? p.text : null,
    visibility: p.visibility,
    sensitive: p.sensitive,
    spoiler_text: p.spoilerText,
    language: p.language,
    in_reply_to_id: p.inReplyToId,
    in_reply_to_account_id: p.inReplyToAccountId,
    media_attachments: s.media ?? [],
    application: s.application,
    mentions: [
      ...s.mentions.map((m) => {
        const names = accountNames(m.user, urls);
        return { id: m.user.id, username: names.username, acct: names.acct, url: names.url };
      }),
      ...(s.groupMentions ?? []).map((g) => ({
        id: g.id,
        username: g.handle,
        acct: g.handle,
        url: urls.group(g.id),
      })),
    ],
    tags: hashtags(p.text, Limits.statusTagsMax).map((name) => ({ name, url: urls.tag(name) })),
    emojis: [],
    reblogs_count: p.reblogsCount,
    favourites_count: p.favouritesCount,
    replies_count: p.repliesCount,
    reblog: null,
    poll: s.poll ?? null,
    card: null,
    quote: null,
    filtered: [],
    favourited: s.viewer?.favourited ?? false,
    reblogged: false,
    muted: false,
    bookmarked: false,
    pinned: false,
    emoji_reactions: s.reactions ?? [],
    pleroma: { emoji_reactions: s.reactions ?? [] },
  };
}

export interface RelationshipState {
  following: boolean;
  requested: boolean;
  followedBy: boolean;
  requestedBy: boolean;
  blocking: boolean;
  blockedBy: boolean;
}

export function toRelationship(id: string, r: RelationshipState) {
  return {
    id,
    following: r.following,
    showing_reblogs: r.following,
    notifying: false,
    languages: null,
    followed_by: r.followedBy,
    blocking: r.blocking,
    blocked_by: r.blockedBy,
    muting: false,
    muting_notifications: false,
    requested: r.requested,
    requested_by: r.requestedBy,
    domain_blocking: false,
    endorsed: false,
    note: '',
  };
}
