import { type Static, Type } from 'typebox';
import { Limits } from '../limits';
import { Nullable, Snowflake } from './common';

// Request bodies and queries of the Mastodon client API (docs.joinmastodon.org/methods), as Hearth accepts them.
// Clients send JSON or forms: booleans may arrive as "true"/"false", lists as `name[]`.

export const MastodonVisibility = Type.Union([
  Type.Literal('public'),
  Type.Literal('unlisted'),
  Type.Literal('private'),
  Type.Literal('direct'),
]);

const Ids = Type.Array(Snowflake, { maxItems: Limits.socialPageMax });
const OneOrMoreIds = Type.Union([Snowflake, Ids]);

export const MastodonPageQuery = Type.Object({
  max_id: Type.Optional(Snowflake),
  since_id: Type.Optional(Snowflake),
  min_id: Type.Optional(Snowflake),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
export type MastodonPageQuery = Static<typeof MastodonPageQuery>;

export const MastodonAccountStatusesQuery = Type.Object({
  ...MastodonPageQuery.properties,
  exclude_replies: Type.Optional(Type.Boolean()),
  exclude_reblogs: Type.Optional(Type.Boolean()),
  only_media: Type.Optional(Type.Boolean()),
  pinned: Type.Optional(Type.Boolean()),
  tagged: Type.Optional(Type.String({ maxLength: 100 })),
});

export const MastodonPublicTimelineQuery = Type.Object({
  ...MastodonPageQuery.properties,
  local: Type.Optional(Type.Boolean()),
  remote: Type.Optional(Type.Boolean()),
  only_media: Type.Optional(Type.Boolean()),
});

const SearchText = Type.String({ minLength: 1, maxLength: 500 });
const Offset = Type.Integer({ minimum: 0, maximum: 10_000 });

/** `GET /api/v2/search`. */
export const MastodonSearchQuery = Type.Object({
  q: SearchText,
  type: Type.Optional(
    Type.Union([Type.Literal('accounts'), Type.Literal('hashtags'), Type.Literal('statuses')]),
  ),
  resolve: Type.Optional(
    Type.Boolean({
      description:
        "Signed in only: a URL of this server's profile or status page, or `@name@other-host` looked up there (WebFinger) and stored as an account (a person or a group).",
    }),
  ),
  following: Type.Optional(Type.Boolean()),
  account_id: Type.Optional(Snowflake),
  exclude_unreviewed: Type.Optional(Type.Boolean()),
  max_id: Type.Optional(Snowflake),
  min_id: Type.Optional(Snowflake),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Offset),
});

/** `GET /api/v1/accounts/search`. */
export const MastodonAccountSearchQuery = Type.Object({
  q: SearchText,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Offset),
  resolve: Type.Optional(Type.Boolean()),
  following: Type.Optional(Type.Boolean()),
});

/** `GET /api/v1/directory`. */
export const MastodonDirectoryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Offset),
  order: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('new')])),
  local: Type.Optional(Type.Boolean()),
});

/** `GET /api/v1/trends/tags`. */
export const MastodonTrendsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Offset),
});

const TagNames = Type.Union([
  Type.String({ maxLength: 100 }),
  Type.Array(Type.String({ maxLength: 100 }), { maxItems: 4 }),
]);

/** `GET /api/v1/timelines/tag/:hashtag`: `any[]`, `all[]`, `none[]` add tags (at most 4 each). */
export const MastodonTagTimelineQuery = Type.Object({
  ...MastodonPageQuery.properties,
  any: Type.Optional(TagNames),
  'any[]': Type.Optional(TagNames),
  all: Type.Optional(TagNames),
  'all[]': Type.Optional(TagNames),
  none: Type.Optional(TagNames),
  'none[]': Type.Optional(TagNames),
  local: Type.Optional(Type.Boolean()),
  remote: Type.Optional(Type.Boolean()),
  only_media: Type.Optional(Type.Boolean()),
});

export const MastodonRelationshipsQuery = Type.Object({
  id: Type.Optional(OneOrMoreIds),
  'id[]': Type.Optional(OneOrMoreIds),
  with_suspended: Type.Optional(Type.Boolean()),
});

export const MastodonLookupQuery = Type.Object({
  acct: Type.String({ minLength: 1, maxLength: 300 }),
});

const ProfileField = Type.Object({
  name: Type.String({ maxLength: Limits.profileFieldChars }),
  value: Type.String({ maxLength: Limits.profileFieldChars }),
});

export const MastodonUpdateCredentials = Type.Object({
  display_name: Type.Optional(Type.String({ maxLength: Limits.globalNameMax })),
  note: Type.Optional(Type.String({ maxLength: Limits.bioMax })),
  locked: Type.Optional(Type.Boolean()),
  bot: Type.Optional(Type.Boolean()),
  discoverable: Type.Optional(Type.Boolean()),
  indexable: Type.Optional(Type.Boolean()),
  hide_collections: Type.Optional(Type.Boolean()),
  name_prefix: Type.Optional(Type.String({ maxLength: Limits.namePartChars })),
  name_suffix: Type.Optional(Type.String({ maxLength: Limits.namePartChars })),
  /** Forms send `fields_attributes[0][name]`, read as an object keyed by index; JSON may send an array. */
  fields_attributes: Type.Optional(
    Type.Union([
      Type.Array(ProfileField, { maxItems: Limits.profileFieldsMax }),
      Type.Record(Type.String({ pattern: '^[0-9]$' }), ProfileField, {
        maxProperties: Limits.profileFieldsMax,
      }),
    ]),
  ),
  source: Type.Optional(
    Type.Object({
      privacy: Type.Optional(MastodonVisibility),
      sensitive: Type.Optional(Type.Boolean()),
      language: Type.Optional(Type.String({ maxLength: 16 })),
    }),
  ),
});
export type MastodonUpdateCredentials = Static<typeof MastodonUpdateCredentials>;

/**
 * `media_ids` of a status: more than Limits.statusMediaMax are let through the schema so that the domain answers
 * Mastodon's 422, as it does for ids that are not the caller's.
 */
const MediaIds = Type.Array(Type.String({ maxLength: 30 }), { maxItems: 10 });

/** A focal point `"x,y"`, each from -1.0 to 1.0 (checked by the domain). */
const MediaFocus = Type.String({ maxLength: 40 });

/** `POST /api/v2/media` fields besides `file`, and `PUT /api/v1/media/:id`. */
export const MastodonMediaFields = Type.Object({
  description: Type.Optional(
    Type.Union([Type.String({ maxLength: Limits.mediaDescriptionChars * 4 }), Type.Null()]),
  ),
  focus: Type.Optional(Type.Union([MediaFocus, Type.Null()])),
});
export type MastodonMediaFields = Static<typeof MastodonMediaFields>;

const MediaAttribute = Type.Object({
  id: Type.String({ maxLength: 30 }),
  description: Type.Optional(
    Type.Union([Type.String({ maxLength: Limits.mediaDescriptionChars * 4 }), Type.Null()]),
  ),
  focus: Type.Optional(Type.Union([MediaFocus, Type.Null()])),
});

/** A status's poll; counts and lengths past Mastodon's rules are let through for the domain's 422. */
export const MastodonPollInput = Type.Object({
  options: Type.Array(Type.String({ maxLength: Limits.pollOptionChars * 4 }), { maxItems: 10 }),
  expires_in: Type.Integer({ minimum: 0, maximum: 10 * Limits.pollMaxExpiresInSeconds }),
  multiple: Type.Optional(Type.Boolean()),
  hide_totals: Type.Optional(Type.Boolean()),
});
export type MastodonPollInput = Static<typeof MastodonPollInput>;

/** `POST /api/v1/polls/:id/votes`: the indices of the chosen options. */
export const MastodonPollVote = Type.Object({
  choices: Type.Array(Type.Integer({ minimum: 0, maximum: 100 }), { minItems: 1, maxItems: 10 }),
});

export const MastodonCreateStatus = Type.Object({
  status: Type.Optional(Type.String({ maxLength: Limits.statusChars * 4 })),
  in_reply_to_id: Type.Optional(Type.Union([Snowflake, Type.Null()])),
  sensitive: Type.Optional(Type.Boolean()),
  spoiler_text: Type.Optional(Type.String({ maxLength: Limits.spoilerChars * 4 })),
  visibility: Type.Optional(MastodonVisibility),
  language: Type.Optional(Type.Union([Type.String({ maxLength: 16 }), Type.Null()])),
  media_ids: Type.Optional(MediaIds),
  poll: Type.Optional(Type.Union([MastodonPollInput, Type.Null()])),
  scheduled_at: Type.Optional(Type.Null()),
});
export type MastodonCreateStatus = Static<typeof MastodonCreateStatus>;

export const MastodonEditStatus = Type.Object({
  status: Type.Optional(Type.String({ maxLength: Limits.statusChars * 4 })),
  sensitive: Type.Optional(Type.Boolean()),
  spoiler_text: Type.Optional(Type.String({ maxLength: Limits.spoilerChars * 4 })),
  language: Type.Optional(Type.Union([Type.String({ maxLength: 16 }), Type.Null()])),
  media_ids: Type.Optional(MediaIds),
  /** New alt text or focus of attachments already on the status (Mastodon 4.1+). */
  media_attributes: Type.Optional(Type.Array(MediaAttribute, { maxItems: Limits.statusMediaMax })),
  poll: Type.Optional(Type.Union([MastodonPollInput, Type.Null()])),
});

const RedirectUri = Type.String({ minLength: 1, maxLength: 2000 });
export const MastodonCreateApp = Type.Object({
  client_name: Type.String({ minLength: 1, maxLength: 200 }),
  redirect_uris: Type.Union([RedirectUri, Type.Array(RedirectUri, { minItems: 1, maxItems: 10 })]),
  scopes: Type.Optional(Type.String({ maxLength: 1000 })),
  website: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
});

/** `POST /oauth/token`: the client's credentials in the body or as HTTP Basic (RFC 6749 §2.3.1). */
export const MastodonTokenRequest = Type.Object({
  grant_type: Type.String({ maxLength: 100 }),
  client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  client_secret: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  username: Type.Optional(Type.String({ maxLength: Limits.emailMax })),
  password: Type.Optional(Type.String({ maxLength: Limits.passwordMax })),
  scope: Type.Optional(Type.String({ maxLength: 1000 })),
  redirect_uri: Type.Optional(Type.String({ maxLength: 2000 })),
  code: Type.Optional(Type.String({ maxLength: 500 })),
  /** PKCE (RFC 7636): the secret whose S256 hash was the authorization request's `code_challenge`. */
  code_verifier: Type.Optional(Type.String({ maxLength: 500 })),
});

export const MastodonRevokeRequest = Type.Object({
  client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  client_secret: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  token: Type.String({ minLength: 1, maxLength: 500 }),
});

/** `GET /oauth/authorize` (RFC 6749 §4.1.1 with PKCE): what the consent page shows and carries on. */
export const MastodonAuthorizeQuery = Type.Object({
  response_type: Type.Optional(Type.String({ maxLength: 100 })),
  client_id: Type.Optional(Type.String({ maxLength: 100 })),
  redirect_uri: Type.Optional(Type.String({ maxLength: 2000 })),
  scope: Type.Optional(Type.String({ maxLength: 1000 })),
  state: Type.Optional(Type.String({ maxLength: 2000 })),
  code_challenge: Type.Optional(Type.String({ maxLength: 500 })),
  code_challenge_method: Type.Optional(Type.String({ maxLength: 100 })),
  force_login: Type.Optional(Type.String({ maxLength: 10 })),
  lang: Type.Optional(Type.String({ maxLength: 20 })),
});

/** `POST /oauth/authorize`: the consent page's form, the request carried on plus the sign-in and the decision. */
export const MastodonAuthorizeForm = Type.Object({
  ...MastodonAuthorizeQuery.properties,
  login: Type.Optional(Type.String({ maxLength: Limits.emailMax })),
  password: Type.Optional(Type.String({ maxLength: Limits.passwordMax })),
  decision: Type.Optional(Type.String({ maxLength: 10 })),
});

const NotificationTypeName = Type.String({ minLength: 1, maxLength: 40 });
const NotificationTypes = Type.Union([
  NotificationTypeName,
  Type.Array(NotificationTypeName, { maxItems: 20 }),
]);

/** `GET /api/v1/notifications` (and `unread_count`): `types[]` and `exclude_types[]` name Mastodon's types. */
export const MastodonNotificationsQuery = Type.Object({
  ...MastodonPageQuery.properties,
  types: Type.Optional(NotificationTypes),
  'types[]': Type.Optional(NotificationTypes),
  exclude_types: Type.Optional(NotificationTypes),
  'exclude_types[]': Type.Optional(NotificationTypes),
  account_id: Type.Optional(Snowflake),
  include_filtered: Type.Optional(Type.Boolean()),
});
export type MastodonNotificationsQuery = Static<typeof MastodonNotificationsQuery>;

export const MastodonTimelineName = Type.Union([Type.Literal('home'), Type.Literal('notifications')]);

/** `GET /api/v1/markers?timeline[]=home&timeline[]=notifications`. */
const TimelineNames = Type.Union([MastodonTimelineName, Type.Array(MastodonTimelineName, { maxItems: 2 })]);
export const MastodonMarkersQuery = Type.Object({
  timeline: Type.Optional(TimelineNames),
  'timeline[]': Type.Optional(TimelineNames),
});

const MarkerInput = Type.Object({ last_read_id: Snowflake });

/** `POST /api/v1/markers`: where the user stopped reading each timeline given. */
export const MastodonSaveMarkers = Type.Object({
  home: Type.Optional(MarkerInput),
  notifications: Type.Optional(MarkerInput),
});

/** POST /api/v1/statuses/:id/reblog: the boost's visibility (a direct boost does not exist). */
export const MastodonReblogBody = Type.Object({
  visibility: Type.Optional(
    Type.Union([Type.Literal('public'), Type.Literal('unlisted'), Type.Literal('private')]),
  ),
});

/** POST /api/v1/accounts/:id/mute: also mute notifications (default true), for `duration` seconds (0: until unmuted). */
export const MastodonMuteBody = Type.Object({
  notifications: Type.Optional(Type.Boolean()),
  duration: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 * 365 * 24 * 3600 })),
});

export const MastodonRepliesPolicy = Type.Union([
  Type.Literal('followed'),
  Type.Literal('list'),
  Type.Literal('none'),
]);

/** POST /api/v1/lists (title required) and PUT /api/v1/lists/:id (each field optional). */
export const MastodonListBody = Type.Object({
  title: Type.Optional(Type.String({ maxLength: Limits.listTitleChars })),
  replies_policy: Type.Optional(MastodonRepliesPolicy),
  exclusive: Type.Optional(Type.Boolean()),
});
export type MastodonListBody = Static<typeof MastodonListBody>;

/** POST and DELETE /api/v1/lists/:id/accounts: `account_ids[]`, at most 40 at once (in the body, or the query). */
export const MastodonListAccountsBody = Type.Object({
  account_ids: Type.Optional(OneOrMoreIds),
  'account_ids[]': Type.Optional(OneOrMoreIds),
});

/** GET /api/v1/lists/:id/accounts: `limit=0` answers every account, unpaged (as Mastodon). */
export const MastodonListAccountsQuery = Type.Object({
  max_id: Type.Optional(Snowflake),
  since_id: Type.Optional(Snowflake),
  min_id: Type.Optional(Snowflake),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
});

/**
 * One entry of GET /api/v1/hearth/admin/instances (Hearth's own, admins only): an instance Hearth knows, with the
 * accounts stored of it, follows both ways (accepted), the last verified activity received from it, the last
 * delivery to it that succeeded, failed deliveries since, since when Hearth has stopped delivering there (its
 * deliveries kept failing for FEDERATION_UNAVAILABLE_AFTER; ADR 0050), and the admins' block of its domain.
 */
export const HearthKnownInstance = Type.Object({
  domain: Type.String(),
  accounts_count: Type.Integer(),
  /** Local accounts followed by the domain's accounts. */
  followers_count: Type.Integer(),
  /** The domain's accounts followed by local accounts. */
  following_count: Type.Integer(),
  last_received_at: Nullable(Type.String({ format: 'date-time' })),
  last_delivered_at: Nullable(Type.String({ format: 'date-time' })),
  last_failed_at: Nullable(Type.String({ format: 'date-time' })),
  failures: Type.Integer(),
  last_error: Nullable(Type.String()),
  /** Set while the instance is marked unavailable: nothing is delivered there until it is heard from again. */
  unavailable_since: Nullable(Type.String({ format: 'date-time' })),
  block: Nullable(Type.Object({ id: Snowflake, severity: Type.String() })),
});
export type HearthKnownInstance = Static<typeof HearthKnownInstance>;
