import { type AllowedMentions, isSnowflake } from '@hearth/protocol';

export interface ParsedMentions {
  userIds: string[];
  roleIds: string[];
  channelIds: string[];
  everyone: boolean;
}

/** The raw mentions written in a message: `<@id>`, `<@!id>`, `<@&id>`, `<#id>`, `@everyone`, `@here`. */
export function parseMentions(content: string): ParsedMentions {
  // An id too large to exist mentions no one (and must not reach the database).
  const unique = (re: RegExp) => [...new Set([...content.matchAll(re)].map((m) => m[1]))].filter(isSnowflake);
  return {
    userIds: unique(/<@!?(\d{1,20})>/g),
    roleIds: unique(/<@&(\d{1,20})>/g),
    channelIds: unique(/<#(\d{1,20})>/g),
    everyone: /@(everyone|here)/.test(content),
  };
}

/**
 * What actually mentions, after `allowed_mentions` (absent: everything parsed may mention), the author's
 * MENTION_EVERYONE, and roles' `mentionable` flag.
 */
export function resolveMentions(
  parsed: ParsedMentions,
  opts: {
    allowed?: AllowedMentions | null;
    canMentionEveryone: boolean;
    mentionableRoleIds: Set<string>;
    existingRoleIds: Set<string>;
    repliedUserId?: string | null;
  },
): { userIds: string[]; roleIds: string[]; everyone: boolean } {
  const a = opts.allowed;
  const parse = new Set(a ? (a.parse ?? []) : ['users', 'roles', 'everyone']);
  const users = parsed.userIds.filter((id) => parse.has('users') || a?.users?.includes(id));
  const roles = parsed.roleIds
    .filter((id) => opts.existingRoleIds.has(id))
    .filter((id) => parse.has('roles') || a?.roles?.includes(id))
    .filter((id) => opts.canMentionEveryone || opts.mentionableRoleIds.has(id));
  const everyone = parsed.everyone && parse.has('everyone') && opts.canMentionEveryone;
  // Without allowed_mentions the replied-to author is pinged; with it, only when replied_user is true.
  const pingReplied = a ? a.replied_user === true : true;
  if (opts.repliedUserId && pingReplied && !users.includes(opts.repliedUserId))
    users.push(opts.repliedUserId);
  return { userIds: users.slice(0, 100), roleIds: roles, everyone };
}
