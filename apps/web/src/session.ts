// The signed-in session: starts the gateway with the current token, feeds the store, and tears everything
// down on sign-out (here or from another tab).
import { accessToken, signedOut } from './api';
import { discardDrafts } from './composer-drafts';
import * as endpoints from './endpoints';
import { GatewayClient } from './gateway';
import { interactionDispatch } from './interactions';
import { applyListUpdate, FIRST_RANGE, followed, setListSender } from './member-list';
import { notifyMessage } from './notify';
import {
  applyDispatch,
  expireTyping,
  getState,
  resetState,
  type State,
  setGuildChannels,
  setJoinedThreads,
  setState,
} from './store';
import type { Dispatch } from './types';
import { leaveVoiceLocally, setVoiceGateway, voiceDispatch } from './voice';

let gateway: GatewayClient | null = null;
let typingTimer: ReturnType<typeof setInterval> | null = null;

/** Connects to the gateway; safe to call again (it restarts). */
export async function startSession(): Promise<void> {
  stopSession();
  const { url } = await endpoints.getGateway();
  gateway = new GatewayClient({
    url,
    token: accessToken,
    onDispatch: dispatch,
    onStatus: (status) => setState({ status }),
    onAuthFailed: () => {
      stopSession();
      signedOut();
    },
  });
  setListSender((guildId, channelId) => gateway?.followList(guildId, channelId, FIRST_RANGE));
  gateway.start();
  typingTimer = setInterval(() => expireTyping(), 1000);
}

let viewing: string | null = null;

/**
 * The guild on screen. A large one gets its presences only by subscribing (ADR 0011): on opening it, and again
 * whenever a new gateway session brings its GUILD_CREATE.
 */
export function viewGuild(guildId: string | null): void {
  viewing = guildId;
  if (guildId && getState().guilds[guildId]?.large) gateway?.openLargeGuild(guildId);
  if (guildId) loadJoinedThreads(guildId);
}

/** Guilds whose joined threads were asked for since their last GUILD_CREATE. */
const joinedAsked = new Set<string>();

/**
 * Which of a guild's active threads one has joined (GUILD_CREATE's threads do not say): asked for once per
 * GUILD_CREATE, when the guild is on screen, so a client in many servers does not ask for each at READY.
 */
function loadJoinedThreads(guildId: string): void {
  if (joinedAsked.has(guildId) || !getState().guilds[guildId]) return;
  joinedAsked.add(guildId);
  endpoints.getActiveThreads(guildId).then(
    (r) => setJoinedThreads(guildId, r.members),
    () => joinedAsked.delete(guildId),
  );
}

/** Applies an event; a message in a DM this client has not heard of yet brings the DM in first. */
function dispatch(...event: Dispatch): void {
  const [t, d] = event;
  if (t === 'GUILD_MEMBER_LIST_UPDATE') {
    applyListUpdate(d);
    return;
  }
  if (t === 'GUILD_CREATE') joinedAsked.delete(d.id);
  if (t === 'GUILD_CREATE' && d.large) {
    applyDispatch(t, d);
    if (d.id === viewing) gateway?.openLargeGuild(d.id);
    // A new gateway session knows no list this client followed: follow it again.
    for (const [guildId, channelId] of followed())
      if (guildId === d.id) gateway?.followList(guildId, channelId, FIRST_RANGE);
    return;
  }
  if (t === 'MESSAGE_CREATE' && !d.guild_id && !getState().channels[d.channel_id]) {
    endpoints.getChannel(d.channel_id).then(
      (channel) => {
        applyDispatch('CHANNEL_CREATE', channel);
        applyDispatch(t, d);
        notifyMessage(d);
      },
      () => applyDispatch(t, d),
    );
    return;
  }
  // My own member update changes what I may see only when it changes my roles (a new name or avatar sends one
  // to every guild I am in).
  const myRolesChanged =
    t === 'GUILD_MEMBER_UPDATE' &&
    d.user?.id === getState().me?.id &&
    !sameRoles(getState(), d.guild_id, d.roles);
  applyDispatch(...event);
  voiceDispatch(...event);
  interactionDispatch(...event);
  if (t === 'MESSAGE_CREATE') notifyMessage(d);
  if (t === 'GUILD_CREATE' && d.id === viewing) loadJoinedThreads(d.id);
  if (myRolesChanged || t === 'GUILD_ROLE_UPDATE' || t === 'GUILD_ROLE_DELETE') refetchChannels(d.guild_id);
  // A channel event during a refetch may be missing from its answer: ask once more after it.
  else if ((t === 'CHANNEL_CREATE' || t === 'CHANNEL_DELETE') && d.guild_id && refetching.has(d.guild_id))
    again.add(d.guild_id);
}

/** Whether the roles held for me in a guild are already `roles` (a member list not yet loaded is unknown). */
function sameRoles(s: State, guildId: string, roles: string[]): boolean {
  const held = s.me ? s.members[guildId]?.[s.me.id]?.roles : undefined;
  return !!held && held.length === roles.length && roles.every((r) => held.includes(r));
}

const refetching = new Set<string>();
const again = new Set<string>();

/**
 * A change to my roles or to a role's permissions can reveal or hide channels, and the server says nothing
 * about channels I could not see: ask again which ones I can view. Changes that arrive during a fetch
 * cause one more fetch after it, so the last answer always reflects the last change.
 */
function refetchChannels(guildId: string): void {
  if (refetching.has(guildId)) {
    again.add(guildId);
    return;
  }
  refetching.add(guildId);
  endpoints
    .getGuildChannels(guildId)
    .then(
      (list) => setGuildChannels(guildId, list),
      () => {
        // No longer a member, or offline: GUILD_DELETE or the next READY brings the truth.
      },
    )
    .finally(() => {
      refetching.delete(guildId);
      if (again.delete(guildId)) refetchChannels(guildId);
    });
}

/** Sets the signed-in user's status for every session of theirs to report. */
export function setStatus(status: string): void {
  gateway?.setStatus(status);
}

export function currentStatus(): string {
  return gateway?.status ?? 'online';
}

// Voice connections are bound to the gateway session, and join, move and leave with op 4 over it.
setVoiceGateway({
  session: () => gateway?.session ?? null,
  send: (d) => gateway?.voiceState(d) ?? false,
  stream: (d) => gateway?.stream(d) ?? false,
});

export function stopSession(): void {
  leaveVoiceLocally();
  // Uploads not sent are cancelled (the sweep removes any the server no longer lets this session delete).
  discardDrafts();
  gateway?.stop();
  gateway = null;
  if (typingTimer) clearInterval(typingTimer);
  typingTimer = null;
  resetState();
}

/** Signs this session out on the server, then locally. */
export async function signOut(): Promise<void> {
  try {
    await endpoints.logout();
  } catch {
    // Already invalid on the server: signing out locally is all that is left.
  }
  stopSession();
  signedOut();
}
