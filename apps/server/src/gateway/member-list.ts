import type { Member, Presence } from '@hearth/protocol';

/**
 * One member list as Discord's lazy guilds show it (ADR 0041): groups in a fixed order (hoisted roles by position,
 * then "online", then "offline"), each a header item followed by its members sorted by display name. Pure: no I/O,
 * no sessions. Every change returns the edits it made to the flat item list, each with what the subscribers' range
 * boundaries held right after it, so that `clip` can turn it into the ops one session's ranges need.
 */

/** A member as the list places it. */
export interface ListEntry {
  id: string;
  member: Member;
  presence: Presence;
  /** Lower-cased display name (nick, global name, username): the order within a group. */
  key: string;
}

export interface ListGroup {
  id: string;
  count: number;
}

export type ListItem = { group: ListGroup } | { member: Member & { presence: Presence } };

/** An inclusive range of item indexes, `[start, end]`. */
export type Range = [number, number];

/** One change to the flat item list; `at` holds the items at the registered boundaries just after it. */
export type Edit =
  | { kind: 'remove'; index: number; lengthBefore: number; at: Map<number, ListItem | undefined> }
  | {
      kind: 'insert';
      index: number;
      item: ListItem;
      lengthBefore: number;
      at: Map<number, ListItem | undefined>;
    }
  | { kind: 'update'; index: number; item: ListItem };

/** GUILD_MEMBER_LIST_UPDATE's ops. */
export type ListOp =
  | { op: 'SYNC'; range: Range; items: ListItem[] }
  | { op: 'INSERT'; index: number; item: ListItem }
  | { op: 'UPDATE'; index: number; item: ListItem }
  | { op: 'DELETE'; index: number }
  | { op: 'INVALIDATE'; range: Range };

/** The display name a list sorts by. */
export function sortKey(member: Member): string {
  return (member.nick ?? member.user?.global_name ?? member.user?.username ?? '').toLowerCase();
}

function compare(a: ListEntry, b: ListEntry): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  // Snowflakes of equal length compare as strings; a shorter one is older.
  if (a.id.length !== b.id.length) return a.id.length - b.id.length;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Where `entry` goes in `sorted` (the first index whose entry sorts at or after it). */
function position(sorted: ListEntry[], entry: ListEntry): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(sorted[mid], entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MemberList {
  private readonly groups = new Map<string, ListEntry[]>();
  /** Each listed member's entry as placed and its group. */
  private readonly placed = new Map<string, { entry: ListEntry; group: string }>();
  /** Range starts and ends of the subscribers, counted: the items there are captured after each edit. */
  private readonly boundaries = new Map<number, number>();
  private length = 0;

  /**
   * @param order the group ids, first to last
   * @param place the group a member belongs in, or null when this list does not show them
   */
  constructor(
    private order: string[],
    private readonly place: (entry: ListEntry) => string | null,
  ) {
    for (const id of order) this.groups.set(id, []);
  }

  /** How many items (headers and members) the list has. */
  get size(): number {
    return this.length;
  }

  /** The non-empty groups with their counts, in order (GUILD_MEMBER_LIST_UPDATE's `groups`). */
  groupsWire(): ListGroup[] {
    const out: ListGroup[] = [];
    for (const id of this.order) {
      const n = this.groups.get(id)!.length;
      if (n) out.push({ id, count: n });
    }
    return out;
  }

  /** The items from `start` to `end` inclusive (fewer at the list's end). */
  items([start, end]: Range): ListItem[] {
    const out: ListItem[] = [];
    for (let i = start; i <= end && i < this.length; i++) out.push(this.itemAt(i)!);
    return out;
  }

  /** The item at `index`, or undefined past the end. */
  itemAt(index: number): ListItem | undefined {
    let at = index;
    for (const id of this.order) {
      const members = this.groups.get(id)!;
      if (!members.length) continue;
      if (at === 0) return { group: { id, count: members.length } };
      if (at <= members.length) return memberItem(members[at - 1]);
      at -= members.length + 1;
    }
    return undefined;
  }

  /** The index of a member's item, or -1 when not listed. */
  indexOf(userId: string): number {
    const placed = this.placed.get(userId);
    if (!placed) return -1;
    const sorted = this.groups.get(placed.group)!;
    return this.headerIndex(placed.group) + 1 + position(sorted, placed.entry);
  }

  /** Subscribers' ranges, counted in and out: the items at their edges are captured with each edit. */
  track(ranges: Range[], delta: 1 | -1): void {
    for (const [start, end] of ranges)
      for (const b of [start, end]) {
        const n = (this.boundaries.get(b) ?? 0) + delta;
        if (n > 0) this.boundaries.set(b, n);
        else this.boundaries.delete(b);
      }
  }

  /** Places, moves, updates or removes (`next` null) one member; returns the edits made, in order. */
  set(userId: string, next: ListEntry | null): Edit[] {
    const edits: Edit[] = [];
    const prev = this.placed.get(userId);
    const group = next ? this.place(next) : null;
    if (prev) {
      const sorted = this.groups.get(prev.group)!;
      const header = this.headerIndex(prev.group);
      const pos = position(sorted, prev.entry);
      const lengthBefore = this.length;
      sorted.splice(pos, 1);
      this.placed.delete(userId);
      this.length--;
      const index = header + 1 + pos;
      if (sorted.length) edits.push({ kind: 'remove', index, lengthBefore, at: this.capture(index) });
      else {
        // The member, then the header of the group it leaves empty: between the two the header still stands.
        this.length--;
        edits.push({
          kind: 'remove',
          index,
          lengthBefore,
          at: this.capture(index, (b) => this.itemAt(b - 1)),
        });
        edits.push({
          kind: 'remove',
          index: header,
          lengthBefore: lengthBefore - 1,
          at: this.capture(header),
        });
      }
    }
    if (next && group !== null) {
      const sorted = this.groups.get(group);
      if (!sorted) throw new Error(`unknown group ${group}`);
      const header = this.headerIndex(group);
      if (!sorted.length) {
        // The header first (its count already the member's), then the member below it.
        const item: ListItem = { group: { id: group, count: 1 } };
        edits.push({
          kind: 'insert',
          index: header,
          item,
          lengthBefore: this.length++,
          at: this.capture(header, (b) => (b === header ? item : this.itemAt(b - 1))),
        });
      }
      const pos = position(sorted, next);
      sorted.splice(pos, 0, next);
      this.placed.set(userId, { entry: next, group });
      const lengthBefore = this.length++;
      const index = header + 1 + pos;
      edits.push({ kind: 'insert', index, item: memberItem(next), lengthBefore, at: this.capture(index) });
    }
    // Out at i and back in at i, with no header coming or going: one UPDATE.
    if (edits.length === 2 && edits[0].kind === 'remove' && edits[1].kind === 'insert') {
      if (edits[0].index === edits[1].index && prev?.group === group)
        return [{ kind: 'update', index: edits[1].index, item: edits[1].item }];
    }
    // A group that gained or lost a member and whose header stayed: its header's count changed, wherever the member
    // went. Sessions whose range shows that header get an UPDATE of it (Discord's way), so "Online — N" stays true
    // when the member lands outside every range.
    for (const changed of [prev?.group, group]) {
      if (changed == null || prev?.group === group) continue;
      const count = this.groups.get(changed)!.length;
      // Emptied (its header went) or new (its header came with the right count): no header of its own to update.
      if (count === 0 || (changed === group && count === 1)) continue;
      edits.push({
        kind: 'update',
        index: this.headerIndex(changed),
        item: { group: { id: changed, count } },
      });
    }
    return edits;
  }

  /** The groups change (a hoisted role came, went or moved): every member is placed again. */
  regroup(order: string[], entries: Iterable<ListEntry>): void {
    this.order = order;
    this.groups.clear();
    this.placed.clear();
    this.length = 0;
    for (const id of order) this.groups.set(id, []);
    for (const entry of entries) {
      const group = this.place(entry);
      if (group === null) continue;
      this.groups.get(group)?.push(entry);
      this.placed.set(entry.id, { entry, group });
    }
    for (const sorted of this.groups.values()) {
      sorted.sort(compare);
      if (sorted.length) this.length += sorted.length + 1;
    }
  }

  private headerIndex(group: string): number {
    let index = 0;
    for (const id of this.order) {
      if (id === group) return index;
      const n = this.groups.get(id)!.length;
      if (n) index += n + 1;
    }
    return index;
  }

  /** The items at the boundaries at or after `index` (those before it did not move). */
  private capture(
    index: number,
    itemAt: (b: number) => ListItem | undefined = (b) => this.itemAt(b),
  ): Map<number, ListItem | undefined> {
    const at = new Map<number, ListItem | undefined>();
    for (const b of this.boundaries.keys()) if (b >= index) at.set(b, itemAt(b));
    return at;
  }
}

function memberItem(entry: ListEntry): ListItem {
  return { member: { ...entry.member, presence: entry.presence } };
}

/**
 * The ops that keep one session's copy of its ranges true after `edits`: each edit becomes at most a DELETE and an
 * INSERT inside each range it touches (an edit before a range shifts it by one: the item leaving at one edge is
 * deleted and the one entering at the other inserted), and nothing for a range it does not touch. A client that
 * applies them as splices to one sparse array keeps every range right, whatever it holds outside them.
 */
export function clip(edits: Edit[], ranges: Range[]): ListOp[] {
  const ops: ListOp[] = [];
  for (const edit of edits)
    for (const [s, e] of ranges) {
      if (edit.index > e) continue;
      if (edit.kind === 'update') {
        if (edit.index >= s) ops.push({ op: 'UPDATE', index: edit.index, item: edit.item });
      } else if (edit.kind === 'remove') {
        if (edit.lengthBefore <= s) continue;
        ops.push({ op: 'DELETE', index: Math.max(edit.index, s) });
        const entering = edit.at.get(e);
        if (entering) ops.push({ op: 'INSERT', index: e, item: entering });
      } else {
        if (edit.lengthBefore < s) continue;
        if (edit.lengthBefore > e) ops.push({ op: 'DELETE', index: e });
        if (edit.index >= s) ops.push({ op: 'INSERT', index: edit.index, item: edit.item });
        else {
          const entering = edit.at.get(s);
          if (entering) ops.push({ op: 'INSERT', index: s, item: entering });
        }
      }
    }
  return ops;
}
