// One conversation: history (older pages load as you scroll up; opened at an old message, the history around it
// loads and newer pages load as you scroll down, until "Jump to present"), messages grouped by author and time,
// date separators, the "new messages" divider, typing and the composer. The parts are beside this file.
// The list is virtualised (ADR 0043): only the rows near the viewport are in the page, whatever the history.
import {
  type CSSProperties,
  createContext,
  type ReactNode,
  type Ref,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { Virtualizer, type VirtualizerHandle } from 'virtua';
import { addFiles } from '../../composer-drafts';
import * as endpoints from '../../endpoints';
import { Icon } from '../../icons';
import { mentionsMe } from '../../notify';
import { channelPermissions, has, Permission } from '../../permissions';
import { addHistory, firstPageAsked, firstPageFailed, getState, useStore } from '../../store';
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
import { InteractionModal } from '../interactions/modal';
import { PendingInteractions } from '../interactions/pending';
import { Lightbox } from './attachments';
import { Composer } from './composer';
import { ConversationHeader } from './header';
import { clearJump, useJumpTarget } from './jump';
import { useMentionResolver } from './mentions';
import { flash, isSystemMessage, MessageItem } from './message';
import { PendingItem } from './pending';

const pageSize = 50;

/** Messages by one author closer together than this share one header. */
const groupWindowMs = 7 * 60_000;

/** One row of the virtualised list. */
type Row =
  | { kind: 'start'; key: string }
  | { kind: 'date'; key: string; label: string }
  | { kind: 'divider'; key: string }
  | { kind: 'message'; key: string; message: Message; grouped: boolean; mentioned: boolean };

const dayKey = (d: Date) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;

/** The rows for a history: a date separator where the day changes, the divider before the first unread. */
function buildRows(
  list: Message[],
  opts: { hasMore: boolean; dividerAt: string | undefined; mentioned: (m: Message) => boolean },
): Row[] {
  const rows: Row[] = [];
  if (!opts.hasMore) rows.push({ kind: 'start', key: 'start' });
  let prev: Message | undefined;
  for (const m of list) {
    const time = new Date(m.timestamp);
    const newDay = !prev || dayKey(new Date(prev.timestamp)) !== dayKey(time);
    if (newDay)
      rows.push({
        kind: 'date',
        key: `date-${m.id}`,
        label: time.toLocaleDateString([], { year: 'numeric', month: 'long', day: 'numeric' }),
      });
    if (m.id === opts.dividerAt) rows.push({ kind: 'divider', key: 'divider' });
    const grouped =
      !!prev &&
      !newDay &&
      prev.author.id === m.author.id &&
      // A webhook posts under many names: each name gets its header.
      prev.author.username === m.author.username &&
      !m.referenced_message &&
      // Nothing groups under a one-line system notice ("joined the server"), or it would have no name at all.
      !isSystemMessage(prev) &&
      !isSystemMessage(m) &&
      m.id !== opts.dividerAt &&
      idTime(m.id) - idTime(prev.id) < groupWindowMs;
    rows.push({ kind: 'message', key: m.id, message: m, grouped, mentioned: opts.mentioned(m) });
    prev = m;
  }
  return rows;
}

/** The rows being shown, for the element virtua positions to name its row. */
const RowsContext = createContext<Row[]>([]);

/** What a row's own `li` says of it: its class, and for a message its id (jumps and tests find it by that). */
function rowAttributes(row: Row | undefined): {
  className: string;
  id?: string;
  'data-id'?: string;
  tabIndex?: number;
} {
  if (!row) return { className: 'row' };
  if (row.kind !== 'message') return { className: row.kind };
  const m = row.message;
  const system = isSystemMessage(m);
  return {
    className: `message${row.grouped ? ' grouped' : ''}${system ? ' system' : ''}${row.mentioned ? ' mentioned' : ''}`,
    id: `m-${m.id}`,
    'data-id': m.id,
    // Reached by the arrow keys from the list (roving focus), not by Tab.
    tabIndex: -1,
  };
}

/** The element virtua positions: the row's own `li`, given virtua's style and ref. */
function RowItem({
  style,
  children,
  ref,
  index,
}: {
  style: CSSProperties;
  children: ReactNode;
  ref?: Ref<HTMLLIElement>;
  index: number;
}) {
  const rows = useContext(RowsContext);
  return (
    <li ref={ref} style={style} {...rowAttributes(rows[index])}>
      {children}
    </li>
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
  membersShown?: boolean;
  onToggleMembers?: () => void;
  /** Searches the server (guild channels only). */
  onSearch?: (text: string) => void;
  /** A thread beside its channel: where its Close (and a phone's Back) go. */
  closeTo?: string;
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
  const [loadingNewer, setLoadingNewer] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [lightbox, setLightbox] = useState<Attachment | null>(null);
  // Where the divider goes: the read position when the channel was opened.
  const [readAtOpen] = useState(() => getState().readStates[channel.id]?.last_message_id ?? null);
  const virtualizer = useRef<VirtualizerHandle>(null);

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
    firstPageAsked(channel.id);
    endpoints.getMessages(channel.id, { limit: pageSize }).then(
      (page) => addHistory(channel.id, page, { hasMore: page.length === pageSize }),
      (err) => {
        firstPageFailed(channel.id);
        setError(err.message);
      },
    );
  }, [channel.id, held]);

  const list = held?.list ?? [];
  const newest = list[list.length - 1];

  // Whether the list is a window into older history that does not reach the present.
  const hasNewer = !!held?.hasNewer;

  // Reading the newest message acknowledges it (not the last of a window into older history).
  useEffect(() => {
    if (!newest || !atBottom || hasNewer || document.visibilityState !== 'visible') return;
    const read = getState().readStates[channel.id];
    if (read?.last_message_id && compareIds(read.last_message_id, newest.id) >= 0 && !read.mention_count)
      return;
    endpoints.ack(channel.id, newest.id).catch(() => {});
  }, [channel.id, newest, atBottom, hasNewer]);

  const dividerAt = readAtOpen
    ? list.find((m) => compareIds(m.id, readAtOpen) > 0 && m.author.id !== me?.id)?.id
    : undefined;
  const hasMore = held?.hasMore ?? true;
  // Messages that name me are highlighted (as my settings say: @everyone and roles may be suppressed).
  const guildSettings = useStore((s) => (guild ? s.guildSettings[guild.id] : undefined));
  // biome-ignore lint/correctness/useExhaustiveDependencies: who I am and my settings change what is highlighted
  const rows = useMemo(() => {
    const s = getState();
    return buildRows(list, { hasMore, dividerAt, mentioned: (m) => mentionsMe(s, m) });
  }, [list, hasMore, dividerAt, me, member, guildSettings]);

  // Older rows added above keep the view still: virtua measures from the end while they are prepended (not when the
  // list was replaced by another part of the history).
  const firstId = list[0]?.id;
  const shownFirst = useRef<string | undefined>(undefined);
  const shift =
    !!shownFirst.current &&
    !!firstId &&
    compareIds(firstId, shownFirst.current) < 0 &&
    list.some((m) => m.id === shownFirst.current);
  useLayoutEffect(() => {
    shownFirst.current = firstId;
  }, [firstId]);

  // Stuck to the bottom: new messages (and rows measured taller) keep the newest in view.
  const stick = useRef(true);
  const toBottom = useCallback(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, []);
  useLayoutEffect(() => {
    toBottom();
  });

  const loadOlder = useCallback(async () => {
    const h = getState().messages[channel.id];
    if (!h?.hasMore || loadingOlder || !h.list.length) return;
    setLoadingOlder(true);
    try {
      const before = h.list[0].id;
      const page = await endpoints.getMessages(channel.id, { limit: pageSize, before });
      // Not when the list was replaced meanwhile (a jump): the page would sit beside a gap.
      if (getState().messages[channel.id]?.list[0]?.id !== before) return;
      addHistory(channel.id, page, { hasMore: page.length === pageSize });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoadingOlder(false);
    }
  }, [channel.id, loadingOlder]);

  // Newer pages, while the list is a window into older history: they load as the reader scrolls down.
  const loadNewer = useCallback(async () => {
    const h = getState().messages[channel.id];
    if (!h?.hasNewer || loadingNewer || !h.list.length) return;
    setLoadingNewer(true);
    try {
      const after = h.list.at(-1)!.id;
      const page = await endpoints.getMessages(channel.id, { limit: pageSize, after });
      if (getState().messages[channel.id]?.list.at(-1)?.id !== after) return;
      addHistory(channel.id, page, { hasNewer: page.length === pageSize });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoadingNewer(false);
    }
  }, [channel.id, loadingNewer]);

  // A message asked for (a link, a search result, a reply's original): when it is not in the held list, the history
  // around it replaces the list (`around=`: half older, half newer); then the list scrolls to it and it flashes.
  const jumpTarget = useJumpTarget(channel.id);
  const [jumping, setJumping] = useState<string | null>(null);
  const jumpLoaded = useRef<string | null>(null);
  useEffect(() => {
    if (!jumpTarget || !held || jumping) return;
    const index = rows.findIndex((r) => r.kind === 'message' && r.message.id === jumpTarget);
    if (index >= 0) {
      jumpLoaded.current = null;
      clearJump();
      stick.current = false;
      setAtBottom(false);
      virtualizer.current?.scrollToIndex(index, { align: 'center' });
      flash(jumpTarget);
      return;
    }
    const first = held.list[0]?.id;
    const last = held.list.at(-1)?.id;
    // Inside the held span (or loaded around already) and not there: it was deleted or is not to be seen.
    const inside =
      !!first &&
      !!last &&
      (!held.hasMore || compareIds(jumpTarget, first) >= 0) &&
      (held.hasNewer !== true || compareIds(jumpTarget, last) <= 0);
    if (inside || jumpLoaded.current === jumpTarget) {
      jumpLoaded.current = null;
      clearJump();
      setError('That message could not be shown: it was deleted or you cannot see it.');
      return;
    }
    setJumping(jumpTarget);
    stick.current = false;
    const half = Math.floor(pageSize / 2);
    endpoints
      .getMessages(channel.id, { limit: pageSize, around: jumpTarget })
      .then(
        (page) => {
          const older = page.filter((m) => compareIds(m.id, jumpTarget) <= 0).length;
          const newer = page.length - older;
          jumpLoaded.current = jumpTarget;
          addHistory(channel.id, page, {
            replace: true,
            hasMore: older >= pageSize - half,
            hasNewer: newer >= half,
          });
        },
        (err) => {
          clearJump();
          setError(err.message);
        },
      )
      .finally(() => setJumping(null));
  }, [jumpTarget, held, rows, jumping, channel.id]);

  const lastTop = useRef(0);
  const onScroll = () => {
    const el = scroller.current!;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    const held = getState().messages[channel.id];
    // Only the reader's own scroll up lets go of the bottom; rows measured taller do not. The bottom of a window into
    // older history is not the present: it loads the next newer page instead.
    if (bottom && !held?.hasNewer) stick.current = true;
    else if (el.scrollTop < lastTop.current) stick.current = false;
    lastTop.current = el.scrollTop;
    setAtBottom(bottom || stick.current);
    if (el.scrollTop < 400) loadOlder();
    if (held?.hasNewer && el.scrollHeight - el.scrollTop - el.clientHeight < 400) loadNewer();
  };

  // Roving focus: ↑/↓ on the list or a message move to the message before or after (scrolled to if not rendered);
  // from the list itself they start at the last (↑) or first (↓) message in view. Esc returns to the composer.
  const onListKey = (e: React.KeyboardEvent) => {
    const el = e.target as HTMLElement;
    const row = el.matches('li.message') ? el : null;
    if ((el !== scroller.current && !row) || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (e.key === 'Escape' && row) {
      document.getElementById(`composer-${channel.id}`)?.focus();
      return;
    }
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    e.preventDefault();
    const up = e.key === 'ArrowUp';
    let index: number;
    if (row) {
      const at = rows.findIndex((r) => r.key === row.dataset.id);
      index = at + (up ? -1 : 1);
      while (rows[index] && rows[index].kind !== 'message') index += up ? -1 : 1;
    } else {
      const box = scroller.current!.getBoundingClientRect();
      const shown = [...scroller.current!.querySelectorAll<HTMLElement>('li.message')].filter((li) => {
        const r = li.getBoundingClientRect();
        return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
      });
      const pick = up ? shown.at(-1) : shown[0];
      index = pick ? rows.findIndex((r) => r.key === pick.dataset.id) : -1;
    }
    const target = rows[index];
    if (target?.kind !== 'message') return;
    stick.current = false;
    virtualizer.current?.scrollToIndex(index, { align: 'nearest' });
    focusMessage(target.key);
  };

  // To the newest message; from a window into older history, the newest page replaces it first.
  const jumpToNewest = () => {
    if (!getState().messages[channel.id]?.hasNewer) {
      stick.current = true;
      setAtBottom(true);
      toBottom();
      return;
    }
    endpoints.getMessages(channel.id, { limit: pageSize }).then(
      (page) => {
        stick.current = true;
        setAtBottom(true);
        addHistory(channel.id, page, { replace: true, hasMore: page.length === pageSize, hasNewer: false });
      },
      (err) => setError(err.message),
    );
  };

  const editLast = () => {
    const mine = [...list].reverse().find((m) => m.author.id === me?.id);
    if (mine) setEditing(mine.id);
  };

  // Files dragged over the conversation: an overlay names where they go; dropped, they join the composer's files.
  // Where the person may not attach files, the overlay says so and a drop is taken and ignored (so the browser does
  // not leave the app to open the file). Enter and leave fire for every element crossed, so the overlay counts them.
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const takesFiles = canSend && canAttach;
  const carriesFiles = (e: React.DragEvent) => e.dataTransfer.types.includes('Files');
  const dropZone = {
    onDragEnter: (e: React.DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      dragDepth.current += 1;
      setDragging(true);
    },
    onDragOver: (e: React.DragEvent) => {
      if (carriesFiles(e)) e.preventDefault();
    },
    onDragLeave: (e: React.DragEvent) => {
      if (!carriesFiles(e)) return;
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (!dragDepth.current) setDragging(false);
    },
    onDrop: (e: React.DragEvent) => {
      dragDepth.current = 0;
      setDragging(false);
      if (!carriesFiles(e)) return;
      e.preventDefault();
      if (!takesFiles || !e.dataTransfer.files.length) return;
      addFiles(channel.id, Array.from(e.dataTransfer.files), me?.upload_limit);
    },
  };

  const typingNames = Object.keys(typing ?? {})
    .map((id) => displayName(users[id], guild ? getState().members[guild.id]?.[id] : null))
    .slice(0, 3);
  const title = channelTitle(channel, me?.id, users);

  return (
    <section className="conversation" aria-label={guild ? `#${title}` : title} {...dropZone}>
      {dragging &&
        (takesFiles ? (
          <div className="drop-overlay" role="status">
            <Icon name="plus" size={32} />
            <strong>Upload to {guild ? `#${title}` : channel.type === 1 ? `@${title}` : title}</strong>
            <small>Drop the files to add them to your message.</small>
          </div>
        ) : (
          <div className="drop-overlay refused" role="status">
            <strong>You can't upload files here</strong>
            <small>
              {canSend
                ? 'You do not have permission to attach files in this channel.'
                : 'You do not have permission to send messages in this channel.'}
            </small>
          </div>
        ))}
      <ConversationHeader
        channel={channel}
        guild={guild}
        title={title}
        mentions={mentions}
        membersShown={props.membersShown}
        onToggleMembers={props.onToggleMembers}
        onSearch={props.onSearch}
        canThread={canThread}
        closeTo={props.closeTo}
      />
      <Alert message={error} />
      <div
        className="messages"
        ref={scroller}
        onScroll={onScroll}
        onKeyDown={onListKey}
        role="log"
        aria-label={`Messages in ${title}`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it
        tabIndex={0}
      >
        {loadingOlder && <p className="placeholder loading-older">Loading older messages…</p>}
        <RowsContext value={rows}>
          <Virtualizer
            ref={virtualizer}
            scrollRef={scroller}
            as="ol"
            item={RowItem}
            data={rows}
            shift={shift}
            onResize={toBottom}
          >
            {(row) => (
              <RowContent
                key={row.key}
                row={row}
                title={guild ? `#${title}` : `your conversation with ${title}`}
                guild={guild}
                mentions={mentions}
                me={me?.id}
                canManage={canManage}
                canPin={canPin}
                canThread={canThread}
                canReact={canReact}
                editing={editing}
                setEditing={setEditing}
                setReplyTo={setReplyTo}
                setLightbox={setLightbox}
              />
            )}
          </Virtualizer>
        </RowsContext>
        <ol className="pending-list">
          {(pending ?? []).map((p) => (
            <PendingItem key={p.nonce} pending={p} me={me} />
          ))}
        </ol>
        {loadingNewer && <p className="placeholder loading-newer">Loading newer messages…</p>}
        <PendingInteractions channelId={channel.id} />
      </div>
      {hasNewer ? (
        <div className="jump jump-present" role="status">
          <span>You are viewing older messages</span>
          <button type="button" onClick={jumpToNewest}>
            Jump to present ↓
          </button>
        </div>
      ) : (
        !atBottom && (
          <button type="button" className="jump" onClick={jumpToNewest}>
            Jump to newest ↓
          </button>
        )
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
      <InteractionModal channelId={channel.id} />
    </section>
  );
}

/** Focuses a message once it is in the page (the list has just been asked to scroll it into view). */
function focusMessage(id: string, tries = 20): void {
  const el = document.getElementById(`m-${id}`);
  if (el) el.focus({ preventScroll: true });
  else if (tries > 0) requestAnimationFrame(() => focusMessage(id, tries - 1));
}

/** What one row shows inside the `li` virtua positions. */
function RowContent(props: {
  row: Row;
  title: string;
  guild: Guild | null;
  mentions: ReturnType<typeof useMentionResolver>;
  me: string | undefined;
  canManage: boolean;
  canPin: boolean;
  canThread: boolean;
  canReact: boolean;
  editing: string | null;
  setEditing: (id: string | null) => void;
  setReplyTo: (m: Message) => void;
  setLightbox: (a: Attachment) => void;
}) {
  const { row } = props;
  switch (row.kind) {
    case 'start':
      return <p className="start">This is the start of {props.title}.</p>;
    case 'date':
      return <time>{row.label}</time>;
    case 'divider':
      return <span>New messages</span>;
    case 'message': {
      const m = row.message;
      return (
        <MessageItem
          message={m}
          grouped={row.grouped}
          guild={props.guild}
          mentions={props.mentions}
          mine={m.author.id === props.me}
          canManage={props.canManage}
          canPin={props.canPin}
          canThread={props.canThread}
          canReact={props.canReact}
          editing={props.editing === m.id}
          onEdit={() => props.setEditing(m.id)}
          onEditDone={() => props.setEditing(null)}
          onReply={() => props.setReplyTo(m)}
          onOpen={props.setLightbox}
        />
      );
    }
  }
}
