// One message: author and time (or grouped under the previous one), reply preview, content, files,
// reactions and the actions the viewer may take.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { Icon } from '../../icons';
import { commandScopeOf } from '../../interactions';
import { Markdown, type MentionResolver } from '../../markdown';
import { useStore } from '../../store';
import { type Attachment, displayName, type Guild, isThread, type Message } from '../../types';
import { Avatar, ConfirmDialog, Dialog, Form, useAction } from '../../ui';
import { AppsMenu } from '../interactions/apps-menu';
import { MessageComponents } from '../interactions/components';
import { InteractionNote, isEphemeral, isLoading } from '../interactions/message-parts';
import { roleColour, UserProfile } from '../members';
import { ContextMenu, useContextMenu } from '../menus/context-menu';
import { useUserMenu } from '../menus/user-menu';
import { NewThread, openThread, threadPath } from '../threads/panel';
import { AttachmentView } from './attachments';
import { CALL, callText } from './call-text';
import { EditBox } from './edit-box';
import { Embeds, SUPPRESS_EMBEDS } from './embeds';
import { requestJump } from './jump';
import { messageMenuItems } from './message-menu';
import { ReactionPicker, Reactions } from './reactions';
import { clockTime, fullTime, messageTime } from './time';
import './message.css';

/** What Discord's system messages say, by message type. */
const systemText: Record<number, string> = {
  6: 'pinned a message to this channel.',
  7: 'joined the server.',
};
export function MessageItem(props: {
  message: Message;
  grouped: boolean;
  guild: Guild | null;
  mentions: MentionResolver;
  mine: boolean;
  canManage: boolean;
  canPin: boolean;
  canReact: boolean;
  /** May start a thread from this message. */
  canThread: boolean;
  editing: boolean;
  onEdit: () => void;
  onEditDone: () => void;
  onReply: () => void;
  onOpen: (a: Attachment) => void;
}) {
  const { message: m, guild } = props;
  const member = useStore((s) => (guild ? s.members[guild.id]?.[m.author.id] : undefined));
  const known = useStore((s) => s.users[m.author.id]);
  const meId = useStore((s) => s.me?.id);
  // A webhook's message shows the name and avatar it was sent with.
  const author = (m.webhook_id ? undefined : known) ?? m.author;
  const [picking, setPicking] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [threading, setThreading] = useState(false);
  const menu = useContextMenu();
  const userMenu = useUserMenu(guild, m.author.id);
  // A webhook's "author" is no person: no profile, no menu.
  const person = m.webhook_id ? {} : userMenu.handlers;
  const [reporting, setReporting] = useState(false);
  // A thread started from a message has the message's id.
  const thread = useStore((s) =>
    isThread(s.channels[m.id] ?? { id: '', type: -1 }) ? s.channels[m.id] : undefined,
  );
  const name = displayName(author, member ?? m.member);
  const channel = useStore((s) => s.channels[m.channel_id]);
  const colour = roleColour(guild, (member ?? m.member)?.roles);
  const time = new Date(m.timestamp);
  const remove = () => endpoints.deleteMessage(m.channel_id, m.id).catch(() => {});

  const call = callText(m, meId);
  if (call)
    return (
      <>
        <span aria-hidden="true">{call.missed ? '✆' : '☎'}</span>
        <span className={call.missed ? 'call-missed' : undefined}>
          {call.missed ? 'You missed a call from ' : ''}
          <strong style={{ color: colour }}>{name}</strong>
          {call.missed ? '' : ' started a call'}
          {call.lasted ? ` that lasted ${call.lasted}` : ''}.{' '}
          <time dateTime={m.timestamp} title={fullTime(time)}>
            {messageTime(time)}
          </time>
        </span>
      </>
    );
  const system = systemText[m.type];
  // The `li` around this is the list's (it carries the message's id and classes): this is what goes in it.
  if (system)
    return (
      <>
        <span aria-hidden="true">→</span>
        <span>
          <strong style={{ color: colour }}>{name}</strong> {system}{' '}
          <time dateTime={m.timestamp} title={fullTime(time)}>
            {messageTime(time)}
          </time>
        </span>
      </>
    );
  return (
    <>
      <InteractionNote message={m} line />
      {m.referenced_message && (
        <button
          type="button"
          className="reply-ref"
          aria-label={`Jump to the message replied to, by ${displayName(m.referenced_message.author)}`}
          onClick={() => requestJump(m.channel_id, m.referenced_message!.id)}
        >
          ↪ <strong>{displayName(m.referenced_message.author)}</strong>{' '}
          <span className="reply-text">
            <Markdown text={m.referenced_message.content.slice(0, 200)} mentions={props.mentions} />
          </span>
        </button>
      )}
      {props.grouped ? (
        <time className="gutter-time" dateTime={m.timestamp} title={fullTime(time)}>
          {clockTime(time)}
        </time>
      ) : m.webhook_id ? (
        <Avatar user={author} />
      ) : (
        <button
          type="button"
          className="avatar-button"
          aria-label={`Profile of ${name}`}
          onClick={userMenu.profile}
          {...person}
        >
          <Avatar user={author} />
        </button>
      )}
      <div className="body" {...menu.handlers}>
        {!props.grouped && (
          <div className="meta">
            <button
              type="button"
              className="author"
              style={{ color: colour }}
              onClick={(e) => !m.webhook_id && userMenu.profile(e)}
              {...person}
            >
              {name}
            </button>{' '}
            {(m.webhook_id || author.bot) && (
              <span className="bot-tag" title={m.webhook_id ? 'Webhook' : 'Bot'}>
                {m.webhook_id ? 'APP' : 'BOT'}
              </span>
            )}{' '}
            <time dateTime={m.timestamp} title={fullTime(time)}>
              {messageTime(time)}
            </time>
          </div>
        )}
        {props.editing ? (
          <EditBox message={m} onDone={props.onEditDone} />
        ) : isLoading(m) ? (
          <div className="content thinking" aria-live="polite">
            {name} is thinking…
          </div>
        ) : (
          <div className="content">
            <Markdown text={m.content} mentions={props.mentions} />
            {m.edited_timestamp && <small className="edited"> (edited)</small>}
          </div>
        )}
        {m.attachments.map((a) => (
          <AttachmentView key={a.id} attachment={a} onOpen={() => props.onOpen(a)} />
        ))}
        {!!m.embeds?.length && (
          <Embeds
            embeds={m.embeds}
            mentions={props.mentions}
            onRemove={
              props.mine || props.canManage
                ? () =>
                    endpoints
                      .editMessage(m.channel_id, m.id, { flags: (m.flags ?? 0) | SUPPRESS_EMBEDS })
                      .catch(() => {})
                : undefined
            }
          />
        )}
        <MessageComponents message={m} guild={guild} />
        <Reactions message={m} canReact={props.canReact} />
        {isEphemeral(m) && <InteractionNote message={m} />}
        {thread && guild && (
          <a
            className="thread-link"
            href={threadPath(guild.id, thread)}
            onClick={(e) => {
              e.preventDefault();
              openThread(guild.id, thread);
            }}
          >
            <Icon name="thread" size={16} /> {thread.name}
          </a>
        )}
      </div>
      <div className="message-actions" role="toolbar" aria-label="Message actions">
        {props.canReact && (
          <button
            type="button"
            aria-label="Add reaction"
            title="Add reaction"
            aria-expanded={picking}
            data-emoji-toggle
            onClick={() => setPicking((v) => !v)}
          >
            <Icon name="smile" size={18} />
          </button>
        )}
        {channel && (guild || commandScopeOf(channel)) && (
          <AppsMenu
            guild={guild}
            channel={channel}
            type={3}
            targetId={m.id}
            trigger={(open, expanded) => (
              <button type="button" aria-label="Apps" title="Apps" aria-expanded={expanded} onClick={open}>
                <Icon name="plus" size={18} />
              </button>
            )}
          />
        )}
        <button type="button" aria-label="Reply" title="Reply" onClick={props.onReply}>
          <Icon name="reply" size={18} />
        </button>
        {props.canThread && !thread && (
          <button
            type="button"
            aria-label="Create thread"
            title="Create thread"
            onClick={() => setThreading(true)}
          >
            <Icon name="thread" size={18} />
          </button>
        )}
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
            onClick={() => (m.pinned ? endpoints.unpin : endpoints.pin)(m.channel_id, m.id).catch(() => {})}
          >
            <Icon name="pin" size={18} />
          </button>
        )}
        {guild && !props.mine && !m.webhook_id && (
          <button
            type="button"
            aria-label="Report"
            title="Report to the moderators"
            onClick={() => setReporting(true)}
          >
            <Icon name="flag" size={18} />
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
      {picking && <ReactionPicker message={m} guild={guild} onClose={() => setPicking(false)} />}
      {!m.webhook_id && userMenu.element}
      {userMenu.profileOpen && (
        <UserProfile
          guild={guild}
          channel={channel}
          userId={m.author.id}
          anchor={userMenu.anchor}
          onClose={userMenu.closeProfile}
        />
      )}
      {menu.at && (
        <ContextMenu
          at={menu.at}
          label="Message actions"
          onClose={menu.close}
          items={messageMenuItems(
            m,
            {
              guildId: guild?.id,
              mine: props.mine,
              canManage: props.canManage,
              canPin: props.canPin,
              canReact: props.canReact,
              canThread: props.canThread && !thread,
            },
            {
              react: () => setPicking(true),
              reply: props.onReply,
              edit: props.onEdit,
              thread: () => setThreading(true),
              remove: () => setConfirmDelete(true),
            },
          )}
        />
      )}
      {threading && (
        <Dialog title="Create thread" onClose={() => setThreading(false)}>
          <NewThread
            channel={{ id: m.channel_id, type: 0 }}
            messageId={m.id}
            initialName={m.content.slice(0, 40) || 'New thread'}
            onCreated={(t) => {
              setThreading(false);
              openThread(guild!.id, t);
            }}
          />
        </Dialog>
      )}
      {reporting && (
        <Dialog title="Report message" onClose={() => setReporting(false)}>
          <ReportForm message={m} onDone={() => setReporting(false)} />
        </Dialog>
      )}
      {confirmDelete && (
        <ConfirmDialog
          title="Delete message"
          confirm="Delete"
          onConfirm={() => {
            setConfirmDelete(false);
            remove();
          }}
          onClose={() => setConfirmDelete(false)}
        >
          <p>Delete this message? This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** Whether a message is shown as a one-line system notice. */
export function isSystemMessage(m: Message): boolean {
  return m.type in systemText || (m.type === CALL && !!m.call);
}

/** Flashes a message once it is in the page (the list has just been asked to scroll it into view). */
export function flash(id: string, tries = 20): void {
  const el = document.getElementById(`m-${id}`);
  if (!el) {
    if (tries > 0) requestAnimationFrame(() => flash(id, tries - 1));
    return;
  }
  el.classList.remove('flash');
  void el.offsetWidth;
  el.classList.add('flash');
}

/** Why a message is reported: the reason's first words, then the reporter's own (≤ 1000 characters in all). */
const REPORT_REASONS = ['Spam', 'Harassment', 'Breaks the rules', 'Other'];

function ReportForm({ message, onDone }: { message: Message; onDone: () => void }) {
  const [kind, setKind] = useState(REPORT_REASONS[0]!);
  const [text, setText] = useState('');
  const [sent, setSent] = useState(false);
  const action = useAction();
  if (sent)
    return (
      <>
        <p role="status">Thanks: the moderators have your report.</p>
        <div className="row end">
          <button type="button" autoFocus onClick={onDone}>
            Done
          </button>
        </div>
      </>
    );
  return (
    <Form
      label="Report message"
      error={action.error}
      onSubmit={() =>
        action.run(async () => {
          const reason = text.trim() ? `${kind}: ${text.trim()}` : kind;
          await endpoints.reportMessage(message.channel_id, message.id, reason);
          setSent(true);
        })
      }
    >
      <div className="field">
        <label htmlFor="f-report-kind">Reason</label>
        <select id="f-report-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          {REPORT_REASONS.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-report-text">What happened (optional)</label>
        <textarea
          id="f-report-text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={900}
          rows={3}
        />
      </div>
      <div className="row end">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={action.busy}>
          Report
        </button>
      </div>
    </Form>
  );
}
