// One conversation: history (older pages load as you scroll up), messages grouped by author and time,
// the "new messages" divider, typing and the composer. The parts are beside this file.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import * as endpoints from '../../endpoints';
import { channelPermissions, has, Permission } from '../../permissions';
import { addHistory, getState, useStore } from '../../store';
import {
  type Attachment,
  type Channel,
  ChannelType,
  compareIds,
  displayName,
  type Guild,
  idTime,
  isThread,
  type Message,
  type User,
} from '../../types';
import { Alert } from '../../ui';
import { Lightbox } from './attachments';
import { Composer } from './composer';
import { ConversationHeader } from './header';
import { clearJump, useJumpTarget } from './jump';
import { useMentionResolver } from './mentions';
import { jumpTo, MessageItem } from './message';
import { PendingItem } from './pending';

const pageSize = 50;
/** How many older pages a jump to a message loads at most (2,000 messages back). */
const maxJumpPages = 40;

/** Messages by one author closer together than this share one header. */
const groupWindowMs = 7 * 60_000;

function channelTitle(channel: Channel, me: string | undefined, users: Record<string, User>): string {
  if (channel.type === ChannelType.DM || channel.type === ChannelType.GroupDM) {
    const others = (channel.recipients ?? []).filter((u) => u.id !== me);
    return channel.name || others.map((u) => displayName(users[u.id] ?? u)).join(', ') || 'Just you';
  }
  return channel.name ?? '';
}

export function MessageView(props: {
  channel: Channel;
  guild: Guild | null;
  membersShown: boolean;
  onToggleMembers: () => void;
  /** Searches the server (guild channels only). */
  onSearch?: (text: string) => void;
}) {
  const { channel, guild } = props;
  const held = useStore((s) => s.messages[channel.id]);
  const pending = useStore((s) => s.pending[channel.id]);
  const me = useStore((s) => s.me);
  const users = useStore((s) => s.users);
  const member = useStore((s) => (guild && me ? s.members[guild.id]?.[me.id] : undefined));
  const typing = useStore((s) => s.typing[channel.id]);
  const mentions = useMentionResolver(guild);
  const scroller = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [lightbox, setLightbox] = useState<Attachment | null>(null);
  // Where the divider goes: the read position when the channel was opened.
  const [readAtOpen] = useState(() => getState().readStates[channel.id]?.last_message_id ?? null);
  const restoreFrom = useRef<number | null>(null);

  const perms = guild && me ? channelPermissions(guild, channel, me.id, member) : -1n;
  const thread = isThread(channel);
  const canSend = guild
    ? has(perms, thread ? Permission.SEND_MESSAGES_IN_THREADS : Permission.SEND_MESSAGES)
    : true;
  // Threads start in a server's text channels, not inside a thread.
  const canThread = !!guild && !thread && has(perms, Permission.CREATE_PUBLIC_THREADS);
  const canManage = guild ? has(perms, Permission.MANAGE_MESSAGES) : false;
  // In DMs anyone may pin; deleting stays with the author.
  const canPin = guild ? canManage : true;
  const canReact = guild ? has(perms, Permission.ADD_REACTIONS) : true;
  const canAttach = guild ? has(perms, Permission.ATTACH_FILES) : true;

  // The newest page, whenever it is not held (first open, or after a fresh READY).
  useEffect(() => {
    if (held) return;
    endpoints.getMessages(channel.id, { limit: pageSize }).then(
      (page) => addHistory(channel.id, page, { hasMore: page.length === pageSize }),
      (err) => setError(err.message),
    );
  }, [channel.id, held]);

  const list = held?.list ?? [];
  const newest = list[list.length - 1];

  // Reading the newest message acknowledges it.
  useEffect(() => {
    if (!newest || !atBottom || document.visibilityState !== 'visible') return;
    const read = getState().readStates[channel.id];
    if (read?.last_message_id && compareIds(read.last_message_id, newest.id) >= 0 && !read.mention_count)
      return;
    endpoints.ack(channel.id, newest.id).catch(() => {});
  }, [channel.id, newest, atBottom]);

  // Stay at the bottom as messages arrive; keep the view still when older ones are added above.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (restoreFrom.current !== null) {
      el.scrollTop = el.scrollHeight - restoreFrom.current;
      restoreFrom.current = null;
    } else if (atBottom) el.scrollTop = el.scrollHeight;
  });

  const loadOlder = useCallback(async () => {
    const el = scroller.current;
    const h = getState().messages[channel.id];
    if (!el || !h?.hasMore || loadingOlder || !h.list.length) return;
    setLoadingOlder(true);
    try {
      const page = await endpoints.getMessages(channel.id, { limit: pageSize, before: h.list[0].id });
      restoreFrom.current = el.scrollHeight - el.scrollTop;
      addHistory(channel.id, page, { hasMore: page.length === pageSize });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoadingOlder(false);
    }
  }, [channel.id, loadingOlder]);

  // A message asked for (a search result): older pages load until it is here, then it is shown.
  const jumpTarget = useJumpTarget(channel.id);
  const jumpPages = useRef(0);
  useEffect(() => {
    if (!jumpTarget || !held || loadingOlder) return;
    if (held.list.some((m) => m.id === jumpTarget)) {
      jumpPages.current = 0;
      clearJump();
      setAtBottom(false);
      jumpTo(jumpTarget);
    } else if (
      held.hasMore &&
      held.list.length &&
      compareIds(jumpTarget, held.list[0].id) < 0 &&
      jumpPages.current < maxJumpPages
    ) {
      jumpPages.current++;
      loadOlder();
    } else {
      jumpPages.current = 0;
      clearJump();
      setError('That message could not be shown: it was deleted or is too far back.');
    }
  }, [jumpTarget, held, loadingOlder, loadOlder]);

  const onScroll = () => {
    const el = scroller.current!;
    setAtBottom(el.scrollHeight - el.scrollTop - el.clientHeight < 40);
    if (el.scrollTop < 200) loadOlder();
  };

  const jumpToNewest = () => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
    setAtBottom(true);
  };

  const editLast = () => {
    const mine = [...list].reverse().find((m) => m.author.id === me?.id);
    if (mine) setEditing(mine.id);
  };

  const typingNames = Object.keys(typing ?? {})
    .map((id) => displayName(users[id], guild ? getState().members[guild.id]?.[id] : null))
    .slice(0, 3);
  const title = channelTitle(channel, me?.id, users);
  const dividerAt = readAtOpen
    ? list.find((m) => compareIds(m.id, readAtOpen) > 0 && m.author.id !== me?.id)?.id
    : undefined;

  return (
    <section className="conversation" aria-label={guild ? `#${title}` : title}>
      <ConversationHeader
        channel={channel}
        guild={guild}
        title={title}
        mentions={mentions}
        membersShown={props.membersShown}
        onToggleMembers={props.onToggleMembers}
        onSearch={props.onSearch}
        canThread={canThread}
      />
      <div
        className="messages"
        ref={scroller}
        onScroll={onScroll}
        role="log"
        aria-label={`Messages in ${title}`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it
        tabIndex={0}
      >
        {held && !held.hasMore && (
          <p className="start">
            This is the start of {guild ? `#${title}` : `your conversation with ${title}`}.
          </p>
        )}
        {loadingOlder && <p className="placeholder">Loading older messages…</p>}
        <Alert message={error} />
        <ol>
          {list.map((m, i) => {
            const prev = list[i - 1];
            const grouped =
              !!prev &&
              prev.author.id === m.author.id &&
              // A webhook posts under many names: each name gets its header.
              prev.author.username === m.author.username &&
              !m.referenced_message &&
              m.id !== dividerAt &&
              idTime(m.id) - idTime(prev.id) < groupWindowMs;
            return (
              <MessageItem
                key={m.id}
                message={m}
                grouped={grouped}
                divider={m.id === dividerAt}
                guild={guild}
                mentions={mentions}
                mine={m.author.id === me?.id}
                canManage={canManage}
                canPin={canPin}
                canThread={canThread}
                canReact={canReact}
                editing={editing === m.id}
                onEdit={() => setEditing(m.id)}
                onEditDone={() => setEditing(null)}
                onReply={() => setReplyTo(m)}
                onOpen={setLightbox}
              />
            );
          })}
          {(pending ?? []).map((p) => (
            <PendingItem key={p.nonce} pending={p} me={me} />
          ))}
        </ol>
      </div>
      {!atBottom && (
        <button type="button" className="jump" onClick={jumpToNewest}>
          Jump to newest ↓
        </button>
      )}
      <p className="typing" aria-live="polite">
        {typingNames.length > 0 &&
          `${typingNames.join(', ')} ${typingNames.length > 1 ? 'are' : 'is'} typing…`}
      </p>
      {canSend ? (
        <Composer
          channel={channel}
          guild={guild}
          placeholder={`Message ${guild ? '#' : '@'}${title}`}
          replyTo={replyTo}
          onCancelReply={() => setReplyTo(null)}
          onEditLast={editLast}
          canAttach={canAttach}
          onSent={() => {
            setReplyTo(null);
            jumpToNewest();
          }}
        />
      ) : (
        <p className="composer readonly">You do not have permission to send messages in this channel.</p>
      )}
      {lightbox && <Lightbox attachment={lightbox} onClose={() => setLightbox(null)} />}
    </section>
  );
}
