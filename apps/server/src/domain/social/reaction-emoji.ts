import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { emojiRoles, emojis, memberRoles, members } from '../../store/schema';

// The emoji of a status reaction (Pleroma's and Akkoma's emoji reactions), as post_reactions stores it: a Unicode
// emoji as itself, a guild's custom emoji as `name:id` (its image is `/emojis/<id>.png`).

const RGI_EMOJI = /^\p{RGI_Emoji}$/v;
const SHORTCODE = /^:?([A-Za-z0-9_]{2,32}):?$/;

/** A Unicode emoji as stored (with the emoji presentation selector when it needs one), or null. */
export function unicodeEmoji(text: string): string | null {
  return RGI_EMOJI.test(text) ? text : RGI_EMOJI.test(`${text}\uFE0F`) ? `${text}\uFE0F` : null;
}

/** A custom emoji's shortcode (`blob` from `:blob:` or `blob`), or null. */
export function shortcode(text: string): string | null {
  return SHORTCODE.exec(text)?.[1] ?? null;
}

/**
 * The stored key of the custom emoji `name` that `userId` may use: one of a guild they are a member of, available,
 * and not restricted to roles they lack (the chat side's rule). Null when there is none.
 */
export async function usableCustomEmoji(db: DbOrTx, userId: string, name: string): Promise<string | null> {
  const [row] = await db
    .select({ id: emojis.id, name: emojis.name })
    .from(emojis)
    .innerJoin(members, and(eq(members.guildId, emojis.guildId), eq(members.userId, userId)))
    .where(
      and(
        eq(emojis.name, name),
        eq(emojis.available, true),
        sql`(not exists (select 1 from ${emojiRoles} where ${emojiRoles.guildId} = ${emojis.guildId} and ${emojiRoles.emojiId} = ${emojis.id}) or exists (select 1 from ${emojiRoles} inner join ${memberRoles} on ${memberRoles.guildId} = ${emojiRoles.guildId} and ${memberRoles.roleId} = ${emojiRoles.roleId} and ${memberRoles.userId} = ${userId} where ${emojiRoles.guildId} = ${emojis.guildId} and ${emojiRoles.emojiId} = ${emojis.id}))`,
      ),
    )
    .orderBy(emojis.id)
    .limit(1);
  return row ? `${row.name}:${row.id}` : null;
}

/** How a stored reaction emoji is named on the wire: `name` (the emoji, or a custom one's shortcode) and its `url`. */
export function reactionEmojiFields(
  stored: string,
  base: string,
): { emoji: string; emoji_url: string | null } {
  const custom = /^([A-Za-z0-9_]{2,32}):([0-9]{1,20})$/.exec(stored);
  return custom
    ? { emoji: custom[1], emoji_url: `${base}/emojis/${custom[2]}.png` }
    : { emoji: stored, emoji_url: null };
}
