// The member list: online members grouped under their highest hoisted role, then "Online" and "Offline",
// names in their role colour, each with a presence dot. Only members who can see the channel are shown.
// The list is virtualised (ADR 0043).
import { type CSSProperties, type ReactNode, type Ref, useEffect, useMemo, useRef, useState } from 'react';
import { Virtualizer } from 'virtua';
import * as endpoints from '../endpoints';
import { commandScopeOf } from '../interactions';
import { listGroups, useLazyList } from '../member-list';
import { channelPermissions, has, Permission } from '../permissions';
import { useStore } from '../store';
import { type Channel, displayName, type Guild, type Member, type User } from '../types';
import { type Anchor, Avatar, anchorOf, Dialog } from '../ui';
import { openDm } from './friends';
import { AppsMenu } from './interactions/apps-menu';
import { useUserMenu } from './menus/user-menu';
import { ProfileMutuals, useUserProfile } from './profile-mutuals';

/** The colour of a member's highest coloured role. */
export function roleColour(guild: Guild | null, roleIds: string[] | undefined): string | undefined {
  if (!guild || !roleIds) return undefined;
  const top = guild.roles
    .filter((r) => roleIds.includes(r.id) && r.color)
    .sort((a, b) => b.position - a.position)[0];
  return top ? `#${top.color.toString(16).padStart(6, '0')}` : undefined;
}

export function MemberList({ guild, channel }: { guild: Guild; channel: Channel }) {
  const members = useStore((s) => s.members[guild.id]);
  const presences = useStore((s) => s.presences);
  const [open, setOpen] = useState<{ member: Member; anchor: Anchor } | null>(null);
  // A large guild's list comes from the server, for the first range (ADR 0041); a small one is grouped here.
  const lazy = useLazyList(guild.id, channel.id, !!guild.large);

  const groups = useMemo(() => {
    if (lazy) {
      const names = new Map([
        ...guild.roles.map((r) => [r.id, r.name] as const),
        ['online', 'Online'],
        ['offline', 'Offline'],
      ]);
      return listGroups(lazy).map((g) => ({
        title: names.get(g.id) ?? g.id,
        list: g.members,
        count: g.count,
        statuses: g.statuses,
      }));
    }
    const hoisted = guild.roles
      .filter((r) => r.hoist && r.id !== guild.id)
      .sort((a, b) => b.position - a.position);
    const out = new Map<string, { title: string; list: Member[] }>();
    for (const r of hoisted) out.set(r.id, { title: r.name, list: [] });
    out.set('online', { title: 'Online', list: [] });
    out.set('offline', { title: 'Offline', list: [] });
    for (const m of Object.values(members ?? {})) {
      if (!m.user || !has(channelPermissions(guild, channel, m.user.id, m), Permission.VIEW_CHANNEL))
        continue;
      const status = presences[m.user.id] ?? 'offline';
      const role = status === 'offline' ? undefined : hoisted.find((r) => m.roles.includes(r.id));
      out.get(role?.id ?? (status === 'offline' ? 'offline' : 'online'))!.list.push(m);
    }
    for (const g of out.values())
      g.list.sort((a, b) => displayName(a.user, a).localeCompare(displayName(b.user, b)));
    return [...out.values()]
      .filter((g) => g.list.length)
      .map((g) => ({ ...g, count: g.list.length, statuses: {} as Record<string, string> }));
  }, [members, presences, guild, channel, lazy]);

  // One flat list of headings and members, virtualised: a server of thousands keeps a screenful in the page.
  const rows = useMemo(
    () =>
      groups.flatMap((g) => [
        { key: `h-${g.title}`, heading: `${g.title} — ${g.count}` } as MemberRow,
        ...g.list.map((m): MemberRow => ({ key: m.user!.id, member: m, status: g.statuses[m.user!.id] })),
      ]),
    [groups],
  );
  const scroller = useRef<HTMLElement>(null);

  return (
    <aside className="members" aria-label="Members" ref={scroller}>
      <Virtualizer as="ul" item={MemberRowItem} data={rows} scrollRef={scroller}>
        {(row) => {
          if (!row.member)
            return (
              <h3 key={row.key} className="category">
                {row.heading}
              </h3>
            );
          const m = row.member;
          const status = row.status ?? presences[m.user!.id] ?? 'offline';
          return (
            <MemberButton
              key={row.key}
              guild={guild}
              member={m}
              status={status}
              onOpen={(e) => setOpen({ member: m, anchor: anchorOf(e) })}
            />
          );
        }}
      </Virtualizer>
      {open && (
        <UserProfile
          guild={guild}
          userId={open.member.user!.id}
          anchor={open.anchor}
          onClose={() => setOpen(null)}
        />
      )}
    </aside>
  );
}

/** One member of the list: a click opens their profile, a right-click or long press their menu. */
function MemberButton(props: {
  guild: Guild;
  member: Member;
  status: string;
  onOpen: (e: { currentTarget: Element }) => void;
}) {
  const { guild, member: m, status } = props;
  const menu = useUserMenu(guild, m.user!.id);
  return (
    <>
      <button
        type="button"
        className={`member ${status === 'offline' ? 'offline' : ''}`}
        onClick={props.onOpen}
        {...menu.handlers}
      >
        <span className="with-status">
          <Avatar user={m.user} size={32} />
          <span className={`status ${status}`} role="img" aria-label={status} />
        </span>
        <span style={{ color: roleColour(guild, m.roles) }}>{displayName(m.user, m)}</span>
      </button>
      {menu.element}
      {menu.profileOpen && (
        <UserProfile guild={guild} userId={m.user!.id} anchor={menu.anchor} onClose={menu.closeProfile} />
      )}
    </>
  );
}

/** A heading or a member; `status` is the lazy list's presence for the member when the server sent one. */
type MemberRow = { key: string; heading?: string; member?: Member; status?: string };

/** The `li` virtua positions for one row of the member list. */
function MemberRowItem(props: { style: CSSProperties; children: ReactNode; ref?: Ref<HTMLLIElement> }) {
  return (
    <li ref={props.ref} style={props.style}>
      {props.children}
    </li>
  );
}

/**
 * The user popout (beside what was clicked; a bottom sheet on a phone): who they are (fetched, for bio, pronouns and
 * banner), their roles here, the servers and friends the reader shares with them, and a DM button. A mutual friend
 * picked in it takes the popout's place.
 */
export function UserProfile({
  guild,
  channel,
  userId: openedId,
  anchor,
  onClose,
}: {
  guild: Guild | null;
  /** Where it was opened: the user's context-menu commands run there. */
  channel?: Channel;
  userId: string;
  /** What was clicked: the profile is a popout beside it. */
  anchor: Anchor | null;
  onClose: () => void;
}) {
  const [picked, setPicked] = useState<{ from: string; id: string } | null>(null);
  // A friend picked in this popout, until the popout is opened for someone else.
  const userId = picked?.from === openedId ? picked.id : openedId;
  const known = useStore((s) => s.users[userId]);
  const member = useStore((s) => (guild ? s.members[guild.id]?.[userId] : undefined));
  const me = useStore((s) => s.me?.id);
  const profile = useUserProfile(userId);
  const [full, setFull] = useState<User | null>(null);
  useEffect(() => {
    // A stranger's profile is refused (403); their public user object still names them.
    if (!profile) endpoints.getUser(userId).then(setFull, () => {});
  }, [userId, profile]);
  const user = { ...known, ...(full?.id === userId ? full : null), ...profile?.user } as User;
  const pronouns = profile?.user_profile.pronouns ?? '';
  const roles = (guild?.roles ?? [])
    .filter((r) => member?.roles.includes(r.id))
    .sort((a, b) => b.position - a.position);
  return (
    <Dialog title={displayName(user, member)} anchor={anchor} onClose={onClose}>
      <div className="profile">
        {user.banner && (
          <img className="banner-preview" src={`/banners/${user.id}/${user.banner}.png`} alt="" />
        )}
        <Avatar user={user} size={80} />
        <p>
          <strong>{user.global_name || user.username}</strong> <span className="muted">@{user.username}</span>
        </p>
        {pronouns && <p className="pronouns">{pronouns}</p>}
        {user.bio && <p>{user.bio}</p>}
        {roles.length > 0 && (
          <>
            <h3>Roles</h3>
            <ul className="chips">
              {roles.map((r) => (
                <li key={r.id} style={{ borderColor: roleColour(guild, [r.id]) }}>
                  {r.name}
                </li>
              ))}
            </ul>
          </>
        )}
        {profile && (
          <ProfileMutuals
            profile={profile}
            onFriend={(id) => setPicked({ from: openedId, id })}
            onGuild={onClose}
          />
        )}
        {user.id !== me && !user.bot && (
          <button type="button" className="primary" onClick={() => openDm(user.id).then(onClose)}>
            Send message
          </button>
        )}
        {channel && (guild || commandScopeOf(channel)) && (
          <AppsMenu
            guild={guild}
            channel={channel}
            type={2}
            targetId={userId}
            onDone={onClose}
            trigger={(open, expanded) => (
              <button type="button" aria-expanded={expanded} onClick={open}>
                Apps
              </button>
            )}
          />
        )}
      </div>
    </Dialog>
  );
}
