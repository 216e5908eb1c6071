// The "Apps" menu of a message or of a user: the context-menu commands (MESSAGE or USER) the person may use in this
// channel (a guild's, or a DM's or group DM's own index with the person's installed apps); choosing one invokes it on
// that target (an APPLICATION_COMMAND interaction with target_id).
import { useCallback, useState } from 'react';
import { commandScopeOf, invoke, useCommandIndex } from '../../interactions';
import { useStore } from '../../store';
import type { Channel, Guild } from '../../types';
import { usePopover } from '../../ui';
import { AppIcon } from './command-picker';
import { usableCommands } from './commands';

export function AppsMenu(props: {
  /** Null in a DM or group DM. */
  guild: Guild | null;
  channel: Channel;
  /** 2: a user's menu, 3: a message's. */
  type: 2 | 3;
  targetId: string;
  /** The menu's trigger as the place shows it. */
  trigger: (open: () => void, expanded: boolean) => React.ReactNode;
  onDone?: () => void;
}) {
  const [open, setOpen] = useState(false);
  const root = usePopover<HTMLDivElement>(
    open,
    useCallback(() => setOpen(false), []),
  );
  const index = useCommandIndex(
    props.guild ? { guildId: props.guild.id } : commandScopeOf(props.channel),
    open,
  );
  const me = useStore((s) => s.me);
  const member = useStore((s) => (me && props.guild ? s.members[props.guild.id]?.[me.id] : undefined));
  const commands =
    index && me ? usableCommands(index, props.guild, props.channel, { id: me.id, member }, props.type) : [];
  return (
    <div className="apps-menu" ref={root}>
      {props.trigger(() => setOpen((v) => !v), open)}
      {open && (
        <div role="menu" aria-label="Apps" className="menu">
          {index && !commands.length && <p className="muted">No apps here</p>}
          {commands.map(({ command, app }) => (
            <div key={command.id}>
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setOpen(false);
                  invoke(
                    {
                      type: 2,
                      application_id: app.id,
                      ...(props.guild ? { guild_id: props.guild.id } : {}),
                      channel_id: props.channel.id,
                      data: {
                        id: command.id,
                        name: command.name,
                        type: props.type,
                        version: command.version,
                        target_id: props.targetId,
                        ...(command.guild_id ? { guild_id: command.guild_id } : {}),
                      },
                    },
                    { kind: 'command', label: command.name_localized ?? command.name, application: app.name },
                  );
                  props.onDone?.();
                }}
              >
                <AppIcon app={app} /> {command.name_localized ?? command.name}
              </button>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
