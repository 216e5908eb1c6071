// Context menus (right-click, or a long press on a touch screen): a list of what the person may do to the thing
// pressed. At the pointer on a wide screen, as a sheet from the bottom on a phone. Arrow keys move between items,
// Enter picks one, Esc and a press outside close it; focus goes back where it was.
import { type PointerEvent as ReactPointerEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { isPhone } from '../../phone';
import './context-menu.css';

export type MenuItem =
  | { label: string; onSelect: () => void; danger?: boolean; hidden?: boolean }
  | 'separator';

/** Where a menu opens: the pointer's place. */
export interface MenuAt {
  x: number;
  y: number;
}

/** How long a touch must rest before it opens the menu. */
const LONG_PRESS_MS = 500;
/** A touch that moves further than this is a scroll, not a press. */
const MOVE_TOLERANCE = 10;

/**
 * The handlers that open a menu at a point: `onContextMenu` (mouse, keyboard's menu key, Android's own long press) and
 * pointer handlers that open it after a resting touch (iOS gives no contextmenu event). `bind(open)` gives one thing's
 * handlers; a list binds each of its rows (one press is under way at a time). The click that ends a long press is
 * swallowed, so a held channel opens its menu without also opening the channel.
 */
export function usePressToOpen() {
  const press = useRef<{ timer: number; x: number; y: number } | null>(null);
  const opened = useRef(false);
  const cancel = () => {
    if (press.current) clearTimeout(press.current.timer);
    press.current = null;
  };
  // A press still waiting when the thing unmounts opens nothing.
  useEffect(
    () => () => {
      if (press.current) clearTimeout(press.current.timer);
    },
    [],
  );
  return (open: (at: MenuAt) => void) => ({
    onContextMenu: (e: React.MouseEvent) => {
      if (e.defaultPrevented) return;
      e.preventDefault();
      // A touch's own contextmenu (Android) after the press timer opened the menu: already open.
      if (opened.current && !press.current) return;
      cancel();
      open({ x: e.clientX, y: e.clientY });
    },
    onPointerDown: (e: ReactPointerEvent) => {
      opened.current = false;
      if (e.pointerType !== 'touch') return;
      cancel();
      const { clientX: x, clientY: y } = e;
      const timer = window.setTimeout(() => {
        press.current = null;
        opened.current = true;
        open({ x, y });
      }, LONG_PRESS_MS);
      press.current = { x, y, timer };
    },
    onPointerMove: (e: ReactPointerEvent) => {
      const p = press.current;
      if (p && Math.hypot(e.clientX - p.x, e.clientY - p.y) > MOVE_TOLERANCE) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
    onClickCapture: (e: React.MouseEvent) => {
      if (!opened.current) return;
      opened.current = false;
      e.preventDefault();
      e.stopPropagation();
    },
  });
}

/** One thing's menu: its open state and the handlers that open it (usePressToOpen). */
export function useContextMenu() {
  const [at, setAt] = useState<MenuAt | null>(null);
  const bind = usePressToOpen();
  return { at, open: setAt, close: () => setAt(null), handlers: bind(setAt) };
}

export function ContextMenu(props: { at: MenuAt; label: string; items: MenuItem[]; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState<{ left: number; top: number } | null>(null);
  // The app's one phone breakpoint (phone.ts), so a menu is a sheet exactly where the layout is one column.
  const phone = isPhone();
  const items = props.items.filter((i) => i === 'separator' || !i.hidden);
  const { onClose } = props;

  // Kept inside the window: opened near an edge, it opens the other way.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || phone) return;
    const { width, height } = el.getBoundingClientRect();
    const left = Math.max(4, Math.min(props.at.x, window.innerWidth - width - 4));
    const top = Math.max(4, props.at.y + height > window.innerHeight ? props.at.y - height : props.at.y);
    setPlace({ left, top });
  }, [props.at, phone]);

  // Give focus back on close to what had it.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    return () => before?.focus?.();
  }, []);
  // The first item takes focus once the menu is placed (a hidden element cannot be focused).
  const visible = phone || !!place;
  useEffect(() => {
    if (visible) ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [visible]);

  // A press anywhere else, a scroll of the page or the window losing focus closes it.
  useEffect(() => {
    const outside = (e: Event) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    // Esc closes the menu and does nothing else (not marking the channel read, not cancelling a reply), wherever
    // focus is: taken on the way down, before any other handler.
    const onEscape = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      onClose();
    };
    window.addEventListener('keydown', onEscape, true);
    document.addEventListener('pointerdown', outside, true);
    window.addEventListener('blur', onClose);
    window.addEventListener('resize', onClose);
    return () => {
      window.removeEventListener('keydown', onEscape, true);
      document.removeEventListener('pointerdown', outside, true);
      window.removeEventListener('blur', onClose);
      window.removeEventListener('resize', onClose);
    };
  }, [onClose]);

  const move = (delta: number | 'first' | 'last') => {
    const all = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    if (!all.length) return;
    const now = all.indexOf(document.activeElement as HTMLElement);
    const next =
      delta === 'first' ? 0 : delta === 'last' ? all.length - 1 : (now + delta + all.length) % all.length;
    all[next].focus();
  };

  return createPortal(
    <>
      {phone && <div className="context-menu-backdrop" aria-hidden="true" />}
      <div
        ref={ref}
        role="menu"
        aria-label={props.label}
        className={`context-menu${phone ? ' sheet' : ''}`}
        style={phone ? undefined : (place ?? { left: props.at.x, top: props.at.y, visibility: 'hidden' })}
        onContextMenu={(e) => e.preventDefault()}
        onKeyDown={(e) => {
          const keys: Record<string, () => void> = {
            ArrowDown: () => move(1),
            ArrowUp: () => move(-1),
            Home: () => move('first'),
            End: () => move('last'),
            Tab: onClose,
          };
          const act = keys[e.key];
          if (!act) return;
          // The menu takes these keys for itself (Esc must not also mark the channel read or close a reply).
          e.preventDefault();
          e.stopPropagation();
          act();
        }}
      >
        {items.map((item, i) =>
          item === 'separator' ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: separators have no identity of their own
            <hr key={`sep-${i}`} />
          ) : (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={item.danger ? 'danger-text' : undefined}
              onClick={() => {
                onClose();
                item.onSelect();
              }}
            >
              {item.label}
            </button>
          ),
        )}
      </div>
    </>,
    document.body,
  );
}

/** Copies text to the clipboard (the async API where allowed, else the old way through a selection). */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}
