import { parsePermissions } from '@hearth/permissions';
import {
  ApplicationCommandType,
  ChannelType,
  type CommandOption,
  CommandOptionType,
  type CreateApplicationCommand,
  ErrorCode,
  type FieldError,
  fieldErrorTree,
  InteractionContextType,
  Limits,
} from '@hearth/protocol';
import { ApiError } from '../errors';

// Discord's rules for application commands across fields (the shape and lengths are the route schema's), applied to
// what a bot sends before anything is stored: every broken rule is one field error of a single 50035 answer.

/** Discord's locales: the keys localization dictionaries may have. */
const LOCALES: ReadonlySet<string> = new Set([
  'id', 'da', 'de', 'en-GB', 'en-US', 'es-ES', 'es-419', 'fr', 'hr', 'it', 'lt', 'hu', 'nl', 'no', 'pl', 'pt-BR',
  'ro', 'fi', 'sv-SE', 'vi', 'tr', 'cs', 'el', 'bg', 'ru', 'uk', 'hi', 'th', 'zh-CN', 'ja', 'zh-TW', 'ko',
]); // biome-ignore format: one list

/** Chat-input command and option names: Discord's regex, with the unicode flag. */
const CHAT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

const T = CommandOptionType;
const VALUE_TYPES: ReadonlySet<number> = new Set([
  T.String,
  T.Integer,
  T.Boolean,
  T.User,
  T.Channel,
  T.Role,
  T.Mentionable,
  T.Number,
  T.Attachment,
]);
const CHOICE_TYPES: ReadonlySet<number> = new Set([T.String, T.Integer, T.Number]);
const CHANNEL_TYPES: ReadonlySet<number> = new Set(Object.values(ChannelType));
/** Integers Discord's INTEGER and NUMBER options hold: ±2^53. */
const NUMBER_LIMIT = 2 ** 53;

type Path = Array<string | number>;
type Localizations = Record<string, string>;

/** A command as it is stored: Discord's fields, checked and with their defaults. */
export interface CommandSpec {
  type: number;
  name: string;
  nameLocalizations: Localizations | null;
  description: string;
  descriptionLocalizations: Localizations | null;
  options: CommandOption[] | null;
  defaultMemberPermissions: bigint | null;
  contexts: number[] | null;
  integrationTypes: number[];
  nsfw: boolean;
}

/** Collects field errors, then throws them as one 50035. */
export class FieldErrors {
  private readonly list: Array<{ path: Path; error: FieldError }> = [];

  add(path: Path, code: string, message: string): void {
    if (this.list.length < 100) this.list.push({ path, error: { code, message } });
  }

  throwIfAny(): void {
    if (this.list.length)
      throw new ApiError(400, ErrorCode.InvalidFormBody, 'Invalid Form Body', fieldErrorTree(this.list));
  }
}

/**
 * Checks one command (`input` at `path` of the body) against Discord's rules for its type and scope and returns it
 * as stored; broken rules go to `errors`.
 */
export function commandSpec(
  input: CreateApplicationCommand,
  scope: { global: boolean },
  errors: FieldErrors,
  path: Path = [],
): CommandSpec {
  const type = input.type ?? ApplicationCommandType.ChatInput;
  const chat = type === ApplicationCommandType.ChatInput;
  if (
    type !== ApplicationCommandType.ChatInput &&
    type !== ApplicationCommandType.User &&
    type !== ApplicationCommandType.Message
  )
    errors.add([...path, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3}.');
  checkName(input.name, chat, errors, [...path, 'name']);
  const nameLocalizations = localizations(
    input.name_localizations,
    errors,
    [...path, 'name_localizations'],
    (v, p) => checkName(v, chat, errors, p),
  );
  const description = input.description ?? '';
  let descriptionLocalizations: Localizations | null = null;
  let options: CommandOption[] | null = null;
  if (chat) {
    if (!description) errors.add([...path, 'description'], 'BASE_TYPE_REQUIRED', 'This field is required');
    descriptionLocalizations = localizations(
      input.description_localizations,
      errors,
      [...path, 'description_localizations'],
      (v, p) => checkDescription(v, errors, p),
    );
    if (input.options?.length) options = checkOptions(input.options, 'command', errors, [...path, 'options']);
  } else {
    if (description)
      errors.add(
        [...path, 'description'],
        'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION',
        'Context menu commands cannot have description',
      );
    if (input.options?.length)
      errors.add(
        [...path, 'options'],
        'APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS',
        'Context menu commands cannot have options',
      );
  }
  const spec: CommandSpec = {
    type,
    name: input.name,
    nameLocalizations,
    description: chat ? description : '',
    descriptionLocalizations,
    options,
    defaultMemberPermissions: memberPermissions(input, errors, path),
    contexts: scope.global ? contexts(input, errors, path) : null,
    integrationTypes: scope.global ? unique(input.integration_types ?? [0]) : [0],
    nsfw: input.nsfw ?? false,
  };
  if (chat && commandSize(spec) > Limits.commandTotalChars)
    errors.add(
      path,
      'APPLICATION_COMMAND_TOO_LARGE',
      `Command exceeds maximum size (${Limits.commandTotalChars})`,
    );
  return spec;
}

function memberPermissions(input: CreateApplicationCommand, errors: FieldErrors, path: Path): bigint | null {
  const raw = input.default_member_permissions;
  if (raw === undefined || raw === null) return input.default_permission === false ? 0n : null;
  const bits = parsePermissions(raw);
  if (bits === null)
    errors.add([...path, 'default_member_permissions'], 'PERMISSIONS_INVALID', 'Not a permission set.');
  return bits;
}

function contexts(input: CreateApplicationCommand, errors: FieldErrors, path: Path): number[] | null {
  if (input.contexts) {
    if (!input.contexts.length)
      errors.add([...path, 'contexts'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 3 in length.');
    return unique(input.contexts);
  }
  // The deprecated dm_permission: false keeps the command out of the DM with the bot.
  if (input.dm_permission === false)
    return [InteractionContextType.Guild, InteractionContextType.PrivateChannel];
  return null;
}

function unique(list: number[]): number[] {
  return [...new Set(list)].sort((a, b) => a - b);
}

function checkName(name: string, chat: boolean, errors: FieldErrors, path: Path): void {
  if (!chat) {
    if (!name.trim()) errors.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (!CHAT_NAME.test(name))
    errors.add(path, 'STRING_TYPE_REGEX', `String value did not match validation regex.`);
  else if (name !== name.toLowerCase())
    errors.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid: it must be lowercase');
}

function checkDescription(text: string, errors: FieldErrors, path: Path): void {
  if (!text.length) errors.add(path, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
}

/** A localization dictionary: Discord's locales as keys; null values and values equal to nothing are dropped. */
function localizations(
  dict: Record<string, string | null> | null | undefined,
  errors: FieldErrors,
  path: Path,
  checkValue: (value: string, path: Path) => void,
): Localizations | null {
  if (!dict) return null;
  const out: Localizations = {};
  for (const [locale, value] of Object.entries(dict)) {
    if (!LOCALES.has(locale)) {
      errors.add([...path, locale], 'LOCALE_INVALID', 'Invalid locale.');
      continue;
    }
    if (value === null) continue;
    checkValue(value, [...path, locale]);
    out[locale] = value;
  }
  return Object.keys(out).length ? out : null;
}

/** Where a list of options sits: on the command, in a subcommand group, or in a subcommand. */
type OptionParent = 'command' | 'group' | 'sub';

/**
 * One list of options: names unique, required ones first, subcommands and groups only where Discord nests them (a
 * command holds groups, subcommands or plain options; a group holds subcommands; a subcommand plain options).
 */
function checkOptions(
  list: CommandOption[],
  parent: OptionParent,
  errors: FieldErrors,
  path: Path,
): CommandOption[] {
  const names = new Set<string>();
  let optionalSeen = false;
  const subs = list.filter((o) => o.type === T.SubCommand || o.type === T.SubCommandGroup).length;
  if (parent === 'command' && subs && subs !== list.length)
    errors.add(
      path,
      'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
      'Subcommands and subcommand groups cannot be mixed with other options',
    );
  return list.map((option, i) => {
    const at = [...path, i];
    if (names.has(option.name))
      errors.add(
        [...at, 'name'],
        'APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME',
        'Option names must be unique',
      );
    names.add(option.name);
    const allowed =
      parent === 'command' ||
      (parent === 'group' ? option.type === T.SubCommand : VALUE_TYPES.has(option.type));
    if (!allowed)
      errors.add(
        [...at, 'type'],
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Option type is not allowed here',
      );
    if (VALUE_TYPES.has(option.type)) {
      if (option.required && optionalSeen)
        errors.add(
          [...at, 'required'],
          'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          'Required options must be placed before non-required options',
        );
      if (!option.required) optionalSeen = true;
    }
    return checkOption(option, errors, at);
  });
}

function checkOption(option: CommandOption, errors: FieldErrors, path: Path): CommandOption {
  const type = option.type;
  checkName(option.name, true, errors, [...path, 'name']);
  const out: CommandOption = { type, name: option.name, description: option.description };
  const nameLoc = localizations(option.name_localizations, errors, [...path, 'name_localizations'], (v, p) =>
    checkName(v, true, errors, p),
  );
  if (nameLoc) out.name_localizations = nameLoc;
  const descLoc = localizations(
    option.description_localizations,
    errors,
    [...path, 'description_localizations'],
    (v, p) => checkDescription(v, errors, p),
  );
  if (descLoc) out.description_localizations = descLoc;
  const misplaced = (field: string) =>
    errors.add(
      [...path, field],
      'APPLICATION_COMMAND_OPTION_FIELD_INVALID',
      `This option type cannot have ${field}`,
    );

  if (type === T.SubCommand || type === T.SubCommandGroup) {
    for (const field of ['required', 'choices', 'channel_types', 'min_value', 'max_value', 'min_length', 'max_length', 'autocomplete'] as const) // biome-ignore format: one list
      if (option[field] !== undefined && option[field] !== false) misplaced(field);
    if (option.options?.length)
      out.options = checkOptions(option.options, type === T.SubCommand ? 'sub' : 'group', errors, [
        ...path,
        'options',
      ]);
    else if (type === T.SubCommandGroup)
      errors.add([...path, 'options'], 'BASE_TYPE_REQUIRED', 'A subcommand group needs subcommands');
    return out;
  }

  if (option.options?.length) misplaced('options');
  if (option.required) out.required = true;
  const choiceType = CHOICE_TYPES.has(type);
  if (option.choices?.length) {
    if (!choiceType) misplaced('choices');
    else if (option.autocomplete)
      errors.add(
        [...path, 'autocomplete'],
        'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID',
        'Autocomplete cannot be set for options with choices',
      );
    out.choices = option.choices.map((choice, i) => {
      const at = [...path, 'choices', i];
      checkValue(type, choice.value, errors, [...at, 'value']);
      const loc = localizations(choice.name_localizations, errors, [...at, 'name_localizations'], (v, p) => {
        if (!v.length) errors.add(p, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      });
      return { name: choice.name, ...(loc ? { name_localizations: loc } : {}), value: choice.value };
    });
  }
  if (option.autocomplete) {
    if (!choiceType) misplaced('autocomplete');
    out.autocomplete = true;
  }
  if (option.channel_types?.length) {
    if (type !== T.Channel) misplaced('channel_types');
    option.channel_types.forEach((t, i) => {
      if (!CHANNEL_TYPES.has(t))
        errors.add([...path, 'channel_types', i], 'BASE_TYPE_CHOICES', 'Value must be a channel type.');
    });
    out.channel_types = [...new Set(option.channel_types)];
  }
  for (const field of ['min_value', 'max_value'] as const) {
    const value = option[field];
    if (value === undefined) continue;
    if (type !== T.Integer && type !== T.Number) misplaced(field);
    else checkValue(type, value, errors, [...path, field]);
    out[field] = value;
  }
  if (option.min_value !== undefined && option.max_value !== undefined && option.min_value > option.max_value)
    errors.add([...path, 'max_value'], 'NUMBER_TYPE_MIN', 'Must be at least min_value.');
  for (const field of ['min_length', 'max_length'] as const) {
    const value = option[field];
    if (value === undefined) continue;
    if (type !== T.String) misplaced(field);
    out[field] = value;
  }
  if (
    option.min_length !== undefined &&
    option.max_length !== undefined &&
    option.min_length > option.max_length
  )
    errors.add([...path, 'max_length'], 'NUMBER_TYPE_MIN', 'Must be at least min_length.');
  if (option.file_types?.length) {
    if (type !== T.Attachment) misplaced('file_types');
    out.file_types = option.file_types;
  }
  return out;
}

/** A choice value, min_value or max_value of an option of `type`: a string, an integer or a number, in range. */
function checkValue(type: number, value: string | number, errors: FieldErrors, path: Path): void {
  if (type === T.String) {
    if (typeof value !== 'string') errors.add(path, 'BASE_TYPE_STRING', 'Must be a string.');
    else if (value.length > 100) errors.add(path, 'BASE_TYPE_BAD_LENGTH', 'Must be 100 or fewer in length.');
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value))
    errors.add(path, 'NUMBER_TYPE_COERCE', 'Must be a number.');
  else if (type === T.Integer && !Number.isInteger(value))
    errors.add(path, 'NUMBER_TYPE_COERCE', 'Must be an integer.');
  else if (Math.abs(value) > NUMBER_LIMIT)
    errors.add(path, 'NUMBER_TYPE_MAX', `Must be between -${NUMBER_LIMIT} and ${NUMBER_LIMIT}.`);
}

/** Discord's size of a chat-input command: names, descriptions and choice values, each at its longest localization. */
function commandSize(spec: CommandSpec): number {
  const longest = (text: string, loc: Localizations | null | undefined) =>
    Math.max(text.length, ...Object.values(loc ?? {}).map((v) => v.length));
  const ofOptions = (options: CommandOption[] | null | undefined): number =>
    (options ?? []).reduce(
      (sum, o) =>
        sum +
        longest(o.name, o.name_localizations as Localizations) +
        longest(o.description, o.description_localizations as Localizations) +
        (o.choices ?? []).reduce(
          (s, c) => s + longest(c.name, c.name_localizations as Localizations) + String(c.value).length,
          0,
        ) +
        ofOptions(o.options),
      0,
    );
  return (
    longest(spec.name, spec.nameLocalizations) +
    longest(spec.description, spec.descriptionLocalizations) +
    ofOptions(spec.options)
  );
}

/** How many commands of `type` one scope may hold. */
export function commandLimit(type: number): number {
  if (type === ApplicationCommandType.User) return Limits.commandsUser;
  if (type === ApplicationCommandType.Message) return Limits.commandsMessage;
  return Limits.commandsChatInput;
}
