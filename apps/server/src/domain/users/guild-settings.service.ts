// A user's notification settings per guild (Discord's user guild settings): the level (all messages, mentions
// only, nothing, or the guild's default), a mute for a time or for good, and the same per channel. Only the
// user themself reads or changes them: a member of the guild, naming channels of that guild.
import {
  type ChannelNotificationOverride,
  ErrorCode,
  type ModifyUserGuildSettings,
  type MuteConfig,
  maxChannelOverrides,
  type UserGuildSettings,
} from '@hearth/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { channels, members, userGuildSettings } from '../../store/schema';
import type { Deps } from '../deps';
import { invalidField, notFound } from '../errors';

type Row = typeof userGuildSettings.$inferSelect;
type StoredOverride = Row['channelOverrides'][number];

/** A stored mute, as the wire's mute_config; null when there is no timed mute to describe. */
function muteConfig(endTime: string | null, window: number | null): MuteConfig | null {
  if (endTime === null && window === null) return null;
  return { end_time: endTime, selected_time_window: window ?? -1 };
}

/** Muted now: a mute with an end in the past has ended. */
function mutedNow(muted: boolean, endTime: string | null, now: number): boolean {
  return muted && (endTime === null || Date.parse(endTime) > now);
}

function toUserGuildSettings(row: Row, now = Date.now()): UserGuildSettings {
  const end = row.muteEndTime?.toISOString() ?? null;
  return {
    guild_id: row.guildId,
    message_notifications: row.messageNotifications,
    muted: mutedNow(row.muted, end, now),
    mute_config: row.muted ? muteConfig(end, row.muteWindow) : null,
    suppress_everyone: row.suppressEveryone,
    suppress_roles: row.suppressRoles,
    mute_scheduled_events: false,
    mobile_push: true,
    hide_muted_channels: false,
    notify_highlights: 0,
    flags: 0,
    channel_overrides: row.channelOverrides.map(
      (o): ChannelNotificationOverride => ({
        channel_id: o.channel_id,
        message_notifications: o.message_notifications,
        muted: mutedNow(o.muted, o.mute_end_time, now),
        mute_config: o.muted ? muteConfig(o.mute_end_time, o.mute_window) : null,
        collapsed: o.collapsed,
      }),
    ),
    version: row.version,
  };
}

/** A mute_config's end as stored; a malformed or unreadable time is a form error naming the field. */
function endTime(config: MuteConfig | null | undefined, path: string[]): string | null {
  if (!config?.end_time) return null;
  const t = Date.parse(config.end_time);
  if (Number.isNaN(t)) throw invalidField(path, 'DATE_TIME_INVALID', 'Not a valid date and time.');
  return new Date(t).toISOString();
}

export class GuildSettingsService {
  constructor(private readonly deps: Deps) {}

  /** READY's user_guild_settings entries: every guild the user changed a setting of and is still in. */
  async entries(userId: string): Promise<UserGuildSettings[]> {
    const rows = await this.deps.db
      .select({ s: userGuildSettings })
      .from(userGuildSettings)
      .innerJoin(
        members,
        and(eq(members.guildId, userGuildSettings.guildId), eq(members.userId, userGuildSettings.userId)),
      )
      .where(eq(userGuildSettings.userId, userId));
    const now = Date.now();
    return rows.map((r) => toUserGuildSettings(r.s, now));
  }

  /**
   * PATCH /users/@me/guilds/:guild_id/settings: changes what the body names and returns the whole settings.
   * 404 Unknown Guild to someone not in it; a channel override must name a channel of the guild.
   */
  async modify(userId: string, guildId: string, body: ModifyUserGuildSettings): Promise<UserGuildSettings> {
    const { db, events } = this.deps;
    const result = await db.transaction(async (tx) => {
      const [member] = await tx
        .select({ userId: members.userId })
        .from(members)
        .where(and(eq(members.guildId, guildId), eq(members.userId, userId)));
      if (!member) throw notFound(ErrorCode.UnknownGuild, 'Guild');
      const named = Object.keys(body.channel_overrides ?? {});
      const malformed = named.find((id) => !/^[0-9]{1,20}$/.test(id));
      if (malformed)
        throw invalidField(['channel_overrides', malformed], 'NUMBER_TYPE_COERCE', 'Not a snowflake id.');
      if (named.length) {
        const found = await tx
          .select({ id: channels.id })
          .from(channels)
          .where(and(eq(channels.guildId, guildId), inArray(channels.id, named)));
        const ours = new Set(found.map((c) => c.id));
        const stranger = named.find((id) => !ours.has(id));
        if (stranger)
          throw invalidField(
            ['channel_overrides', stranger],
            'CHANNEL_INVALID',
            'Not a channel of this guild.',
          );
      }
      await tx.insert(userGuildSettings).values({ userId, guildId }).onConflictDoNothing();
      const [row] = await tx
        .select()
        .from(userGuildSettings)
        .where(and(eq(userGuildSettings.userId, userId), eq(userGuildSettings.guildId, guildId)))
        .for('update');
      const next: Partial<Row> = { version: row.version + 1 };
      if (body.message_notifications !== undefined) next.messageNotifications = body.message_notifications;
      if (body.suppress_everyone !== undefined) next.suppressEveryone = body.suppress_everyone;
      if (body.suppress_roles !== undefined) next.suppressRoles = body.suppress_roles;
      if (body.muted !== undefined) next.muted = body.muted;
      if (body.mute_config !== undefined || body.muted === false) {
        const config = body.muted === false ? null : body.mute_config;
        const end = endTime(config, ['mute_config', 'end_time']);
        next.muteEndTime = end ? new Date(end) : null;
        next.muteWindow = config?.selected_time_window ?? null;
      }
      if (body.channel_overrides) {
        const overrides = new Map(row.channelOverrides.map((o) => [o.channel_id, o]));
        for (const [channelId, change] of Object.entries(body.channel_overrides)) {
          const was: StoredOverride = overrides.get(channelId) ?? {
            channel_id: channelId,
            message_notifications: 3,
            muted: false,
            mute_end_time: null,
            mute_window: null,
            collapsed: false,
          };
          const o = { ...was };
          if (change.message_notifications !== undefined)
            o.message_notifications = change.message_notifications;
          if (change.collapsed !== undefined) o.collapsed = change.collapsed;
          if (change.muted !== undefined) o.muted = change.muted;
          if (change.mute_config !== undefined || change.muted === false) {
            const config = change.muted === false ? null : change.mute_config;
            o.mute_end_time = endTime(config, ['channel_overrides', channelId, 'mute_config', 'end_time']);
            o.mute_window = config?.selected_time_window ?? null;
          }
          // An override back at every default is no override.
          if (o.message_notifications === 3 && !o.muted && !o.collapsed) overrides.delete(channelId);
          else overrides.set(channelId, o);
        }
        if (overrides.size > maxChannelOverrides)
          throw invalidField(
            ['channel_overrides'],
            'BASE_TYPE_MAX_LENGTH',
            `At most ${maxChannelOverrides} channel overrides.`,
          );
        next.channelOverrides = [...overrides.values()];
      }
      const [updated] = await tx
        .update(userGuildSettings)
        .set(next)
        .where(and(eq(userGuildSettings.userId, userId), eq(userGuildSettings.guildId, guildId)))
        .returning();
      return toUserGuildSettings(updated);
    });
    events.publish('USER_GUILD_SETTINGS_UPDATE', Topic.user(userId), result);
    return result;
  }
}
