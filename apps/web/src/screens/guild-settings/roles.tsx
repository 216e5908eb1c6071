// Roles: create, reorder (below your highest), and open one in the editor.
import { useMemo, useState } from 'react';
import * as endpoints from '../../endpoints';
import { compareIds, type Guild, type Role } from '../../types';
import { Alert, Field, Form, useAction } from '../../ui';
import { hex, RoleEditor } from './role-editor';

/** Highest first, like Discord's list; a role can be moved only among the roles below your highest. */
export function Roles({ guild, top }: { guild: Guild; top: number }) {
  const roles = useMemo(
    () => [...guild.roles].sort((a, b) => b.position - a.position || compareIds(a.id, b.id)),
    [guild.roles],
  );
  const [open, setOpen] = useState<string | null>(null);
  const [name, setName] = useState('');
  const create = useAction();
  const move = useAction();
  const role = roles.find((r) => r.id === open);
  const movable = (r: Role | undefined) => !!r && r.id !== guild.id && r.position < top;
  const moveTo = (r: Role, to: Role) =>
    move.run(async () => {
      await endpoints.moveRoles(guild.id, [{ id: r.id, position: to.position }]);
    });
  return (
    <>
      <Form
        label="Create role"
        error={create.error}
        className="row"
        onSubmit={() =>
          create.run(async () => {
            const r = await endpoints.createRole(guild.id, { name });
            setName('');
            setOpen(r.id);
          })
        }
      >
        <Field
          label="New role name"
          name="role-name"
          value={name}
          onChange={setName}
          required
          maxLength={100}
        />
        <button type="submit" disabled={create.busy}>
          Create role
        </button>
      </Form>
      <ul className="role-list">
        {roles.map((r, i) => (
          <li key={r.id}>
            <button
              type="button"
              className={`link ${open === r.id ? 'active' : ''}`}
              onClick={() => setOpen(r.id)}
              style={{ color: r.color ? hex(r.color) : undefined }}
            >
              {r.id === guild.id ? '@everyone' : r.name}
            </button>
            {movable(r) && movable(roles[i - 1]) && (
              <button
                type="button"
                className="icon"
                aria-label={`Move ${r.name} up`}
                disabled={move.busy}
                onClick={() => moveTo(r, roles[i - 1])}
              >
                ↑
              </button>
            )}
            {movable(r) && movable(roles[i + 1]) && (
              <button
                type="button"
                className="icon"
                aria-label={`Move ${r.name} down`}
                disabled={move.busy}
                onClick={() => moveTo(r, roles[i + 1])}
              >
                ↓
              </button>
            )}
          </li>
        ))}
      </ul>
      <Alert message={move.error} />
      {role && <RoleEditor key={role.id} guild={guild} role={role} />}
    </>
  );
}
