// A select menu on a bot's message: its placeholder (or what is chosen) on a button that opens the options — the
// string select's own, or the guild's (or the DM's) members, roles or channels for the other kinds. One value is sent on picking
// it; with max_values above one the person ticks between min and max and sends with "Choose".
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useStore } from '../../store';
import { displayName, type Guild } from '../../types';
import { usePopover } from '../../ui';
import type { Component } from './component-types';

/**
 * The options of a select, by its kind: 3 its own, 5 users, 6 roles, 7 users and roles, 8 channels. In the DM with a
 * bot (`guild` null) the people are the DM's and the one channel is the DM.
 */
function useSelectOptions(
  c: Component,
  guild: Guild | null,
  channelId: string,
): Array<{ value: string; label: string; description?: string }> {
  const members = useStore((s) => (guild ? s.members[guild.id] : undefined));
  const users = useStore((s) => s.users);
  const channels = useStore((s) => s.channels);
  const me = useStore((s) => s.me);
  return useMemo(() => {
    const dm = channels[channelId];
    const people = () =>
      guild
        ? Object.entries(members ?? {}).map(([id, m]) => ({
            value: id,
            label: displayName(users[id] ?? m.user, m),
          }))
        : [...(dm?.recipients ?? []), ...(me ? [me] : [])].map((u) => ({
            value: u.id,
            label: displayName(users[u.id] ?? u),
          }));
    const roles = () =>
      guild
        ? guild.roles.filter((r) => r.id !== guild.id).map((r) => ({ value: r.id, label: `@${r.name}` }))
        : [];
    switch (c.type) {
      case 3:
        return (c.options ?? []).map((o) => ({ value: o.value, label: o.label, description: o.description }));
      case 5:
        return people();
      case 6:
        return roles();
      case 7:
        return [...people(), ...roles()];
      default:
        return Object.values(channels)
          .filter(
            (ch) =>
              (guild ? ch.guild_id === guild.id : ch.id === channelId) &&
              (!c.channel_types?.length || c.channel_types.includes(ch.type)),
          )
          .map((ch) => ({ value: ch.id, label: ch.name ? `#${ch.name}` : 'This conversation' }));
    }
  }, [c, guild, channelId, members, users, channels, me]);
}

export function SelectMenu(props: {
  component: Component;
  /** Null in the DM with a bot. */
  guild: Guild | null;
  channelId: string;
  disabled: boolean;
  busy: boolean;
  onChoose: (values: string[]) => void;
}) {
  const c = props.component;
  const options = useSelectOptions(c, props.guild, props.channelId);
  const min = c.min_values ?? 1;
  const max = Math.min(c.max_values ?? 1, options.length || 1);
  const [open, setOpen] = useState(false);
  const root = usePopover<HTMLDivElement>(
    open,
    useCallback(() => setOpen(false), []),
  );
  const [chosen, setChosen] = useState<string[]>(() =>
    (c.options ?? []).filter((o) => o.default).map((o) => o.value),
  );
  const listId = `select-${c.custom_id}`;
  const shown = chosen.length
    ? options
        .filter((o) => chosen.includes(o.value))
        .map((o) => o.label)
        .join(', ')
    : (c.placeholder ?? 'Make a selection');

  const toggle = (value: string) => {
    if (max === 1) {
      setChosen([value]);
      setOpen(false);
      props.onChoose([value]);
      return;
    }
    setChosen((all) =>
      all.includes(value) ? all.filter((v) => v !== value) : all.length < max ? [...all, value] : all,
    );
  };

  // Near the bottom of the message list (the newest message's menu) the options open upward, as on Discord: below,
  // they would fall under the composer.
  const list = useRef<HTMLDivElement>(null);
  const [upward, setUpward] = useState(false);
  useLayoutEffect(() => {
    const el = list.current;
    if (!open || !el) return setUpward(false);
    const menu = el.parentElement!.getBoundingClientRect();
    const bounds = el.closest('.messages')?.getBoundingClientRect() ?? { top: 0, bottom: window.innerHeight };
    const below = bounds.bottom - menu.bottom;
    setUpward(below < el.offsetHeight && menu.top - bounds.top > below);
  }, [open]);

  return (
    <div className="select-menu" ref={root}>
      <button
        type="button"
        className="select-toggle"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-controls={listId}
        disabled={props.disabled}
        aria-busy={props.busy || undefined}
        onClick={() => setOpen((v) => !v)}
      >
        {shown} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className={`select-options${upward ? ' upward' : ''}`} ref={list}>
          <div
            id={listId}
            role="listbox"
            aria-label={c.placeholder ?? 'Options'}
            aria-multiselectable={max > 1 || undefined}
          >
            {options.map((o) => (
              <div
                key={o.value}
                role="option"
                tabIndex={0}
                aria-selected={chosen.includes(o.value)}
                onClick={() => toggle(o.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    toggle(o.value);
                  }
                }}
              >
                {o.label}
                {o.description && <small className="muted"> {o.description}</small>}
              </div>
            ))}
          </div>
          {max > 1 && (
            <div className="row end">
              <small className="muted">Choose {min === max ? min : `${min} to ${max}`}</small>
              <button
                type="button"
                className="primary"
                disabled={chosen.length < min || chosen.length > max}
                onClick={() => {
                  setOpen(false);
                  props.onChoose(chosen);
                }}
              >
                Choose
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
