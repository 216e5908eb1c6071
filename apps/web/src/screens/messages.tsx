// One conversation: history (older pages load as you scroll up), messages grouped by author and time,
// the "new messages" divider, replies, edits, deletes, reactions, attachments, typing and the composer.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api';
import { Icon, IconButton } from '../icons';
import { Markdown, type MentionResolver } from '../markdown';
import { formatBytes, mediaUrl, sendMessage, tooLongReason } from '../outbox';
import { channelPermissions, has, Permission } from '../permissions';
import { backTo } from '../router';
import { addHistory, getState, type PendingMessage, updatePending, useStore } from '../store';
import {
  type Attachment,
  type Channel,
  ChannelType,
  compareIds,
  displayName,
  type Guild,
  idTime,
  type Message,
  type User,
} from '../types';
import { Alert, Avatar, Dialog } from '../ui';
import { Composer } from './composer';
import { GroupDmSettings } from './group-dm';
import { roleColour, UserProfile } from './members';

const pageSize = 50;
/** Messages by one author closer together than this share one header. */
const groupWindowMs = 7 * 60_000;
const quickEmoji = [
  '👍',
  '👎',
  '❤️',
  '😂',
  '🎉',
  '😮',
  '😢',
  '😡',
  '🔥',
  '👀',
  '✅',
  '❌',
  '🙏',
  '👏',
  '🤔',
  '😍',
  '😎',
  '🥳',
  '💯',
  '🚀',
  '⭐',
  '🍕',
  '☕',
  '🎵',
  '👋',
  '💡',
  '⚠️',
  '❓',
  '🙈',
  '🤝',
  '💪',
  '🐛',
];

export function useMentionResolver(guild: Guild | null): MentionResolver {
  const users = useStore((s) => s.users);
  const members = useStore((s) => (guild ? s.members[guild.id] : undefined));
  const channels = useStore((s) => s.channels);
  return useMemo(
    () => ({
      user: (id) => (users[id] ? displayName(users[id], members?.[id]) : null),
      role: (id) => guild?.roles.find((r) => r.id === id) ?? null,
      channel: (id) => channels[id]?.name ?? null,
    }),
    [users, members, channels, guild],
  );
}

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
}) {
  const { channel, guild } = props;
  const held = useStore((s) => s.messages[channel.id]);
  const pending = useStore((s) => s.pending[channel.id]);
  const me = useStore((s) => s.me);
  const users = useStore((s) => s.users);
  const member = useStore((s) => (guild && me ? s.members[guild.id]?.[me.id] : undefined));
  const typing = useStore((s) => s.typing[channel.id]);
  // Mentions in every other conversation, shown on a phone's Back button since the lists are hidden.
  const elsewhere = useStore((s) =>
    Object.entries(s.readStates).reduce(
      (n, [id, r]) => (id === channel.id || !s.channels[id] ? n : n + (r.mention_count ?? 0)),
      0,
    ),
  );
  const mentions = useMentionResolver(guild);
  const scroller = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [lightbox, setLightbox] = useState<Attachment | null>(null);
  const [showPins, setShowPins] = useState(false);
  const [showGroup, setShowGroup] = useState(false);
  // Where the divider goes: the read position when the channel was opened.
  const [readAtOpen] = useState(() => getState().readStates[channel.id]?.last_message_id ?? null);
  const restoreFrom = useRef<number | null>(null);

  const perms = guild && me ? channelPermissions(guild, channel, me.id, member) : -1n;
  const canSend = guild ? has(perms, Permission.SEND_MESSAGES) : true;
  const canManage = guild ? has(perms, Permission.MANAGE_MESSAGES) : false;
  // In DMs anyone may pin; deleting stays with the author.
  const canPin = guild ? canManage : true;
  const canReact = guild ? has(perms, Permission.ADD_REACTIONS) : true;
  const canAttach = guild ? has(perms, Permission.ATTACH_FILES) : true;

  // The newest page, whenever it is not held (first open, or after a fresh READY).
  useEffect(() => {
    if (held) return;
    api<Message[]>('GET', `/channels/${channel.id}/messages?limit=${pageSize}`).then(
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
    api('POST', `/channels/${channel.id}/messages/${newest.id}/ack`, {}).catch(() => {});
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
      const page = await api<Message[]>(
        'GET',
        `/channels/${channel.id}/messages?limit=${pageSize}&before=${h.list[0].id}`,
      );
      restoreFrom.current = el.scrollHeight - el.scrollTop;
      addHistory(channel.id, page, { hasMore: page.length === pageSize });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoadingOlder(false);
    }
  }, [channel.id, loadingOlder]);

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
      <header className="conversation-head">
        <a
          href={guild ? `/channels/${guild.id}` : '/channels/@me'}
          className="back icon"
          aria-label={`Back to ${guild ? 'channels' : 'direct messages'}${elsewhere ? `, ${elsewhere} mentions elsewhere` : ''}`}
          onClick={(e) => {
            e.preventDefault();
            backTo(guild ? `/channels/${guild.id}` : '/channels/@me');
          }}
        >
          ‹{elsewhere > 0 && <span className="badge">{elsewhere}</span>}
        </a>
        <h2>
          <span aria-hidden="true">{guild ? '#' : '@'}</span> {title}
        </h2>
        {channel.topic && <p className="topic">{channel.topic}</p>}
        <div className="actions">
          <IconButton label="Pinned messages" icon="pin" onClick={() => setShowPins(true)} />
          {channel.type === ChannelType.GroupDM && (
            <IconButton label="Group settings" icon="gear" onClick={() => setShowGroup(true)} />
          )}
          {guild && (
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
        </div>
      </header>
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
      {lightbox && (
        <Dialog title={lightbox.filename} onClose={() => setLightbox(null)} wide>
          <img className="lightbox" src={mediaUrl(lightbox.url)} alt={lightbox.filename} />
          <p>
            <a href={mediaUrl(lightbox.url)} target="_blank" rel="noopener noreferrer">
              Open original
            </a>
          </p>
        </Dialog>
      )}
      {showGroup && <GroupDmSettings channel={channel} onClose={() => setShowGroup(false)} />}
      {showPins && (
        <PinsDialog channel={channel} guild={guild} mentions={mentions} onClose={() => setShowPins(false)} />
      )}
    </section>
  );
}

function PendingItem({ pending, me }: { pending: PendingMessage; me: User | null }) {
  const retry = () => {
    updatePending(pending.channel_id, pending.nonce, { failed: false, error: undefined });
    sendMessage(pending);
  };
  return (
    <li className={`message pending ${pending.failed ? 'failed' : ''}`} aria-busy={!pending.failed}>
      <Avatar user={me ?? undefined} />
      <div className="body">
        <div className="meta">
          <strong>{displayName(me ?? undefined)}</strong>{' '}
          <span className="time">{pending.failed ? 'Not sent' : 'Sending…'}</span>
        </div>
        <div className="content">{pending.content}</div>
        {pending.failed && (
          <p className="error" role="alert">
            {pending.error ?? 'Could not send.'}{' '}
            <button type="button" className="link" onClick={retry}>
              Retry
            </button>{' '}
            <button
              type="button"
              className="link"
              onClick={() => updatePending(pending.channel_id, pending.nonce, null)}
            >
              Discard
            </button>
          </p>
        )}
      </div>
    </li>
  );
}

function emojiPath(e: { id: string | null; name: string | null }): string {
  return encodeURIComponent(e.id ? `${e.name}:${e.id}` : (e.name ?? ''));
}

/** What Discord's system messages say, by message type. */
const systemText: Record<number, string> = {
  6: 'pinned a message to this channel.',
  7: 'joined the server.',
};

function MessageItem(props: {
  message: Message;
  grouped: boolean;
  divider: boolean;
  guild: Guild | null;
  mentions: MentionResolver;
  mine: boolean;
  canManage: boolean;
  canPin: boolean;
  canReact: boolean;
  editing: boolean;
  onEdit: () => void;
  onEditDone: () => void;
  onReply: () => void;
  onOpen: (a: Attachment) => void;
}) {
  const { message: m, guild } = props;
  const member = useStore((s) => (guild ? s.members[guild.id]?.[m.author.id] : undefined));
  const known = useStore((s) => s.users[m.author.id]);
  // A webhook's message shows the name and avatar it was sent with.
  const author = (m.webhook_id ? undefined : known) ?? m.author;
  const [picking, setPicking] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [profile, setProfile] = useState(false);
  const name = displayName(author, member ?? m.member);
  const colour = roleColour(guild, (member ?? m.member)?.roles);
  const time = new Date(m.timestamp);
  const react = (emoji: { id: string | null; name: string | null }, mine: boolean) =>
    api(
      mine ? 'DELETE' : 'PUT',
      `/channels/${m.channel_id}/messages/${m.id}/reactions/${emojiPath(emoji)}/@me`,
    ).catch(() => {});
  const remove = () => api('DELETE', `/channels/${m.channel_id}/messages/${m.id}`).catch(() => {});

  const divider = props.divider && (
    <li className="divider">
      <span>New messages</span>
    </li>
  );
  const system = systemText[m.type];
  if (system)
    return (
      <>
        {divider}
        <li className="message system" id={`m-${m.id}`}>
          <span aria-hidden="true">→</span>
          <span>
            <strong style={{ color: colour }}>{name}</strong> {system}{' '}
            <time dateTime={m.timestamp}>
              {time.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}
            </time>
          </span>
        </li>
      </>
    );
  return (
    <>
      {divider}
      <li className={`message ${props.grouped ? 'grouped' : ''}`} id={`m-${m.id}`} data-id={m.id}>
        {m.referenced_message && (
          <button
            type="button"
            className="reply-ref"
            aria-label={`Jump to the message replied to, by ${displayName(m.referenced_message.author)}`}
            onClick={() => jumpTo(m.referenced_message!.id)}
          >
            ↪ <strong>{displayName(m.referenced_message.author)}</strong>{' '}
            <span className="reply-text">
              <Markdown text={m.referenced_message.content.slice(0, 200)} mentions={props.mentions} />
            </span>
          </button>
        )}
        {!props.grouped && <Avatar user={author} />}
        <div className="body">
          {!props.grouped && (
            <div className="meta">
              <button
                type="button"
                className="author"
                style={{ color: colour }}
                onClick={() => !m.webhook_id && setProfile(true)}
              >
                {name}
              </button>{' '}
              {(m.webhook_id || author.bot) && (
                <span className="bot-tag" title={m.webhook_id ? 'Webhook' : 'Bot'}>
                  {m.webhook_id ? 'APP' : 'BOT'}
                </span>
              )}{' '}
              <time dateTime={m.timestamp} title={time.toLocaleString()}>
                {time.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}
              </time>
            </div>
          )}
          {props.editing ? (
            <EditBox message={m} onDone={props.onEditDone} />
          ) : (
            <div className="content">
              <Markdown text={m.content} mentions={props.mentions} />
              {m.edited_timestamp && <small className="edited"> (edited)</small>}
            </div>
          )}
          {m.attachments.map((a) => (
            <AttachmentView key={a.id} attachment={a} onOpen={() => props.onOpen(a)} />
          ))}
          {(m.reactions?.length ?? 0) > 0 && (
            <ul className="reactions" aria-label="Reactions">
              {m.reactions!.map((r) => (
                <li key={r.emoji.id ?? r.emoji.name}>
                  <button
                    type="button"
                    className={r.me ? 'mine' : ''}
                    aria-pressed={r.me}
                    aria-label={`${r.emoji.name}: ${r.count}`}
                    disabled={!props.canReact && !r.me}
                    onClick={() => react(r.emoji, r.me)}
                  >
                    {r.emoji.id ? (
                      <img src={`/emojis/${r.emoji.id}.png`} alt={r.emoji.name ?? ''} />
                    ) : (
                      r.emoji.name
                    )}{' '}
                    {r.count}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="message-actions" role="toolbar" aria-label="Message actions">
          {props.canReact && (
            <button
              type="button"
              aria-label="Add reaction"
              title="Add reaction"
              onClick={() => setPicking((v) => !v)}
            >
              <Icon name="smile" size={18} />
            </button>
          )}
          <button type="button" aria-label="Reply" title="Reply" onClick={props.onReply}>
            <Icon name="reply" size={18} />
          </button>
          {props.mine && (
            <button type="button" aria-label="Edit" title="Edit" onClick={props.onEdit}>
              <Icon name="edit" size={18} />
            </button>
          )}
          {props.canPin && (
            <button
              type="button"
              aria-label={m.pinned ? 'Unpin' : 'Pin'}
              title={m.pinned ? 'Unpin' : 'Pin'}
              onClick={() =>
                api(m.pinned ? 'DELETE' : 'PUT', `/channels/${m.channel_id}/pins/${m.id}`).catch(() => {})
              }
            >
              <Icon name="pin" size={18} />
            </button>
          )}
          {(props.mine || props.canManage) && (
            <button
              type="button"
              aria-label="Delete"
              title="Delete (Shift-click: no question)"
              onClick={(e) => (e.shiftKey ? remove() : setConfirmDelete(true))}
            >
              <Icon name="trash" size={18} />
            </button>
          )}
        </div>
        {picking && (
          <div
            className="emoji-picker"
            role="menu"
            aria-label="Pick a reaction"
            onKeyDown={(e) => {
              if (e.key === 'Escape') setPicking(false);
            }}
          >
            {(guild?.emojis ?? []).map((e) => (
              <button
                key={e.id}
                type="button"
                role="menuitem"
                aria-label={`React with :${e.name}:`}
                onClick={() => {
                  setPicking(false);
                  const r = m.reactions?.find((x) => x.emoji.id === e.id);
                  react({ id: e.id, name: e.name }, !!r?.me);
                }}
              >
                <img src={`/emojis/${e.id}.png`} alt="" />
              </button>
            ))}
            {quickEmoji.map((e) => (
              <button
                key={e}
                type="button"
                role="menuitem"
                aria-label={`React with ${e}`}
                onClick={() => {
                  setPicking(false);
                  const r = m.reactions?.find((x) => x.emoji.name === e && !x.emoji.id);
                  react({ id: null, name: e }, !!r?.me);
                }}
              >
                {e}
              </button>
            ))}
          </div>
        )}
        {profile && <UserProfile guild={guild} userId={m.author.id} onClose={() => setProfile(false)} />}
        {confirmDelete && (
          <Dialog title="Delete message" onClose={() => setConfirmDelete(false)}>
            <p>Delete this message? This cannot be undone.</p>
            <div className="row end">
              <button type="button" onClick={() => setConfirmDelete(false)}>
                Cancel
              </button>
              <button
                type="button"
                className="danger"
                autoFocus
                onClick={() => {
                  setConfirmDelete(false);
                  remove();
                }}
              >
                Delete
              </button>
            </div>
          </Dialog>
        )}
      </li>
    </>
  );
}

/** Scrolls to a message on the page and flashes it (a reply's original, when it is loaded). */
function jumpTo(id: string): void {
  const el = document.getElementById(`m-${id}`);
  if (!el) return;
  el.scrollIntoView({ block: 'center' });
  el.classList.remove('flash');
  void el.offsetWidth;
  el.classList.add('flash');
}

function EditBox({ message, onDone }: { message: Message; onDone: () => void }) {
  const [text, setText] = useState(message.content);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    if (text.trim() === message.content) return onDone();
    const tooLong = tooLongReason(text);
    if (tooLong) return setError(`${tooLong} Shorten it to save.`);
    try {
      await api('PATCH', `/channels/${message.channel_id}/messages/${message.id}`, { content: text });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="edit-box">
      <label htmlFor={`edit-${message.id}`} className="sr-only">
        Edit message
      </label>
      <textarea
        id={`edit-${message.id}`}
        value={text}
        autoFocus
        onFocus={(e) => e.target.setSelectionRange(e.target.value.length, e.target.value.length)}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onDone();
          } else if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            save();
          }
        }}
      />
      <small>Esc to cancel · Enter to save {error && <span className="error">{error}</span>}</small>
    </div>
  );
}

function AttachmentView({ attachment: a, onOpen }: { attachment: Attachment; onOpen: () => void }) {
  const image = a.content_type?.startsWith('image/');
  if (image) {
    const scale = a.width && a.height ? Math.min(1, 400 / a.width, 300 / a.height) : 1;
    return (
      <button
        type="button"
        className="attachment image"
        onClick={onOpen}
        aria-label={`Open image ${a.filename}`}
      >
        <img
          src={mediaUrl(a.proxy_url ?? a.url)}
          alt={a.filename}
          width={a.width ? Math.round(a.width * scale) : undefined}
          height={a.height ? Math.round(a.height * scale) : undefined}
          loading="lazy"
        />
      </button>
    );
  }
  return (
    <a
      className="attachment file"
      href={mediaUrl(a.url)}
      target="_blank"
      rel="noopener noreferrer"
      download={a.filename}
    >
      <Icon name="file" size={18} /> {a.filename} <small>({formatBytes(a.size)})</small>
    </a>
  );
}

function PinsDialog(props: {
  channel: Channel;
  guild: Guild | null;
  mentions: MentionResolver;
  onClose: () => void;
}) {
  const [pins, setPins] = useState<Message[] | null>(null);
  useEffect(() => {
    api<Message[]>('GET', `/channels/${props.channel.id}/pins`).then(setPins, () => setPins([]));
  }, [props.channel.id]);
  return (
    <Dialog title="Pinned messages" onClose={props.onClose}>
      {!pins ? (
        <p>Loading…</p>
      ) : pins.length === 0 ? (
        <p>No pinned messages yet.</p>
      ) : (
        <ol className="pins">
          {pins.map((m) => (
            <li key={m.id}>
              <strong>{displayName(m.author)}</strong>
              <div>
                <Markdown text={m.content} mentions={props.mentions} />
              </div>
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}
