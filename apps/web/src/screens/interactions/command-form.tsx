// A chosen slash command's options, typed before it is sent: required ones first, each with an input of its type
// (choices and True/False as lists; users, channels and roles by name, mention or id; numbers within their bounds;
// autocomplete asking the application as one types). Enter sends, Esc goes back to the message box. Options typed
// inline in the message box (`/roll sides:6`) arrive filled; complete, the command is sent at once, else the form
// says what is missing.
import type { CommandOption } from '@hearth/protocol';
import { useEffect, useMemo, useRef, useState } from 'react';
import { invoke, requestAutocomplete } from '../../interactions';
import { useStore } from '../../store';
import type { Channel, Guild } from '../../types';
import { AppIcon } from './command-picker';
import { type CommandEntry, commandData, OptionType, optionValue, type Pickables } from './commands';

/** How long typing pauses before autocomplete asks the application. */
const autocompleteDelayMs = 250;

function usePickables(guild: Guild | null, channel: Channel): Pickables {
  const members = useStore((s) => (guild ? s.members[guild.id] : undefined));
  const users = useStore((s) => s.users);
  const channels = useStore((s) => s.channels);
  const me = useStore((s) => s.me);
  return useMemo(() => {
    // In the DM with a bot: its people (the bot and this person) and the DM itself.
    if (!guild)
      return {
        members: [...(channel.recipients ?? []), ...(me ? [me] : [])].map((u) => ({
          user: users[u.id] ?? u,
        })),
        channels: [channel],
        roles: [],
      };
    return {
      members: Object.entries(members ?? {}).flatMap(([id, member]) =>
        (users[id] ?? member.user) ? [{ user: (users[id] ?? member.user)!, member }] : [],
      ),
      channels: Object.values(channels).filter((c) => c.guild_id === guild.id),
      roles: guild.roles.filter((r) => r.id !== guild.id),
    };
  }, [members, users, channels, guild, channel, me]);
}

/** The names offered for a user, channel, role or mentionable option. */
function suggestionsFor(o: CommandOption, pick: Pickables): string[] {
  const users = () => pick.members.map((m) => m.user.username);
  const roles = () => pick.roles.map((r) => `@${r.name}`);
  if (o.type === OptionType.User) return users();
  if (o.type === OptionType.Role) return roles();
  if (o.type === OptionType.Mentionable) return [...users(), ...roles()];
  if (o.type === OptionType.Channel)
    return pick.channels
      .filter((c) => c.name && (!o.channel_types?.length || o.channel_types.includes(c.type)))
      .map((c) => `#${c.name}`);
  return [];
}

export function CommandForm(props: {
  entry: CommandEntry;
  /** Null in the DM with a bot. */
  guild: Guild | null;
  channel: Channel;
  onCancel: () => void;
  onSent: () => void;
  /** Option values typed inline in the message box, by option name. */
  initial?: Record<string, string>;
  /** Send at once (the person pressed Enter on the inline command); what is missing or wrong is shown instead. */
  submitNow?: boolean;
  /** Inline text that was no option's value. */
  unknown?: string;
}) {
  const { entry, guild, channel } = props;
  const options = useMemo(
    () => [...entry.options].sort((a, b) => Number(!!b.required) - Number(!!a.required)),
    [entry],
  );
  const pick = usePickables(guild, channel);
  const [values, setValues] = useState<Record<string, string>>(() => props.initial ?? {});
  const [summary, setSummary] = useState<string | null>(null);
  // The files chosen for attachment options, sent with the interaction (Discord's attachment options).
  const [files, setFiles] = useState<Record<string, File>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [focused, setFocused] = useState<string | null>(null);
  const [asked, setAsked] = useState<string | null>(null);
  const answer = useStore((s) => s.autocomplete);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const first = useRef<HTMLElement | null>(null);
  const sendRef = useRef<() => void>(() => {});
  // Typed inline and Enter pressed: sent as the form opens (text that is no option's value stops it).
  const sendAtOnce = useRef(!!props.submitNow && !props.unknown);
  useEffect(() => {
    first.current?.focus();
    if (sendAtOnce.current) sendRef.current();
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  const base = {
    application_id: entry.application.id,
    ...(guild ? { guild_id: guild.id } : {}),
    channel_id: channel.id,
  };
  const leaves = (focus?: string) =>
    options.flatMap((o) => {
      const raw = values[o.name] ?? '';
      if (o.name === focus) return [{ type: o.type, name: o.name, value: raw, focused: true }];
      if (o.type === OptionType.Attachment) return [];
      if (!raw.trim()) return [];
      const v = optionValue(o, raw, pick);
      return 'value' in v ? [{ type: o.type, name: o.name, value: v.value }] : [];
    });

  const ask = (o: CommandOption) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      setAsked(requestAutocomplete({ ...base, type: 4, data: commandData(entry, leaves(o.name)) }));
    }, autocompleteDelayMs);
  };

  const set = (o: CommandOption, v: string) => {
    setValues((all) => ({ ...all, [o.name]: v }));
    setErrors(({ [o.name]: _, ...rest }) => rest);
    if (o.autocomplete) ask(o);
  };

  const send = () => {
    const found: Record<string, string> = {};
    const out: Array<{ type: number; name: string; value: string | number | boolean }> = [];
    const sent: File[] = [];
    for (const o of options) {
      if (o.type === OptionType.Attachment) {
        const file = files[o.name];
        if (file) {
          out.push({ type: o.type, name: o.name, value: sent.length });
          sent.push(file);
        } else if (o.required) found[o.name] = 'Choose a file.';
        continue;
      }
      const raw = values[o.name] ?? '';
      if (!raw.trim()) {
        if (o.required) found[o.name] = 'This option is required.';
        continue;
      }
      const v = optionValue(o, raw, pick);
      if ('error' in v) found[o.name] = v.error;
      else out.push({ type: o.type, name: o.name, value: v.value });
    }
    setErrors(found);
    const missing = options.filter((o) => o.required && found[o.name]).map((o) => o.name_localized ?? o.name);
    setSummary(
      missing.length
        ? `${entry.label} needs ${missing.length === 1 ? 'the option' : 'the options'} ${missing.join(', ')}.`
        : Object.keys(found).length
          ? 'Check the options marked below.'
          : null,
    );
    if (Object.keys(found).length) return;
    const attachments = sent.map((f, i) => ({ id: String(i), filename: f.name }));
    invoke(
      {
        ...base,
        type: 2,
        data: { ...commandData(entry, out), ...(attachments.length ? { attachments } : {}) },
      },
      { kind: 'command', label: entry.label, application: entry.application.name },
      sent,
    );
    props.onSent();
  };

  sendRef.current = send;

  // A filled option as a chip: the choice's name for a choice, True/False, else what was typed (or the file's name).
  const chips = options.flatMap((o) => {
    const name = o.name_localized ?? o.name;
    if (o.type === OptionType.Attachment) return files[o.name] ? [{ name, value: files[o.name].name }] : [];
    const raw = (values[o.name] ?? '').trim();
    if (!raw) return [];
    const choice = o.choices?.find((c) => String(c.value) === raw);
    const shown = choice
      ? (choice.name_localized ?? choice.name)
      : o.type === OptionType.Boolean
        ? raw === 'true'
          ? 'True'
          : 'False'
        : raw;
    return [{ name, value: shown }];
  });

  const choices = (answer && answer.nonce === asked ? answer.choices : []) as Array<{
    name: string;
    value: string | number;
  }>;

  return (
    <form
      className="command-form"
      aria-label={`Options of ${entry.label}`}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          props.onCancel();
        }
      }}
    >
      <div className="command-chip">
        <AppIcon app={entry.application} /> <strong>{entry.label}</strong>
        {chips.length > 0 ? (
          // What is filled so far, one chip an option, as Discord's composer shows `/roll sides: 6`.
          <ul className="option-chips" aria-label="Options filled">
            {chips.map((c) => (
              <li key={c.name} className="option-chip">
                <span className="muted">{c.name}:</span> {c.value}
              </li>
            ))}
          </ul>
        ) : (
          <small className="muted">{entry.description}</small>
        )}
      </div>
      {props.unknown && (
        <p className="error" role="alert">
          {`Not an option of ${entry.label}: “${props.unknown}”.`}
          {options.length > 0 && ` Its options: ${options.map((o) => `${o.name}:`).join(' ')}`}
        </p>
      )}
      {summary && (
        <p className="error" role="alert">
          {summary}
        </p>
      )}
      {options.map((o, i) => {
        const id = `opt-${channel.id}-${o.name}`;
        const ref =
          i === 0
            ? (el: HTMLElement | null) => {
                first.current = el;
              }
            : undefined;
        const common = {
          id,
          'aria-invalid': !!errors[o.name],
          'aria-describedby': errors[o.name] ? `${id}-err` : undefined,
          value: values[o.name] ?? '',
        };
        const listed = suggestionsFor(o, pick);
        return (
          <div className="field command-option" key={o.name}>
            <label htmlFor={id}>
              {o.name_localized ?? o.name}
              {o.required ? ' *' : ''}{' '}
              <small className="muted">{o.description_localized ?? o.description}</small>
            </label>
            {o.type === OptionType.Attachment ? (
              <input
                ref={ref}
                id={id}
                type="file"
                aria-invalid={!!errors[o.name]}
                aria-describedby={errors[o.name] ? `${id}-err` : undefined}
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  setFiles(({ [o.name]: _, ...rest }) => (file ? { ...rest, [o.name]: file } : rest));
                  setErrors(({ [o.name]: _, ...rest }) => rest);
                }}
              />
            ) : o.choices?.length || o.type === OptionType.Boolean ? (
              <select ref={ref} {...common} onChange={(e) => set(o, e.target.value)}>
                <option value="">{o.required ? 'Choose…' : '(none)'}</option>
                {o.type === OptionType.Boolean ? (
                  <>
                    <option value="true">True</option>
                    <option value="false">False</option>
                  </>
                ) : (
                  o.choices!.map((c) => (
                    <option key={String(c.value)} value={String(c.value)}>
                      {c.name_localized ?? c.name}
                    </option>
                  ))
                )}
              </select>
            ) : (
              <input
                ref={ref}
                {...common}
                autoComplete="off"
                list={listed.length ? `${id}-list` : undefined}
                inputMode={
                  o.type === OptionType.Integer || o.type === OptionType.Number ? 'decimal' : undefined
                }
                placeholder={
                  o.type === OptionType.User
                    ? 'a name, @mention or id'
                    : o.type === OptionType.Channel
                      ? '#channel or id'
                      : o.type === OptionType.Role
                        ? '@role or id'
                        : undefined
                }
                onFocus={() => {
                  setFocused(o.name);
                  if (o.autocomplete) ask(o);
                }}
                onChange={(e) => set(o, e.target.value)}
              />
            )}
            {listed.length > 0 && (
              <datalist id={`${id}-list`}>
                {listed.map((n) => (
                  <option key={n} value={n} />
                ))}
              </datalist>
            )}
            {o.autocomplete && focused === o.name && choices.length > 0 && (
              <div className="autocomplete-choices" role="listbox" aria-label={`Choices for ${o.name}`}>
                {choices.map((c) => (
                  <div
                    key={String(c.value)}
                    role="option"
                    aria-selected={values[o.name] === String(c.value)}
                    tabIndex={-1}
                    onMouseDown={(e) => e.preventDefault()}
                    onClick={() => {
                      setValues((all) => ({ ...all, [o.name]: String(c.value) }));
                      setFocused(null);
                    }}
                    onKeyDown={() => {}}
                  >
                    {c.name}
                  </div>
                ))}
              </div>
            )}
            {errors[o.name] && (
              <small id={`${id}-err`} className="error">
                {errors[o.name]}
              </small>
            )}
          </div>
        );
      })}
      <div className="row end">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="primary"
          ref={
            options.length
              ? undefined
              : (el) => {
                  first.current = el;
                }
          }
        >
          Send {entry.label}
        </button>
      </div>
    </form>
  );
}
