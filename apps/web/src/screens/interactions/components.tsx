// A bot's message components: action rows of buttons (five styles; a link button opens its URL) and selects. Using
// one sends a MESSAGE_COMPONENT interaction; it shows as loading until the application answers, and "This
// interaction failed" when it does not. An update (callback 7) arrives as MESSAGE_UPDATE and re-renders the rows.
import { invoke, MessageFlag, messageApplication, useCommandIndex } from '../../interactions';
import { useStore } from '../../store';
import type { Guild, Message } from '../../types';
import type { Component } from './component-types';
import { SelectMenu } from './select-menu';

const buttonClass: Record<number, string> = {
  1: 'primary',
  2: 'secondary',
  3: 'success',
  4: 'danger',
  5: 'link',
};

function Emoji({ emoji }: { emoji: Component['emoji'] }) {
  if (!emoji) return null;
  if (emoji.id) return <img className="emoji" src={`/emojis/${emoji.id}.png`} alt={emoji.name ?? ''} />;
  return <span aria-hidden="true">{emoji.name}</span>;
}

export function MessageComponents({ message, guild }: { message: Message; guild: Guild | null }) {
  const rows = (message.components ?? []) as Component[];
  const index = useCommandIndex(guild ? { guildId: guild.id } : null, rows.length > 0);
  const all = useStore((s) => s.interactions);
  const pending = Object.values(all).filter((p) => p.kind === 'component' && p.message_id === message.id);
  if (!rows.length) return null;
  const loading = !!((message.flags ?? 0) & MessageFlag.Loading);
  const app = messageApplication(message, index);
  const use = (c: Component, values?: string[]) => {
    if (!app || !c.custom_id) return;
    invoke(
      {
        type: 3,
        application_id: app.id,
        ...(guild ? { guild_id: guild.id } : {}),
        channel_id: message.channel_id,
        message_id: message.id,
        message_flags: message.flags ?? 0,
        data: { custom_id: c.custom_id, component_type: c.type, ...(values ? { values } : {}) },
      },
      {
        kind: 'component',
        label: c.label ?? c.custom_id,
        application: app.name,
        message_id: message.id,
        custom_id: c.custom_id,
      },
    );
  };
  const failed = pending.some((p) => p.failed);
  return (
    <div className="components">
      {rows
        .filter((r) => r.type === 1)
        .map((row, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id; their order is their identity
          <div className="action-row" key={i}>
            {(row.components ?? []).map((c, j) => {
              const busy = pending.some((p) => !p.failed && p.custom_id === c.custom_id);
              const disabled = !!c.disabled || loading || (!app && c.style !== 5) || busy;
              if (c.type === 2 && c.style === 5)
                return (
                  <a
                    key={c.url ?? j}
                    className={`button link${c.disabled ? ' disabled' : ''}`}
                    href={c.disabled ? undefined : c.url}
                    target="_blank"
                    rel="noopener noreferrer nofollow"
                    aria-disabled={c.disabled || undefined}
                  >
                    <Emoji emoji={c.emoji} />
                    {c.label} <span aria-hidden="true">↗</span>
                  </a>
                );
              if (c.type === 2)
                return (
                  <button
                    key={c.custom_id ?? j}
                    type="button"
                    className={`component ${buttonClass[c.style ?? 2] ?? 'secondary'}`}
                    disabled={disabled}
                    aria-busy={busy || undefined}
                    onClick={() => use(c)}
                  >
                    <Emoji emoji={c.emoji} />
                    {c.label}
                    {busy && <span className="spinner" aria-hidden="true" />}
                  </button>
                );
              if (c.type >= 3 && c.type <= 8)
                return (
                  <SelectMenu
                    key={c.custom_id ?? j}
                    component={c}
                    guild={guild}
                    channelId={message.channel_id}
                    disabled={disabled}
                    busy={busy}
                    onChoose={(values) => use(c, values)}
                  />
                );
              return null;
            })}
          </div>
        ))}
      {failed && (
        <p className="interaction-failed" role="alert">
          This interaction failed
        </p>
      )}
    </div>
  );
}
