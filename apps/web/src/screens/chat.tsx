// The chat layout: guild rail, channel (or DM) sidebar, the open conversation and the member list.
// At phone width one column shows at a time: the sidebar until a channel is chosen, then the channel.
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api';
import { Icon, IconButton } from '../icons';
import { channelPermissions, guildPermissions, has, Permission } from '../permissions';
import { isPhone, usePhone } from '../phone';
import { backTo, match, navigate } from '../router';
import { currentStatus, setStatus, viewGuild } from '../session';
import { applyDispatch, type State, useStore } from '../store';
import { type Channel, ChannelType, compareIds, displayName, type Guild, type Invite } from '../types';
import { Avatar, Dialog, Field, Form, useAction } from '../ui';
import { Friends } from './friends';
import { GuildSettings } from './guild-settings';
import { MemberList } from './members';
import { MessageView } from './messages';

const link = (to: string) => (e: React.MouseEvent) => {
  e.preventDefault();
  navigate(to);
};

export function isUnread(s: State, c: Channel): boolean {
  const read = s.readStates[c.id]?.last_message_id;
  return !!c.last_message_id && (!read || compareIds(c.last_message_id, read) > 0);
}

/** The guild's channels the signed-in user can see, in sidebar order: loose channels, then categories. */
export function visibleChannels(s: State, guild: Guild): Channel[] {
  const me = s.me?.id ?? '';
  const member = s.members[guild.id]?.[me];
  return Object.values(s.channels)
    .filter((c) => c.guild_id === guild.id)
    .filter((c) => has(channelPermissions(guild, c, me, member), Permission.VIEW_CHANNEL))
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || compareIds(a.id, b.id));
}

export function Chat({ path }: { path: string }) {
  const params = match('/channels/:guild/:channel?', path) ?? { guild: '@me' };
  const guildId = params.guild;
  const status = useStore((s) => s.status);
  const me = useStore((s) => s.me);
  const guild = useStore((s) => (guildId === '@me' ? null : s.guilds[guildId]));
  const channels = useStore((s) => s.channels);
  const phone = usePhone();
  // On a phone the member list is a panel over the chat, opened by its button.
  const [showMembers, setShowMembers] = useState(() => !isPhone());
  useEffect(() => viewGuild(guildId === '@me' ? null : guildId), [guildId]);

  // /channels/@me/friends is the friends page alone (at phone width /channels/@me shows the DM list).
  const channelId = params.channel;
  const friendsPage = guildId === '@me' && (!channelId || channelId === 'friends');
  const channel = channelId ? channels[channelId] : undefined;
  if (guild && channelId) lastChannel.set(guild.id, channelId);
  const firstChannel = useStore((s) => (guild ? defaultChannel(s, guild) : undefined));

  // A server without a channel in the address: a desktop opens one; a phone shows the channel list.
  useEffect(() => {
    if (phone || !guild || channelId || !firstChannel) return;
    navigate(`/channels/${guild.id}/${firstChannel}`, { replace: true });
  }, [phone, guild, channelId, firstChannel]);
  // The phone's member panel closes when the conversation changes; crossing the width resets it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on a channel change only
  useEffect(() => {
    if (isPhone()) setShowMembers(false);
  }, [channelId]);
  useEffect(() => setShowMembers(!phone), [phone]);
  const swipe = useSwipeBack(phone && !!channelId, guildId);

  let main: React.ReactNode;
  if (!me) main = <p className="placeholder">Connecting…</p>;
  else if (friendsPage) main = <Friends />;
  else if (guildId !== '@me' && !guild) main = <p className="placeholder">Loading…</p>;
  else if (!channelId) main = <p className="placeholder">Choose a channel.</p>;
  else if (!channel) main = <p className="placeholder">This channel does not exist or you cannot see it.</p>;
  else
    main = (
      <MessageView
        key={channel.id}
        channel={channel}
        guild={guild ?? null}
        membersShown={showMembers}
        onToggleMembers={() => setShowMembers((v) => !v)}
      />
    );

  return (
    <div className={`chat ${channelId ? 'in-channel' : ''} ${showMembers ? 'members-open' : ''}`} {...swipe}>
      {status !== 'ready' && me && (
        <div className="banner" role="status">
          {status === 'offline' ? 'Disconnected.' : 'Connection lost. Reconnecting…'}
        </div>
      )}
      {me && !me.verified && <VerifyBanner email={me.email ?? ''} />}
      <GuildRail current={guildId} />
      <nav className="sidebar" aria-label={guild ? `${guild.name} channels` : 'Direct messages'}>
        {guild ? <ChannelSidebar guild={guild} current={channelId} /> : <DmSidebar current={channelId} />}
        <UserPanel />
      </nav>
      <main className="main">{main}</main>
      {guild && channel && showMembers && phone && (
        <button
          type="button"
          className="scrim"
          aria-label="Close member list"
          onClick={() => setShowMembers(false)}
        />
      )}
      {guild && channel && showMembers && <MemberList guild={guild} channel={channel} />}
    </div>
  );
}

/** The channel last open in each server during this visit, so coming back to a server returns there. */
const lastChannel = new Map<string, string>();

/** The channel a server opens at: the last one open, else its first text channel. */
function defaultChannel(s: State, guild: Guild): string | undefined {
  const chans = visibleChannels(s, guild);
  const last = lastChannel.get(guild.id);
  if (last && chans.some((c) => c.id === last)) return last;
  return chans.find((c) => c.type === ChannelType.GuildText || c.type === ChannelType.GuildAnnouncement)?.id;
}

/** A swipe to the right across a phone's conversation goes back to its list, like the Back button. */
function useSwipeBack(enabled: boolean, guildId: string) {
  const start = useRef<{ x: number; y: number } | null>(null);
  if (!enabled) return {};
  return {
    onTouchStart: (e: React.TouchEvent) => {
      const t = e.touches[0];
      start.current = t ? { x: t.clientX, y: t.clientY } : null;
    },
    onTouchEnd: (e: React.TouchEvent) => {
      const t = e.changedTouches[0];
      const from = start.current;
      start.current = null;
      if (!from || !t) return;
      const dx = t.clientX - from.x;
      const dy = Math.abs(t.clientY - from.y);
      if (dx > 90 && dy < dx / 2) backTo(`/channels/${guildId}`);
    },
  };
}

function VerifyBanner({ email }: { email: string }) {
  const [sent, setSent] = useState(false);
  return (
    <div className="banner notice" role="status">
      Confirm your email: we sent a link to {email}.{' '}
      {sent ? (
        'Sent again.'
      ) : (
        <button
          type="button"
          className="link"
          onClick={() => api('POST', '/auth/verify/resend').then(() => setSent(true))}
        >
          Send it again
        </button>
      )}
    </div>
  );
}

function GuildRail({ current }: { current: string }) {
  const order = useStore((s) => s.guildOrder);
  const guilds = useStore((s) => s.guilds);
  const s = useStore((x) => x);
  const [adding, setAdding] = useState(false);
  const dmMentions = Object.values(s.channels)
    .filter((c) => c.type === ChannelType.DM || c.type === ChannelType.GroupDM)
    .reduce((n, c) => n + (s.readStates[c.id]?.mention_count ?? 0), 0);
  return (
    <nav className="rail" aria-label="Servers">
      <a
        href="/channels/@me"
        onClick={link('/channels/@me')}
        className={`rail-item home ${current === '@me' ? 'active' : ''}`}
        aria-label={`Direct messages${dmMentions ? `, ${dmMentions} unread` : ''}`}
        aria-current={current === '@me' ? 'page' : undefined}
      >
        <Icon name="home" size={24} />
        {dmMentions > 0 && <span className="badge">{dmMentions}</span>}
      </a>
      <hr />
      {order.map((id) => {
        const g = guilds[id];
        if (!g) return null;
        const chans = visibleChannels(s, g).filter((c) => c.type !== ChannelType.GuildCategory);
        const unread = chans.some((c) => isUnread(s, c));
        const mentions = chans.reduce((n, c) => n + (s.readStates[c.id]?.mention_count ?? 0), 0);
        // The server itself: a phone shows its channel list, a desktop opens its last or first channel.
        const to = `/channels/${g.id}`;
        return (
          <a
            key={id}
            href={to}
            onClick={link(to)}
            className={`rail-item ${current === id ? 'active' : ''} ${unread ? 'unread' : ''}`}
            aria-label={`${g.name}${mentions ? `, ${mentions} mentions` : unread ? ', unread' : ''}`}
            aria-current={current === id ? 'page' : undefined}
            title={g.name}
          >
            {g.icon ? (
              <img src={`/icons/${g.id}/${g.icon}.png`} alt="" />
            ) : (
              <span aria-hidden="true">{initials(g.name)}</span>
            )}
            {mentions > 0 && <span className="badge">{mentions}</span>}
          </a>
        );
      })}
      <button
        type="button"
        className="rail-item add"
        aria-label="Add a server"
        onClick={() => setAdding(true)}
      >
        +
      </button>
      {adding && <AddGuildDialog onClose={() => setAdding(false)} />}
    </nav>
  );
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 3)
    .map((w) => [...w][0])
    .join('');

/** An invite code from a code or a pasted link (`…/invite/abc`). */
export function inviteCode(input: string): string {
  const trimmed = input.trim();
  const m = trimmed.match(/\/invite\/([\w-]+)\/?$/);
  return m ? m[1] : trimmed;
}

function AddGuildDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [invite, setInvite] = useState('');
  const create = useAction();
  const join = useAction();
  return (
    <Dialog title="Add a server" onClose={onClose}>
      <Form
        label="Create a server"
        error={create.error}
        onSubmit={() =>
          create.run(async () => {
            const g = await api<Guild>('POST', '/guilds', { name });
            onClose();
            navigate(`/channels/${g.id}${g.system_channel_id ? `/${g.system_channel_id}` : ''}`);
          })
        }
      >
        <h3>Create your own</h3>
        <Field
          label="Server name"
          name="guild-name"
          value={name}
          onChange={setName}
          required
          maxLength={100}
          error={create.fields.name}
        />
        <button type="submit" className="primary" disabled={create.busy}>
          Create
        </button>
      </Form>
      <Form
        label="Join a server"
        error={join.error}
        onSubmit={() =>
          join.run(async () => {
            const res = await api<Invite>('POST', `/invites/${encodeURIComponent(inviteCode(invite))}`);
            onClose();
            navigate(`/channels/${res.guild?.id ?? res.guild_id}/${res.channel?.id ?? ''}`);
          })
        }
      >
        <h3>Join with an invite</h3>
        <Field
          label="Invite link or code"
          name="invite"
          value={invite}
          onChange={setInvite}
          required
          hint={`e.g. ${location.origin}/invite/hTKzmak or hTKzmak`}
        />
        <button type="submit" className="primary" disabled={join.busy}>
          Join
        </button>
      </Form>
    </Dialog>
  );
}

/** The categories collapsed in one guild, kept in this browser across reloads. */
function useCollapsed(guildId: string): [Set<string>, (categoryId: string) => void] {
  const key = `hearth.collapsed.${guildId}`;
  const read = () => {
    try {
      const ids: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
      return new Set(Array.isArray(ids) ? ids.filter((id) => typeof id === 'string') : []);
    } catch {
      return new Set<string>();
    }
  };
  const [collapsed, setCollapsed] = useState(read);
  const [heldKey, setHeldKey] = useState(key);
  if (heldKey !== key) {
    setHeldKey(key);
    setCollapsed(read());
  }
  const toggle = (id: string) => {
    const next = new Set(collapsed);
    if (!next.delete(id)) next.add(id);
    localStorage.setItem(key, JSON.stringify([...next]));
    setCollapsed(next);
  };
  return [collapsed, toggle];
}

function ChannelSidebar({ guild, current }: { guild: Guild; current?: string }) {
  const s = useStore((x) => x);
  const [collapsed, toggleCategory] = useCollapsed(guild.id);
  const me = s.me?.id ?? '';
  const [dialog, setDialog] = useState<'invite' | 'settings' | 'channel' | null>(null);
  const channels = useMemo(() => visibleChannels(s, guild), [s, guild]);
  const perms = guildPermissions(guild, me, s.members[guild.id]?.[me]);
  const canSettings =
    has(perms, Permission.MANAGE_GUILD) ||
    has(perms, Permission.MANAGE_ROLES) ||
    has(perms, Permission.KICK_MEMBERS) ||
    has(perms, Permission.BAN_MEMBERS) ||
    has(perms, Permission.VIEW_AUDIT_LOG) ||
    has(perms, Permission.MANAGE_CHANNELS);
  const categories = channels.filter((c) => c.type === ChannelType.GuildCategory);
  const loose = channels.filter(
    (c) => c.type !== ChannelType.GuildCategory && !channels.some((p) => p.id === c.parent_id),
  );
  const inviteChannel = channels.find(
    (c) =>
      c.type === ChannelType.GuildText &&
      has(channelPermissions(guild, c, me, s.members[guild.id]?.[me]), Permission.CREATE_INSTANT_INVITE),
  );

  const item = (c: Channel) => {
    const voice = c.type === ChannelType.GuildVoice || c.type === ChannelType.GuildStageVoice;
    if (voice)
      return (
        <li key={c.id}>
          <span className="channel voice" aria-disabled="true" title="Voice channels are not joinable yet">
            <Icon name="speaker" size={16} /> {c.name}
          </span>
        </li>
      );
    const unread = isUnread(s, c) && c.id !== current;
    const mentions = s.readStates[c.id]?.mention_count ?? 0;
    const to = `/channels/${guild.id}/${c.id}`;
    return (
      <li key={c.id}>
        <a
          href={to}
          onClick={link(to)}
          className={`channel ${c.id === current ? 'active' : ''} ${unread ? 'unread' : ''}`}
          aria-current={c.id === current ? 'page' : undefined}
          aria-label={`${c.name}${mentions ? `, ${mentions} mentions` : unread ? ', unread' : ''}`}
        >
          <span aria-hidden="true">#</span> {c.name}
          {mentions > 0 && <span className="badge">{mentions}</span>}
        </a>
      </li>
    );
  };

  return (
    <>
      <header className="sidebar-head">
        <h2>{guild.name}</h2>
        <div className="actions">
          {inviteChannel && (
            <IconButton label="Invite people" icon="mail" size={18} onClick={() => setDialog('invite')} />
          )}
          {has(perms, Permission.MANAGE_CHANNELS) && (
            <IconButton label="Create channel" icon="plus" size={18} onClick={() => setDialog('channel')} />
          )}
          {canSettings && (
            <IconButton label="Server settings" icon="gear" size={18} onClick={() => setDialog('settings')} />
          )}
        </div>
      </header>
      <div className="scroll">
        <ul className="channels">{loose.map(item)}</ul>
        {categories.map((cat) => {
          const shut = collapsed.has(cat.id);
          // A collapsed category still shows the channel you are in, as Discord does.
          const inside = channels.filter((c) => c.parent_id === cat.id && (!shut || c.id === current));
          return (
            <section key={cat.id} aria-label={cat.name ?? 'Category'}>
              <h3 className="category">
                <button
                  type="button"
                  aria-expanded={!shut}
                  aria-controls={`category-${cat.id}`}
                  onClick={() => toggleCategory(cat.id)}
                >
                  <span aria-hidden="true" className="chevron">
                    {shut ? '▸' : '▾'}
                  </span>{' '}
                  {cat.name}
                </button>
              </h3>
              <ul className="channels" id={`category-${cat.id}`}>
                {inside.map(item)}
              </ul>
            </section>
          );
        })}
      </div>
      {dialog === 'invite' && inviteChannel && (
        <InviteDialog channel={inviteChannel} onClose={() => setDialog(null)} />
      )}
      {dialog === 'channel' && (
        <CreateChannelDialog guild={guild} categories={categories} onClose={() => setDialog(null)} />
      )}
      {dialog === 'settings' && <GuildSettings guild={guild} onClose={() => setDialog(null)} />}
    </>
  );
}

function InviteDialog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const [code, setCode] = useState<string | null>(null);
  const [maxAge, setMaxAge] = useState('604800');
  const [maxUses, setMaxUses] = useState('0');
  const action = useAction();
  const url = code ? `${location.origin}/invite/${code}` : '';
  return (
    <Dialog title={`Invite people to #${channel.name}`} onClose={onClose}>
      {code ? (
        <div className="field">
          <label htmlFor="invite-link">Invite link</label>
          <div className="row">
            <input id="invite-link" readOnly value={url} onFocus={(e) => e.target.select()} />
            <button type="button" onClick={() => navigator.clipboard?.writeText(url)}>
              Copy
            </button>
          </div>
        </div>
      ) : (
        <Form
          label="Create invite"
          error={action.error}
          onSubmit={() =>
            action.run(async () => {
              const inv = await api<Invite>('POST', `/channels/${channel.id}/invites`, {
                max_age: Number(maxAge),
                max_uses: Number(maxUses),
              });
              setCode(inv.code);
            })
          }
        >
          <div className="row">
            <div className="field">
              <label htmlFor="invite-age">Expire after</label>
              <select id="invite-age" value={maxAge} onChange={(e) => setMaxAge(e.target.value)}>
                <option value="1800">30 minutes</option>
                <option value="3600">1 hour</option>
                <option value="86400">1 day</option>
                <option value="604800">7 days</option>
                <option value="0">Never</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="invite-uses">Max uses</label>
              <select id="invite-uses" value={maxUses} onChange={(e) => setMaxUses(e.target.value)}>
                <option value="0">No limit</option>
                <option value="1">1 use</option>
                <option value="5">5 uses</option>
                <option value="25">25 uses</option>
                <option value="100">100 uses</option>
              </select>
            </div>
          </div>
          <button type="submit" className="primary" disabled={action.busy} autoFocus>
            Create invite link
          </button>
        </Form>
      )}
    </Dialog>
  );
}

function CreateChannelDialog({
  guild,
  categories,
  onClose,
}: {
  guild: Guild;
  categories: Channel[];
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const [type, setType] = useState('0');
  const [parent, setParent] = useState('');
  const action = useAction();
  return (
    <Dialog title="Create channel" onClose={onClose}>
      <Form
        label="Create channel"
        error={action.error}
        onSubmit={() =>
          action.run(async () => {
            const c = await api<Channel>('POST', `/guilds/${guild.id}/channels`, {
              name,
              type: Number(type),
              ...(parent && type !== '4' ? { parent_id: parent } : {}),
            });
            onClose();
            if (c.type === 0) navigate(`/channels/${guild.id}/${c.id}`);
          })
        }
      >
        <div className="field">
          <label htmlFor="channel-type">Type</label>
          <select id="channel-type" value={type} onChange={(e) => setType(e.target.value)}>
            <option value="0">Text</option>
            <option value="2">Voice</option>
            <option value="4">Category</option>
          </select>
        </div>
        <Field
          label="Name"
          name="channel-name"
          value={name}
          onChange={setName}
          required
          maxLength={100}
          error={action.fields.name}
        />
        {type !== '4' && categories.length > 0 && (
          <div className="field">
            <label htmlFor="channel-parent">Category</label>
            <select id="channel-parent" value={parent} onChange={(e) => setParent(e.target.value)}>
              <option value="">None</option>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <button type="submit" className="primary" disabled={action.busy}>
          Create
        </button>
      </Form>
    </Dialog>
  );
}

function DmSidebar({ current }: { current?: string }) {
  const [creating, setCreating] = useState(false);
  const channels = useStore((s) => s.channels);
  const s = useStore((x) => x);
  const me = s.me?.id;
  const dms = Object.values(channels)
    .filter((c) => c.type === ChannelType.DM || c.type === ChannelType.GroupDM)
    .sort((a, b) => compareIds(b.last_message_id ?? b.id, a.last_message_id ?? a.id));
  return (
    <>
      <header className="sidebar-head">
        <h2>Direct messages</h2>
        <div className="actions">
          <IconButton label="New group DM" icon="plus" size={18} onClick={() => setCreating(true)} />
        </div>
      </header>
      {creating && <GroupDmDialog onClose={() => setCreating(false)} />}
      <div className="scroll">
        <ul className="channels">
          <li>
            <a
              href="/channels/@me/friends"
              onClick={link('/channels/@me/friends')}
              className={`channel ${!current || current === 'friends' ? 'active' : ''}`}
              aria-current={!current || current === 'friends' ? 'page' : undefined}
            >
              <Icon name="friends" size={18} /> Friends
            </a>
          </li>
        </ul>
        <h3 className="category">Conversations</h3>
        <ul className="channels">
          {dms.map((c) => {
            const others = (c.recipients ?? []).filter((u) => u.id !== me);
            const name =
              c.name || others.map((u) => displayName(s.users[u.id] ?? u)).join(', ') || 'Just you';
            const mentions = s.readStates[c.id]?.mention_count ?? 0;
            const to = `/channels/@me/${c.id}`;
            return (
              <li key={c.id}>
                <a
                  href={to}
                  onClick={link(to)}
                  className={`channel dm ${c.id === current ? 'active' : ''} ${isUnread(s, c) && c.id !== current ? 'unread' : ''}`}
                  aria-current={c.id === current ? 'page' : undefined}
                >
                  <Avatar user={others[0]} size={28} /> <span className="name">{name}</span>
                  {mentions > 0 && <span className="badge">{mentions}</span>}
                </a>
              </li>
            );
          })}
        </ul>
      </div>
    </>
  );
}

function GroupDmDialog({ onClose }: { onClose: () => void }) {
  const relationships = useStore((s) => s.relationships);
  const friends = Object.values(relationships).filter((r) => r.type === 1);
  const [picked, setPicked] = useState<string[]>([]);
  const action = useAction();
  return (
    <Dialog title="New group DM" onClose={onClose}>
      {friends.length === 0 ? (
        <p>Add friends first: a group DM is made of friends.</p>
      ) : (
        <Form
          label="New group DM"
          error={action.error}
          onSubmit={() =>
            action.run(async () => {
              const channel = await api<Channel>('POST', '/users/@me/channels', { recipients: picked });
              applyDispatch('CHANNEL_CREATE', channel);
              onClose();
              navigate(`/channels/@me/${channel.id}`);
            })
          }
        >
          <fieldset className="pick">
            <legend>Friends to add (up to 9)</legend>
            {friends.map((r) => (
              <label key={r.id}>
                <input
                  type="checkbox"
                  checked={picked.includes(r.id)}
                  disabled={!picked.includes(r.id) && picked.length >= 9}
                  onChange={(e) =>
                    setPicked(e.target.checked ? [...picked, r.id] : picked.filter((id) => id !== r.id))
                  }
                />{' '}
                {displayName(r.user)}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={action.busy || picked.length === 0}>
            Create group DM
          </button>
        </Form>
      )}
    </Dialog>
  );
}

function UserPanel() {
  const me = useStore((s) => s.me);
  const [status, setStatusValue] = useState(currentStatus);
  if (!me) return null;
  return (
    <footer className="user-panel">
      <Avatar user={me} size={32} />
      <div className="who">
        <span className="name">{displayName(me)}</span>
        <label htmlFor="my-status" className="sr-only">
          Status
        </label>
        <select
          id="my-status"
          className="status-select"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value);
            setStatusValue(e.target.value);
          }}
        >
          <option value="online">Online</option>
          <option value="idle">Idle</option>
          <option value="dnd">Do not disturb</option>
          <option value="invisible">Invisible</option>
        </select>
      </div>
      <a
        href="/settings"
        onClick={link('/settings')}
        className="icon"
        aria-label="User settings"
        title="User settings"
      >
        <Icon name="gear" size={18} />
      </a>
    </footer>
  );
}
