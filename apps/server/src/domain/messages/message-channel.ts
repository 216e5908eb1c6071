import { Permission } from '@hearth/permissions';
import { ErrorCode, isDmType } from '@hearth/protocol';
import type { DbOrTx } from '../../store/db';
import { notFound } from '../errors';
import { type ChannelContext, loadChannelContext } from '../guilds/channel-context';
import type { ContextCache } from '../guilds/context-cache';
import {
  type ChannelRow,
  channelForActor,
  type GuildActor,
  previewChannelContext,
} from '../guilds/guild-access';

/** What a recipient may do in a DM or group DM. */
const DM_PERMISSIONS =
  Permission.VIEW_CHANNEL |
  Permission.SEND_MESSAGES |
  Permission.READ_MESSAGE_HISTORY |
  Permission.ADD_REACTIONS |
  Permission.ATTACH_FILES |
  Permission.EMBED_LINKS |
  Permission.SEND_TTS_MESSAGES |
  Permission.USE_EXTERNAL_EMOJIS |
  Permission.PIN_MESSAGES;

/** A channel messages live in, with the caller's permissions there. */
export interface MessageChannel {
  channel: ChannelRow;
  guildId: string | null;
  permissions: bigint;
  /** The caller as a guild member; null in DMs. */
  actor: GuildActor | null;
  /** The caller's user row. */
  caller: ChannelContext['caller'];
}

/**
 * Loads a text channel for a caller: guild channels through the permission engine, DMs by recipiency. A channel the
 * caller cannot see is 404 Unknown Channel, exactly like one that does not exist. With `cache` (message create), the
 * context comes from it when it holds every part, and what is read is kept there; permissions are computed anew
 * either way (a timeout ends on time). With `preview` (read-only routes), a non-member of a public listed group
 * reads it (ADR 0031).
 */
export async function loadMessageChannel(
  db: DbOrTx,
  channelId: string,
  userId: string,
  cache?: ContextCache,
  opts: { preview?: boolean } = {},
): Promise<MessageChannel> {
  const read = () => loadChannelContext(db, channelId, userId);
  const cached = cache ? await cache.through(channelId, userId, read) : await read();
  if (!cached) throw notFound(ErrorCode.UnknownChannel, 'Channel');
  const ctx = opts.preview ? await previewChannelContext(db, cached) : cached;
  if (isDmType(ctx.channel.type)) {
    if (!ctx.recipient) throw notFound(ErrorCode.UnknownChannel, 'Channel');
    return {
      channel: ctx.channel,
      guildId: null,
      permissions: DM_PERMISSIONS,
      actor: null,
      caller: ctx.caller,
    };
  }
  const loaded = channelForActor(ctx);
  return {
    channel: loaded.channel,
    guildId: loaded.channel.guildId,
    permissions: loaded.permissions,
    actor: loaded.actor,
    caller: ctx.caller,
  };
}
