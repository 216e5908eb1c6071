// The composer: Enter sends, Shift+Enter starts a new line, Up edits your last message, Esc cancels a
// reply; @ and # offer members, roles and channels, : offers emoji; the smiley button opens the emoji
// picker; files show a preview and upload with progress.
import { useEffect, useMemo, useRef, useState } from 'react';
import * as endpoints from '../../endpoints';
import { Icon, IconButton } from '../../icons';
import { useCommandIndex } from '../../interactions';
import { formatBytes, messageLimit, queueMessage, sendWithFiles, tooLongReason } from '../../outbox';
import { isPhone } from '../../phone';
import { useStore } from '../../store';
import type { Channel, Guild, Message } from '../../types';
import { Alert } from '../../ui';
import { type EmojiSet, loadEmoji } from '../emoji/data';
import { EmojiPicker } from '../emoji/picker';
import { CommandForm } from '../interactions/command-form';
import { CommandPicker } from '../interactions/command-picker';
import { type CommandEntry, commandEntries, filterEntries } from '../interactions/commands';
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
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState(0);
  const [caret, setCaret] = useState(0);
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const lastTyping = useRef(0);
  const [picking, setPicking] = useState(false);
  const [emojiSet, setEmojiSet] = useState<EmojiSet | null>(null);
  const [command, setCommand] = useState<CommandEntry | null>(null);

  // `/` at the start lists the commands usable here: a server's channels, or the DM with a bot (its commands
  // allowed in DMs).
  const botDm = !props.guild && channel.type === 1 && !!channel.recipients?.some((u) => u.bot);
  const scope = props.guild ? { guildId: props.guild.id } : botDm ? { dmId: channel.id } : null;
  const slash = !!scope && !command && /^\/[^\n]*$/.test(text);
  const index = useCommandIndex(scope, slash);
  const me = useStore((s) => s.me);
  const member = useStore((s) => (props.guild && me ? s.members[props.guild.id]?.[me.id] : undefined));
  const commands = useMemo(
    () =>
      slash && index && me
        ? filterEntries(commandEntries(index, props.guild, channel, { id: me.id, member }), text.slice(1))
        : [],
    [slash, index, props.guild, channel, me, member, text],
  );
  const chooseCommand = (e: CommandEntry) => {
    setCommand(e);
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

  const previews = useMemo(
    () => files.map((f) => (f.type.startsWith('image/') ? URL.createObjectURL(f) : null)),
    [files],
  );
  useEffect(
    () => () => {
      for (const u of previews) if (u) URL.revokeObjectURL(u);
    },
    [previews],
  );

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

  const upload = async (content: string, attached: File[]) => {
    setError(null);
    setProgress(0);
    try {
      await sendWithFiles(channel.id, content, attached, setProgress, props.replyTo?.id ?? null);
      setFiles([]);
      setText('');
      props.onSent();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setProgress(null);
    }
  };

  const send = async () => {
    const content = text.trim();
    if (!content && !files.length) return;
    // Over the limit nothing is sent or cut: the notice below says why and offers a file instead.
    if (tooLong) return;
    setError(null);
    if (files.length) return upload(content, files);
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
    <div className="composer">
      {props.replyTo && <ReplyBar replyTo={props.replyTo} onCancel={props.onCancelReply} />}
      {files.length > 0 && (
        <ul className="uploads" aria-label="Files to send">
          {files.map((f, i) => (
            <li key={`${f.name}-${f.size}-${f.lastModified}`}>
              {previews[i] ? <img src={previews[i]!} alt="" /> : <Icon name="file" />}
              <span className="name">{f.name}</span> <small>{formatBytes(f.size)}</small>
              <button
                type="button"
                className="icon"
                aria-label={`Remove ${f.name}`}
                onClick={() => setFiles(files.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {progress !== null && (
        <progress value={progress} max={1} aria-label="Upload progress">
          {Math.round(progress * 100)}%
        </progress>
      )}
      <Alert message={error} />
      {tooLong && (
        <div className="too-long" role="alert">
          {tooLongReason(text)} Shorten it{props.canAttach ? ' or send it as a file' : ''}.
          {props.canAttach && (
            <button
              type="button"
              className="primary"
              disabled={progress !== null}
              onClick={() => upload('', [...files, new File([text], 'message.txt', { type: 'text/plain' })])}
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
          entry={command}
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
                setFiles([...files, ...Array.from(e.target.files ?? [])].slice(0, 10));
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
            if (pasted.length && props.canAttach) setFiles([...files, ...pasted].slice(0, 10));
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
      </div>
    </div>
  );
}
