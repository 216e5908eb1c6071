// A conversation's header: Back (on a phone, with the mentions waiting elsewhere), the name and topic,
// pinned messages, group DM settings and the member list toggle.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { Icon, IconButton } from '../../icons';
import type { MentionResolver } from '../../markdown';
import { backTo } from '../../router';
import { useStore } from '../../store';
import { type Channel, ChannelType, type Guild, isThread } from '../../types';
import { Alert, useAction } from '../../ui';
import { CallBar, CallButtons } from '../chat/calls';
import { GroupDmSettings } from '../group-dm';
import { SearchBox } from '../search/box';
import { ThreadsPanel } from '../threads/panel';
import { NotificationSettings } from './notification-settings';
import { PinsDialog } from './pins';

export function ConversationHeader(props: {
  channel: Channel;
  guild: Guild | null;
  title: string;
  mentions: MentionResolver;
  membersShown?: boolean;
  onToggleMembers?: () => void;
  onSearch?: (text: string) => void;
  canThread: boolean;
  /** A thread beside its channel: where Close and Back go (the channel). */
  closeTo?: string;
}) {
  const { channel, guild, title, mentions, closeTo } = props;
  const backTarget = closeTo ?? (guild ? `/channels/${guild.id}` : '/channels/@me');
  // Mentions in every other conversation, shown on a phone's Back button since the lists are hidden.
  const elsewhere = useStore((s) =>
    Object.entries(s.readStates).reduce(
      (n, [id, r]) => (id === channel.id || !s.channels[id] ? n : n + (r.mention_count ?? 0)),
      0,
    ),
  );
  const [showPins, setShowPins] = useState(false);
  const [showGroup, setShowGroup] = useState(false);
  const [showThreads, setShowThreads] = useState(false);
  const [showNotify, setShowNotify] = useState(false);
  // A thread: Join Thread when one is not in it (posting joins it too), Leave Thread when one is (as on Discord).
  const inThread = !!guild && isThread(channel);
  const joined = useStore((s) => !!s.joinedThreads[channel.id]);
  const membership = useAction();
  const join = () => membership.run(() => endpoints.joinThread(channel.id));
  const leave = () => membership.run(() => endpoints.leaveThread(channel.id));
  return (
    <>
      <header className="conversation-head">
        <a
          href={backTarget}
          className="back icon"
          aria-label={`Back to ${closeTo ? 'the channel' : guild ? 'channels' : 'direct messages'}${elsewhere ? `, ${elsewhere} mentions elsewhere` : ''}`}
          onClick={(e) => {
            e.preventDefault();
            backTo(backTarget);
          }}
        >
          ‹{elsewhere > 0 && <span className="badge">{elsewhere}</span>}
        </a>
        <h2>
          <span aria-hidden="true">{guild ? '#' : '@'}</span> {title}
        </h2>
        {channel.topic && <p className="topic">{channel.topic}</p>}
        {guild && props.onSearch && !closeTo && (
          <SearchBox guildName={guild.name} onSearch={props.onSearch} />
        )}
        <div className="actions">
          {inThread && !joined && (
            <button type="button" className="primary join-thread" disabled={membership.busy} onClick={join}>
              Join Thread
            </button>
          )}
          {inThread && joined && <IconButton label="Leave Thread" icon="leave" onClick={leave} />}
          {guild && !isThread(channel) && channel.type === ChannelType.GuildText && (
            <IconButton label="Threads" icon="thread" onClick={() => setShowThreads(true)} />
          )}
          {guild && (
            <IconButton label="Notification settings" icon="bell" onClick={() => setShowNotify(true)} />
          )}
          {!guild && <CallButtons channel={channel} />}
          <IconButton label="Pinned messages" icon="pin" onClick={() => setShowPins(true)} />
          {channel.type === ChannelType.GroupDM && (
            <IconButton label="Group settings" icon="gear" onClick={() => setShowGroup(true)} />
          )}
          {guild && props.onToggleMembers && (
            <button
              type="button"
              className="icon members-toggle"
              aria-label={props.membersShown ? 'Hide member list' : 'Show member list'}
              aria-pressed={props.membersShown}
              onClick={props.onToggleMembers}
            >
              <Icon name="members" />
            </button>
          )}
          {closeTo && <IconButton label="Close thread" icon="close" onClick={() => backTo(closeTo)} />}
        </div>
      </header>
      <Alert message={membership.error} />
      {!guild && <CallBar channel={channel} />}
      {showNotify && guild && (
        <NotificationSettings guild={guild} channel={channel} onClose={() => setShowNotify(false)} />
      )}
      {showThreads && guild && (
        <ThreadsPanel
          guild={guild}
          channel={channel}
          canCreate={props.canThread}
          onClose={() => setShowThreads(false)}
        />
      )}
      {showGroup && <GroupDmSettings channel={channel} onClose={() => setShowGroup(false)} />}
      {showPins && (
        <PinsDialog channel={channel} guild={guild} mentions={mentions} onClose={() => setShowPins(false)} />
      )}
    </>
  );
}
