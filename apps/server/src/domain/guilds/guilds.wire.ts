import type { Channel, Guild, HearthGroup, Member, Overwrite, Role } from '@hearth/protocol';
import { isCategoryType, isForumType, isVoiceType } from '@hearth/protocol';
import type { emojis, users } from '../../store/schema';
import { toPublicUser } from '../users/users.wire';
import type { ChannelRow, GuildRow, MemberRow, OverwriteRow, RoleRow } from './guild-access';

export function toRoleWire(r: RoleRow): Role {
  return {
    id: r.id,
    name: r.name,
    color: r.color,
    colors: { primary_color: r.color, secondary_color: null, tertiary_color: null },
    hoist: r.hoist,
    icon: r.icon,
    unicode_emoji: r.unicodeEmoji,
    position: r.position,
    permissions: r.permissions.toString(),
    managed: r.managed,
    mentionable: r.mentionable,
    flags: r.flags,
    ...(r.botId ? { tags: { bot_id: r.botId } } : {}),
  };
}

/** Roles in Discord's order: by position, then id. */
export function sortRoles(list: RoleRow[]): RoleRow[] {
  return [...list].sort((a, b) => a.position - b.position || (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

function toOverwriteWire(o: OverwriteRow): Overwrite {
  return { id: o.targetId, type: o.type === 1 ? 1 : 0, allow: o.allow.toString(), deny: o.deny.toString() };
}

export function toChannelWire(c: ChannelRow, overwrites: OverwriteRow[]): Channel {
  const base: Channel = {
    id: c.id,
    type: c.type,
    guild_id: c.guildId ?? undefined,
    position: c.position,
    permission_overwrites: overwrites.map(toOverwriteWire),
    name: c.name,
    parent_id: c.parentId,
    nsfw: c.nsfw,
    flags: c.flags,
  };
  if (isVoiceType(c.type)) {
    return {
      ...base,
      bitrate: c.bitrate ?? 64000,
      user_limit: c.userLimit ?? 0,
      rtc_region: c.rtcRegion,
      rate_limit_per_user: c.rateLimitPerUser,
      last_message_id: c.lastMessageId,
    };
  }
  if (isCategoryType(c.type)) return base;
  const text = {
    ...base,
    topic: c.topic,
    last_message_id: c.lastMessageId,
    rate_limit_per_user: c.rateLimitPerUser,
    last_pin_timestamp: c.lastPinTimestamp?.toISOString() ?? null,
    default_auto_archive_duration: c.defaultAutoArchiveDuration ?? 4320,
  };
  if (!isForumType(c.type)) return text;
  // A forum's last_message_id is its newest post's id; it has no pins of its own.
  return {
    ...text,
    last_pin_timestamp: null,
    available_tags: c.availableTags ?? [],
    default_reaction_emoji: c.defaultReactionEmoji ?? null,
    default_thread_rate_limit_per_user: c.defaultThreadRateLimitPerUser ?? 0,
    default_sort_order: c.defaultSortOrder ?? null,
    default_forum_layout: c.defaultForumLayout ?? 0,
  };
}

export function toMemberWire(m: MemberRow, roleIds: string[], user?: typeof users.$inferSelect): Member {
  const timeout =
    m.communicationDisabledUntil && m.communicationDisabledUntil.getTime() > Date.now()
      ? m.communicationDisabledUntil.toISOString()
      : null;
  return {
    ...(user ? { user: toPublicUser(user) } : {}),
    nick: m.nick,
    avatar: m.avatar,
    banner: null,
    roles: roleIds.filter((id) => id !== m.guildId),
    joined_at: m.joinedAt.toISOString(),
    premium_since: m.premiumSince?.toISOString() ?? null,
    deaf: m.deaf,
    mute: m.mute,
    flags: m.flags,
    pending: m.pending,
    communication_disabled_until: timeout,
  };
}

export function toGuildWire(g: GuildRow, roleRows: RoleRow[], extra: Partial<Guild> = {}): Guild {
  return {
    id: g.id,
    name: g.name,
    icon: g.icon,
    icon_hash: g.icon,
    splash: null,
    discovery_splash: null,
    banner: g.banner,
    description: g.description,
    owner_id: g.ownerId,
    afk_channel_id: g.afkChannelId,
    afk_timeout: g.afkTimeout,
    verification_level: g.verificationLevel,
    default_message_notifications: g.defaultMessageNotifications,
    explicit_content_filter: g.explicitContentFilter,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    system_channel_id: g.systemChannelId,
    system_channel_flags: g.systemChannelFlags,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    application_id: null,
    preferred_locale: g.preferredLocale,
    features: g.features,
    roles: sortRoles(roleRows).map(toRoleWire),
    emojis: [],
    stickers: [],
    max_members: 500000,
    hearth_group: toHearthGroupWire(g),
    ...extra,
  };
}

/** A guild's group settings (ADR 0031), or null when it is not a group. */
export function toHearthGroupWire(
  g: Pick<GuildRow, 'groupJoinMode' | 'groupRules' | 'groupTags' | 'groupHandle'>,
): HearthGroup | null {
  if (!g.groupJoinMode) return null;
  return { join_mode: g.groupJoinMode, rules: g.groupRules, tags: g.groupTags, handle: g.groupHandle };
}

type EmojiRow = typeof emojis.$inferSelect;

/**
 * An emoji object: its role restrictions and, for those who may manage them, who uploaded it. Application emojis
 * have no roles and are always available, unmanaged and colon-wrapped.
 */
export function toEmojiWire(
  e: Pick<EmojiRow, 'id' | 'name' | 'animated'> &
    Partial<Pick<EmojiRow, 'requireColons' | 'managed' | 'available'>>,
  roleIds: string[],
  user?: typeof users.$inferSelect,
) {
  return {
    id: e.id,
    name: e.name,
    roles: roleIds,
    ...(user ? { user: toPublicUser(user) } : {}),
    require_colons: e.requireColons ?? true,
    managed: e.managed ?? false,
    animated: e.animated,
    available: e.available ?? true,
  };
}
