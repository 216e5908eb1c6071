// Mastodon's HTML (status content, bios, profile field values) as React elements, never as markup: the HTML is
// parsed into an inert document and only text, paragraphs, line breaks and links come out of it. Mentions open
// the profile in the app; outside links open in a new tab.
import type { ReactNode } from 'react';
import type { Account } from '../../endpoints';
import { Avatar } from '../../ui';
import { link } from '../chat/link';

/** An in-app path from one of the server's absolute URLs (`https://host/@name` → `/@name`), else null. */
function appPath(href: string): string | null {
  try {
    const u = new URL(href, location.origin);
    return /^\/@[^/]+(\/\d+)?$/.test(u.pathname) ? u.pathname : null;
  } catch {
    return null;
  }
}

// Plain `@name` in text the server did not link (bios): linked to the profile as the composer's mentions are.
const MENTION = /(?<![\w@])@([a-z0-9_.]*[a-z0-9_])(?![\w@])/gi;

function linkMentions(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(MENTION)) {
    const i = m.index ?? 0;
    out.push(text.slice(last, i));
    const to = `/@${m[1]}`;
    out.push(
      <a key={`${key}-${i}`} href={to} onClick={link(to)} className="mention">
        @{m[1]}
      </a>,
    );
    last = i + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

function convert(node: Node, key: string, mentions: boolean): ReactNode {
  if (node.nodeType === Node.TEXT_NODE) {
    const text = node.textContent ?? '';
    return mentions ? linkMentions(text, key) : text;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const el = node as Element;
  const kids = () => [...el.childNodes].map((c, i) => convert(c, `${key}.${i}`, mentions));
  switch (el.tagName) {
    case 'P':
      return <p key={key}>{kids()}</p>;
    case 'BR':
      return <br key={key} />;
    case 'A': {
      const href = el.getAttribute('href') ?? '';
      const text = el.textContent ?? '';
      if (el.classList.contains('hashtag')) {
        const to = tagPath(text.replace(/^#/, ''));
        return (
          <a key={key} href={to} onClick={link(to)} className="hashtag">
            {text}
          </a>
        );
      }
      const inApp = appPath(href);
      if (inApp)
        return (
          <a key={key} href={inApp} onClick={link(inApp)} className="mention">
            {text}
          </a>
        );
      if (!/^https?:\/\//i.test(href)) return text;
      return (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow">
          {text}
        </a>
      );
    }
    default:
      // span (h-card, the mention's name) and anything else: its text only.
      return kids();
  }
}

/** Renders Mastodon HTML safely; `linkMentions` also links plain `@name` text (bios, whose HTML has none). */
export function Html({
  html,
  className,
  linkMentions = false,
}: {
  html: string;
  className?: string;
  linkMentions?: boolean;
}) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  return (
    <div className={className}>
      {[...doc.body.childNodes].map((n, i) => convert(n, String(i), linkMentions))}
    </div>
  );
}

/** The source text of Mastodon HTML (what the composer edits): paragraphs at blank lines, `<br>` at line breaks. */
export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const paragraphs = [...doc.body.childNodes].map((n) => {
    if (n.nodeType !== Node.ELEMENT_NODE) return n.textContent ?? '';
    for (const br of (n as Element).querySelectorAll('br')) br.replaceWith('\n');
    return n.textContent ?? '';
  });
  return paragraphs.join('\n\n');
}

/** The display name with the person's prefix and suffix around it ("Dr." Ada Lovelace "PhD"). */
export function Name({ account }: { account: Account }) {
  const prefix = account.hearth?.name_prefix;
  const suffix = account.hearth?.name_suffix;
  return (
    <span className="social-name">
      {prefix && <span className="name-part">{prefix} </span>}
      <bdi>{account.display_name || account.username}</bdi>
      {suffix && <span className="name-part"> {suffix}</span>}
    </span>
  );
}

/** An image URL of the server's as a path of this origin (the CSP allows images from 'self'); null if missing. */
export function imagePath(url: string): string | null {
  try {
    const path = new URL(url, location.origin).pathname;
    return /\/missing\.png$/.test(path) ? null : path;
  } catch {
    return null;
  }
}

export function AccountAvatar({ account, size = 40 }: { account: Account; size?: number }) {
  const src = imagePath(account.avatar);
  if (src) return <img className="avatar" src={src} alt="" width={size} height={size} />;
  return <Avatar user={{ id: account.id, username: account.username }} size={size} />;
}

/** A short relative time ("5m", "3h", "2d") or the date, as timelines show it. */
export function ago(iso: string): string {
  const s = (Date.now() - Date.parse(iso)) / 1000;
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  if (s < 7 * 86400) return `${Math.floor(s / 86400)}d`;
  return new Date(iso).toLocaleDateString();
}

export const profilePath = (a: Account) => `/@${a.acct}`;
/** A hashtag's page in the app (its timeline, follow button). */
export const tagPath = (name: string) => `/social/tags/${encodeURIComponent(name.toLowerCase())}`;
export const statusPath = (s: { id: string; account: Account }) => `/@${s.account.acct}/${s.id}`;
