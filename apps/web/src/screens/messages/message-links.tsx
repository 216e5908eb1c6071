// Links to Hearth itself in a message (`<PUBLIC_URL or this page's origin>/channels/:guild/:channel[/:message]`,
// `@me` for DMs) render as Discord's chips: "#general › Message", opened in the app at that message (no page load).
// A link to something the reader cannot see is a neutral "No access" chip that names nothing.
import { type ReactNode, useSyncExternalStore } from 'react';
import * as endpoints from '../../endpoints';
import { navigate } from '../../router';
import { useStore } from '../../store';
import { type Channel, ChannelType } from '../../types';
import { useClosedDm } from '../chat/closed-dm';
import { requestJump } from './jump';

interface AppLink {
  guildId: string;
  channelId: string;
  messageId: string | null;
}

const ID = '\\d{1,20}';
const linkPath = new RegExp(`^/channels/(@me|${ID})/(${ID})(?:/(${ID}))?/?$`);

/** The place a link points at, when it is a link to this Hearth (its public address or the page's own origin). */
function parseAppLink(url: URL, hosts: ReadonlyArray<string>): AppLink | null {
  if (url.host !== location.host && !hosts.includes(url.host)) return null;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const m = linkPath.exec(url.pathname);
  return m ? { guildId: m[1], channelId: m[2], messageId: m[3] ?? null } : null;
}

// The instance's public host (PUBLIC_URL's, from /api/v1/instance), asked once: links copied at PUBLIC_URL are this
// Hearth's too when the app was opened at another address (127.0.0.1 vs localhost).
let publicHosts: string[] = [];
let asked = false;
const listeners = new Set<() => void>();

function usePublicHosts(): ReadonlyArray<string> {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      if (!asked) {
        asked = true;
        endpoints.getInstance().then(
          (i) => {
            if (!i.uri || i.uri === location.host) return;
            publicHosts = [i.uri];
            for (const f of listeners) f();
          },
          () => {},
        );
      }
      return () => listeners.delete(l);
    },
    () => publicHosts,
  );
}

const pathOf = (l: AppLink) => `/channels/${l.guildId}/${l.channelId}${l.messageId ? `/${l.messageId}` : ''}`;

/** What a chip calls the channel: #name in a server, @name (or the group's name) in DMs. */
function placeName(c: Channel, me: string | undefined): string {
  if (c.type === ChannelType.DM || c.type === ChannelType.GroupDM) {
    const others = (c.recipients ?? []).filter((u) => u.id !== me);
    return c.name || `@${others.map((u) => u.global_name || u.username).join(', ') || 'direct message'}`;
  }
  return `#${c.name ?? 'channel'}`;
}

/** A link in a message: a chip when it points into this Hearth, else the plain link. */
export function MessageTextLink({ url, text }: { url: URL; text: string }): ReactNode {
  const hosts = usePublicHosts();
  const link = parseAppLink(url, hosts);
  if (!link) return <ExternalLink href={url.href} text={text} />;
  return <AppLinkChip link={link} />;
}

function ExternalLink({ href, text }: { href: string; text: string }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {text}
    </a>
  );
}

function AppLinkChip({ link }: { link: AppLink }) {
  const held = useStore((s) => s.channels[link.channelId]);
  const guild = useStore((s) => (link.guildId === '@me' ? null : s.guilds[link.guildId]));
  const me = useStore((s) => s.me?.id);
  // A DM the reader closed is still theirs: named, and reopened when opened.
  const closed = useClosedDm(link.guildId === '@me' && !held ? link.channelId : null);
  const channel = held ?? closed ?? undefined;
  // Seen only when the reader holds the channel, in the server the link names (a DM: with no server).
  const visible =
    !!channel && (link.guildId === '@me' ? !channel.guild_id : !!guild && channel.guild_id === guild.id);
  if (!visible)
    return (
      <span className="link-chip no-access" title="You do not have access to this link">
        <span aria-hidden="true">🔒</span> No access
      </span>
    );
  const to = pathOf(link);
  const name = placeName(channel, me);
  return (
    <a
      className="link-chip"
      href={to}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
        if (link.messageId) requestJump(link.channelId, link.messageId);
      }}
    >
      {name}
      {link.messageId && (
        <>
          <span aria-hidden="true"> › </span>
          <span className="link-chip-what">Message</span>
        </>
      )}
    </a>
  );
}
