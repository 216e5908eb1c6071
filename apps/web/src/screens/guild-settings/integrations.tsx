// Server settings → Integrations (MANAGE_GUILD): the bots added to the server (GET /guilds/:id/integrations) with
// the commands each brings (the command index), and removing a bot, which is kicking it (KICK_MEMBERS), confirmed.
import { useCallback, useEffect, useState } from 'react';
import type { CommandIndex, Integration } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { has, Permission } from '../../permissions';
import type { Guild } from '../../types';
import { Alert, Dialog, Field, Form, useAction } from '../../ui';

/** How a command is invoked, by its type: `/name` for chat input, the menu it sits in for the others. */
function commandLabel(c: { type?: number; name: string }): string {
  if (c.type === 2) return `${c.name} (user menu)`;
  if (c.type === 3) return `${c.name} (message menu)`;
  return `/${c.name}`;
}

export function Integrations({ guild, perms }: { guild: Guild; perms: bigint }) {
  const [list, setList] = useState<Integration[] | null>(null);
  const [index, setIndex] = useState<CommandIndex | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Integration | null>(null);
  const canKick = has(perms, Permission.KICK_MEMBERS) || has(perms, Permission.ADMINISTRATOR);
  const load = useCallback(async () => {
    try {
      const [integrations, commands] = await Promise.all([
        endpoints.guildIntegrations(guild.id),
        endpoints.guildCommandIndex(guild.id),
      ]);
      setList(integrations);
      setIndex(commands);
    } catch (err) {
      setLoadError((err as Error).message);
    }
  }, [guild.id]);
  useEffect(() => {
    load();
  }, [load]);

  return (
    <>
      <Alert message={loadError} />
      {list?.length === 0 && <p>No apps are installed. A bot's invite link adds one.</p>}
      <ul className="integrations" aria-label="Installed apps">
        {list?.map((i) => {
          const commands =
            index?.application_commands.filter((c) => c.application_id === i.application.id) ?? [];
          return (
            <li key={i.id} data-application={i.application.id}>
              <div className="row">
                <strong>{i.application.name}</strong>
                <span className="muted">bot @{i.account.name}</span>
                {canKick && (
                  <button type="button" className="danger" onClick={() => setRemoving(i)}>
                    Remove {i.application.name}
                  </button>
                )}
              </div>
              {i.application.description && <p>{i.application.description}</p>}
              {commands.length ? (
                <ul aria-label={`Commands of ${i.application.name}`}>
                  {commands.map((c) => (
                    <li key={c.id}>
                      <code>{commandLabel(c)}</code> {c.description}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">No commands you can use here.</p>
              )}
            </li>
          );
        })}
      </ul>
      {removing && (
        <RemoveApp
          guild={guild}
          integration={removing}
          onClose={() => {
            setRemoving(null);
            load();
          }}
        />
      )}
    </>
  );
}

function RemoveApp(props: { guild: Guild; integration: Integration; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const act = useAction();
  const name = props.integration.application.name;
  return (
    <Dialog title={`Remove ${name}?`} onClose={props.onClose}>
      <Form
        label={`Remove ${name}`}
        error={act.error}
        onSubmit={() =>
          act.run(async () => {
            await endpoints.kick(props.guild.id, props.integration.account.id, {
              reason: reason.trim() || undefined,
            });
            props.onClose();
          })
        }
      >
        <p>
          Its bot leaves {props.guild.name}, with its role; its commands are no longer offered here. It can be
          added again with its invite link.
        </p>
        <Field
          label="Reason (for the audit log)"
          name="reason"
          value={reason}
          onChange={setReason}
          maxLength={512}
        />
        <div className="row">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={act.busy}>
            Remove
          </button>
        </div>
      </Form>
    </Dialog>
  );
}
