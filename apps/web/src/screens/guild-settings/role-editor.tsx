// One role's name, colour, display options and permissions (@everyone: permissions only).
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { Permission } from '../../permissions';
import type { Guild, Role } from '../../types';
import { Field, Form, useAction } from '../../ui';
import { editable } from './permission-names';

export const hex = (c: number) => `#${c.toString(16).padStart(6, '0')}`;

export function RoleEditor({ guild, role }: { guild: Guild; role: Role }) {
  const [name, setName] = useState(role.name);
  const [color, setColor] = useState(hex(role.color));
  const [hoist, setHoist] = useState(role.hoist);
  const [mentionable, setMentionable] = useState(!!role.mentionable);
  const [bits, setBits] = useState(BigInt(role.permissions));
  const save = useAction();
  const everyone = role.id === guild.id;
  return (
    <Form
      label={`Edit role ${role.name}`}
      error={save.error}
      onSubmit={() =>
        save.run(async () => {
          await endpoints.modifyRole(guild.id, role.id, {
            ...(everyone ? {} : { name, color: Number.parseInt(color.slice(1), 16), hoist, mentionable }),
            permissions: bits.toString(),
          });
        })
      }
    >
      <h3>{everyone ? '@everyone' : role.name}</h3>
      {!everyone && (
        <>
          <Field
            label="Name"
            name="edit-role-name"
            value={name}
            onChange={setName}
            required
            maxLength={100}
          />
          <div className="row">
            <label>
              Colour{' '}
              <input
                type="color"
                value={color}
                onChange={(e) => setColor(e.target.value)}
                aria-label="Role colour"
              />
            </label>
            <label>
              <input type="checkbox" checked={hoist} onChange={(e) => setHoist(e.target.checked)} /> Show
              separately in the member list
            </label>
            <label>
              <input
                type="checkbox"
                checked={mentionable}
                onChange={(e) => setMentionable(e.target.checked)}
              />{' '}
              Anyone can @mention
            </label>
          </div>
        </>
      )}
      <fieldset className="perm-grid">
        <legend>Permissions</legend>
        {editable.map(([key, label]) => {
          const bit = Permission[key];
          return (
            <label key={key}>
              <input
                type="checkbox"
                checked={(bits & bit) === bit}
                onChange={(e) => setBits(e.target.checked ? bits | bit : bits & ~bit)}
              />{' '}
              {label}
            </label>
          );
        })}
      </fieldset>
      <button type="submit" className="primary" disabled={save.busy}>
        Save role
      </button>
    </Form>
  );
}
