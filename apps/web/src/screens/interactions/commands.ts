// What the slash command picker and the option form work on: the index's commands flattened into what can be
// invoked here (a command, or each of its subcommands), and typed option values turned into Discord's option tree.

import { canUseCommand } from '@hearth/permissions';
import type { ApplicationCommand, CommandOption, CommandOptionType } from '@hearth/protocol';
import type { CommandIndex } from '../../endpoints';
import { guildPermissions } from '../../permissions';
import { type Channel, displayName, type Guild, isThread, type Member, type User } from '../../types';

export const OptionType = {
  SubCommand: 1,
  SubCommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
  // The protocol's values, copied (its schemas module would bring TypeBox into the bundle) and checked against it.
} as const satisfies typeof CommandOptionType;

/** One thing the picker offers: a command, or one subcommand (of a group) of it, with its own options. */
export interface CommandEntry {
  key: string;
  command: ApplicationCommand;
  application: { id: string; name: string; icon: string | null };
  /** Subcommand group and subcommand names, outermost first. */
  path: string[];
  /** "/name group sub". */
  label: string;
  description: string;
  options: CommandOption[];
}

const text = (o: { name: string; name_localized?: string }) => o.name_localized ?? o.name;

/**
 * The commands of the index of `type` the member may use in `channel` (the server decides again on invoking), with
 * the same rule it uses: the index gives each command the overwrites that concern the member, channels' included.
 * In the DM with a bot (`guild` null) no permissions or overwrites apply: its index holds what may be used there.
 */
export function usableCommands(
  index: CommandIndex,
  guild: Guild | null,
  channel: Channel,
  me: { id: string; member: Member | undefined },
  type: number,
): Array<{ command: ApplicationCommand; app: CommandIndex['applications'][number] }> {
  const channelId = isThread(channel) && channel.parent_id ? channel.parent_id : channel.id;
  const permissions = guild ? guildPermissions(guild, me.id, me.member) : 0n;
  const out: Array<{ command: ApplicationCommand; app: CommandIndex['applications'][number] }> = [];
  for (const command of index.application_commands) {
    const app = index.applications.find((a) => a.id === command.application_id);
    if ((command.type ?? 1) !== type || !app) continue;
    // Outside a guild, and for a command only a person's own install brings (integration type 1 alone), no guild
    // rules apply: the index lists only what the person may use.
    if (!guild || (command.integration_types && !command.integration_types.includes(0))) {
      out.push({ command, app });
      continue;
    }
    const usable = canUseCommand({
      guildId: guild.id,
      userId: me.id,
      roleIds: me.member?.roles ?? [],
      permissions,
      channelId,
      defaultMemberPermissions:
        command.default_member_permissions === null ? null : BigInt(command.default_member_permissions),
      command: command.permissions ?? [],
      app: app.permissions ?? [],
    });
    if (usable) out.push({ command, app });
  }
  return out;
}

/** The chat input commands (and their subcommands) usable in `channel`, in the index's order. */
export function commandEntries(
  index: CommandIndex,
  guild: Guild | null,
  channel: Channel,
  me: { id: string; member: Member | undefined },
): CommandEntry[] {
  const out: CommandEntry[] = [];
  for (const { command, app } of usableCommands(index, guild, channel, me, 1)) {
    const base = { command, application: { id: app.id, name: app.name, icon: app.icon } };
    const options = command.options ?? [];
    const subs = options.filter(
      (o) => o.type === OptionType.SubCommand || o.type === OptionType.SubCommandGroup,
    );
    if (!subs.length) {
      out.push({
        ...base,
        key: command.id,
        path: [],
        label: `/${text(command)}`,
        description: command.description_localized ?? command.description,
        options,
      });
      continue;
    }
    for (const sub of subs) {
      const leaves = sub.type === OptionType.SubCommandGroup ? (sub.options ?? []) : [sub];
      for (const leaf of leaves) {
        const path = sub.type === OptionType.SubCommandGroup ? [sub.name, leaf.name] : [leaf.name];
        const names = sub.type === OptionType.SubCommandGroup ? [text(sub), text(leaf)] : [text(leaf)];
        out.push({
          ...base,
          key: `${command.id}/${path.join('/')}`,
          path,
          label: `/${text(command)} ${names.join(' ')}`,
          description: leaf.description_localized ?? leaf.description,
          options: leaf.options ?? [],
        });
      }
    }
  }
  return out;
}

/** The entries whose label starts with (or, after those, contains) what was typed after the slash. */
export function filterEntries(entries: CommandEntry[], typed: string): CommandEntry[] {
  const q = typed.trim().toLowerCase();
  if (!q) return entries;
  const starts = entries.filter((e) => e.label.slice(1).toLowerCase().startsWith(q));
  const contains = entries.filter((e) => !starts.includes(e) && e.label.toLowerCase().includes(q));
  return [...starts, ...contains];
}

/** What a guild (or a DM: its people and itself) offers for a user, channel, role or mentionable option. */
export interface Pickables {
  members: Array<{ user: User; member?: Member }>;
  channels: Channel[];
  roles: Guild['roles'];
}

/** Reads a typed mention, id or name as the id it names, or null. */
function resolveId(type: number, raw: string, pick: Pickables, channelTypes?: number[]): string | null {
  const v = raw.trim();
  const mention = /^<(@!?|@&|#)(\d{1,20})>$/.exec(v);
  const id = mention?.[2] ?? (/^\d{1,20}$/.test(v) ? v : null);
  const name = v.replace(/^[@#]/, '').toLowerCase();
  const user = () =>
    pick.members.find(
      (m) =>
        m.user.id === id ||
        (!id && [m.user.username, displayName(m.user, m.member)].some((n) => n.toLowerCase() === name)),
    )?.user.id ?? null;
  const role = () =>
    pick.roles.find((r) => r.id === id || (!id && r.name.toLowerCase() === name))?.id ?? null;
  if (type === OptionType.User) return user();
  if (type === OptionType.Role) return role();
  if (type === OptionType.Mentionable) return user() ?? role();
  const channels = pick.channels.filter((c) => !channelTypes?.length || channelTypes.includes(c.type));
  return channels.find((c) => c.id === id || (!id && c.name?.toLowerCase() === name))?.id ?? null;
}

const kinds: Record<number, string> = {
  [OptionType.User]: 'user',
  [OptionType.Channel]: 'channel',
  [OptionType.Role]: 'role',
  [OptionType.Mentionable]: 'user or role',
};

/** One option's typed text as its wire value, or the reason it is not one. */
export function optionValue(
  o: CommandOption,
  raw: string,
  pick: Pickables,
): { value: string | number | boolean } | { error: string } {
  const v = raw.trim();
  switch (o.type) {
    case OptionType.Integer:
    case OptionType.Number: {
      const n = o.type === OptionType.Integer ? (/^-?\d+$/.test(v) ? Number(v) : Number.NaN) : Number(v);
      if (!v || !Number.isFinite(n))
        return { error: o.type === OptionType.Integer ? 'Enter a whole number.' : 'Enter a number.' };
      if (o.min_value !== undefined && n < o.min_value) return { error: `At least ${o.min_value}.` };
      if (o.max_value !== undefined && n > o.max_value) return { error: `At most ${o.max_value}.` };
      return { value: n };
    }
    case OptionType.Boolean:
      return v === 'true' || v === 'false' ? { value: v === 'true' } : { error: 'Choose True or False.' };
    case OptionType.String:
      if (o.min_length !== undefined && v.length < o.min_length)
        return { error: `At least ${o.min_length} characters.` };
      if (o.max_length !== undefined && v.length > o.max_length)
        return { error: `At most ${o.max_length} characters.` };
      return { value: v };
    case OptionType.Attachment:
      // The form sends a chosen file itself (its index in the files); there is nothing to type.
      return { error: 'Choose a file.' };
    default: {
      const id = resolveId(o.type, v, pick, o.channel_types);
      return id ? { value: id } : { error: `No such ${kinds[o.type] ?? 'value'} here.` };
    }
  }
}

type WireOption = { type: number; name: string; value?: unknown; focused?: boolean; options?: WireOption[] };

/** Wraps the leaf options in the entry's subcommand (and group), as the interaction's `data.options`. */
function wrapOptions(entry: CommandEntry, leaves: WireOption[]): WireOption[] {
  if (!entry.path.length) return leaves;
  const sub: WireOption = {
    type: OptionType.SubCommand,
    name: entry.path[entry.path.length - 1],
    options: leaves,
  };
  return entry.path.length === 2
    ? [{ type: OptionType.SubCommandGroup, name: entry.path[0], options: [sub] }]
    : [sub];
}

/** The interaction body's `data` for invoking (or autocompleting) an entry. */
export function commandData(entry: CommandEntry, leaves: WireOption[]) {
  const c = entry.command;
  const options = wrapOptions(entry, leaves);
  return {
    id: c.id,
    name: c.name,
    type: 1,
    version: c.version,
    ...(c.guild_id ? { guild_id: c.guild_id } : {}),
    ...(options.length ? { options } : {}),
  };
}

/** A command typed with its options inline: what `parseInline` read. */
export interface InlineCommand {
  entry: CommandEntry;
  /** Typed values by option name, as the option form holds them (a choice's value, `true`/`false`). */
  values: Record<string, string>;
  /** Text that is no option's value: before the first `name:`, or after an unknown name. */
  unknown: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Reads `/roll sides:6 label:two words` as Discord's client does: the entry whose label the text starts with,
 * followed by a space (the longest one, so a subcommand wins over its command), then each `name:` of its options
 * with the value up to the next option's `name:`. A choice may be typed by its name; True/False in any case. Null
 * when the text names no entry followed by a space.
 */
export function parseInline(entries: CommandEntry[], typed: string): InlineCommand | null {
  if (!typed.startsWith('/')) return null;
  const t = typed.slice(1);
  let entry: CommandEntry | null = null;
  for (const e of entries) {
    const label = e.label.slice(1).toLowerCase();
    if (t.toLowerCase().startsWith(`${label} `) && (!entry || e.label.length > entry.label.length)) entry = e;
  }
  if (!entry) return null;
  const rest = t.slice(entry.label.length);
  const byName = new Map<string, CommandOption>();
  for (const o of entry.options) {
    byName.set(o.name.toLowerCase(), o);
    if (o.name_localized) byName.set(o.name_localized.toLowerCase(), o);
  }
  const values: Record<string, string> = {};
  if (!byName.size) return { entry, values, unknown: rest.trim() };
  const names = [...byName.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const marker = new RegExp(`(^|\\s)(${names.join('|')}):`, 'giu');
  const found = [...rest.matchAll(marker)];
  const unknown = rest.slice(0, found[0]?.index ?? rest.length).trim();
  found.forEach((m, i) => {
    const o = byName.get(m[2].toLowerCase())!;
    const start = m.index + m[0].length;
    const raw = rest.slice(start, found[i + 1]?.index ?? rest.length).trim();
    const choice = o.choices?.find(
      (c) => c.name.toLowerCase() === raw.toLowerCase() || String(c.value) === raw,
    );
    values[o.name] = choice
      ? String(choice.value)
      : o.type === OptionType.Boolean && /^(true|false)$/i.test(raw)
        ? raw.toLowerCase()
        : raw;
  });
  return { entry, values, unknown };
}
