// Writing a status: a post, a reply (a comment at any depth) or an edit. Text, an optional content warning,
// who may see it, and a counter against the server's limit (from /api/v1/instance). New posts and replies may
// carry attachments (attachments.tsx) and be marked sensitive.
import { useEffect, useId, useRef, useState } from 'react';
import type { Status, Visibility } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { newNonce } from '../../outbox';
import { refreshSocialBadge } from '../../social-badge';
import { useStore } from '../../store';
import { Alert, useAction } from '../../ui';
import { AttachmentList, useAttachments } from './attachments';
import { htmlToText } from './content';

let maxChars: Promise<number> | null = null;

/** An Idempotency-Key: unique across this user's tabs (a nonce plus randomness; randomUUID needs HTTPS). */
const newKey = () => `${newNonce()}-${Math.random().toString(36).slice(2)}`;

/** The server's status length limit, read once per visit. */
function useMaxChars(): number | null {
  const [max, setMax] = useState<number | null>(null);
  useEffect(() => {
    maxChars ??= endpoints
      .getInstance()
      .then((i) => i.configuration.statuses.max_characters)
      .catch(() => {
        maxChars = null;
        return 5000;
      });
    let live = true;
    maxChars.then((n) => live && setMax(n));
    return () => {
      live = false;
    };
  }, []);
  return max;
}

export const visibilityNames: Record<Visibility, string> = {
  public: 'Public',
  unlisted: 'Unlisted',
  private: 'Followers only',
  direct: 'Mentioned people only',
};

/** A reply starts by naming the people it answers (Mastodon notifies only those named), the author first. */
function replyPrefix(parent: Status, myName: string | undefined): string {
  const names = [parent.account.acct, ...parent.mentions.map((m) => m.acct)].filter(
    (n, i, all) => n !== myName && all.indexOf(n) === i,
  );
  return names.length ? `${names.map((n) => `@${n}`).join(' ')} ` : '';
}

export function Composer(props: {
  /** The status this answers. */
  replyTo?: Status;
  /** The status this edits (its text and content warning; visibility cannot change). */
  editing?: Status;
  onDone: (status: Status) => void;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const me = useStore((s) => s.me);
  const { replyTo, editing } = props;
  const max = useMaxChars();
  const [text, setText] = useState(() =>
    editing ? htmlToText(editing.content) : replyTo ? replyPrefix(replyTo, me?.username) : '',
  );
  const [cw, setCw] = useState(editing?.spoiler_text ?? replyTo?.spoiler_text ?? '');
  const [showCw, setShowCw] = useState(!!cw);
  const [visibility, setVisibility] = useState<Visibility>(
    editing?.visibility ?? replyTo?.visibility ?? 'public',
  );
  // One key per status being written: a retry after a lost answer does not post twice.
  const key = useRef(newKey());
  const action = useAction();
  const attachments = useAttachments();
  const [sensitive, setSensitive] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const id = useId();
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = box.current;
    if (props.autoFocus && el) {
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    }
  }, [props.autoFocus]);

  const length = [...text].length;
  const over = max !== null && length > max;
  const empty = text.trim().length === 0 && attachments.items.length === 0;
  const blocked = over || empty || attachments.uploading || attachments.failed;

  const submit = () =>
    action.run(async () => {
      const spoiler_text = showCw ? cw : '';
      const media_ids = editing ? [] : await attachments.finish();
      const status = editing
        ? await endpoints.editStatus(editing.id, { status: text, spoiler_text })
        : await endpoints.createStatus(
            {
              status: text,
              spoiler_text,
              visibility,
              in_reply_to_id: replyTo?.id,
              media_ids: media_ids.length ? media_ids : undefined,
              sensitive: sensitive || undefined,
            },
            key.current,
          );
      key.current = newKey();
      if (!editing) {
        setText('');
        setCw('');
        setShowCw(false);
        setSensitive(false);
        attachments.clear();
      }
      props.onDone(status);
      refreshSocialBadge();
    });

  const label = editing ? 'Edit post' : replyTo ? `Reply to ${replyTo.account.username}` : 'New post';
  return (
    <form
      className="social-composer"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        if (!blocked) submit();
      }}
    >
      {showCw && (
        <input
          aria-label="Content warning"
          placeholder="Content warning"
          value={cw}
          maxLength={500}
          onChange={(e) => setCw(e.target.value)}
        />
      )}
      <label htmlFor={`${id}-text`} className="sr-only">
        {label}
      </label>
      <textarea
        id={`${id}-text`}
        ref={box}
        value={text}
        rows={editing || replyTo ? 3 : 4}
        placeholder={replyTo ? 'Write a reply' : "What's on your mind?"}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            if (!blocked) submit();
          }
          if (e.key === 'Escape' && props.onCancel) props.onCancel();
        }}
      />
      {!editing && <AttachmentList attachments={attachments} />}
      <div className="composer-bar">
        {!editing && (
          <>
            <input
              ref={fileInput}
              type="file"
              hidden
              multiple
              accept="image/*,video/*,audio/*"
              aria-label="Attach media"
              onChange={(e) => {
                attachments.add([...(e.target.files ?? [])]);
                e.target.value = '';
              }}
            />
            <button
              type="button"
              className="chip"
              disabled={attachments.full}
              onClick={() => fileInput.current?.click()}
            >
              Media
            </button>
          </>
        )}
        <button
          type="button"
          className={`chip ${showCw ? 'on' : ''}`}
          aria-pressed={showCw}
          onClick={() => setShowCw((v) => !v)}
        >
          CW
        </button>
        {attachments.items.length > 0 && (
          <button
            type="button"
            className={`chip ${sensitive ? 'on' : ''}`}
            aria-pressed={sensitive}
            onClick={() => setSensitive((v) => !v)}
          >
            Sensitive
          </button>
        )}
        {!editing && (
          <select
            aria-label="Visibility"
            value={visibility}
            onChange={(e) => setVisibility(e.target.value as Visibility)}
          >
            {(Object.keys(visibilityNames) as Visibility[]).map((v) => (
              <option key={v} value={v}>
                {visibilityNames[v]}
              </option>
            ))}
          </select>
        )}
        <span className={`counter ${over ? 'error' : ''}`} title="Characters left">
          {max === null ? '' : max - length}
        </span>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary" disabled={action.busy || blocked}>
          {editing ? 'Save' : replyTo ? 'Reply' : 'Post'}
        </button>
      </div>
      <Alert message={attachments.problem ?? action.error ?? Object.values(action.fields)[0]} />
    </form>
  );
}
