// Interactions from the person's side (ADR 0039): invoking a command, using a component, asking for autocomplete,
// submitting a modal. POST /interactions answers 204; the rest comes over the gateway, matched by the nonce sent:
// INTERACTION_CREATE (the interaction's id), INTERACTION_SUCCESS, INTERACTION_FAILURE (the application did not
// answer in time), INTERACTION_MODAL_CREATE and APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE. Ephemeral answers come as
// MESSAGE_CREATE on the person's own topic and live only in this client's memory, as on Discord: the server never
// lists them in history, so a reload forgets them.
import type { CreateInteraction } from '@hearth/protocol';
import { useEffect, useState } from 'react';
import * as endpoints from './endpoints';
import { applyDispatch, getState, type PendingInteraction, setState } from './store';
import type { Dispatch, Message } from './types';

/** The message flags interactions use. */
export const MessageFlag = { Ephemeral: 64, Loading: 128 } as const;

let sequence = 0;
/** A nonce the server echoes back (≤ 25 characters, unique in this client). */
function newNonce(): string {
  sequence = (sequence + 1) % 1000;
  return `${Date.now()}${String(sequence).padStart(3, '0')}`;
}

function setPending(nonce: string, change: Partial<PendingInteraction> | null): void {
  setState((s) => {
    const held = s.interactions[nonce];
    if (!held) return {};
    const { [nonce]: _, ...rest } = s.interactions;
    return { interactions: change ? { ...s.interactions, [nonce]: { ...held, ...change } } : rest };
  });
}

type InteractionBody = Omit<CreateInteraction, 'nonce'>;

/**
 * Sends an interaction (with the files of its attachment options, `files[n]` for the value n) and tracks it until its
 * answer (or its failure) comes by the gateway.
 */
export async function invoke(
  body: InteractionBody,
  shown: Pick<PendingInteraction, 'kind' | 'label' | 'application' | 'message_id' | 'custom_id'>,
  files: File[] = [],
): Promise<void> {
  const nonce = newNonce();
  const pending: PendingInteraction = {
    ...shown,
    nonce,
    id: null,
    channel_id: body.channel_id,
    sent_at: Date.now(),
    failed: false,
  };
  setState((s) => ({ interactions: { ...s.interactions, [nonce]: pending } }));
  // The server fails an unanswered interaction after its deadline (INTERACTION_FAILURE); should that event never come
  // (a lost connection, a server gone), the client gives up on its own, as Discord's does.
  setTimeout(() => giveUpUnanswered(Date.now()), unansweredMs);
  try {
    await endpoints.createInteraction({ ...body, nonce }, files);
  } catch (err) {
    setPending(nonce, { failed: true, error: (err as Error).message });
  }
}

/**
 * How long an interaction may go unacknowledged ("Sending command…") before the client shows it failed. Only that
 * state times out: once acknowledged (a deferred "is thinking…" answer included) it is no longer pending here.
 */
export const unansweredMs = 15_000;

/** Whether a pending interaction has waited for its acknowledgement too long by `now`. */
export function isUnanswered(p: PendingInteraction, now: number): boolean {
  return !p.failed && now - p.sent_at >= unansweredMs;
}

/** Marks every interaction unacknowledged for too long by `now` as failed ("The application did not respond"). */
export function giveUpUnanswered(now: number): void {
  setState((s) => {
    const late = Object.values(s.interactions).filter((p) => isUnanswered(p, now));
    if (!late.length) return {};
    const interactions = { ...s.interactions };
    for (const p of late) interactions[p.nonce] = { ...p, failed: true };
    return { interactions };
  });
}

/** Asks the application for choices for the focused option; the answer is `autocomplete` in the store. */
export function requestAutocomplete(body: InteractionBody): string {
  const nonce = newNonce();
  endpoints.createInteraction({ ...body, nonce }).catch(() => {});
  return nonce;
}

/** Forgets a failed interaction's notice. */
export function dismissInteraction(nonce: string): void {
  setPending(nonce, null);
}

/** Dismisses an ephemeral message: this client forgets it (nobody else ever had it). */
export function dismissEphemeral(m: Message): void {
  applyDispatch('MESSAGE_DELETE', { id: m.id, channel_id: m.channel_id });
}

export function closeModal(): void {
  setState({ modal: null });
}

/** Applies the gateway's interaction events to the store. */
export function interactionDispatch(...[t, d]: Dispatch): void {
  switch (t) {
    case 'INTERACTION_CREATE':
      if (typeof d.nonce === 'string') setPending(d.nonce, { id: d.id });
      return;
    case 'INTERACTION_SUCCESS':
      if (d.nonce) setPending(d.nonce, null);
      return;
    case 'INTERACTION_FAILURE':
      if (d.nonce) setPending(d.nonce, { failed: true });
      return;
    case 'INTERACTION_MODAL_CREATE': {
      if (d.nonce) setPending(d.nonce, null);
      const guildId = getState().channels[d.channel_id]?.guild_id;
      setState({ modal: { ...d, ...(guildId ? { guild_id: guildId } : {}) } });
      return;
    }
    case 'APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE':
      setState({ autocomplete: { nonce: d.nonce, choices: d.choices } });
      return;
  }
}

// ---- The commands a person may use (GET /guilds/:id/application-command-index, or a DM's own index) ----

/** Where commands are listed: a guild's channels (the guild's index), or a DM or group DM (the channel's index). */
export type CommandScope = { guildId: string } | { dmId: string };

/** A private channel's command scope: a DM (1) or group DM (3) lists its own index; other channels none here. */
export function commandScopeOf(channel: { id: string; type: number }): CommandScope | null {
  return channel.type === 1 || channel.type === 3 ? { dmId: channel.id } : null;
}

/** How long a loaded index is used before the picker asks again. */
const indexFreshMs = 30_000;
const indexes = new Map<string, { at: number; index: Promise<endpoints.CommandIndex> }>();

function loadIndex(scope: CommandScope): Promise<endpoints.CommandIndex> {
  const key = 'guildId' in scope ? `g${scope.guildId}` : `c${scope.dmId}`;
  const held = indexes.get(key);
  if (held && Date.now() - held.at < indexFreshMs) return held.index;
  const index =
    'guildId' in scope
      ? endpoints.guildCommandIndex(scope.guildId)
      : endpoints.channelCommandIndex(scope.dmId);
  indexes.set(key, { at: Date.now(), index });
  index.catch(() => indexes.delete(key));
  return index;
}

/** The scope's command index while `active` (loaded then, and again when it has aged). */
export function useCommandIndex(scope: CommandScope | null, active: boolean): endpoints.CommandIndex | null {
  const [held, setHeld] = useState<{ key: string; index: endpoints.CommandIndex } | null>(null);
  const key = scope ? ('guildId' in scope ? `g${scope.guildId}` : `c${scope.dmId}`) : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key names the scope, a new object every render
  useEffect(() => {
    if (!scope || !key || !active) return;
    let live = true;
    loadIndex(scope).then(
      (index) => live && setHeld({ key, index }),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [key, active]);
  return held && held.key === key ? held.index : null;
}

/** The application a bot's message belongs to: its own field, else the index's application of its author. */
export function messageApplication(
  m: Message,
  index: endpoints.CommandIndex | null,
): { id: string; name: string } | null {
  const app = index?.applications.find(
    (a) => a.id === m.application_id || a.bot_id === m.author.id || a.bot?.id === m.author.id,
  );
  if (app) return app;
  return m.application_id ? { id: m.application_id, name: m.author.username } : null;
}
