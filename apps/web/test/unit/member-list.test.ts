import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyListUpdate, applyOps, followList, listGroups, setListSender } from '../../src/member-list';
import type { ListItem } from '../../src/types';

const m = (id: string, status = 'online'): ListItem => ({
  member: { user: { id, username: `u${id}` }, roles: [], presence: { status } } as never,
});
const g = (id: string, count: number): ListItem => ({ group: { id, count } });
const label = (i: ListItem | undefined) => (!i ? '-' : 'group' in i ? `#${i.group.id}` : i.member.user!.id);

test('ops splice one sparse array: SYNC, INSERT, UPDATE, DELETE, INSERT past the end, INVALIDATE', () => {
  let items = applyOps([], [{ op: 'SYNC', range: [0, 99], items: [g('online', 2), m('1'), m('2')] }]);
  items = applyOps(items, [
    { op: 'INSERT', index: 2, item: m('3') },
    { op: 'UPDATE', index: 1, item: m('1', 'dnd') },
    { op: 'DELETE', index: 3 },
    { op: 'INSERT', index: 6, item: m('9') },
  ]);
  assert.deepEqual(Array.from(items, label), ['#online', '1', '3', '-', '-', '-', '9']);
  assert.deepEqual(
    applyOps(items, [{ op: 'INVALIDATE', range: [0, 2] }])
      .slice(0, 3)
      .map(label),
    ['-', '-', '-'],
  );
});

test('a followed list is held per guild, asked for through the sender, and shown as groups with counts', () => {
  const sent: string[] = [];
  setListSender((guildId, channelId) => sent.push(`${guildId}/${channelId}`));
  followList('5', '50');
  assert.deepEqual(sent, ['5/50']);
  applyListUpdate({
    id: 'everyone',
    guild_id: '5',
    member_count: 30,
    online_count: 2,
    groups: [
      { id: 'online', count: 2 },
      { id: 'offline', count: 28 },
    ],
    ops: [
      {
        op: 'SYNC',
        range: [0, 99],
        items: [g('online', 2), m('1'), m('2', 'idle'), g('offline', 28), m('3', 'offline')],
      },
    ],
  });
  // An update for a guild not followed is ignored.
  applyListUpdate({ id: 'everyone', guild_id: '6', member_count: 1, online_count: 1, groups: [], ops: [] });
  setListSender(null);
});

test('listGroups: headers with their members and statuses, counts from the groups', () => {
  const groups = listGroups({
    channelId: '50',
    id: 'everyone',
    groups: [
      { id: 'online', count: 2 },
      { id: 'offline', count: 28 },
    ],
    items: [g('online', 2), m('1'), m('2', 'idle'), g('offline', 28), m('3', 'offline')],
    memberCount: 30,
    onlineCount: 2,
  });
  assert.deepEqual(
    groups.map((x) => [x.id, x.count, x.members.map((y) => y.user!.id)]),
    [
      ['online', 2, ['1', '2']],
      ['offline', 28, ['3']],
    ],
  );
  assert.equal(groups[0].statuses['2'], 'idle');
});
