// The lazy member list of a large guild (ADR 0041): the app follows the list of the channel on screen for a range
// (op 14 `channels`), the server sends a SYNC of it and then GUILD_MEMBER_LIST_UPDATE ops that keep it true. This
// module holds one list per guild and applies the ops; members.tsx renders it in place of its own grouping.
import { useEffect, useSyncExternalStore } from 'react';
import type { ListItem, ListUpdate, Member } from './types';

/** The range followed: the first hundred items (headers and members), as Discord's client asks first. */
export const FIRST_RANGE: [number, number] = [0, 99];

/** A list as this client holds it: a sparse array of what its ranges show, and the counts. */
export interface HeldList {
  channelId: string;
  id: string | null;
  groups: ListUpdate['groups'];
  items: (ListItem | undefined)[];
  memberCount: number;
  onlineCount: number;
}

/**
 * The ops applied to a copy of `items`: splices on one sparse array (an INSERT past its end sets the item there),
 * which keeps every followed range true (the server clips each op to the ranges, apps/server gateway/member-list.ts).
 */
export function applyOps(items: (ListItem | undefined)[], ops: ListUpdate['ops']): (ListItem | undefined)[] {
  const out = items.slice();
  for (const op of ops) {
    if (op.op === 'SYNC')
      op.items.forEach((item, i) => {
        out[op.range[0] + i] = item;
      });
    else if (op.op === 'INVALIDATE') for (let i = op.range[0]; i <= op.range[1]; i++) out[i] = undefined;
    else if (op.op === 'INSERT' && op.index >= out.length) out[op.index] = op.item;
    else if (op.op === 'INSERT') out.splice(op.index, 0, op.item);
    else if (op.op === 'UPDATE') out[op.index] = op.item;
    else if (op.op === 'DELETE') out.splice(op.index, 1);
  }
  return out;
}

let lists: Record<string, HeldList> = {};
const listeners = new Set<() => void>();
const changed = () => {
  for (const l of listeners) l();
};

/** GUILD_MEMBER_LIST_UPDATE: applied to the guild's list when it is the one followed. */
export function applyListUpdate(d: ListUpdate): void {
  const held = lists[d.guild_id];
  if (!held) return;
  lists = {
    ...lists,
    [d.guild_id]: {
      ...held,
      id: d.id,
      groups: d.groups,
      items: applyOps(held.items, d.ops).slice(0, FIRST_RANGE[1] + 1),
      memberCount: d.member_count,
      onlineCount: d.online_count,
    },
  };
  changed();
}

/** Where op 14 goes (the gateway client, set by session.ts). */
let send: ((guildId: string, channelId: string) => void) | null = null;
export function setListSender(sender: ((guildId: string, channelId: string) => void) | null): void {
  send = sender;
}

/** Starts following a channel's list (again after a new gateway session: the server forgot it). */
export function followList(guildId: string, channelId: string): void {
  const held = lists[guildId];
  if (held?.channelId !== channelId) {
    lists = {
      ...lists,
      [guildId]: { channelId, id: null, groups: [], items: [], memberCount: 0, onlineCount: 0 },
    };
    changed();
  }
  send?.(guildId, channelId);
}

/** The channels followed, by guild: to follow again on a new gateway session. */
export function followed(): Array<[string, string]> {
  return Object.entries(lists).map(([guildId, l]) => [guildId, l.channelId]);
}

/** The guild's list while `enabled` (a large guild), following `channelId`'s; null otherwise. */
export function useLazyList(guildId: string, channelId: string, enabled: boolean): HeldList | null {
  useEffect(() => {
    if (enabled) followList(guildId, channelId);
  }, [guildId, channelId, enabled]);
  const list = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => lists[guildId],
  );
  return enabled && list?.channelId === channelId && list.id !== null ? list : null;
}

export interface ShownGroup {
  id: string;
  /** How many the group has (the held items may show only some). */
  count: number;
  members: Member[];
  statuses: Record<string, string>;
}

/** The held items as groups of members, for rendering: each header's members follow it. */
export function listGroups(list: HeldList): ShownGroup[] {
  const out: ShownGroup[] = [];
  const counts = new Map(list.groups.map((g) => [g.id, g.count]));
  for (const item of list.items) {
    if (!item) continue;
    if ('group' in item)
      out.push({ id: item.group.id, count: counts.get(item.group.id) ?? 0, members: [], statuses: {} });
    else if (out.length && item.member.user) {
      const last = out[out.length - 1];
      last.members.push(item.member);
      last.statuses[item.member.user.id] = item.member.presence?.status ?? 'offline';
    }
  }
  return out.filter((g) => g.members.length);
}
