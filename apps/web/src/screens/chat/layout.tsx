// The chat layout: guild rail, channel (or DM) sidebar, the open conversation and the member list.
// At phone width one column shows at a time: the sidebar until a channel is chosen, then the channel.
import { useEffect, useState } from 'react';
import { isPhone, usePhone } from '../../phone';
import { backTo, match, navigate } from '../../router';
import { viewGuild } from '../../session';
import { type State, useStore } from '../../store';
import { ChannelType, type Guild, isForum } from '../../types';
import { Friends } from '../friends';
import { MemberList } from '../members';
import { requestJump } from '../messages/jump';
import { NotificationsBanner } from '../messages/notification-settings';
import { MessageView } from '../messages/view';
import { SearchPanel } from '../search/panel';
import { ForumView } from '../threads/forum';
import { IncomingCall } from './calls';
import { ChannelSidebar } from './channel-sidebar';
import { visibleChannels } from './channels';
import { useReopenDm } from './closed-dm';
import { DmSidebar } from './dm-sidebar';
import { GuildRail } from './guild-rail';
import { Shortcuts } from './keyboard';
import { useSwipeBack } from './swipe';
import { UserPanel } from './user-panel';
import { VerifyBanner } from './verify-banner';
import { VideoStage, VoicePanel } from './voice';

export function Chat({ path }: { path: string }) {
  // A thread opened beside its channel: /channels/:guild/:channel/threads/:thread (Discord's address for it).
  // A message's link (Discord's address for it): the channel, jumped to the message.
  const params = match('/channels/:guild/:channel/threads/:thread', path) ??
    messageParams(path) ??
    match('/channels/:guild/:channel?', path) ?? { guild: '@me' };
  const guildId = params.guild;
  const status = useStore((s) => s.status);
  const guildOrder = useStore((s) => s.guildOrder);
  const me = useStore((s) => s.me);
  const guild = useStore((s) => (guildId === '@me' ? null : s.guilds[guildId]));
  const channels = useStore((s) => s.channels);
  const phone = usePhone();
  // On a phone the member list is a panel over the chat, opened by its button.
  const [showMembers, setShowMembers] = useState(() => !isPhone());
  // A server search's text; its results take the member list's place (over the chat on a phone).
  const [search, setSearch] = useState<{ guildId: string; text: string } | null>(null);
  const searching = search && guild && search.guildId === guild.id ? search.text : null;
  useEffect(() => viewGuild(guildId === '@me' ? null : guildId), [guildId]);

  // /channels/@me/friends is the friends page alone (at phone width /channels/@me shows the DM list).
  const channelId = params.channel;
  const friendsPage = guildId === '@me' && (!channelId || channelId === 'friends');
  const channel = channelId ? channels[channelId] : undefined;
  // A DM not held may be one the reader closed: opening its address reopens it.
  const reopen = useReopenDm(
    status === 'ready' && guildId === '@me' && !friendsPage && channelId && !channel ? channelId : null,
  );
  const sideThread = params.thread ? channels[params.thread] : undefined;
  const channelPath = `/channels/${guildId}/${channelId}`;
  // A thread open in the side panel (desktop), where the member list would be.
  const threadBeside = !!params.thread && !phone;
  if (guild && channelId) lastChannel.set(guild.id, channelId);
  const firstChannel = useStore((s) => (guild ? defaultChannel(s, guild) : undefined));

  // A server without a channel in the address: a desktop opens one; a phone shows the channel list.
  useEffect(() => {
    if (phone || !guild || channelId || !firstChannel) return;
    navigate(`/channels/${guild.id}/${firstChannel}`, { replace: true });
  }, [phone, guild, channelId, firstChannel]);
  // The phone's member panel closes when the conversation changes; crossing the width resets it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on a channel change only
  useEffect(() => {
    if (isPhone()) setShowMembers(false);
  }, [channelId]);
  useEffect(() => setShowMembers(!phone), [phone]);
  const swipe = useSwipeBack(phone && !!channelId, guildId);
  // Opened at a message's address (a link, a reload): the conversation view loads back to it and shows it.
  useEffect(() => {
    if (channelId && params.message) requestJump(channelId, params.message);
  }, [channelId, params.message]);

  // A server the reader is not in, a channel they cannot see: the same words whether it exists or not, once READY
  // (and a closed DM's reopening) has settled. Its Back goes to the server's channels when the reader is in the
  // server, else to the direct messages.
  let noAccessBack: string | null = null;
  let loading = false;
  if (me && !friendsPage && guildId !== '@me' && !guild) {
    if (status === 'ready' && !guildOrder.includes(guildId)) noAccessBack = '/channels/@me';
    else loading = true;
  } else if (me && !friendsPage && channelId && !channel) {
    if (reopen === 'looking' || reopen === 'reopened' || status !== 'ready') loading = true;
    else noAccessBack = guild ? `/channels/${guild.id}` : '/channels/@me';
  }
  let main: React.ReactNode;
  if (!me) main = <p className="placeholder">Connecting…</p>;
  else if (friendsPage) main = <Friends />;
  else if (noAccessBack) main = <NoAccess backTo={noAccessBack} />;
  else if (loading) main = <p className="placeholder">Loading…</p>;
  else if (!channelId) main = <p className="placeholder">Choose a channel.</p>;
  else if (!channel) main = <p className="placeholder">Loading…</p>;
  else if (guild && isForum(channel)) main = <ForumView key={channel.id} guild={guild} channel={channel} />;
  // On a phone the thread takes the whole screen, its Back returning to the channel.
  else if (phone && sideThread)
    main = (
      <MessageView key={sideThread.id} channel={sideThread} guild={guild ?? null} closeTo={channelPath} />
    );
  else
    main = (
      <MessageView
        key={channel.id}
        channel={channel}
        guild={guild ?? null}
        membersShown={showMembers && !threadBeside}
        onToggleMembers={() => {
          setSearch(null);
          // A thread beside the channel holds the member list's place: the button closes it and shows the list.
          if (threadBeside) {
            backTo(channelPath);
            setShowMembers(true);
          } else setShowMembers((v) => !v);
        }}
        onSearch={guild ? (text) => setSearch({ guildId: guild.id, text }) : undefined}
      />
    );

  // On a phone the screen takes the place of a conversation (a server's address alone included), with its Back.
  const inConversation = !!channelId || !!noAccessBack;
  return (
    <div
      className={`chat ${inConversation ? 'in-channel' : ''} ${showMembers || searching ? 'members-open' : ''}`}
      {...swipe}
    >
      {status !== 'ready' && me && (
        <div className="banner" role="status">
          {status === 'offline' ? 'Disconnected.' : 'Connection lost. Reconnecting…'}
        </div>
      )}
      {me && !me.verified && <VerifyBanner email={me.email ?? ''} />}
      <NotificationsBanner />
      <IncomingCall />
      <Shortcuts guildId={guildId} channelId={channelId} />
      <GuildRail current={guildId} />
      <nav className="sidebar" aria-label={guild ? `${guild.name} channels` : 'Direct messages'}>
        {guild ? (
          <ChannelSidebar guild={guild} current={channelId} thread={params.thread} />
        ) : (
          <DmSidebar current={channelId} />
        )}
        <VoicePanel />
        <UserPanel />
      </nav>
      <main className="main">
        <VideoStage />
        {main}
      </main>
      {guild && channel && (showMembers || searching) && phone && !sideThread && (
        <button
          type="button"
          className="scrim"
          aria-label={searching ? 'Close search' : 'Close member list'}
          onClick={() => (searching ? setSearch(null) : setShowMembers(false))}
        />
      )}
      {guild && searching ? (
        <SearchPanel
          guild={guild}
          text={searching}
          onClose={() => setSearch(null)}
          onOpen={(m) => {
            if (isPhone()) setSearch(null);
            navigate(`/channels/${guild.id}/${m.channel_id}`);
            requestJump(m.channel_id, m.id);
          }}
        />
      ) : guild && channel && threadBeside ? (
        <aside className="thread-panel" aria-label="Thread">
          {sideThread ? (
            <MessageView key={sideThread.id} channel={sideThread} guild={guild} closeTo={channelPath} />
          ) : (
            <p className="placeholder">This thread does not exist or you cannot see it.</p>
          )}
        </aside>
      ) : (
        guild && channel && showMembers && <MemberList guild={guild} channel={channel} />
      )}
    </div>
  );
}

/**
 * Where a link led to something the reader cannot see (or that is not there): it names nothing of it. On a phone its
 * header has Back, as a conversation's does: to the server's channels when the reader is in the server, else to the
 * direct messages.
 */
function NoAccess({ backTo: back }: { backTo: string }) {
  return (
    <>
      <header className="conversation-head">
        <a
          href={back}
          className="back icon"
          aria-label={`Back to ${back === '/channels/@me' ? 'direct messages' : 'channels'}`}
          onClick={(e) => {
            e.preventDefault();
            backTo(back);
          }}
        >
          ‹
        </a>
        <h2>You don't have access</h2>
      </header>
      <div className="no-access-screen" role="status">
        <p className="muted">
          This link leads to a server, channel or message you cannot see, or that no longer exists.
        </p>
        <a
          className="button"
          href="/channels/@me"
          onClick={(e) => {
            e.preventDefault();
            navigate('/channels/@me');
          }}
        >
          Go to your messages
        </a>
      </div>
    </>
  );
}

/** `/channels/:guild/:channel/:message` with a message id (not a thread's `threads/:id`). */
function messageParams(path: string): Record<string, string> | null {
  const p = match('/channels/:guild/:channel/:message', path);
  return p && /^\d{1,20}$/.test(p.message) ? p : null;
}

/** The channel last open in each server during this visit, so coming back to a server returns there. */
const lastChannel = new Map<string, string>();

/** The channel a server opens at: the last one open, else its first text channel. */
function defaultChannel(s: State, guild: Guild): string | undefined {
  const chans = visibleChannels(s, guild);
  const last = lastChannel.get(guild.id);
  if (last && chans.some((c) => c.id === last)) return last;
  return chans.find((c) => c.type === ChannelType.GuildText || c.type === ChannelType.GuildAnnouncement)?.id;
}
