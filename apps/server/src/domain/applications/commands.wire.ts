import { type ApplicationCommand, type CommandOption, InteractionContextType } from '@hearth/protocol';
import type { applicationCommands } from '../../store/schema';
import type { CommandSpec } from './command-rules';

export type CommandRow = typeof applicationCommands.$inferSelect;

/**
 * How localizations are shown: `full` gives the dictionaries (a single command, and lists `with_localizations`);
 * a locale gives, as Discord's lists do, only `name_localized`/`description_localized` in that locale where one exists;
 * `index` (an application command index, as Discord's client gets it) puts that text in `name`/`description` and the
 * original in `name_default`/`description_default`.
 */
export type LocalizationMode = 'full' | { locale: string | null; index?: boolean };

/** A stored command as Discord's wire has it. */
export function toCommandWire(row: CommandRow, mode: LocalizationMode = 'full'): ApplicationCommand {
  const global = row.guildId === null;
  const wire: ApplicationCommand = {
    id: row.id,
    application_id: row.applicationId,
    version: row.version,
    default_member_permissions:
      row.defaultMemberPermissions === null ? null : row.defaultMemberPermissions.toString(),
    type: row.type,
    name: row.name,
    description: row.description,
    ...(global ? {} : { guild_id: row.guildId as string }),
    ...(global
      ? { dm_permission: !row.contexts || row.contexts.includes(InteractionContextType.BotDm) }
      : {}),
    contexts: row.contexts,
    integration_types: row.integrationTypes,
    nsfw: row.nsfw,
  };
  Object.assign(wire, localized(row, mode));
  if (row.options?.length) wire.options = row.options.map((o) => localizeOption(o, mode));
  return wire;
}

function localized(
  of: {
    name: string;
    nameLocalizations?: Record<string, string | null> | null;
    description?: string;
    descriptionLocalizations?: Record<string, string | null> | null;
  },
  mode: LocalizationMode,
): Record<string, unknown> {
  if (mode === 'full')
    return {
      name_localizations: of.nameLocalizations ?? null,
      ...(of.description !== undefined
        ? { description_localizations: of.descriptionLocalizations ?? null }
        : {}),
    };
  const out: Record<string, unknown> = {};
  const name = pick(of.nameLocalizations, mode.locale);
  if (name !== undefined && mode.index) Object.assign(out, { name, name_default: of.name });
  else if (name !== undefined) out.name_localized = name;
  const description = pick(of.descriptionLocalizations, mode.locale);
  if (description !== undefined && mode.index)
    Object.assign(out, { description, description_default: of.description });
  else if (description !== undefined) out.description_localized = description;
  return out;
}

/** Discord's locale fallbacks: en-US ↔ en-GB, es-419 → es-ES. */
function pick(
  dict: Record<string, string | null> | null | undefined,
  locale: string | null,
): string | undefined {
  if (!dict || !locale) return undefined;
  const fallback = { 'en-US': 'en-GB', 'en-GB': 'en-US', 'es-419': 'es-ES' }[locale];
  return dict[locale] ?? (fallback ? dict[fallback] : undefined) ?? undefined;
}

function localizeOption(option: CommandOption, mode: LocalizationMode): CommandOption {
  if (mode === 'full') return option;
  const {
    name_localizations: nameLocalizations,
    description_localizations: descriptionLocalizations,
    ...rest
  } = option;
  const out: CommandOption & Record<string, unknown> = {
    ...rest,
    ...localized(
      { name: option.name, nameLocalizations, description: option.description, descriptionLocalizations },
      mode,
    ),
  };
  if (option.choices)
    out.choices = option.choices.map(({ name_localizations, ...choice }) => ({
      ...choice,
      ...localized({ name: choice.name, nameLocalizations: name_localizations }, mode),
    }));
  if (option.options) out.options = option.options.map((o) => localizeOption(o, mode));
  return out;
}

/** The row's fields a command spec sets, for writing it. */
export function specColumns(spec: CommandSpec) {
  return {
    type: spec.type,
    name: spec.name,
    nameLocalizations: spec.nameLocalizations,
    description: spec.description,
    descriptionLocalizations: spec.descriptionLocalizations,
    options: spec.options,
    defaultMemberPermissions: spec.defaultMemberPermissions,
    contexts: spec.contexts,
    integrationTypes: spec.integrationTypes,
    nsfw: spec.nsfw,
  };
}

/** Whether a stored command already says what `spec` says (then an upsert keeps its version). */
export function sameSpec(row: CommandRow, spec: CommandSpec): boolean {
  const { type, name, nameLocalizations, description, descriptionLocalizations, options } = row;
  const { defaultMemberPermissions, contexts, integrationTypes, nsfw } = row;
  const stored = { type, name, nameLocalizations, description, descriptionLocalizations, options };
  Object.assign(stored, { defaultMemberPermissions, contexts, integrationTypes, nsfw });
  return canonical(stored) === canonical(specColumns(spec));
}

/** JSON with object keys sorted (jsonb keeps its own key order) and bigints as strings. */
function canonical(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (Array.isArray(v)) return v.map(sorted);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return JSON.stringify(sorted(value));
}

/** A stored command as a create body, for PATCH to merge its changes into. */
export function commandInput(row: CommandRow) {
  return {
    type: row.type,
    name: row.name,
    name_localizations: row.nameLocalizations,
    description: row.description,
    description_localizations: row.descriptionLocalizations,
    options: row.options ?? undefined,
    default_member_permissions:
      row.defaultMemberPermissions === null ? null : row.defaultMemberPermissions.toString(),
    contexts: row.contexts,
    integration_types: row.integrationTypes,
    nsfw: row.nsfw,
  };
}
