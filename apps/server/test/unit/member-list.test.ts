import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Member } from '@hearth/protocol';
import fc from 'fast-check';
import {
  clip,
  type ListEntry,
  type ListItem,
  type ListOp,
  MemberList,
  type Range,
  sortKey,
} from '../../src/gateway/member-list';

/** A member with `roles`, named `name`, online or not. */
function entry(id: string, name: string, online: boolean, roles: string[] = []): ListEntry {
  const member = { user: { id, username: name }, roles, nick: null } as unknown as Member;
  return {
    id,
    member,
    presence: { user: { id }, status: online ? 'online' : 'offline', activities: [], client_status: {} },
    key: sortKey(member),
  };
}

/** Hoisted role "h" first, then online, then offline. */
const place = (e: ListEntry) =>
  e.presence.status === 'offline' ? 'offline' : e.member.roles.includes('h') ? 'h' : 'online';
const ORDER = ['h', 'online', 'offline'];

const label = (item: ListItem | undefined) =>
  !item ? '-' : 'group' in item ? `#${item.group.id}` : item.member.user!.username;
/** As `label`, with each header's count. */
const counted = (item: ListItem | undefined) =>
  item && 'group' in item ? `#${item.group.id}:${item.group.count}` : label(item);

/** A client's copy: a sparse array it splices as the ops say. */
function apply(copy: (ListItem | undefined)[], ops: ListOp[]): void {
  for (const op of ops) {
    if (op.op === 'SYNC')
      op.items.forEach((item, i) => {
        copy[op.range[0] + i] = item;
      });
    // Past what it holds, an INSERT sets the item there (the array is sparse).
    else if (op.op === 'INSERT' && op.index >= copy.length) copy[op.index] = op.item;
    else if (op.op === 'INSERT') copy.splice(op.index, 0, op.item);
    else if (op.op === 'UPDATE') copy[op.index] = op.item;
    else if (op.op === 'DELETE') copy.splice(op.index, 1);
  }
}

const view = (copy: (ListItem | undefined)[], [s, e]: Range, size: number, show = label) =>
  copy.slice(s, Math.min(e + 1, size)).map(show);

describe('member list ordering', () => {
  test('groups in order (hoisted, online, offline), members by display name then id, headers with counts', () => {
    const list = new MemberList(ORDER, place);
    list.set('5', entry('5', 'Eve', false));
    list.set('3', entry('3', 'carol', true));
    list.set('1', entry('1', 'alice', true, ['h']));
    list.set('2', entry('2', 'Bob', true));
    list.set('4', entry('4', 'bob', true));
    assert.deepEqual(list.items([0, 99]).map(label), [
      '#h',
      'alice',
      '#online',
      'Bob',
      'bob',
      'carol',
      '#offline',
      'Eve',
    ]);
    assert.deepEqual(list.groupsWire(), [
      { id: 'h', count: 1 },
      { id: 'online', count: 3 },
      { id: 'offline', count: 1 },
    ]);
    assert.equal(list.indexOf('3'), 5);
    assert.equal(list.indexOf('9'), -1);
    assert.equal(list.size, 8);
  });

  test('a member list without a place for someone leaves them out; an empty group has no header', () => {
    const list = new MemberList(ORDER, (e) => (e.presence.status === 'offline' ? null : place(e)));
    list.set('1', entry('1', 'a', false));
    assert.equal(list.size, 0);
    const edits = list.set('1', entry('1', 'a', true));
    assert.deepEqual(
      edits.map((e) => [e.kind, e.index]),
      [
        ['insert', 0],
        ['insert', 1],
      ],
    );
    assert.deepEqual(
      list.set('1', null).map((e) => [e.kind, e.index]),
      [
        ['remove', 1],
        ['remove', 0],
      ],
    );
    assert.equal(list.size, 0);
  });

  test('a change that keeps the place is one UPDATE; one in a range sends nothing to a range before it', () => {
    const list = new MemberList(ORDER, place);
    for (let i = 0; i < 10; i++) list.set(`${i}`, entry(`${i}`, `m${i}`, true));
    const edits = list.set('5', {
      ...entry('5', 'm5', true),
      presence: { user: { id: '5' }, status: 'dnd', activities: [], client_status: {} },
    });
    assert.deepEqual(
      edits.map((e) => e.kind),
      ['update'],
    );
    assert.deepEqual(clip(edits, [[0, 3]]), []);
    assert.equal(clip(edits, [[0, 99]])[0].op, 'UPDATE');
  });

  test('a member landing past every range updates the header count of sessions that show the header', () => {
    const list = new MemberList(ORDER, place);
    for (const [id, name] of [
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ] as const)
      list.set(id, entry(id, name, true));
    const ranges: Range[] = [[0, 1]];
    list.track(ranges, 1);
    const copy: (ListItem | undefined)[] = [];
    apply(copy, [{ op: 'SYNC', range: ranges[0], items: list.items(ranges[0]) }]);
    assert.deepEqual(view(copy, ranges[0], list.size, counted), ['#online:3', 'a']);
    // "z" sorts last: outside [0, 1], only the header's count changes there.
    const ops = clip(list.set('4', entry('4', 'z', true)), ranges);
    assert.deepEqual(ops, [{ op: 'UPDATE', index: 0, item: { group: { id: 'online', count: 4 } } }]);
    apply(copy, ops);
    assert.deepEqual(view(copy, ranges[0], list.size, counted), ['#online:4', 'a']);
    // Going offline moves "z" to a new group, whose header is out of range too: the online count drops.
    apply(copy, clip(list.set('4', entry('4', 'z', false)), ranges));
    assert.deepEqual(view(copy, ranges[0], list.size, counted), ['#online:3', 'a']);
    // A session whose range holds no header gets nothing for the same change.
    assert.deepEqual(clip(list.set('5', entry('5', 'zz', true)), [[2, 3]]), []);
  });

  test('regroup places everyone again (a role hoisted)', () => {
    const list = new MemberList(['online', 'offline'], place);
    list.set('1', entry('1', 'a', true));
    list.set('2', entry('2', 'b', true));
    list.regroup(ORDER, [entry('1', 'a', true, ['h']), entry('2', 'b', true)]);
    assert.deepEqual(list.items([0, 9]).map(label), ['#h', 'a', '#online', 'b']);
  });

  test('property: a client applying the clipped ops to its ranges always holds what the list holds there', () => {
    const names = ['ann', 'bo', 'cy', 'di', 'ed', 'fay', 'gus', 'hal', 'ivy', 'jo', 'kai', 'lu'];
    const change = fc.record({
      user: fc.integer({ min: 0, max: 11 }),
      kind: fc.constantFrom('online', 'offline', 'hoisted', 'rename', 'leave'),
      name: fc.constantFrom(...names),
    });
    const rangeSet = fc.constantFrom<Range[]>(
      [[0, 3]],
      [
        [0, 4],
        [5, 9],
      ],
      [[2, 6]],
      [
        [4, 8],
        [12, 15],
      ],
      [[0, 99]],
    );
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 60 }), rangeSet, (changes, ranges) => {
        const list = new MemberList(ORDER, place);
        const state = new Map<string, { name: string; online: boolean; hoisted: boolean }>();
        for (let i = 0; i < 6; i++) {
          state.set(`${i}`, { name: names[i], online: i % 2 === 0, hoisted: false });
          list.set(`${i}`, entry(`${i}`, names[i], i % 2 === 0));
        }
        list.track(ranges, 1);
        const copy: (ListItem | undefined)[] = [];
        for (const r of ranges) apply(copy, [{ op: 'SYNC', range: r, items: list.items(r) }]);
        for (const c of changes) {
          const id = `${c.user}`;
          const s = state.get(id) ?? { name: c.name, online: true, hoisted: false };
          if (c.kind === 'leave') state.delete(id);
          else {
            if (c.kind === 'online') s.online = true;
            if (c.kind === 'offline') s.online = false;
            if (c.kind === 'hoisted') s.hoisted = !s.hoisted;
            if (c.kind === 'rename') s.name = c.name;
            state.set(id, s);
          }
          const next = state.has(id) ? entry(id, s.name, s.online, s.hoisted ? ['h'] : []) : null;
          apply(copy, clip(list.set(id, next), ranges));
          for (const r of ranges) {
            // Headers with their counts: a client's "Online — N" is as true as its members.
            assert.deepEqual(view(copy, r, list.size, counted), list.items(r).map(counted));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
