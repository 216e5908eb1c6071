// Voice in the channel list (ADR 0034): a voice channel joins on one click and lists who is in it, live, with their
// mute and deafen state and a ring while they speak; moderators get a menu on each person (server mute, deafen,
// move, disconnect). The voice panel above the user panel holds one's own mute, deafen and disconnect.
import { useEffect, useRef, useState } from 'react';
import * as endpoints from '../../endpoints';
import { Icon } from '../../icons';
import { channelPermissions, has, Permission } from '../../permissions';
import { useStore } from '../../store';
import { type Channel, ChannelType, displayName, type Guild, type VoiceState } from '../../types';
import { Avatar, useAction } from '../../ui';
import {
  joinVoice,
  leaveVoice,
  toggleCamera,
  toggleDeaf,
  toggleMute,
  toggleScreen,
  useSpeaking,
  useVideoTiles,
  useVoice,
  type VideoTile,
} from '../../voice';

export const isVoice = (c: Channel) =>
  c.type === ChannelType.GuildVoice || c.type === ChannelType.GuildStageVoice;

/** A voice channel in the sidebar: the join button, then the people in it. */
export function VoiceChannelItem({ guild, channel }: { guild: Guild; channel: Channel }) {
  const voice = useVoice();
  const me = useStore((s) => s.me?.id ?? '');
  const myMember = useStore((s) => s.members[guild.id]?.[me]);
  const states = useStore((s) => s.voiceStates[guild.id]);
  const inside = Object.values(states ?? {})
    .filter((v) => v.channel_id === channel.id)
    .sort((a, b) => a.user_id.localeCompare(b.user_id));
  const perms = channelPermissions(guild, channel, me, myMember);
  const here = voice?.guildId === guild.id && voice.channelId === channel.id;
  const full =
    !!channel.user_limit && inside.length >= channel.user_limit && !has(perms, Permission.MOVE_MEMBERS);
  const canConnect = has(perms, Permission.CONNECT) && (!full || here);
  const reason = !has(perms, Permission.CONNECT)
    ? 'You may not connect to this channel'
    : full
      ? 'This channel is full'
      : undefined;
  return (
    <li>
      <button
        type="button"
        className={`channel voice ${here ? 'active' : ''}`}
        aria-disabled={!canConnect}
        title={reason}
        aria-label={`${channel.name}, voice channel${inside.length ? `, ${inside.length} connected` : ''}${here ? ', connected' : ''}`}
        onClick={() => canConnect && joinVoice(guild.id, channel.id)}
      >
        <Icon name="speaker" size={16} /> <span className="name">{channel.name}</span>
        {!!channel.user_limit && (
          <span className="limit">
            {inside.length}/{channel.user_limit}
          </span>
        )}
      </button>
      {inside.length > 0 && (
        <ul className="voice-people" aria-label={`In ${channel.name}`}>
          {inside.map((v) => (
            <VoicePerson key={v.user_id} guild={guild} channel={channel} state={v} />
          ))}
        </ul>
      )}
    </li>
  );
}

function VoicePerson({ guild, channel, state }: { guild: Guild; channel: Channel; state: VoiceState }) {
  const me = useStore((s) => s.me?.id ?? '');
  const user = useStore((s) => s.users[state.user_id] ?? state.member?.user);
  const member = useStore((s) => s.members[guild.id]?.[state.user_id]) ?? state.member;
  const myMember = useStore((s) => s.members[guild.id]?.[me]);
  const speaking = !!useSpeaking()[state.user_id];
  const [menu, setMenu] = useState(false);
  const perms = channelPermissions(guild, channel, me, myMember);
  const canMute = has(perms, Permission.MUTE_MEMBERS);
  const canDeafen = has(perms, Permission.DEAFEN_MEMBERS);
  const canMove = has(perms, Permission.MOVE_MEMBERS);
  const name = displayName(user, member);
  const muted = state.mute || state.self_mute || state.suppress;
  const deafened = state.deaf || state.self_deaf;
  const status = [
    speaking && 'speaking',
    state.mute ? 'server muted' : state.self_mute && 'muted',
    state.deaf ? 'server deafened' : state.self_deaf && 'deafened',
    state.self_video && 'camera on',
    state.self_stream && 'live',
  ].filter(Boolean);
  return (
    <li
      className={`voice-person ${speaking ? 'speaking' : ''}`}
      data-user={state.user_id}
      aria-label={`${name}${status.length ? `, ${status.join(', ')}` : ''}`}
    >
      <span className="ring">
        <Avatar user={user} size={22} />
      </span>
      <span className="name">{name}</span>
      {muted && (
        <span className={state.mute ? 'server' : ''} title={state.mute ? 'Server muted' : 'Muted'}>
          <Icon name="micOff" size={14} />
        </span>
      )}
      {deafened && (
        <span className={state.deaf ? 'server' : ''} title={state.deaf ? 'Server deafened' : 'Deafened'}>
          <Icon name="deafened" size={14} />
        </span>
      )}
      {state.self_video && (
        <span title="Camera on">
          <Icon name="camera" size={14} />
        </span>
      )}
      {state.self_stream && (
        <span className="live" title="Sharing their screen">
          LIVE
        </span>
      )}
      {(canMute || canDeafen || canMove) && (
        <button
          type="button"
          className="icon more"
          aria-label={`Voice actions for ${name}`}
          aria-expanded={menu}
          onClick={() => setMenu((m) => !m)}
        >
          ⋯
        </button>
      )}
      {menu && (
        <ModeratorMenu
          guild={guild}
          channel={channel}
          state={state}
          name={name}
          can={{ mute: canMute, deafen: canDeafen, move: canMove }}
          onClose={() => setMenu(false)}
        />
      )}
    </li>
  );
}

/** A moderator's actions on one person in voice; the server decides, this offers only what it would allow. */
function ModeratorMenu(props: {
  guild: Guild;
  channel: Channel;
  state: VoiceState;
  name: string;
  can: { mute: boolean; deafen: boolean; move: boolean };
  onClose: () => void;
}) {
  const { guild, state, can } = props;
  const { busy, error, run } = useAction();
  const me = useStore((s) => s.me?.id ?? '');
  const myMember = useStore((s) => s.members[guild.id]?.[me]);
  const channels = useStore((s) => s.channels);
  const targets = Object.values(channels).filter(
    (c) =>
      c.guild_id === guild.id &&
      isVoice(c) &&
      c.id !== state.channel_id &&
      has(channelPermissions(guild, c, me, myMember), Permission.CONNECT),
  );
  const act = (body: { mute?: boolean; deaf?: boolean; channel_id?: string | null }) =>
    run(() => endpoints.modifyMember(guild.id, state.user_id, body)).then((ok) => ok && props.onClose());
  return (
    <fieldset className="voice-menu" aria-label={`Voice actions for ${props.name}`}>
      {can.mute && (
        <button type="button" disabled={busy} onClick={() => act({ mute: !state.mute })}>
          {state.mute ? 'Server unmute' : 'Server mute'}
        </button>
      )}
      {can.deafen && (
        <button type="button" disabled={busy} onClick={() => act({ deaf: !state.deaf })}>
          {state.deaf ? 'Server undeafen' : 'Server deafen'}
        </button>
      )}
      {can.move && targets.length > 0 && (
        <label>
          Move to
          <select
            value=""
            disabled={busy}
            onChange={(e) => e.target.value && act({ channel_id: e.target.value })}
          >
            <option value="">Choose a channel…</option>
            {targets.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {can.move && (
        <button type="button" className="danger" disabled={busy} onClick={() => act({ channel_id: null })}>
          Disconnect
        </button>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** One's own voice connection: where, its state, and mute, deafen, disconnect. */
export function VoicePanel() {
  const voice = useVoice();
  const channel = useStore((s) => (voice ? s.channels[voice.channelId] : undefined));
  const guild = useStore((s) => (voice ? s.guilds[voice.guildId] : undefined));
  if (!voice) return null;
  const label =
    voice.status === 'connected'
      ? voice.call
        ? 'Call connected'
        : 'Voice connected'
      : voice.status === 'connecting'
        ? 'Connecting…'
        : 'Voice failed';
  return (
    <section className={`voice-panel ${voice.status}`} aria-label="Voice connection">
      <div className="where">
        <span className="voice-status" role="status">
          {label}
        </span>
        <span className="channel-name">
          {channel?.name ?? (voice.call ? 'Direct call' : 'Voice channel')}
          {guild ? ` / ${guild.name}` : ''}
        </span>
        {voice.error && (
          <span className="error" role="alert">
            {voice.error}
          </span>
        )}
      </div>
      <PanelToggle
        on={voice.selfMute}
        label={voice.selfMute ? 'Unmute' : 'Mute'}
        icon={voice.selfMute ? 'micOff' : 'mic'}
        onClick={toggleMute}
      />
      <PanelToggle
        on={voice.selfDeaf}
        label={voice.selfDeaf ? 'Undeafen' : 'Deafen'}
        icon={voice.selfDeaf ? 'deafened' : 'headphones'}
        onClick={toggleDeaf}
      />
      <PanelToggle
        on={voice.selfVideo}
        label={voice.selfVideo ? 'Turn camera off' : 'Turn camera on'}
        icon={voice.selfVideo ? 'camera' : 'cameraOff'}
        onClick={toggleCamera}
      />
      <PanelToggle
        on={voice.selfStream}
        label={voice.selfStream ? 'Stop sharing your screen' : 'Share your screen'}
        icon="screen"
        onClick={toggleScreen}
      />
      <button
        type="button"
        className="icon danger"
        aria-label="Disconnect"
        title="Disconnect"
        onClick={leaveVoice}
      >
        <Icon name="hangup" size={18} />
      </button>
    </section>
  );
}

/** A pressed-or-not icon button of the voice panel. */
function PanelToggle(props: {
  on: boolean;
  label: string;
  icon: Parameters<typeof Icon>[0]['name'];
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className="icon"
      aria-pressed={props.on}
      aria-label={props.label}
      title={props.label}
      onClick={props.onClick}
    >
      <Icon name={props.icon} size={18} />
    </button>
  );
}

/**
 * The videos of the voice channel one is in, above the channel being read: a grid of everyone's camera and screen
 * (one's own first, mirrored as a preview), or one of them large when focused (a click; again to go back). Nothing
 * while nobody sends video.
 */
export function VideoStage() {
  const voice = useVoice();
  const tiles = useVideoTiles();
  const [focus, setFocus] = useState<string | null>(null);
  const channel = useStore((s) => (voice ? s.channels[voice.channelId] : undefined));
  if (!voice || !tiles.length) return null;
  const focused = tiles.find((t) => t.key === focus);
  const shown = focused ? [focused] : tiles;
  return (
    <section
      className={`video-stage ${focused ? 'focused' : ''}`}
      aria-label={`Video in ${channel?.name ?? 'the voice channel'}`}
      data-count={Math.min(shown.length, 4)}
    >
      {shown.map((t) => (
        <VideoTileView
          key={t.key}
          tile={t}
          focused={!!focused}
          onFocus={() => setFocus(focused ? null : t.key)}
        />
      ))}
      {focused && tiles.length > 1 && (
        <p className="more">{tiles.length - 1} more — click the video to see all</p>
      )}
    </section>
  );
}

function VideoTileView({
  tile,
  focused,
  onFocus,
}: {
  tile: VideoTile;
  focused: boolean;
  onFocus: () => void;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  const user = useStore((s) => s.users[tile.userId]);
  const name = tile.self ? 'You' : displayName(user, undefined);
  const what = tile.source === 'screen' ? `${name}'s screen` : tile.self ? 'Your camera' : `${name}'s camera`;
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.srcObject = tile.stream;
    video.play().catch(() => {});
  }, [tile.stream]);
  return (
    <figure className={`video-tile ${tile.source} ${tile.self ? 'self' : ''}`} data-user={tile.userId}>
      <button
        type="button"
        className="video-focus"
        aria-label={focused ? `Show all videos (now ${what})` : `Focus ${what}`}
        onClick={onFocus}
      >
        {/* Received video has no captions to give; its sound comes through the voice connection. */}
        <video ref={ref} autoPlay playsInline muted aria-label={what} />
      </button>
      <figcaption>{what}</figcaption>
    </figure>
  );
}
