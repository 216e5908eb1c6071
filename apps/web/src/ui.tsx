// Small shared pieces: labelled fields, forms that show the server's errors, and dialogs.
import { type FormEvent, type ReactNode, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { ApiError } from './api';
import { usePhone } from './phone';

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

/**
 * A modal dialog (the native one: focus is trapped and Esc closes it), rendered at the end of the body so a
 * hidden column (phone width) cannot hide it.
 */
/** Where a popout was opened from, in window coordinates: the clicked element's box, or a point. */
export type Anchor = { left: number; top: number; right: number; bottom: number };

/** The box of the element an event happened on: a popout opens next to it. */
export const anchorOf = (e: { currentTarget: Element }): Anchor => {
  const { left, top, right, bottom } = e.currentTarget.getBoundingClientRect();
  return { left, top, right, bottom };
};

const EDGE = 8;

/**
 * Where a popout of `width` × `height` goes beside `a` (Discord style): to its right, or to its left when the right
 * has no room, top aligned with it and moved up as far as needed to stay inside the window.
 */
function placeBeside(a: Anchor, width: number, height: number): { left: number; top: number } {
  const vw = window.innerWidth;
  const vh = window.innerHeight;
  let left = a.right + EDGE;
  if (left + width > vw - EDGE) left = a.left - width - EDGE;
  if (left < EDGE) left = Math.max(EDGE, Math.min(a.left, vw - width - EDGE));
  const top = Math.max(EDGE, Math.min(a.top, vh - height - EDGE));
  return { left, top };
}

/** A menu or another dialog over a popout (its Apps menu): a press there does not close the popout. */
const isInLayer = (n: Node): boolean =>
  !!(n instanceof Element ? n : n.parentElement)?.closest('[role="menu"], [role="listbox"], dialog[open]');

/**
 * A modal dialog. With `anchor` it is a popout: placed beside what opened it (flipping to stay in the window), not
 * modal and with no dimming (Esc or a press outside closes it), and at phone width a modal bottom sheet. Focus goes
 * back on close to what had it.
 */

export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  anchor?: Anchor | null;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // Its own id: a dialog opened over another (a ban confirmation over server settings) is named by its title.
  const titleId = useId();
  const phone = usePhone();
  const { anchor } = props;
  const popout = !!anchor;
  // A popout beside its anchor is not modal (Discord's): the page stays live, so a click on another name opens that
  // one at once. A centred dialog and the phone's bottom sheet are modal.
  const modal = !popout || phone;
  // Whether closing gives focus back to what opened it: not when the person clicked elsewhere (that has the focus).
  const restoreFocus = useRef(true);
  const { onClose } = props;
  // Opened before the first paint, so a popout is measured and placed before it is seen.
  useLayoutEffect(() => {
    const d = ref.current;
    if (!d || d.open) return;
    const before = document.activeElement as HTMLElement | null;
    restoreFocus.current = true;
    if (modal) d.showModal();
    else {
      d.show();
      d.querySelector<HTMLElement>('header button')?.focus();
    }
    // Still modal while it unmounts, the page is inert: closed first, so the focus can go back.
    return () => {
      d.close();
      if (restoreFocus.current && before?.isConnected) before.focus();
    };
  }, [modal]);
  // Not modal: Esc, or a press anywhere outside it, closes it.
  useDismiss(
    ref,
    !modal,
    (how) => {
      restoreFocus.current = how === 'key';
      onClose();
    },
    isInLayer,
  );
  useLayoutEffect(() => {
    const d = ref.current;
    if (!d || !anchor || phone) return;
    const place = () => {
      const { left, top } = placeBeside(anchor, d.offsetWidth, d.offsetHeight);
      d.style.left = `${left}px`;
      d.style.top = `${top}px`;
    };
    place();
    // Its content arrives later (the fetched banner, bio): placed again when its size changes.
    const grows = new ResizeObserver(place);
    grows.observe(d);
    return () => {
      grows.disconnect();
      d.style.left = '';
      d.style.top = '';
    };
  }, [anchor, phone]);
  const className = [props.wide && 'wide', popout && 'popout', popout && phone && 'sheet'].filter(Boolean);
  return createPortal(
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop closes; the keyboard closes with Esc
    <dialog
      ref={ref}
      className={className.join(' ') || undefined}
      aria-labelledby={titleId}
      onClose={props.onClose}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the dialog itself, outside its box (a click on its padding is inside).
        const d = ref.current;
        if (e.target !== d || !d) return;
        const r = d.getBoundingClientRect();
        const inside =
          e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
        if (!inside) props.onClose();
      }}
    >
      <header>
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" className="icon" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>,
    document.body,
  );
}

/** A question before something that cannot be undone: Cancel, or the danger button `confirm` (focused; e.g. "Delete"). */
export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirm: string;
  /** The action is under way: the button waits. */
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      {props.children}
      <Alert message={props.error ?? null} />
      <div className="row end">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" className="danger" autoFocus disabled={props.busy} onClick={props.onConfirm}>
          {props.confirm}
        </button>
      </div>
    </Dialog>
  );
}

export function Avatar({
  user,
  size = 40,
}: {
  user?: { id: string; username: string; avatar?: string | null; avatar_url?: string };
  size?: number;
}) {
  // A webhook message's avatar_url override, shown as sent (Hearth does not proxy it).
  if (user?.avatar_url && /^https?:\/\//.test(user.avatar_url))
    return (
      <img
        className="avatar"
        src={user.avatar_url}
        alt=""
        width={size}
        height={size}
        referrerPolicy="no-referrer"
      />
    );
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

/**
 * While `active`: a press outside `root` (and outside anything `inLayer` accepts) calls `close('press')`, Esc calls
 * `close('key')`. The one rule of popovers and non-modal popouts.
 */
function useDismiss(
  root: { current: HTMLElement | null },
  active: boolean,
  close: (how: 'press' | 'key') => void,
  inLayer: (n: Node) => boolean = () => false,
) {
  useEffect(() => {
    if (!active) return;
    const outside = (e: PointerEvent) => {
      const t = e.target as Node;
      if (root.current && !root.current.contains(t) && !inLayer(t)) close('press');
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close('key');
    };
    document.addEventListener('pointerdown', outside, true);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', outside, true);
      document.removeEventListener('keydown', onKey);
    };
  }, [root, active, close, inLayer]);
}

/** A popover's root: while `open`, a press outside it or Esc calls `close` (its trigger sits inside the root). */
export function usePopover<T extends HTMLElement>(open: boolean, close: () => void) {
  const root = useRef<T>(null);
  useDismiss(root, open, close);
  return root;
}
