import { type Embed, type ExecuteWebhook, Limits, type SlackWebhookPayload } from '@hearth/protocol';

const NAMED_COLORS: Record<string, number> = { good: 0x2eb886, warning: 0xdaa038, danger: 0xa30200 };

const clip = (s: string | undefined, max: number) =>
  s === undefined ? undefined : s.length > max ? `${s.slice(0, max - 1)}…` : s;

/** Slack's `<url|label>`, `<url>`, `<!here>` / `<!channel>` / `<!everyone>` markup in Discord's markdown. */
export function slackToMarkdown(text: string): string {
  return text
    .replace(/<!(here|channel|everyone)(\|[^>]*)?>/g, (_m, who) => (who === 'here' ? '@here' : '@everyone'))
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, '[$2]($1)')
    .replace(/<((?:https?|mailto):[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function color(c: string | undefined): number | undefined {
  if (!c) return undefined;
  // Own keys only: "constructor" is no colour.
  if (Object.hasOwn(NAMED_COLORS, c)) return NAMED_COLORS[c];
  const hex = /^#?([0-9a-f]{6})$/i.exec(c);
  return hex ? Number.parseInt(hex[1], 16) : undefined;
}

function timestamp(ts: number | string | undefined): string | undefined {
  const seconds = Number(ts);
  if (ts === undefined || !Number.isFinite(seconds)) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** A Slack incoming-webhook payload as a Discord webhook execution: text as content, attachments as embeds. */
export function slackToExecute(p: SlackWebhookPayload): ExecuteWebhook {
  const lines = [p.text ? slackToMarkdown(p.text) : ''];
  const embeds: Embed[] = [];
  for (const a of p.attachments ?? []) {
    if (a.pretext) lines.push(slackToMarkdown(a.pretext));
    const embed: Embed = {
      title: clip(a.title, 256),
      url: a.title_link && a.title ? clip(a.title_link, 2048) : undefined,
      description: clip(a.text ? slackToMarkdown(a.text) : a.title ? undefined : a.fallback, 4096),
      color: color(a.color),
      author: a.author_name
        ? {
            name: clip(a.author_name, 256)!,
            url: clip(a.author_link, 2048),
            icon_url: clip(a.author_icon, 2048),
          }
        : undefined,
      fields: a.fields?.length
        ? a.fields.map((f) => ({
            name: clip(f.title || '\u200b', 256)!,
            value: clip(f.value ? slackToMarkdown(f.value) : '\u200b', 1024)!,
            inline: !!f.short,
          }))
        : undefined,
      image: a.image_url ? { url: clip(a.image_url, 2048)! } : undefined,
      thumbnail: a.thumb_url ? { url: clip(a.thumb_url, 2048)! } : undefined,
      footer: a.footer ? { text: clip(a.footer, 2048)!, icon_url: clip(a.footer_icon, 2048) } : undefined,
      timestamp: timestamp(a.ts),
    };
    embeds.push(withoutUndefined(embed));
  }
  return withoutUndefined({
    content: clip(lines.filter(Boolean).join('\n'), Limits.messageContent),
    username: p.username ? clip(p.username, 80) : undefined,
    avatar_url: p.icon_url ? clip(p.icon_url, 2048) : undefined,
    embeds: embeds.length ? embeds : undefined,
  });
}

/** The object without its undefined properties (they would be stored as explicit nulls in jsonb otherwise). */
export function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
