// DM and group DM calls (issue 24): the header's call buttons, the incoming call with Accept and Decline, and who is in
// a DM's call. The connection itself is voice.ts's (the same panel, video grid, mute, camera and screen as a channel).
import { useEffect } from 'react';
import * as endpoints from '../../endpoints';
import { Icon, IconButton } from '../../icons';
import { navigate } from '../../router';
import { useStore } from '../../store';
import { type Channel, displayName } from '../../types';
import { joinCall, leaveVoice, useVoice } from '../../voice';

/** The conversation header's Start voice call and Start video call (Join call while one goes on). */
export function CallButtons({ channel }: { channel: Channel }) {
  const voice = useVoice();
  const ongoing = useStore((s) => !!s.calls[channel.id]);
  const inIt = voice?.call && voice.channelId === channel.id;
  if (inIt) return null;
  const verb = ongoing ? 'Join' : 'Start';
  return (
    <>
      <IconButton label={`${verb} voice call`} icon="phone" onClick={() => joinCall(channel.id)} />
      <IconButton
        label={`${verb} video call`}
        icon="camera"
        onClick={() => joinCall(channel.id, { video: true })}
      />
    </>
  );
}

/**
 * Under a DM's header while its call goes on: who is in it and who it rings, and (on a phone the voice panel is in the
 * hidden sidebar) Leave call when one is in it. Nothing while no call goes on.
 */
export function CallBar({ channel }: { channel: Channel }) {
  const call = useStore((s) => s.calls[channel.id]);
  const states = useStore((s) => s.voiceStates[channel.id]);
  const users = useStore((s) => s.users);
  const voice = useVoice();
  if (!call) return null;
  const names = (ids: string[]) => ids.map((id) => displayName(users[id])).join(', ');
  const inIt = voice?.call && voice.channelId === channel.id;
  // Recipients neither in the call nor rung now (they declined, or their ring ran out) can be rung again.
  const away = (channel.recipients ?? [])
    .map((u) => u.id)
    .filter((id) => !states?.[id] && !call.ringing.includes(id));
  return (
    <div className="call-bar">
      <Icon name="phone" size={16} />
      <span role="status">In the call: {names(Object.keys(states ?? {})) || 'nobody yet'}</span>
      {call.ringing.length > 0 && <span role="status">Ringing {names(call.ringing)}…</span>}
      {inIt && away.length > 0 && (
        <button type="button" onClick={() => endpoints.ringCall(channel.id).catch(() => {})}>
          Ring {names(away)}
        </button>
      )}
      {inIt && (
        <button type="button" className="danger" onClick={leaveVoice}>
          Leave call
        </button>
      )}
    </div>
  );
}

/** A call ringing us (and we are not in it): who calls, Accept (voice), Accept with video, Decline. */
export function IncomingCall() {
  const me = useStore((s) => s.me?.id);
  const voice = useVoice();
  // A string (not a fresh array) so that the store's snapshot compares equal while nothing changed.
  const channelId = useStore((s) =>
    Object.keys(s.calls).find(
      (id) => me && s.calls[id].ringing.includes(me) && !(voice?.call && voice.channelId === id),
    ),
  );
  const channel = useStore((s) => (channelId ? s.channels[channelId] : undefined));
  const states = useStore((s) => (channelId ? s.voiceStates[channelId] : undefined));
  const users = useStore((s) => s.users);
  useEffect(() => (channelId ? ringtone() : undefined), [channelId]);
  if (!channelId || !me) return null;
  const callerIds = Object.keys(states ?? {}).filter((id) => id !== me);
  const callers = callerIds.map((id) => displayName(users[id]));
  const who = channel?.name || callers.join(', ') || 'Someone';
  const accept = (video: boolean) => {
    navigate(`/channels/@me/${channelId}`);
    joinCall(channelId, { video });
  };
  return (
    <div className="incoming-call" role="alertdialog" aria-label={`Incoming call from ${who}`}>
      <p className="who">
        <Icon name="phone" size={20} /> <strong>{who}</strong> is calling…
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={() => accept(false)}>
          Accept
        </button>
        <button type="button" onClick={() => accept(true)}>
          Accept with video
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => endpoints.stopRinging(channelId).catch(() => {})}
        >
          Decline
        </button>
      </div>
    </div>
  );
}

/**
 * Plays a ring (two short tones every two seconds, made with WebAudio: no sound file) until the returned function is
 * called. Silent where the browser does not let a page play sound before the person has interacted with it.
 */
function ringtone(): () => void {
  let context: AudioContext;
  try {
    context = new AudioContext();
  } catch {
    return () => {};
  }
  const ring = () => {
    const gain = context.createGain();
    gain.gain.value = 0.08;
    gain.connect(context.destination);
    for (const [i, hz] of [440, 480].entries()) {
      const tone = context.createOscillator();
      tone.frequency.value = hz;
      tone.connect(gain);
      tone.start(context.currentTime + i * 0.45);
      tone.stop(context.currentTime + i * 0.45 + 0.4);
    }
  };
  ring();
  const timer = setInterval(ring, 2000);
  return () => {
    clearInterval(timer);
    context.close().catch(() => {});
  };
}

/** The DM list's mark of a conversation whose call goes on. */
export function CallMark({ channelId }: { channelId: string }) {
  const ongoing = useStore((s) => !!s.calls[channelId]);
  if (!ongoing) return null;
  return (
    <span className="call-mark" role="img" aria-label="Call in progress" title="Call in progress">
      <Icon name="phone" size={14} />
    </span>
  );
}
