// A DM the reader closed is not among their channels, but it is still theirs: a link to it names it (asked of
// GET /channels/:id once per visit), and opening it reopens it (POST /users/@me/channels, as Discord's client does),
// so it is back in the DM list. Anything else not held (a group left, another person's DM) stays unknown.
import { useEffect, useState } from 'react';
import * as endpoints from '../../endpoints';
import { applyDispatch, getState } from '../../store';
import { type Channel, ChannelType } from '../../types';

const looked = new Map<string, Promise<Channel | null>>();

/** The reader's own closed DM with this id, or null (not a DM, not theirs, not there). */
function lookUp(channelId: string): Promise<Channel | null> {
  let found = looked.get(channelId);
  if (!found) {
    found = endpoints.getChannel(channelId).then(
      (c) => (c.type === ChannelType.DM ? c : null),
      () => null,
    );
    looked.set(channelId, found);
  }
  return found;
}

/** A closed DM's channel for a link to `channelId` (null while unknown or when it is none); skipped when null. */
export function useClosedDm(channelId: string | null): Channel | null {
  const [found, setFound] = useState<Channel | null>(null);
  useEffect(() => {
    setFound(null);
    if (!channelId) return;
    let live = true;
    lookUp(channelId).then((c) => live && setFound(c));
    return () => {
      live = false;
    };
  }, [channelId]);
  return channelId ? found : null;
}

/**
 * Opens `channelId` when it is one of the reader's closed DMs: reopened and added to the held channels. Says
 * 'looking' until known, 'reopened' once it is held again, 'none' when it is not the reader's DM.
 */
export function useReopenDm(channelId: string | null): 'looking' | 'reopened' | 'none' | null {
  const [state, setState] = useState<'looking' | 'reopened' | 'none' | null>(null);
  useEffect(() => {
    if (!channelId) {
      setState(null);
      return;
    }
    let live = true;
    setState('looking');
    lookUp(channelId)
      .then(async (dm) => {
        const me = getState().me?.id;
        const other = dm?.recipients?.find((u) => u.id !== me);
        if (!dm || !other) return 'none' as const;
        const opened = await endpoints.openDm(other.id);
        if (opened.id !== channelId) return 'none' as const;
        applyDispatch('CHANNEL_CREATE', opened);
        return 'reopened' as const;
      })
      .catch(() => 'none' as const)
      .then((s) => live && setState(s));
    return () => {
      live = false;
    };
  }, [channelId]);
  return state;
}
