// Server settings, offered only to those who may use them: overview, roles, channel permissions,
// invites, webhooks, members, bans and the audit log. Each tab appears only with the permission it needs.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { channelPermissions, guildPermissions, has, Permission, topPosition } from '../permissions';
import { useStore } from '../store';
import {
  type Channel,
  ChannelType,
  compareIds,
  displayName,
  type Guild,
  type Member,
  type Role,
  type User,
} from '../types';
import { Alert, Dialog, Field, Form, ImagePicker, useAction } from '../ui';
import { Webhooks } from './webhooks';

/** The permissions the role and overwrite editors offer, in Discord's words. */
const editable: Array<[keyof typeof Permission, string]> = [
  ['VIEW_CHANNEL', 'View channel'],
  ['SEND_MESSAGES', 'Send messages'],
  ['READ_MESSAGE_HISTORY', 'Read message history'],
  ['ADD_REACTIONS', 'Add reactions'],
  ['ATTACH_FILES', 'Attach files'],
  ['MENTION_EVERYONE', 'Mention @everyone'],
  ['MANAGE_MESSAGES', 'Manage messages'],
  ['MANAGE_CHANNELS', 'Manage channels'],
  ['MANAGE_ROLES', 'Manage roles'],
  ['CREATE_INSTANT_INVITE', 'Create invite'],
  ['KICK_MEMBERS', 'Kick members'],
  ['BAN_MEMBERS', 'Ban members'],
  ['MANAGE_GUILD', 'Manage server'],
  ['VIEW_AUDIT_LOG', 'View audit log'],
  ['ADMINISTRATOR', 'Administrator'],
];

type Tab = 'overview' | 'roles' | 'channels' | 'invites' | 'webhooks' | 'members' | 'bans' | 'audit';

export function GuildSettings({ guild, onClose }: { guild: Guild; onClose: () => void }) {
  const me = useStore((s) => s.me!.id);
  const member = useStore((s) => s.members[guild.id]?.[me]);
  const perms = guildPermissions(guild, me, member);
  const tabs = (
    [
      ['overview', 'Overview', Permission.MANAGE_GUILD],
      ['roles', 'Roles', Permission.MANAGE_ROLES],
      ['channels', 'Channels', Permission.MANAGE_CHANNELS | Permission.MANAGE_ROLES],
      ['invites', 'Invites', Permission.MANAGE_GUILD],
      ['webhooks', 'Webhooks', Permission.MANAGE_WEBHOOKS],
      ['members', 'Members', Permission.KICK_MEMBERS | Permission.BAN_MEMBERS | Permission.MODERATE_MEMBERS],
      ['bans', 'Bans', Permission.BAN_MEMBERS],
      ['audit', 'Audit log', Permission.VIEW_AUDIT_LOG],
    ] as Array<[Tab, string, bigint]>
  ).filter(([, , need]) => (perms & need) !== 0n || has(perms, Permission.ADMINISTRATOR));
  const [tab, setTab] = useState<Tab>(tabs[0]?.[0] ?? 'overview');

  return (
    <Dialog title={`${guild.name} settings`} onClose={onClose} wide>
      <div className="tabs" role="tablist" aria-label="Settings sections">
        {tabs.map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="settings-panel">
        {tab === 'overview' && <Overview guild={guild} />}
        {tab === 'roles' && <Roles guild={guild} top={topPosition(guild, me, member)} />}
        {tab === 'channels' && <ChannelOverwrites guild={guild} />}
        {tab === 'invites' && <Invites guild={guild} />}
        {tab === 'webhooks' && <Webhooks guild={guild} />}
        {tab === 'members' && <Members guild={guild} perms={perms} />}
        {tab === 'bans' && <Bans guild={guild} />}
        {tab === 'audit' && <AuditLog guild={guild} />}
      </div>
    </Dialog>
  );
}

function Overview({ guild }: { guild: Guild }) {
  const channels = useStore((s) => s.channels);
  const [name, setName] = useState(guild.name);
  const [system, setSystem] = useState(guild.system_channel_id ?? '');
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const text = Object.values(channels).filter(
    (c) => c.guild_id === guild.id && c.type === ChannelType.GuildText,
  );
  return (
    <>
      <ImagePicker
        id="guild-icon"
        label="Server icon (PNG, JPEG, GIF or WebP)"
        path={`/guilds/${guild.id}`}
        field="icon"
        present={!!guild.icon}
      />
      <Form
        label="Overview"
        error={save.error}
        onSubmit={() =>
          save.run(async () => {
            setSaved(false);
            await api('PATCH', `/guilds/${guild.id}`, { name, system_channel_id: system || null });
            setSaved(true);
          })
        }
      >
        <Field
          label="Server name"
          name="guild-name"
          value={name}
          onChange={setName}
          required
          maxLength={100}
          error={save.fields.name}
        />
        <div className="field">
          <label htmlFor="system-channel">System messages channel</label>
          <select id="system-channel" value={system} onChange={(e) => setSystem(e.target.value)}>
            <option value="">None</option>
            {text.map((c) => (
              <option key={c.id} value={c.id}>
                #{c.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary" disabled={save.busy}>
          Save
        </button>
        {saved && <p role="status">Saved.</p>}
      </Form>
    </>
  );
}

const hex = (c: number) => `#${c.toString(16).padStart(6, '0')}`;

/** Highest first, like Discord's list; a role can be moved only among the roles below your highest. */
function Roles({ guild, top }: { guild: Guild; top: number }) {
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
      await api('PATCH', `/guilds/${guild.id}/roles`, [{ id: r.id, position: to.position }]);
    });
  return (
    <>
      <Form
        label="Create role"
        error={create.error}
        className="row"
        onSubmit={() =>
          create.run(async () => {
            const r = await api<Role>('POST', `/guilds/${guild.id}/roles`, { name });
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

function RoleEditor({ guild, role }: { guild: Guild; role: Role }) {
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
          await api('PATCH', `/guilds/${guild.id}/roles/${role.id}`, {
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

const slowmodes: Array<[number, string]> = [
  [0, 'Off'],
  [5, '5 seconds'],
  [30, '30 seconds'],
  [60, '1 minute'],
  [300, '5 minutes'],
  [3600, '1 hour'],
];

/** A channel's name, topic and slowmode, and deleting it. */
function ChannelEditor({ channel }: { channel: Channel }) {
  const [name, setName] = useState(channel.name ?? '');
  const [topic, setTopic] = useState(channel.topic ?? '');
  const [slowmode, setSlowmode] = useState(String(channel.rate_limit_per_user ?? 0));
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const save = useAction();
  const text = channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement;
  return (
    <Form
      label="Channel settings"
      error={save.error}
      onSubmit={() =>
        save.run(async () => {
          setSaved(false);
          await api('PATCH', `/channels/${channel.id}`, {
            name,
            ...(text ? { topic: topic || null, rate_limit_per_user: Number(slowmode) } : {}),
          });
          setSaved(true);
        })
      }
    >
      <Field
        label="Channel name"
        name="channel-name"
        value={name}
        onChange={setName}
        required
        maxLength={100}
        error={save.fields.name}
      />
      {text && (
        <>
          <Field
            label="Topic"
            name="channel-topic"
            value={topic}
            onChange={setTopic}
            maxLength={1024}
            error={save.fields.topic}
          />
          <div className="field">
            <label htmlFor="channel-slowmode">Slowmode</label>
            <select id="channel-slowmode" value={slowmode} onChange={(e) => setSlowmode(e.target.value)}>
              {slowmodes.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={save.busy}>
          Save channel
        </button>
        {confirming ? (
          <>
            <span>Delete #{channel.name} and its messages?</span>
            <button
              type="button"
              className="danger"
              onClick={() => save.run(() => api('DELETE', `/channels/${channel.id}`))}
            >
              Delete
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete channel
          </button>
        )}
      </div>
      {saved && <p role="status">Saved.</p>}
    </Form>
  );
}

type Tri = 'allow' | 'deny' | 'inherit';

function ChannelOverwrites({ guild }: { guild: Guild }) {
  const all = useStore((s) => s.channels);
  const me = useStore((s) => s.me!.id);
  const member = useStore((s) => s.members[guild.id]?.[me]);
  const channels = Object.values(all)
    .filter((c) => c.guild_id === guild.id)
    .filter((c) => {
      const p = channelPermissions(guild, c, me, member);
      return has(p, Permission.MANAGE_CHANNELS) || has(p, Permission.MANAGE_ROLES);
    })
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const [channelId, setChannelId] = useState(channels[0]?.id ?? '');
  const [target, setTarget] = useState(guild.id);
  const members = useStore((s) => s.members[guild.id]);
  const channel = all[channelId];
  const roles = [...guild.roles].sort((a, b) => b.position - a.position);
  return (
    <>
      <div className="row">
        <div className="field">
          <label htmlFor="ow-channel">Channel</label>
          <select id="ow-channel" value={channelId} onChange={(e) => setChannelId(e.target.value)}>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.type === ChannelType.GuildCategory ? `${c.name} (category)` : `#${c.name}`}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ow-role">Role or member</label>
          <select id="ow-role" value={target} onChange={(e) => setTarget(e.target.value)}>
            <optgroup label="Roles">
              {roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.id === guild.id ? '@everyone' : r.name}
                </option>
              ))}
            </optgroup>
            <optgroup label="Members">
              {Object.values(members ?? {}).map((m) => (
                <option key={m.user!.id} value={m.user!.id}>
                  {displayName(m.user, m)}
                </option>
              ))}
            </optgroup>
          </select>
        </div>
      </div>
      {channel && has(channelPermissions(guild, channel, me, member), Permission.MANAGE_CHANNELS) && (
        <ChannelEditor key={channel.id} channel={channel} />
      )}
      {channel && has(channelPermissions(guild, channel, me, member), Permission.MANAGE_ROLES) && (
        <OverwriteEditor
          key={`${channel.id}-${target}`}
          channel={channel}
          targetId={target}
          type={guild.roles.some((r) => r.id === target) ? 0 : 1}
        />
      )}
    </>
  );
}

function OverwriteEditor({ channel, targetId, type }: { channel: Channel; targetId: string; type: 0 | 1 }) {
  const existing = channel.permission_overwrites?.find((o) => o.id === targetId);
  const [allow, setAllow] = useState(BigInt(existing?.allow ?? '0'));
  const [deny, setDeny] = useState(BigInt(existing?.deny ?? '0'));
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const state = (bit: bigint): Tri =>
    (allow & bit) === bit ? 'allow' : (deny & bit) === bit ? 'deny' : 'inherit';
  const set = (bit: bigint, v: Tri) => {
    setAllow(v === 'allow' ? allow | bit : allow & ~bit);
    setDeny(v === 'deny' ? deny | bit : deny & ~bit);
    setSaved(false);
  };
  return (
    <Form
      label="Channel permission overwrite"
      error={save.error}
      onSubmit={() =>
        save.run(async () => {
          if (!allow && !deny) {
            if (existing) await api('DELETE', `/channels/${channel.id}/permissions/${targetId}`);
          } else
            await api('PUT', `/channels/${channel.id}/permissions/${targetId}`, {
              type,
              allow: allow.toString(),
              deny: deny.toString(),
            });
          setSaved(true);
        })
      }
    >
      <table>
        <thead>
          <tr>
            <th scope="col">Permission</th>
            <th scope="col">Deny</th>
            <th scope="col">Inherit</th>
            <th scope="col">Allow</th>
          </tr>
        </thead>
        <tbody>
          {editable
            .filter(
              ([k]) =>
                !['ADMINISTRATOR', 'KICK_MEMBERS', 'BAN_MEMBERS', 'MANAGE_GUILD', 'VIEW_AUDIT_LOG'].includes(
                  k,
                ),
            )
            .map(([key, label]) => {
              const bit = Permission[key];
              return (
                <tr key={key}>
                  <th scope="row">{label}</th>
                  {(['deny', 'inherit', 'allow'] as Tri[]).map((v) => (
                    <td key={v}>
                      <input
                        type="radio"
                        name={`ow-${key}`}
                        aria-label={`${label}: ${v}`}
                        checked={state(bit) === v}
                        onChange={() => set(bit, v)}
                      />
                    </td>
                  ))}
                </tr>
              );
            })}
        </tbody>
      </table>
      <button type="submit" className="primary" disabled={save.busy}>
        Save overwrite
      </button>
      {saved && <p role="status">Saved.</p>}
    </Form>
  );
}

/** Loads a list for a tab and reloads it after an action. */
function useList<T>(path: string) {
  const [list, setList] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      api<T[] | { audit_log_entries: T[] }>('GET', path).then(
        (r) => setList(Array.isArray(r) ? r : r.audit_log_entries),
        (err) => setError(err.message),
      ),
    [path],
  );
  useEffect(() => {
    load();
  }, [load]);
  return { list, error, load };
}

interface InviteRow {
  code: string;
  channel?: { name?: string };
  inviter?: User;
  uses?: number;
  max_uses?: number;
  expires_at?: string | null;
}

function Invites({ guild }: { guild: Guild }) {
  const { list, error, load } = useList<InviteRow>(`/guilds/${guild.id}/invites`);
  const act = useAction();
  return (
    <>
      <Alert message={error} />
      {list?.length === 0 && <p>No invites.</p>}
      <table>
        <tbody>
          {list?.map((i) => (
            <tr key={i.code}>
              <td>
                <code>{i.code}</code>
              </td>
              <td>#{i.channel?.name}</td>
              <td>{i.inviter ? displayName(i.inviter) : ''}</td>
              <td>
                {i.uses ?? 0}
                {i.max_uses ? ` / ${i.max_uses}` : ''} uses
              </td>
              <td>{i.expires_at ? `expires ${new Date(i.expires_at).toLocaleString()}` : 'never expires'}</td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    act.run(async () => {
                      await api('DELETE', `/invites/${i.code}`);
                      await load();
                    })
                  }
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Alert message={act.error} />
    </>
  );
}

function Members({ guild, perms }: { guild: Guild; perms: bigint }) {
  const members = useStore((s) => s.members[guild.id]);
  const me = useStore((s) => s.me!.id);
  const [editing, setEditing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<{ member: Member & { user: User }; ban: boolean } | null>(null);
  const act = useAction();
  const list = Object.values(members ?? {}).filter((m): m is Member & { user: User } => !!m.user);
  const may = (bit: bigint) => has(perms, Permission.ADMINISTRATOR) || has(perms, bit);
  const editable = may(Permission.MANAGE_NICKNAMES) || may(Permission.MANAGE_ROLES);
  return (
    <>
      <table>
        <tbody>
          {list.map((m) => (
            <tr key={m.user.id}>
              <td>{displayName(m.user, m)}</td>
              <td className="muted">@{m.user.username}</td>
              <td className="row">
                {editable && (
                  <button type="button" onClick={() => setEditing(m.user.id)}>
                    Edit
                  </button>
                )}
                {m.user.id !== me && m.user.id !== guild.owner_id && (
                  <>
                    {may(Permission.MODERATE_MEMBERS) && (
                      <button
                        type="button"
                        onClick={() =>
                          act.run(() =>
                            api('PATCH', `/guilds/${guild.id}/members/${m.user.id}`, {
                              communication_disabled_until: new Date(Date.now() + 10 * 60_000).toISOString(),
                            }),
                          )
                        }
                      >
                        Time out 10 min
                      </button>
                    )}
                    {may(Permission.KICK_MEMBERS) && (
                      <button type="button" onClick={() => setRemoving({ member: m, ban: false })}>
                        Kick
                      </button>
                    )}
                    {may(Permission.BAN_MEMBERS) && (
                      <button
                        type="button"
                        className="danger"
                        onClick={() => setRemoving({ member: m, ban: true })}
                      >
                        Ban
                      </button>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Alert message={act.error} />
      {removing && (
        <RemoveMember
          guild={guild}
          member={removing.member}
          ban={removing.ban}
          onClose={() => setRemoving(null)}
        />
      )}
      {editing && members?.[editing] && (
        <MemberEditor
          key={editing}
          guild={guild}
          member={members[editing]}
          nick={may(Permission.MANAGE_NICKNAMES)}
          roles={may(Permission.MANAGE_ROLES)}
        />
      )}
    </>
  );
}

/** How much of a banned member's recent messages a ban deletes (Discord's choices). */
const historyChoices = [
  ['0', "Don't delete any"],
  ['3600', 'Previous hour'],
  ['21600', 'Previous 6 hours'],
  ['43200', 'Previous 12 hours'],
  ['86400', 'Previous 24 hours'],
  ['259200', 'Previous 3 days'],
  ['604800', 'Previous 7 days'],
] as const;

/** Kick or ban, confirmed, with a reason for the audit log and, for a ban, how much history goes. */
function RemoveMember(props: {
  guild: Guild;
  member: Member & { user: User };
  ban: boolean;
  onClose: () => void;
}) {
  const { guild, member, ban } = props;
  const [reason, setReason] = useState('');
  const [history, setHistory] = useState('0');
  const act = useAction();
  const name = displayName(member.user, member);
  const verb = ban ? 'Ban' : 'Kick';
  return (
    <Dialog title={`${verb} ${name}?`} onClose={props.onClose}>
      <Form
        label={`${verb} ${name}`}
        error={act.error}
        onSubmit={() =>
          act.run(async () => {
            const opts = { reason: reason.trim() || undefined };
            if (ban)
              await api(
                'PUT',
                `/guilds/${guild.id}/bans/${member.user.id}`,
                { delete_message_seconds: Number(history) },
                opts,
              );
            else await api('DELETE', `/guilds/${guild.id}/members/${member.user.id}`, undefined, opts);
            props.onClose();
          })
        }
      >
        <p>
          {ban
            ? `${name} will be removed from ${guild.name} and cannot join again until unbanned.`
            : `${name} will be removed from ${guild.name} and can join again with an invite.`}
        </p>
        {ban && (
          <div className="field">
            <label htmlFor="ban-history">Delete message history</label>
            <select id="ban-history" value={history} onChange={(e) => setHistory(e.target.value)}>
              {historyChoices.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        )}
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
            {verb}
          </button>
        </div>
      </Form>
    </Dialog>
  );
}

function MemberEditor(props: { guild: Guild; member: Member; nick: boolean; roles: boolean }) {
  const { guild, member } = props;
  const [nick, setNick] = useState(member.nick ?? '');
  const [roles, setRoles] = useState(member.roles);
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const assignable = guild.roles
    .filter((r) => r.id !== guild.id && !r.managed)
    .sort((a, b) => b.position - a.position);
  return (
    <Form
      label={`Edit ${displayName(member.user, member)}`}
      error={save.error}
      onSubmit={() =>
        save.run(async () => {
          setSaved(false);
          await api('PATCH', `/guilds/${guild.id}/members/${member.user!.id}`, {
            ...(props.nick ? { nick: nick || null } : {}),
            ...(props.roles ? { roles } : {}),
          });
          setSaved(true);
        })
      }
    >
      <h3>{displayName(member.user, member)}</h3>
      {props.nick && (
        <Field
          label="Nickname"
          name="member-nick"
          value={nick}
          onChange={setNick}
          maxLength={32}
          error={save.fields.nick}
        />
      )}
      {props.roles && (
        <fieldset className="pick">
          <legend>Roles</legend>
          {assignable.map((r) => (
            <label key={r.id}>
              <input
                type="checkbox"
                checked={roles.includes(r.id)}
                onChange={(e) =>
                  setRoles(e.target.checked ? [...roles, r.id] : roles.filter((id) => id !== r.id))
                }
              />{' '}
              {r.name}
            </label>
          ))}
        </fieldset>
      )}
      <button type="submit" className="primary" disabled={save.busy}>
        Save member
      </button>
      {saved && <p role="status">Saved.</p>}
    </Form>
  );
}

function Bans({ guild }: { guild: Guild }) {
  const { list, error, load } = useList<{ user: User; reason: string | null }>(`/guilds/${guild.id}/bans`);
  const act = useAction();
  return (
    <>
      <Alert message={error} />
      {list?.length === 0 && <p>Nobody is banned.</p>}
      <table>
        <tbody>
          {list?.map((b) => (
            <tr key={b.user.id}>
              <td>{displayName(b.user)}</td>
              <td>{b.reason ?? ''}</td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    act.run(async () => {
                      await api('DELETE', `/guilds/${guild.id}/bans/${b.user.id}`);
                      await load();
                    })
                  }
                >
                  Unban
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Discord's audit log action types, by number, for the ones Hearth records most. */
const actions: Record<number, string> = {
  1: 'updated the server',
  10: 'created a channel',
  11: 'updated a channel',
  12: 'deleted a channel',
  13: 'created a permission overwrite',
  14: 'updated a permission overwrite',
  15: 'deleted a permission overwrite',
  20: 'kicked a member',
  22: 'banned a member',
  23: 'unbanned a member',
  24: 'updated a member',
  25: 'updated member roles',
  30: 'created a role',
  31: 'updated a role',
  32: 'deleted a role',
  40: 'created an invite',
  42: 'deleted an invite',
  72: 'deleted a message',
};

function AuditLog({ guild }: { guild: Guild }) {
  const users = useStore((s) => s.users);
  const { list, error } = useList<{
    id: string;
    user_id: string | null;
    action_type: number;
    reason?: string | null;
  }>(`/guilds/${guild.id}/audit-logs?limit=50`);
  return (
    <>
      <Alert message={error} />
      <ol className="audit">
        {list?.map((e) => (
          <li key={e.id}>
            <strong>{e.user_id ? displayName(users[e.user_id]) : 'System'}</strong>{' '}
            {actions[e.action_type] ?? `action ${e.action_type}`}
            {e.reason && <span className="muted"> — {e.reason}</span>}
          </li>
        ))}
      </ol>
    </>
  );
}
