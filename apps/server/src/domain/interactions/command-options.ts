import { CommandOptionType, ComponentType } from '@hearth/protocol';
import { FieldErrors } from '../applications/command-rules';
import { isObject, type Json } from './interaction-common';

/** The ids an interaction names, to resolve. */
export class Resolved {
  users = new Set<string>();
  roles = new Set<string>();
  channels = new Set<string>();
  mentionables = new Set<string>();
  messages = new Set<string>();
}

/** A component by custom_id among a message's action rows. */
export function findComponent(rows: unknown[], customId: string): Json | undefined {
  for (const row of rows ?? [])
    if (isObject(row) && Array.isArray(row.components))
      for (const c of row.components) if (isObject(c) && c.custom_id === customId) return c;
  return undefined;
}

/** A modal submit's values: action rows of text inputs, `{type: 4, custom_id, value}`. */
export function modalValues(rows: unknown[]): Json[] {
  const errors = new FieldErrors();
  const out = rows.slice(0, 5).map((row, i) => {
    const children = isObject(row) && Array.isArray(row.components) ? row.components : [];
    return {
      type: ComponentType.ActionRow,
      components: children.slice(0, 5).map((c, j) => {
        const path = ['data', 'components', i, 'components', j];
        if (
          !isObject(c) ||
          typeof c.custom_id !== 'string' ||
          c.custom_id.length > 100 ||
          typeof c.value !== 'string' ||
          c.value.length > 4000
        ) {
          errors.add(path, 'MODEL_TYPE_CONVERT', 'A text input value is {type: 4, custom_id, value}.');
          return {};
        }
        return { type: ComponentType.TextInput, custom_id: c.custom_id, value: c.value };
      }),
    };
  });
  errors.throwIfAny();
  return out;
}

/**
 * A chat-input command's options as invoked, checked against the command's own: subcommands and groups by name,
 * value options by name and type, values of that type (ids collected for `resolved`), one `focused` when
 * autocompleting. Discord's wire shape comes back.
 */
export function checkOptions(
  given: unknown[],
  spec: unknown[],
  path: Array<string | number>,
  errors: FieldErrors,
  resolved: Resolved,
  opts: {
    autocomplete: boolean;
    /** The id of the attachment an attachment option names (the `id` of a `data.attachments` entry), if any. */
    attachment?: (ref: unknown) => string | undefined;
  },
): Json[] {
  const specs = (spec as Json[]).filter(isObject);
  const out: Json[] = [];
  const seen = new Set<string>();
  given.forEach((g, i) => {
    const at = [...path, i];
    if (!isObject(g) || typeof g.name !== 'string') {
      errors.add(at, 'MODEL_TYPE_CONVERT', 'An option is {name, type, value}.');
      return;
    }
    const s = specs.find((x) => x.name === g.name);
    if (!s || s.type !== g.type || seen.has(g.name)) {
      errors.add([...at, 'name'], 'APPLICATION_COMMAND_OPTION_INVALID', 'Not an option of this command.');
      return;
    }
    seen.add(g.name);
    const type = s.type as number;
    if (type === CommandOptionType.SubCommand || type === CommandOptionType.SubCommandGroup) {
      const inner = checkOptions(
        Array.isArray(g.options) ? g.options : [],
        Array.isArray(s.options) ? s.options : [],
        [...at, 'options'],
        errors,
        resolved,
        opts,
      );
      out.push({ name: g.name, type, options: inner });
      return;
    }
    const focused = opts.autocomplete && g.focused === true;
    const v = g.value;
    const ok = focused
      ? typeof v === 'string' || typeof v === 'number'
      : type === CommandOptionType.String
        ? typeof v === 'string' && v.length <= 6000
        : type === CommandOptionType.Integer
          ? typeof v === 'number' && Number.isSafeInteger(v)
          : type === CommandOptionType.Number
            ? typeof v === 'number' && Number.isFinite(v)
            : type === CommandOptionType.Boolean
              ? typeof v === 'boolean'
              : type === CommandOptionType.Attachment
                ? opts.attachment?.(v) !== undefined
                : typeof v === 'string' && /^\d{1,20}$/.test(v);
    if (!ok) {
      errors.add([...at, 'value'], 'APPLICATION_COMMAND_OPTION_VALUE_INVALID', 'Not a value of this option.');
      return;
    }
    if (!focused) {
      if (type === CommandOptionType.User) resolved.users.add(v as string);
      if (type === CommandOptionType.Role) resolved.roles.add(v as string);
      if (type === CommandOptionType.Channel) resolved.channels.add(v as string);
      if (type === CommandOptionType.Mentionable) resolved.mentionables.add(v as string);
    }
    // An attachment option's value is the file's attachment id, as the application finds it in `resolved`.
    const value = !focused && type === CommandOptionType.Attachment ? opts.attachment?.(v) : v;
    out.push({ name: g.name, type, value, ...(focused ? { focused: true } : {}) });
  });
  for (const s of specs)
    if (s.required === true && !seen.has(s.name as string) && !opts.autocomplete)
      errors.add(path, 'APPLICATION_COMMAND_OPTION_REQUIRED', `Option "${String(s.name)}" is required.`);
  return out;
}
