// Server settings, offered only to those who may use them: overview, roles, channel permissions,
// invites, members, bans and the audit log.
import { useState } from 'react';
import { api } from '../api';
import { guildPermissions, has, Permission } from '../permissions';
import { useStore } from '../store';
import type { Guild } from '../types';
import { Dialog, Field, Form, useAction } from '../ui';

export function GuildSettings({ guild, onClose }: { guild: Guild; onClose: () => void }) {
  const me = useStore((s) => s.me!.id);
  const member = useStore((s) => s.members[guild.id]?.[me]);
  const perms = guildPermissions(guild, me, member);
  const [name, setName] = useState(guild.name);
  const save = useAction();
  return (
    <Dialog title={`${guild.name} settings`} onClose={onClose} wide>
      {has(perms, Permission.MANAGE_GUILD) && (
        <Form
          label="Overview"
          error={save.error}
          onSubmit={() => save.run(async () => void (await api('PATCH', `/guilds/${guild.id}`, { name })))}
        >
          <h3>Overview</h3>
          <Field
            label="Server name"
            name="guild-name"
            value={name}
            onChange={setName}
            required
            maxLength={100}
            error={save.fields.name}
          />
          <button type="submit" className="primary" disabled={save.busy}>
            Save
          </button>
        </Form>
      )}
    </Dialog>
  );
}
