// The composer: Enter sends, Shift+Enter starts a new line, Up edits your last message, Esc cancels a
// reply; @ and # offer members, roles and channels, : offers emoji; the smiley button opens the emoji
// picker; files upload as soon as they are picked, pasted or dropped (Discord's cloud-upload flow), each with a
// preview, its progress, a cancel and its own error; the message is sent once they are all up. A channel's files and
// text wait for it while another channel is open (../../composer-drafts).
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  addFiles as addChannelFiles,
  type Draft,
  dismissNotice,
  draftText,
  filesSent,
  keepDraftText,
  maxFiles,
  removeFile,
  useChannelFiles,
} from '../../composer-drafts';
import * as endpoints from '../../endpoints';
import { Icon, IconButton } from '../../icons';
import { commandScopeOf, useCommandIndex } from '../../interactions';
import { formatBytes, messageLimit, newNonce, queueMessage, tooLongReason } from '../../outbox';
import { isPhone } from '../../phone';
import { addHistory, useStore } from '../../store';
import type { Channel, Guild, Message } from '../../types';
import { Alert } from '../../ui';
import { type EmojiSet, loadEmoji } from '../emoji/data';
import { EmojiPicker } from '../emoji/picker';
import { CommandForm } from '../interactions/command-form';
import { CommandPicker } from '../interactions/command-picker';
import {
  type CommandEntry,
  commandEntries,
  filterEntries,
  type InlineCommand,
  parseInline,
} from '../interactions/commands';
import { useComposerInsert } from './insert';
import { ReplyBar } from './reply-bar';
import { emojiSuggestions, type Suggestion, suggestions } from './suggestions';

export function Composer(props: {
  channel: Channel;
  guild: Guild | null;
  placeholder: string;
  replyTo: Message | null;
  onCancelReply: () => void;
  onEditLast: () => void;
  onSent: () => void;
  canAttach: boolean;
}) {
  const { channel } = props;
  const [text, setText] = useState(() => draftText(channel.id));
  const { files: drafts, notice } = useChannelFiles(channel.id);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState(0);
  const [caret, setCaret] = useState(0);
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const lastTyping = useRef(0);
  const [picking, setPicking] = useState(false);
  const [emojiSet, setEmojiSet] = useState<EmojiSet | null>(null);
  const [command, setCommand] = useState<{ entry: CommandEntry; inline?: InlineCommand } | null>(null);

  // `/` at the start lists the commands usable here: a server's channels, or a DM or group DM (the DM bot's commands
  // allowed in DMs, and those of the apps the person added to their account).
  const scope = props.guild ? { guildId: props.guild.id } : commandScopeOf(channel);
  const slash = !!scope && !command && /^\/[^\n]*$/.test(text);
  const index = useCommandIndex(scope, slash);
  const me = useStore((s) => s.me);
  const uploadLimit = me?.upload_limit;
  const member = useStore((s) => (props.guild && me ? s.members[props.guild.id]?.[me.id] : undefined));
  const entries = useMemo(
    () => (slash && index && me ? commandEntries(index, props.guild, channel, { id: me.id, member }) : []),
    [slash, index, props.guild, channel, me, member],
  );
  // `/roll sides:6`: a command named in full and followed by a space is read with its options, as Discord's client
  // does; Enter runs it (or opens its form saying what is missing). Until then the list offers matching commands.
  const inline = useMemo(() => parseInline(entries, text), [entries, text]);
  const commands = useMemo(
    () => (inline ? [] : filterEntries(entries, text.slice(1))),
    [inline, entries, text],
  );
  const chooseCommand = (entry: CommandEntry, typed?: InlineCommand) => {
    setCommand({ entry, inline: typed });
    setText('');
    setSelected(0);
  };
  const leaveCommand = () => {
    setCommand(null);
    requestAnimationFrame(() => input.current?.focus());
  };

  useEffect(() => {
    if (props.replyTo) input.current?.focus();
  }, [props.replyTo]);
  // A mention (or other text) sent here from elsewhere lands at the end, with the box focused.
  const insert = useRef((t: string) => {
    setText((v) => `${v}${v && !/\s$/.test(v) ? ' ' : ''}${t}`);
    requestAnimationFrame(() => input.current?.focus());
  });
  const markActive = useComposerInsert(insert);

  const word =
    /(^|\s)([@#])([\w.-]{0,32})$/.exec(text.slice(0, caret)) ??
    /(^|\s)(:)([\w+-]{2,32})$/.exec(text.slice(0, caret));
  const emojiWord = word?.[2] === ':';
  // The emoji set loads (once, as its own chunk) when a `:name` is first typed.
  useEffect(() => {
    if (emojiWord && !emojiSet) loadEmoji().then(setEmojiSet, () => {});
  }, [emojiWord, emojiSet]);
  const options = useMemo(
    () =>
      !word
        ? []
        : word[2] === ':'
          ? emojiSuggestions(props.guild, emojiSet, word[3])
          : suggestions(props.guild, channel, word[2], word[3]),
    [word?.[0], props.guild, channel, emojiSet],
  );

  /** Adds files to this channel's next message (at most 10 in all), each uploading from now. */
  const addFiles = (added: File[]) => {
    if (props.canAttach) addChannelFiles(channel.id, added, uploadLimit);
  };
  const removeDraft = (d: Draft) => removeFile(channel.id, d.key);

  // The text waits for the channel too, as its files do.
  useEffect(() => keepDraftText(channel.id, text), [channel.id, text]);

  const complete = (o: Suggestion) => {
    const start = caret - (word?.[2].length ?? 0) - (word?.[3].length ?? 0);
    const next = text.slice(0, start) + o.insert + text.slice(caret);
    setText(next);
    setCaret(start + o.insert.length);
    requestAnimationFrame(() =>
      input.current?.setSelectionRange(start + o.insert.length, start + o.insert.length),
    );
  };

  /** Puts `insert` at the caret (the picker's choice), keeping the caret after it. */
  const insertAtCaret = (insert: string) => {
    const next = text.slice(0, caret) + insert + text.slice(caret);
    setText(next);
    setCaret(caret + insert.length);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(caret + insert.length, caret + insert.length);
    });
  };

  const length = text.trim().length;
  const tooLong = length > messageLimit;

  const uploading = drafts.some((d) => d.state === 'uploading');
  const failed = drafts.some((d) => d.state === 'failed');

  /** Sends the message with its uploaded files (named by upload_filename): nothing is uploaded again. */
  const sendWithUploads = async (content: string) => {
    const sent = drafts;
    setError(null);
    setSending(true);
    try {
      const message = await endpoints.createMessage(channel.id, {
        content,
        nonce: newNonce(),
        attachments: sent.map((d, i) => ({
          id: String(i),
          filename: d.file.name,
          uploaded_filename: d.uploadFilename ?? '',
        })),
        ...(props.replyTo
          ? { message_reference: { message_id: props.replyTo.id, fail_if_not_exists: false } }
          : {}),
      });
      addHistory(channel.id, [message], {});
      filesSent(channel.id, sent);
      setText('');
      props.onSent();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSending(false);
    }
  };

  const send = async () => {
    const content = text.trim();
    if (!content && !drafts.length) return;
    // Over the limit nothing is sent or cut: the notice below says why and offers a file instead.
    if (tooLong) return;
    if (drafts.length) {
      // Sent once every file is up; a refused one must be taken out first (its error says why).
      if (uploading || failed || sending) return;
      return sendWithUploads(content);
    }
    setError(null);
    queueMessage(channel.id, content, props.replyTo?.id ?? null);
    // Sending ends typing; the next keystroke starts it again.
    lastTyping.current = 0;
    setText('');
    props.onSent();
  };

  // A list open above the box (commands after `/`, else mentions and emoji) takes the arrows, Enter and Tab.
  const listed = commands.length
    ? { count: commands.length, choose: (i: number) => chooseCommand(commands[i]) }
    : options.length
      ? { count: options.length, choose: (i: number) => complete(options[i]) }
      : null;

  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (listed) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setSelected((i) => (i + (e.key === 'ArrowDown' ? 1 : listed.count - 1)) % listed.count);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        listed.choose(Math.min(selected, listed.count - 1));
        return;
      }
    }
    if (inline && e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      chooseCommand(inline.entry, inline);
      return;
    }
    if (commands.length && e.key === 'Escape') {
      e.preventDefault();
      setText('');
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === 'ArrowUp' && !text) {
      e.preventDefault();
      props.onEditLast();
    } else if (e.key === 'Escape' && props.replyTo) {
      e.preventDefault();
      props.onCancelReply();
    }
  };

  const onChange = (value: string, at: number) => {
    setText(value);
    setCaret(at);
    setSelected(0);
    if (value && Date.now() - lastTyping.current > 8000) {
      lastTyping.current = Date.now();
      endpoints.typing(channel.id).catch(() => {});
    }
  };

  return (
    // Files dropped on the conversation (the composer included) are added by MessageView's drop zone.
    <div className="composer">
      {props.replyTo && <ReplyBar replyTo={props.replyTo} onCancel={props.onCancelReply} />}
      {drafts.length > 0 && (
        <ul className="uploads" aria-label="Files to send">
          {drafts.map((d) => (
            <li key={d.key} className={d.state} aria-label={d.file.name}>
              {d.preview ? <img src={d.preview} alt="" /> : <Icon name="file" />}
              <div className="upload-info">
                <span className="name">{d.file.name}</span> <small>{formatBytes(d.file.size)}</small>
                {d.state === 'uploading' && (
                  <progress value={d.progress} max={1} aria-label={`Uploading ${d.file.name}`}>
                    {Math.round(d.progress * 100)}%
                  </progress>
                )}
                {d.state === 'failed' && (
                  <small role="alert" className="error">
                    {d.error}
                  </small>
                )}
              </div>
              <button
                type="button"
                className="icon"
                aria-label={`${d.state === 'uploading' ? 'Cancel' : 'Remove'} ${d.file.name}`}
                title={d.state === 'uploading' ? 'Cancel upload' : 'Remove'}
                onClick={() => removeDraft(d)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {notice && (
        <div className="upload-notice" role="alert">
          {notice}{' '}
          <button type="button" className="link" onClick={() => dismissNotice(channel.id)}>
            Dismiss
          </button>
        </div>
      )}
      <Alert message={error} />
      {tooLong && (
        <div className="too-long" role="alert">
          {tooLongReason(text)} Shorten it{props.canAttach ? ' or send it as a file' : ''}.
          {props.canAttach && (
            <button
              type="button"
              className="primary"
              disabled={drafts.length >= maxFiles}
              onClick={() => {
                // The text becomes a file of the message, uploaded like any other; Send goes once it is up.
                addFiles([new File([text], 'message.txt', { type: 'text/plain' })]);
                setText('');
              }}
            >
              Send as message.txt
            </button>
          )}
        </div>
      )}
      {picking && (
        <EmojiPicker
          guild={props.guild}
          label="Pick an emoji"
          onPick={(e) => {
            setPicking(false);
            insertAtCaret(e.text);
          }}
          onClose={() => {
            setPicking(false);
            input.current?.focus();
          }}
        />
      )}
      {inline && (
        // What Enter will run: the options read so far, the required ones still missing.
        <p className="inline-command" role="status" aria-label={`Running ${inline.entry.label}`}>
          <strong>{inline.entry.label}</strong>{' '}
          {inline.entry.options.map((o) => (
            <span key={o.name} className={o.required && !inline.values[o.name] ? 'missing' : undefined}>
              {o.name}:{inline.values[o.name] ?? (o.required ? ' (required)' : ' …')}{' '}
            </span>
          ))}
          <small className="muted">Enter to run</small>
        </p>
      )}
      {commands.length > 0 && (
        <CommandPicker
          id={`commands-${channel.id}`}
          entries={commands}
          selected={Math.min(selected, commands.length - 1)}
          onChoose={chooseCommand}
        />
      )}
      {command && (
        <CommandForm
          entry={command.entry}
          initial={command.inline?.values}
          submitNow={!!command.inline}
          unknown={command.inline?.unknown || undefined}
          guild={props.guild}
          channel={channel}
          onCancel={leaveCommand}
          onSent={() => {
            leaveCommand();
            props.onSent();
          }}
        />
      )}
      {options.length > 0 && (
        <div className="autocomplete" role="listbox" id={`suggest-${channel.id}`} aria-label="Suggestions">
          {options.map((o, i) => (
            <div
              key={o.insert}
              id={`suggest-${channel.id}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === selected}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => complete(o)}
              onKeyDown={() => {}}
            >
              {o.label} <small>{o.detail}</small>
            </div>
          ))}
        </div>
      )}
      <div className="composer-row" hidden={!!command}>
        {props.canAttach && (
          <>
            <IconButton label="Attach files" icon="plus" onClick={() => fileInput.current?.click()} />
            <input
              ref={fileInput}
              type="file"
              multiple
              hidden
              aria-label="Files to attach"
              onChange={(e) => {
                addFiles(Array.from(e.target.files ?? []));
                e.target.value = '';
              }}
            />
          </>
        )}
        <label htmlFor={`composer-${channel.id}`} className="sr-only">
          {props.placeholder}
        </label>
        <textarea
          id={`composer-${channel.id}`}
          ref={input}
          onFocus={markActive}
          rows={1}
          value={text}
          placeholder={props.placeholder}
          // A phone's keyboard would cover the chat on every channel opened; a tap opens it.
          autoFocus={!isPhone()}
          role="combobox"
          aria-expanded={options.length > 0 || commands.length > 0}
          aria-controls={commands.length ? `commands-${channel.id}` : `suggest-${channel.id}`}
          aria-activedescendant={
            commands.length
              ? `commands-${channel.id}-${Math.min(selected, commands.length - 1)}`
              : options.length
                ? `suggest-${channel.id}-${selected}`
                : undefined
          }
          onChange={(e) => onChange(e.target.value, e.target.selectionStart)}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const pasted = Array.from(e.clipboardData.files);
            if (pasted.length && props.canAttach) {
              e.preventDefault();
              addFiles(pasted);
            }
          }}
        />
        <button
          type="button"
          className="icon"
          aria-label="Pick an emoji"
          title="Pick an emoji"
          aria-expanded={picking}
          data-emoji-toggle
          onClick={() => setPicking((v) => !v)}
        >
          <Icon name="smile" />
        </button>
        {length > messageLimit - 200 && (
          <span
            className={`counter ${tooLong ? 'over' : ''}`}
            title={`${messageLimit - length} characters left`}
          >
            {messageLimit - length}
          </span>
        )}
        {drafts.length > 0 && (
          <button
            type="button"
            className="primary send"
            disabled={uploading || failed || sending || tooLong}
            title={
              uploading
                ? 'Waiting for the uploads'
                : failed
                  ? 'Remove the files that could not be sent'
                  : 'Send'
            }
            onClick={() => send()}
          >
            {uploading ? 'Uploading…' : 'Send'}
          </button>
        )}
      </div>
    </div>
  );
}
