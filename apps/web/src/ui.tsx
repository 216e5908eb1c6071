// Small shared pieces: labelled fields, forms that show the server's errors, and dialogs.
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

export function Field(props: {
  label: string;
  name: string;
  type?: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  autoComplete?: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  autoFocus?: boolean;
  hint?: string;
}) {
  const id = `f-${props.name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.autoComplete}
        required={props.required}
        minLength={props.minLength}
        maxLength={props.maxLength}
        autoFocus={props.autoFocus}
        aria-invalid={!!props.error}
        aria-describedby={props.error ? `${id}-err` : undefined}
      />
      {props.hint && !props.error && <small>{props.hint}</small>}
      {props.error && (
        <small id={`${id}-err`} className="error">
          {props.error}
        </small>
      )}
    </div>
  );
}

/** Runs an async action for a form, keeping its busy state and the error the server gave. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  async function run(action: () => Promise<void>): Promise<boolean> {
    setBusy(true);
    setError(null);
    setFields({});
    try {
      await action();
      return true;
    } catch (err) {
      if (err instanceof ApiError) {
        setFields(err.fields);
        setError(Object.keys(err.fields).length ? null : err.message);
      } else setError('Could not reach Hearth. Check your connection and try again.');
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, fields, run, setError };
}

/** An error said to screen readers as it appears; nothing when there is none. */
export function Alert({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}

export function Form(props: {
  onSubmit: () => void;
  children: ReactNode;
  error?: string | null;
  label?: string;
  className?: string;
}) {
  return (
    <form
      className={props.className}
      aria-label={props.label}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
      <Alert message={props.error} />
    </form>
  );
}

/** A modal dialog (the native one: focus is trapped and Esc closes it). */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop closes; the keyboard closes with Esc
    <dialog
      ref={ref}
      className={props.wide ? 'wide' : undefined}
      aria-labelledby="dialog-title"
      onClose={props.onClose}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      onClick={(e) => e.target === ref.current && props.onClose()}
    >
      <header>
        <h2 id="dialog-title">{props.title}</h2>
        <button type="button" className="icon" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  );
}

export function Avatar({
  user,
  size = 40,
}: {
  user?: { id: string; username: string; avatar?: string | null };
  size?: number;
}) {
  if (user?.avatar)
    return (
      <img
        className="avatar"
        src={`/avatars/${user.id}/${user.avatar}.png`}
        alt=""
        width={size}
        height={size}
      />
    );
  const hue = user ? Number(BigInt(user.id) % 360n) : 0;
  return (
    <span
      className="avatar"
      aria-hidden="true"
      style={{ width: size, height: size, background: `hsl(${hue} 45% 42%)`, fontSize: size * 0.42 }}
    >
      {(user?.username ?? '?').slice(0, 1).toUpperCase()}
    </span>
  );
}
