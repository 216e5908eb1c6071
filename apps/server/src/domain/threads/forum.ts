// The rules of forum and media channels (ADR 0031): their settings and tags, and the tags a post may carry.
import { hasPermission, Permission } from '@hearth/permissions';
import {
  ChannelFlags,
  ChannelType,
  type CreateChannel,
  ErrorCode,
  isForumType,
  Limits,
  type SnowflakeGenerator,
} from '@hearth/protocol';
import type { StoredForumTag } from '../../store/schema/channels';
import { ApiError, invalidField, missingPermissions } from '../errors';
import type { ChannelRow } from '../guilds/guild-access';

type ForumInput = Pick<
  CreateChannel,
  | 'available_tags'
  | 'default_reaction_emoji'
  | 'default_thread_rate_limit_per_user'
  | 'default_sort_order'
  | 'default_forum_layout'
  | 'flags'
>;

const FORUM_KEYS = [
  'available_tags',
  'default_reaction_emoji',
  'default_thread_rate_limit_per_user',
  'default_sort_order',
  'default_forum_layout',
] as const;

/** The flags a forum (REQUIRE_TAG) or a media channel (also HIDE_MEDIA_DOWNLOAD_OPTIONS) may be given. */
function settableFlags(type: number): number {
  return type === ChannelType.GuildMedia
    ? ChannelFlags.RequireTag | ChannelFlags.HideMediaDownloadOptions
    : ChannelFlags.RequireTag;
}

/**
 * The columns a create or modify sets on a forum or media channel from `input`. Tags keep their id when sent with
 * one of the channel's (`current`), get a new one otherwise; names are unique (40061); an emoji is an id or a name,
 * not both. Another channel type given a forum field is a 400 naming the field.
 */
export function forumChanges(
  type: number,
  input: ForumInput,
  current: StoredForumTag[],
  ids: SnowflakeGenerator,
): Partial<ChannelRow> {
  if (!isForumType(type)) {
    for (const key of FORUM_KEYS)
      if (input[key] != null)
        throw invalidField([key], 'CHANNEL_FIELD_INVALID', 'Only forum and media channels have this field.');
    return {};
  }
  const changes: Partial<ChannelRow> = {};
  if (input.available_tags != null) {
    const known = new Set(current.map((t) => t.id));
    const names = new Set<string>();
    changes.availableTags = input.available_tags.map((tag, i) => {
      const name = tag.name.trim();
      if (!name)
        throw invalidField(['available_tags', i, 'name'], 'BASE_TYPE_REQUIRED', 'A tag needs a name.');
      if (names.has(name.toLowerCase()))
        throw new ApiError(400, ErrorCode.TagNamesMustBeUnique, 'Tag names must be unique');
      names.add(name.toLowerCase());
      const emoji = oneEmoji(tag, ['available_tags', i]);
      return {
        id: tag.id && known.has(tag.id) ? tag.id : ids.next(),
        name,
        moderated: !!tag.moderated,
        ...emoji,
      };
    });
  }
  if (input.default_reaction_emoji !== undefined)
    changes.defaultReactionEmoji = input.default_reaction_emoji
      ? oneEmoji(input.default_reaction_emoji, ['default_reaction_emoji'])
      : null;
  if (input.default_thread_rate_limit_per_user != null)
    changes.defaultThreadRateLimitPerUser = input.default_thread_rate_limit_per_user;
  if (input.default_sort_order !== undefined) changes.defaultSortOrder = input.default_sort_order;
  if (input.default_forum_layout != null) {
    if (type === ChannelType.GuildMedia && input.default_forum_layout !== 0)
      throw invalidField(
        ['default_forum_layout'],
        'CHANNEL_FIELD_INVALID',
        'A media channel has no forum layout.',
      );
    changes.defaultForumLayout = input.default_forum_layout;
  }
  if (input.flags != null) changes.flags = input.flags & settableFlags(type);
  return changes;
}

/** A tag's or a default reaction's emoji: a guild emoji's id or a Unicode emoji's name, or neither. */
function oneEmoji(
  e: { emoji_id?: string | null; emoji_name?: string | null },
  path: Array<string | number>,
): { emoji_id: string | null; emoji_name: string | null } {
  // Clients may send a custom emoji's name beside its id; the id is what counts.
  if (e.emoji_id) return { emoji_id: e.emoji_id, emoji_name: null };
  const name = e.emoji_name || null;
  return { emoji_id: null, emoji_name: name && checkUnicode(name, path) };
}

function checkUnicode(name: string, path: Array<string | number>): string {
  if (/^[\p{L}\p{N}\s]+$/u.test(name))
    throw invalidField([...path, 'emoji_name'], 'EMOJI_INVALID', 'Not an emoji.');
  return name;
}

/**
 * The tags a post in `forum` may carry, decided with the poster's permissions there: at most five, all of the forum's
 * (a 400 otherwise), a moderated one added or removed (against `current`) only with MANAGE_THREADS (403), and at least
 * one when the forum has REQUIRE_TAG (40067; MANAGE_THREADS is exempt, as on Discord). Duplicates count once.
 */
export function checkAppliedTags(
  forum: ChannelRow,
  tags: string[] | null | undefined,
  permissions: bigint,
  current: string[] = [],
): string[] {
  const wanted = [...new Set(tags ?? [])];
  if (wanted.length > Limits.appliedTagsMax)
    throw invalidField(
      ['applied_tags'],
      'BASE_TYPE_MAX_LENGTH',
      `Must be ${Limits.appliedTagsMax} or fewer in length.`,
    );
  const offered = new Map((forum.availableTags ?? []).map((t) => [t.id, t]));
  const moderator = hasPermission(permissions, Permission.MANAGE_THREADS);
  for (const [i, id] of wanted.entries()) {
    const tag = offered.get(id);
    if (!tag) throw invalidField(['applied_tags', i], 'TAG_INVALID', 'Not a tag of this channel.');
    if (tag.moderated && !moderator && !current.includes(id)) throw missingPermissions();
  }
  const removed = current.filter((id) => !wanted.includes(id));
  if (!moderator && removed.some((id) => offered.get(id)?.moderated)) throw missingPermissions();
  if (!wanted.length && forum.flags & ChannelFlags.RequireTag && !moderator) {
    if (![...offered.values()].some((t) => !t.moderated))
      throw new ApiError(
        400,
        ErrorCode.NoTagsForNonModerators,
        'There are no tags available that can be set by non-moderators',
      );
    throw new ApiError(
      400,
      ErrorCode.TagRequired,
      'A tag is required to create a forum post in this channel',
    );
  }
  return wanted;
}
