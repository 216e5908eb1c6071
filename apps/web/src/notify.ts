// Being told: which messages notify (the user's guild and channel settings, mentions), a desktop notification
// and a sound for them, and the count of unread mentions (and friend requests) in the tab's title and favicon.
import { useEffect, useSyncExternalStore } from 'react';
import { navigate } from './router';
import { getState, type State, useStore } from './store';
import { type Channel, displayName, type Message, type MuteConfig } from './types';

type Level = 'all' | 'mentions' | 'none';
const levels: Level[] = ['all', 'mentions', 'none'];

/** Muted at `now`: a timed mute ends at its end_time. */
export function mutedNow(muted: boolean, config: MuteConfig | null, now = Date.now()): boolean {
  return muted && (!config?.end_time || Date.parse(config.end_time) > now);
}

/** What notifies in a channel: its own override, else (a thread: its parent's, else) the guild's, else the default. */
function channelLevel(s: State, channel: Channel | undefined, now = Date.now()): Level {
  if (!channel?.guild_id) return 'all';
  const settings = s.guildSettings[channel.guild_id];
  const guild = s.guilds[channel.guild_id];
  for (const id of [channel.id, channel.parent_id]) {
    const o = id ? settings?.channel_overrides.find((c) => c.channel_id === id) : undefined;
    if (!o) continue;
    if (mutedNow(o.muted, o.mute_config, now)) return 'none';
    if (o.message_notifications < 3) return levels[o.message_notifications];
  }
  if (settings && mutedNow(settings.muted, settings.mute_config, now)) return 'none';
  if (settings && settings.message_notifications < 3) return levels[settings.message_notifications];
  return guild?.default_message_notifications === 0 ? 'all' : 'mentions';
}

/** Whether a message names the user: them, @everyone/@here, or one of their roles (unless suppressed). */
export function mentionsMe(s: State, m: Message): boolean {
  const me = s.me?.id;
  if (!me || m.author.id === me) return false;
  if (m.mentions?.some((u) => u.id === me)) return true;
  const settings = m.guild_id ? s.guildSettings[m.guild_id] : undefined;
  if (m.mention_everyone && !settings?.suppress_everyone) return true;
  const myRoles = (m.guild_id && s.members[m.guild_id]?.[me]?.roles) || [];
  return !settings?.suppress_roles && !!m.mention_roles?.some((r) => myRoles.includes(r));
}

/** Whether the person is looking at this channel now. */
function watching(channelId: string): boolean {
  return (
    document.visibilityState === 'visible' &&
    document.hasFocus() &&
    location.pathname.split('/').includes(channelId)
  );
}

let audio: AudioContext | null = null;
/** A short two-note chime, made rather than fetched. */
function chime(): void {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.15, now + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.12);
      osc.stop(now + i * 0.12 + 0.3);
    }
    notified.sounds++;
  } catch {
    // No audio here (a browser that refuses it before a gesture): the notification is still shown.
  }
}

/** What this tab has done to tell the person (read by the browser tests through window.hearthNotified). */
const notified = { sounds: 0, shown: [] as Array<{ title: string; body: string }> };
(window as unknown as { hearthNotified: typeof notified }).hearthNotified = notified;

/** Called for every new message: notifies when the settings say so and the person is not looking at it. */
export function notifyMessage(m: Message): void {
  const s = getState();
  if (!s.me || m.author.id === s.me.id) return;
  const channel = s.channels[m.channel_id];
  const level = channelLevel(s, channel);
  if (level === 'none' || (level === 'mentions' && !mentionsMe(s, m) && channel?.guild_id)) return;
  if (watching(m.channel_id)) return;
  chime();
  const guild = channel?.guild_id ? s.guilds[channel.guild_id] : undefined;
  const author = displayName(s.users[m.author.id] ?? m.author);
  const title = guild ? `${author} (#${channel?.name ?? ''}, ${guild.name})` : author;
  // Mentions read as names, as the message shows them.
  const text = m.content
    .replace(/<@!?(\d+)>/g, (_, id: string) => `@${displayName(s.users[id]) || 'someone'}`)
    .replace(/<#(\d+)>/g, (_, id: string) => `#${s.channels[id]?.name ?? 'channel'}`)
    .replace(/<@&(\d+)>/g, (_, id: string) => `@${guild?.roles.find((r) => r.id === id)?.name ?? 'role'}`);
  const body = text.slice(0, 200) || (m.attachments?.length ? 'Sent a file' : '');
  notified.shown.push({ title, body });
  // The first time something would have been shown, the app offers to turn desktop notifications on.
  if (canAskForNotifications() && !offered) {
    offered = true;
    for (const l of offerListeners) l();
  }
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const n = new Notification(title, { body, tag: m.channel_id });
  n.onclick = () => {
    window.focus();
    navigate(guild ? `/channels/${guild.id}/${m.channel_id}` : `/channels/@me/${m.channel_id}`);
    n.close();
  };
}

let offered = false;
const offerListeners = new Set<() => void>();
const dismissedKey = 'hearth.notifications-offer-dismissed';

/** Whether the offer to turn desktop notifications on is showing: after the first notification, until answered. */
export function useNotificationOffer(): [boolean, () => void] {
  const shown = useSyncExternalStore(
    (l) => {
      offerListeners.add(l);
      return () => offerListeners.delete(l);
    },
    () => offered && canAskForNotifications() && !localStorage.getItem(dismissedKey),
  );
  const dismiss = () => {
    localStorage.setItem(dismissedKey, '1');
    for (const l of offerListeners) l();
  };
  return [shown, dismiss];
}

/** Whether to offer turning desktop notifications on: the browser can, and the person has not answered yet. */
export function canAskForNotifications(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'default';
}

/** Unread mentions the person is told of (muted channels and servers left out) and incoming friend requests. */
function unreadCount(s: State, now = Date.now()): number {
  let n = 0;
  for (const [id, rs] of Object.entries(s.readStates)) {
    if (!rs.mention_count) continue;
    const channel = s.channels[id];
    if (!channel) continue;
    if (channel.guild_id && channelLevel(s, channel, now) === 'none') continue;
    n += rs.mention_count;
  }
  for (const r of Object.values(s.relationships)) if (r.type === 3) n++;
  return n;
}

const baseTitle = document.title || 'Hearth';
let baseIcon: string | null = null;

/** The favicon with a red count in its corner (the plain one when there is nothing). */
function badgeIcon(count: number): Promise<string | null> {
  const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) return Promise.resolve(null);
  baseIcon ??= link.href;
  if (!count) return Promise.resolve(baseIcon);
  return new Promise((resolve) => {
    const img = new Image();
    img.onload = img.onerror = () => {
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 64;
      const ctx = canvas.getContext('2d');
      if (!ctx) return resolve(baseIcon);
      if (img.naturalWidth) ctx.drawImage(img, 0, 0, 64, 64);
      ctx.fillStyle = '#e5484d';
      ctx.beginPath();
      ctx.arc(44, 44, 20, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.font = 'bold 26px sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(count > 9 ? '9+' : String(count), 44, 46);
      resolve(canvas.toDataURL('image/png'));
    };
    img.src = baseIcon!;
  });
}

/** Keeps the tab's title ("(3) Hearth") and favicon showing the unread count. */
export function useUnreadInTab(): void {
  const count = useStore(unreadCount);
  useEffect(() => {
    document.title = count ? `(${count}) ${baseTitle}` : baseTitle;
    let current = true;
    badgeIcon(count).then((href) => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
      if (!current || !href || !link) return;
      link.href = href;
      link.dataset.count = String(count);
    });
    return () => {
      current = false;
    };
  }, [count]);
}
