// The client's state: what the gateway said (READY, GUILD_CREATE and every later event) plus the message
// history loaded over REST. Every update replaces the slices it changes, so React can compare by reference.
import { useSyncExternalStore } from 'react';
import type { ConnectionStatus } from './gateway';
import {
  type Channel,
  compareIds,
  type Dispatch,
  type Events,
  type Guild,
  isThread,
  type Member,
  type Message,
  type ReadState,
  type Relationship,
  type User,
  type UserGuildSettings,
  type VoiceState,
} from './types';

interface ChannelMessages {
  /** Oldest first, by id. */
  list: Message[];
  /** Whether older messages remain on the server. */
  hasMore: boolean;
  /**
   * Whether newer messages remain on the server: the list is a window into older history (opened around a linked
   * message) that does not reach the present. New messages are not added to it; the view loads them as it scrolls
   * down, or returns to the present.
   */
  hasNewer?: boolean;
  /**
   * Messages that arrived live while the list was a window into older history (oldest first, at most
   * `liveBufferSize`). They are merged in when the list reaches the present again, so one that arrives between the
   * last `after=` page (or the newest page of "Jump to present") being answered and being shown is not lost.
   */
  live?: Message[];
}

/** How many live messages a window into older history keeps for its return to the present. */
const liveBufferSize = 200;

/** A message sent but not yet confirmed; matched to the MESSAGE_CREATE that carries its nonce. */
export interface PendingMessage {
  nonce: string;
  channel_id: string;
  content: string;
  replyTo: string | null;
  failed: boolean;
  error?: string;
}

/** An interaction started here and not yet answered, or failed (shown until dismissed). */
export interface PendingInteraction {
  nonce: string;
  id: string | null;
  channel_id: string;
  kind: 'command' | 'component' | 'modal';
  /** What it was: "/roll", a component's custom_id, a modal's title. */
  label: string;
  /** The application's name. */
  application: string;
  /** A component's message and custom_id (its loading state and failure show there). */
  message_id?: string;
  custom_id?: string;
  /** When it was sent (Date.now()): unacknowledged for too long, the client gives up on it. */
  sent_at: number;
  failed: boolean;
  error?: string;
}

type ShownModal = Events['INTERACTION_MODAL_CREATE'] & { guild_id?: string };

export interface State {
  status: ConnectionStatus;
  me: User | null;
  guilds: Record<string, Guild>;
  /** Guild order as the rail shows it. */
  guildOrder: string[];
  channels: Record<string, Channel>;
  /** guild id → user id → member. */
  members: Record<string, Record<string, Member>>;
  users: Record<string, User>;
  presences: Record<string, string>;
  relationships: Record<string, Relationship>;
  messages: Record<string, ChannelMessages>;
  pending: Record<string, PendingMessage[]>;
  readStates: Record<string, ReadState>;
  /**
   * The threads this person has joined (thread id → true): from GET /guilds/:id/threads/active's `members` after
   * each GUILD_CREATE, THREAD_MEMBER_UPDATE, THREAD_MEMBERS_UPDATE and THREAD_LIST_SYNC, and their own messages
   * (posting joins a thread). The channel list nests the active ones under their channels.
   */
  joinedThreads: Record<string, true>;
  /** channel id → user id → until (epoch ms). */
  typing: Record<string, Record<string, number>>;
  /** guild id → user id → the member's voice state (only those in a voice channel). */
  /** Voice states by guild, and of each DM or group DM call by its channel id. */
  voiceStates: Record<string, Record<string, VoiceState>>;
  /** The calls going on in one's DMs, by channel id: who they ring. */
  calls: Record<string, { ringing: string[] }>;
  /** guild id → how the user is notified there (only guilds whose settings were changed). */
  guildSettings: Record<string, UserGuildSettings>;
  /** nonce → an interaction this person started that has not been answered (or failed). */
  interactions: Record<string, PendingInteraction>;
  /** The modal an application asked to show, until it is submitted or closed. */
  modal: ShownModal | null;
  /** The choices of the last autocomplete answer, by the nonce of the request. */
  autocomplete: { nonce: string | null; choices: unknown[] } | null;
  /** guild id → how many report events have come (a moderator's Reports tab reloads when it changes). */
  reportEvents: Record<string, number>;
}

const empty: State = {
  status: 'connecting',
  me: null,
  guilds: {},
  guildOrder: [],
  channels: {},
  members: {},
  users: {},
  presences: {},
  relationships: {},
  messages: {},
  pending: {},
  readStates: {},
  joinedThreads: {},
  typing: {},
  voiceStates: {},
  calls: {},
  guildSettings: {},
  interactions: {},
  modal: null,
  autocomplete: null,
  reportEvents: {},
};

let state: State = empty;
const listeners = new Set<() => void>();

export function getState(): State {
  return state;
}

export function setState(change: Partial<State> | ((s: State) => Partial<State>)): void {
  const patch = typeof change === 'function' ? change(state) : change;
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export function resetState(): void {
  state = empty;
  awaitingFirstPage.clear();
  for (const l of listeners) l();
}

/** Reads a slice of the state and re-renders when it changes. */
export function useStore<T>(select: (s: State) => T): T {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => select(state),
  );
}

const put = <T>(map: Record<string, T>, key: string, value: T) => ({ ...map, [key]: value });
const drop = <T>(map: Record<string, T>, key: string) => {
  const { [key]: _, ...rest } = map;
  return rest;
};

function withUsers(users: Record<string, User>, list: Array<User | undefined>): Record<string, User> {
  let out = users;
  for (const u of list) if (u && out[u.id] !== u) out = put(out, u.id, { ...out[u.id], ...u });
  return out;
}

/** Inserts or replaces messages, keeping id order and never holding one twice. */
function mergeMessages(list: Message[], incoming: Message[]): Message[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => compareIds(a.id, b.id));
}

function updateMessage(s: State, channelId: string, id: string, f: (m: Message) => Message): Partial<State> {
  const held = s.messages[channelId];
  if (!held) return {};
  const list = held.list.map((m) => (m.id === id ? f(m) : m));
  const live = held.live?.map((m) => (m.id === id ? f(m) : m));
  return { messages: put(s.messages, channelId, { ...held, list, ...(live && { live }) }) };
}

/** A channel's held messages without the given ids (in the list and in the live buffer). */
function withoutMessages(held: ChannelMessages, gone: Set<string>): ChannelMessages {
  return {
    ...held,
    list: held.list.filter((m) => !gone.has(m.id)),
    ...(held.live && { live: held.live.filter((m) => !gone.has(m.id)) }),
  };
}

function sameEmoji(
  a: { id: string | null; name: string | null },
  b: { id?: string | null; name?: string | null },
) {
  return a.id ? a.id === b.id : a.name === b.name;
}

/** Applies one gateway dispatch. Replays are harmless: every case is idempotent. */
export function applyDispatch(...[t, d]: Dispatch): void {
  setState((s): Partial<State> => {
    switch (t) {
      case 'READY': {
        const channels: Record<string, Channel> = {};
        for (const c of d.private_channels ?? []) channels[c.id] = c;
        const relationships: Record<string, Relationship> = {};
        for (const r of d.relationships ?? []) relationships[r.id] = r;
        const readStates: Record<string, ReadState> = {};
        for (const r of d.read_state?.entries ?? []) readStates[r.id] = r;
        const users = withUsers(
          {},
          [d.user, ...(d.relationships ?? []).map((r: Relationship) => r.user)].concat(
            (d.private_channels ?? []).flatMap((c: Channel) => c.recipients ?? []),
          ),
        );
        const guildSettings: Record<string, UserGuildSettings> = {};
        for (const e of d.user_guild_settings?.entries ?? []) guildSettings[e.guild_id] = e;
        return {
          me: d.user,
          guildSettings,
          users,
          channels,
          relationships,
          readStates,
          joinedThreads: {},
          guilds: {},
          guildOrder: (d.guilds ?? []).map((g: { id: string }) => g.id),
          members: {},
          // Loaded history may be missing what happened while disconnected: it is fetched again.
          messages: {},
          typing: {},
          voiceStates: {},
        };
      }
      case 'GUILD_CREATE': {
        const {
          channels: list = [],
          members = [],
          presences = [],
          threads = [],
          voice_states: voice = [],
          ...guild
        } = d;
        const channels = { ...s.channels };
        for (const c of [...list, ...threads]) channels[c.id] = { ...c, guild_id: d.id };
        const memberMap: Record<string, Member> = {};
        for (const m of members) if (m.user) memberMap[m.user.id] = m;
        const presenceMap = { ...s.presences };
        for (const p of presences) presenceMap[p.user.id] = p.status;
        const voiceMap: Record<string, VoiceState> = {};
        for (const v of voice) if (v.channel_id) voiceMap[v.user_id] = v;
        return {
          voiceStates: put(s.voiceStates, d.id, voiceMap),
          guilds: put(s.guilds, d.id, guild),
          guildOrder: s.guildOrder.includes(d.id) ? s.guildOrder : [...s.guildOrder, d.id],
          channels,
          members: put(s.members, d.id, memberMap),
          users: withUsers(
            s.users,
            members.map((m: Member) => m.user),
          ),
          presences: presenceMap,
        };
      }
      case 'GUILD_UPDATE':
        return s.guilds[d.id] ? { guilds: put(s.guilds, d.id, { ...s.guilds[d.id], ...d }) } : {};
      case 'GUILD_DELETE': {
        const channels = Object.fromEntries(
          Object.entries(s.channels).filter(([, c]) => c.guild_id !== d.id),
        );
        return {
          guilds: drop(s.guilds, d.id),
          guildOrder: s.guildOrder.filter((id) => id !== d.id),
          channels,
          members: drop(s.members, d.id),
          voiceStates: drop(s.voiceStates, d.id),
        };
      }
      case 'GUILD_EMOJIS_UPDATE':
        return s.guilds[d.guild_id]
          ? { guilds: put(s.guilds, d.guild_id, { ...s.guilds[d.guild_id], emojis: d.emojis }) }
          : {};
      case 'GUILD_ROLE_CREATE':
      case 'GUILD_ROLE_UPDATE': {
        const g = s.guilds[d.guild_id];
        if (!g) return {};
        const roles = [...g.roles.filter((r) => r.id !== d.role.id), d.role];
        return { guilds: put(s.guilds, g.id, { ...g, roles }) };
      }
      case 'GUILD_ROLE_DELETE': {
        const g = s.guilds[d.guild_id];
        if (!g) return {};
        return { guilds: put(s.guilds, g.id, { ...g, roles: g.roles.filter((r) => r.id !== d.role_id) }) };
      }
      case 'GUILD_MEMBER_ADD':
      case 'GUILD_MEMBER_UPDATE': {
        const held = s.members[d.guild_id];
        if (!held || !d.user) return {};
        const { guild_id: _g, ...member } = d;
        return {
          members: put(s.members, d.guild_id, put(held, d.user.id, { ...held[d.user.id], ...member })),
          users: withUsers(s.users, [d.user]),
        };
      }
      case 'GUILD_MEMBERS_CHUNK': {
        const held = s.members[d.guild_id];
        if (!held) return {};
        const merged = { ...held };
        for (const m of d.members) if (m.user) merged[m.user.id] = m;
        const presences = { ...s.presences };
        for (const p of d.presences ?? []) presences[p.user.id] = p.status;
        return {
          members: put(s.members, d.guild_id, merged),
          users: withUsers(
            s.users,
            d.members.map((m) => m.user),
          ),
          presences,
        };
      }
      case 'GUILD_MEMBER_REMOVE': {
        const held = s.members[d.guild_id];
        return held ? { members: put(s.members, d.guild_id, drop(held, d.user.id)) } : {};
      }
      case 'CHANNEL_CREATE':
      case 'CHANNEL_UPDATE':
        return {
          channels: put(s.channels, d.id, { ...s.channels[d.id], ...d }),
          users: withUsers(s.users, d.recipients ?? []),
        };
      case 'THREAD_CREATE':
      case 'THREAD_UPDATE':
        return { channels: put(s.channels, d.id, { ...s.channels[d.id], ...d }) };
      case 'THREAD_LIST_SYNC': {
        const channels = { ...s.channels };
        for (const c of d.threads) channels[c.id] = { ...channels[c.id], ...c, guild_id: d.guild_id };
        const joinedThreads = { ...s.joinedThreads };
        for (const m of d.members ?? []) if (m.user_id === s.me?.id) joinedThreads[m.id] = true;
        return { channels, joinedThreads };
      }
      case 'THREAD_MEMBER_UPDATE':
        return d.user_id === s.me?.id ? { joinedThreads: put(s.joinedThreads, d.id, true) } : {};
      case 'THREAD_MEMBERS_UPDATE': {
        const me = s.me?.id;
        if (d.added_members?.some((m) => m.user_id === me))
          return { joinedThreads: put(s.joinedThreads, d.id, true) };
        if (me && d.removed_member_ids?.includes(me)) return { joinedThreads: drop(s.joinedThreads, d.id) };
        return {};
      }
      case 'THREAD_DELETE':
      case 'CHANNEL_DELETE':
        return {
          channels: drop(s.channels, d.id),
          messages: drop(s.messages, d.id),
          joinedThreads: drop(s.joinedThreads, d.id),
        };
      case 'CHANNEL_RECIPIENT_ADD':
      case 'CHANNEL_RECIPIENT_REMOVE': {
        const c = s.channels[d.channel_id];
        if (!c) return {};
        const others = (c.recipients ?? []).filter((u) => u.id !== d.user.id);
        const recipients = t === 'CHANNEL_RECIPIENT_ADD' ? [...others, d.user] : others;
        return { channels: put(s.channels, c.id, { ...c, recipients }) };
      }
      case 'MESSAGE_CREATE': {
        const held = s.messages[d.channel_id];
        const pending = (s.pending[d.channel_id] ?? []).filter((p) => p.nonce !== String(d.nonce ?? ''));
        const channel = s.channels[d.channel_id];
        const patch: Partial<State> = {
          users: withUsers(s.users, [d.author]),
          pending: put(s.pending, d.channel_id, pending),
          typing: s.typing[d.channel_id]?.[d.author.id]
            ? put(s.typing, d.channel_id, drop(s.typing[d.channel_id], d.author.id))
            : s.typing,
        };
        if (channel && (!channel.last_message_id || compareIds(d.id, channel.last_message_id) > 0))
          patch.channels = put(s.channels, d.channel_id, { ...channel, last_message_id: d.id });
        // A window into older history does not reach the present: the new message would sit after a gap, so it
        // waits in the live buffer until the list reaches the present.
        if (held && !held.hasNewer)
          patch.messages = put(s.messages, d.channel_id, { ...held, list: mergeMessages(held.list, [d]) });
        else if (held)
          patch.messages = put(s.messages, d.channel_id, {
            ...held,
            live: mergeMessages(held.live ?? [], [d]).slice(-liveBufferSize),
          });
        else {
          const waiting = awaitingFirstPage.get(d.channel_id);
          if (waiting && waiting.push(d) > liveBufferSize) waiting.shift();
        }
        const me = s.me?.id;
        const myRoles = (d.guild_id && me && s.members[d.guild_id]?.[me]?.roles) || [];
        const mentionsMe =
          d.author.id !== me &&
          (d.mention_everyone ||
            d.mentions?.some((u: User) => u.id === me) ||
            d.mention_roles?.some((r) => myRoles.includes(r)) ||
            (!d.guild_id && channel && (channel.type === 1 || channel.type === 3)));
        if (d.author.id === me) {
          // Posting in a thread joins it (the server says so too; this is at once).
          if (channel && isThread(channel) && !s.joinedThreads[channel.id])
            patch.joinedThreads = put(s.joinedThreads, channel.id, true);
          patch.readStates = put(s.readStates, d.channel_id, {
            id: d.channel_id,
            last_message_id: d.id,
            mention_count: 0,
          });
        } else if (mentionsMe) {
          const rs = s.readStates[d.channel_id] ?? {
            id: d.channel_id,
            last_message_id: null,
            mention_count: 0,
          };
          patch.readStates = put(s.readStates, d.channel_id, { ...rs, mention_count: rs.mention_count + 1 });
        }
        return patch;
      }
      case 'MESSAGE_UPDATE':
        return updateMessage(s, d.channel_id, d.id, (m) => ({ ...m, ...d }));
      case 'MESSAGE_DELETE': {
        const held = s.messages[d.channel_id];
        if (!held) return {};
        return { messages: put(s.messages, d.channel_id, withoutMessages(held, new Set([d.id]))) };
      }
      case 'MESSAGE_DELETE_BULK': {
        const held = s.messages[d.channel_id];
        if (!held) return {};
        return { messages: put(s.messages, d.channel_id, withoutMessages(held, new Set<string>(d.ids))) };
      }
      case 'MESSAGE_REACTION_ADD':
      case 'MESSAGE_REACTION_REMOVE': {
        const mine = d.user_id === s.me?.id;
        const delta = t === 'MESSAGE_REACTION_ADD' ? 1 : -1;
        return updateMessage(s, d.channel_id, d.message_id, (m) => {
          const reactions = [...(m.reactions ?? [])];
          const i = reactions.findIndex((r) => sameEmoji(r.emoji, d.emoji));
          if (i < 0) {
            if (delta < 0) return m;
            reactions.push({
              count: 1,
              me: mine,
              emoji: { id: d.emoji.id ?? null, name: d.emoji.name ?? null },
            });
          } else {
            const r = reactions[i];
            const next = { ...r, count: r.count + delta, me: mine ? delta > 0 : r.me };
            if (next.count <= 0) reactions.splice(i, 1);
            else reactions[i] = next;
          }
          return { ...m, reactions };
        });
      }
      case 'MESSAGE_REACTION_REMOVE_ALL':
        return updateMessage(s, d.channel_id, d.message_id, (m) => ({ ...m, reactions: [] }));
      case 'MESSAGE_REACTION_REMOVE_EMOJI':
        return updateMessage(s, d.channel_id, d.message_id, (m) => ({
          ...m,
          reactions: (m.reactions ?? []).filter((r) => !sameEmoji(r.emoji, d.emoji)),
        }));
      case 'MESSAGE_ACK': {
        const rs = { id: d.channel_id, last_message_id: d.message_id, mention_count: d.mention_count ?? 0 };
        return { readStates: put(s.readStates, d.channel_id, rs) };
      }
      case 'TYPING_START': {
        if (d.user_id === s.me?.id) return {};
        const users = d.member?.user ? withUsers(s.users, [d.member.user]) : s.users;
        return {
          users,
          typing: put(s.typing, d.channel_id, {
            ...s.typing[d.channel_id],
            [d.user_id]: Date.now() + 10_000,
          }),
        };
      }
      case 'PRESENCE_UPDATE':
        return { presences: put(s.presences, d.user.id, d.status) };
      case 'VOICE_STATE_UPDATE': {
        const { guild_id: _g, ...state } = d;
        if (!d.guild_id) {
          // A call's: kept under its channel; a leave (no channel) leaves whichever call the user was in.
          let voiceStates = s.voiceStates;
          for (const id of Object.keys(s.calls))
            voiceStates = put(voiceStates, id, drop(voiceStates[id] ?? {}, d.user_id));
          if (d.channel_id)
            voiceStates = put(
              voiceStates,
              d.channel_id,
              put(voiceStates[d.channel_id] ?? {}, d.user_id, state),
            );
          return { voiceStates };
        }
        const held = s.voiceStates[d.guild_id] ?? {};
        const next = d.channel_id ? put(held, d.user_id, state) : drop(held, d.user_id);
        return {
          voiceStates: put(s.voiceStates, d.guild_id, next),
          users: withUsers(s.users, [d.member?.user]),
        };
      }
      case 'CALL_CREATE':
        return {
          calls: put(s.calls, d.channel_id, { ringing: d.ringing }),
          voiceStates: put(
            s.voiceStates,
            d.channel_id,
            Object.fromEntries(d.voice_states.map((v) => [v.user_id, v])),
          ),
        };
      case 'CALL_UPDATE':
        return { calls: put(s.calls, d.channel_id, { ringing: d.ringing }) };
      case 'CALL_DELETE':
        return { calls: drop(s.calls, d.channel_id), voiceStates: drop(s.voiceStates, d.channel_id) };
      case 'RELATIONSHIP_ADD':
        return {
          relationships: put(s.relationships, d.id, d),
          users: withUsers(s.users, [d.user]),
        };
      case 'RELATIONSHIP_REMOVE':
        return { relationships: drop(s.relationships, d.id) };
      case 'USER_UPDATE': {
        // A partial user (only what changed) updates one the app knows; it never stands for one it does not.
        const known = s.users[d.id];
        const user = known
          ? { ...known, ...d }
          : d.username !== undefined
            ? { ...d, username: d.username }
            : null;
        return {
          me: s.me && d.id === s.me.id ? { ...s.me, ...d } : s.me,
          users: user ? withUsers(s.users, [user]) : s.users,
        };
      }
      case 'USER_GUILD_SETTINGS_UPDATE':
        return { guildSettings: put(s.guildSettings, d.guild_id, d) };
      case 'GUILD_MESSAGE_REPORT_CREATE':
      case 'GUILD_MESSAGE_REPORT_UPDATE':
        return { reportEvents: { ...s.reportEvents, [d.guild_id]: (s.reportEvents[d.guild_id] ?? 0) + 1 } };
      default:
        return {};
    }
  });
}

export function addPending(p: PendingMessage): void {
  setState((s) => ({ pending: put(s.pending, p.channel_id, [...(s.pending[p.channel_id] ?? []), p]) }));
}

export function updatePending(
  channelId: string,
  nonce: string,
  change: Partial<PendingMessage> | null,
): void {
  setState((s) => {
    const list = s.pending[channelId] ?? [];
    const next = change
      ? list.map((p) => (p.nonce === nonce ? { ...p, ...change } : p))
      : list.filter((p) => p.nonce !== nonce);
    return { pending: put(s.pending, channelId, next) };
  });
}

/**
 * Channels whose first page of history was asked for and has not come: what arrives live meanwhile waits here, since
 * the server may have answered before it was sent (the newest page then takes it in, as a window's live buffer does).
 */
const awaitingFirstPage = new Map<string, Message[]>();

/** Marks a channel's first page as asked for (its live messages are kept until `addHistory` or `firstPageFailed`). */
export function firstPageAsked(channelId: string): void {
  awaitingFirstPage.set(channelId, []);
}

/** The first page did not come: nothing waits for it. */
export function firstPageFailed(channelId: string): void {
  awaitingFirstPage.delete(channelId);
}

/**
 * Adds a page of history (any order) to a channel; `replace` drops what was held first (a jump far from it, or back
 * to the present). `hasMore`/`hasNewer` say whether older/newer messages remain beyond the held list. A page that
 * reaches the present takes in the messages that arrived live meanwhile (the window's live buffer): the server may
 * have answered before they were sent.
 */
export function addHistory(
  channelId: string,
  page: Message[],
  opts: { hasMore?: boolean; hasNewer?: boolean; replace?: boolean },
): void {
  setState((s) => {
    const before = s.messages[channelId];
    const held = opts.replace ? undefined : before;
    const hasNewer = opts.hasNewer ?? held?.hasNewer ?? false;
    const waited = awaitingFirstPage.get(channelId);
    awaitingFirstPage.delete(channelId);
    const live = before?.hasNewer ? before.live : before ? undefined : waited;
    let list = mergeMessages(held?.list ?? [], page);
    if (!hasNewer && live) {
      // Only those after the start of what is held: older ones (a newest page that replaced the window when many
      // arrived) would sit beyond a gap.
      const first = list[0]?.id;
      list = mergeMessages(list, first ? live.filter((m) => compareIds(m.id, first) > 0) : live);
    }
    return {
      messages: put(s.messages, channelId, {
        list,
        hasMore: opts.hasMore ?? held?.hasMore ?? true,
        hasNewer,
        ...(hasNewer && live && { live }),
      }),
      users: withUsers(
        s.users,
        page.map((m) => m.author),
      ),
    };
  });
}

/** Replaces a guild's channels with the list the server says this user can view now. */
export function setGuildChannels(guildId: string, list: Channel[]): void {
  setState((s) => {
    if (!s.guilds[guildId]) return {};
    const visible = new Set(list.map((c) => c.id));
    const channels: Record<string, Channel> = {};
    for (const [id, c] of Object.entries(s.channels))
      if (c.guild_id !== guildId || visible.has(id)) channels[id] = c;
    for (const c of list) channels[c.id] = { ...s.channels[c.id], ...c, guild_id: guildId };
    const messages = Object.fromEntries(Object.entries(s.messages).filter(([id]) => id in channels));
    return { channels, messages };
  });
}

/** Takes in which of a guild's active threads one has joined (GET /guilds/:id/threads/active's `members`). */
export function setJoinedThreads(guildId: string, members: Array<{ id: string; user_id: string }>): void {
  setState((s) => {
    const joinedThreads: Record<string, true> = {};
    // The guild's other threads (archived ones too) keep what is known of them; its active ones are as answered.
    for (const id of Object.keys(s.joinedThreads))
      if (s.channels[id]?.guild_id !== guildId || s.channels[id]?.thread_metadata?.archived)
        joinedThreads[id] = true;
    for (const m of members) if (m.user_id === s.me?.id) joinedThreads[m.id] = true;
    return { joinedThreads };
  });
}

/** Forgets typing indicators that ran out. */
export function expireTyping(now = Date.now()): void {
  const s = getState();
  let changed = false;
  const typing: State['typing'] = {};
  for (const [channel, users] of Object.entries(s.typing)) {
    const live = Object.fromEntries(Object.entries(users).filter(([, until]) => until > now));
    if (Object.keys(live).length !== Object.keys(users).length) changed = true;
    typing[channel] = live;
  }
  if (changed) setState({ typing });
}
