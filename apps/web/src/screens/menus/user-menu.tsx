// A person's context menu (on a message's author, an avatar, a member of the list): their profile, a mention in the
// composer, a message to them, their id; with Manage Roles, their roles; for moderators of the server, kick and ban
// (each confirmed, with a reason).

import { useState } from 'react';
import { guildPermissions, has, Permission, topPosition } from '../../permissions';
import { useStore } from '../../store';
import type { Guild, Member, User } from '../../types';
import { type Anchor, anchorOf, Dialog } from '../../ui';
import { openDm } from '../friends';
import { MemberEditor } from '../guild-settings/member-editor';
import { RemoveMember } from '../guild-settings/remove-member';
import { insertIntoComposer } from '../messages/insert';
import { ContextMenu, copyText, type MenuItem, useContextMenu } from './context-menu';

/**
 * The handlers that open a person's menu, and what they open (the menu, a kick or ban confirmation); `profileOpen`
 * says when the caller shows the profile popout (chosen in the menu, or `profile()` on a click of name or avatar).
 */
export function useUserMenu(guild: Guild | null, userId: string) {
  const menu = useContextMenu();
  const [shown, setShown] = useState<'profile' | 'kick' | 'ban' | 'roles' | null>(null);
  // What the profile popout opens beside: the clicked name or avatar, or where the menu was opened.
  const [anchor, setAnchor] = useState<Anchor | null>(null);
  const me = useStore((s) => s.me?.id);
  const member = useStore((s) => (guild ? s.members[guild.id]?.[userId] : undefined));
  const myMember = useStore((s) => (guild && me ? s.members[guild.id]?.[me] : undefined));
  const user = useStore((s) => s.users[userId]) as User | undefined;

  const mayRemove = (bit: bigint) => {
    if (!guild || !me || !member || userId === me || userId === guild.owner_id) return false;
    if (!has(guildPermissions(guild, me, myMember), bit)) return false;
    return topPosition(guild, me, myMember) > topPosition(guild, userId, member);
  };
  const items: MenuItem[] = [
    {
      label: 'Profile',
      onSelect: () => {
        const at = menu.at;
        setAnchor(at ? { left: at.x, right: at.x, top: at.y, bottom: at.y } : null);
        setShown('profile');
      },
    },
    { label: 'Mention', hidden: !guild, onSelect: () => insertIntoComposer(`<@${userId}> `) },
    {
      label: 'Message',
      hidden: userId === me || !!user?.bot,
      onSelect: () => openDm(userId).catch(() => {}),
    },
    'separator',
    {
      label: 'Roles',
      // Which roles may change is the server's decision (hierarchy); the editor offers only those below mine.
      hidden:
        !guild || !me || !member || !has(guildPermissions(guild, me, myMember), Permission.MANAGE_ROLES),
      onSelect: () => setShown('roles'),
    },
    {
      label: 'Kick',
      danger: true,
      hidden: !mayRemove(Permission.KICK_MEMBERS),
      onSelect: () => setShown('kick'),
    },
    {
      label: 'Ban',
      danger: true,
      hidden: !mayRemove(Permission.BAN_MEMBERS),
      onSelect: () => setShown('ban'),
    },
    { label: 'Copy User ID', onSelect: () => copyText(userId) },
  ];
  const target =
    member && user ? ({ ...member, user: member.user ?? user } as Member & { user: User }) : null;
  const element = (
    <>
      {menu.at && (
        <ContextMenu
          at={menu.at}
          label={`Actions for ${user?.username ?? 'user'}`}
          items={items}
          onClose={menu.close}
        />
      )}
      {shown === 'roles' && guild && target && (
        <Dialog title={`Roles of ${user?.username ?? 'member'}`} onClose={() => setShown(null)}>
          <MemberEditor guild={guild} member={target} nick={false} roles />
        </Dialog>
      )}
      {(shown === 'kick' || shown === 'ban') && guild && target && (
        <RemoveMember guild={guild} member={target} ban={shown === 'ban'} onClose={() => setShown(null)} />
      )}
    </>
  );
  // The profile popout is the caller's to render (members.tsx holds it, and imports this file).
  return {
    handlers: menu.handlers,
    element,
    profileOpen: shown === 'profile',
    anchor,
    profile: (e: { currentTarget: Element }) => {
      setAnchor(anchorOf(e));
      setShown('profile');
    },
    closeProfile: () => setShown(null),
  };
}
