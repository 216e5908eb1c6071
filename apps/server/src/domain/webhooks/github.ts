import type { Embed, ExecuteWebhook } from '@hearth/protocol';
import { withoutUndefined } from './slack';

/** Colours of Discord's GitHub embeds. */
const Color = {
  commits: 0x7289da,
  opened: 0xeb6420,
  closed: 0x000000,
  pullOpened: 0x009800,
  other: 0x7289da,
};
const MAX_COMMITS = 5;

// GitHub's payloads are large and loosely shaped; only the fields read here matter, each checked as it is read.
type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const firstLine = (s: string) => s.split('\n')[0];

/**
 * A GitHub webhook delivery (`X-GitHub-Event` and its JSON body) rendered the way Discord renders it: one embed
 * titled `[repo] …`, posted as "GitHub". Null for events Discord does not post (ping, and those it ignores).
 */
export function githubToExecute(event: string, payload: unknown): ExecuteWebhook | null {
  const p = obj(payload);
  const repo = str(obj(p.repository).full_name) || str(obj(p.repository).name);
  const sender = obj(p.sender);
  const author = sender.login
    ? {
        name: clip(str(sender.login), 256),
        ...(str(sender.avatar_url) ? { icon_url: clip(str(sender.avatar_url), 2048) } : {}),
        ...(str(sender.html_url) ? { url: clip(str(sender.html_url), 2048) } : {}),
      }
    : undefined;
  const embed = render(event, p, repo);
  if (!embed) return null;
  return {
    username: 'GitHub',
    embeds: [
      withoutUndefined({
        ...embed,
        title: clip(embed.title ?? '', 256),
        description: embed.description ? clip(embed.description, 4096) : undefined,
        url: embed.url ? clip(embed.url, 2048) : undefined,
        author,
      }),
    ],
  };
}

function render(event: string, p: Json, repo: string): Embed | null {
  const action = str(p.action);
  switch (event) {
    case 'push': {
      const ref = str(p.ref);
      const branch = ref.replace(/^refs\/(heads|tags)\//, '');
      const commits = Array.isArray(p.commits) ? p.commits.map(obj) : [];
      if (!commits.length) return null;
      const lines = commits.slice(0, MAX_COMMITS).map((c) => {
        const sha = str(c.id).slice(0, 7);
        const who = str(obj(c.author).username) || str(obj(c.author).name);
        return `[\`${sha}\`](${str(c.url)}) ${clip(firstLine(str(c.message)), 50)} - ${who}`;
      });
      if (commits.length > MAX_COMMITS) lines.push(`… and ${commits.length - MAX_COMMITS} more`);
      const n = commits.length;
      return {
        title: `[${repo}:${branch}] ${n} new commit${n === 1 ? '' : 's'}`,
        url: str(p.compare),
        description: lines.join('\n'),
        color: Color.commits,
      };
    }
    case 'issues': {
      const issue = obj(p.issue);
      if (!['opened', 'closed', 'reopened'].includes(action)) return null;
      return {
        title: `[${repo}] Issue ${action}: #${str(issue.number)} ${str(issue.title)}`,
        url: str(issue.html_url),
        description: action === 'opened' ? clip(str(issue.body), 500) || undefined : undefined,
        color: action === 'closed' ? Color.closed : Color.opened,
      };
    }
    case 'issue_comment': {
      if (action !== 'created') return null;
      const issue = obj(p.issue);
      const comment = obj(p.comment);
      const kind = obj(issue.pull_request).url ? 'pull request' : 'issue';
      return {
        title: `[${repo}] New comment on ${kind} #${str(issue.number)}: ${str(issue.title)}`,
        url: str(comment.html_url),
        description: clip(str(comment.body), 500) || undefined,
        color: Color.other,
      };
    }
    case 'pull_request': {
      const pr = obj(p.pull_request);
      if (!['opened', 'closed', 'reopened'].includes(action)) return null;
      const verb = action === 'closed' && pr.merged ? 'merged' : action;
      return {
        title: `[${repo}] Pull request ${verb}: #${str(pr.number)} ${str(pr.title)}`,
        url: str(pr.html_url),
        description: action === 'opened' ? clip(str(pr.body), 500) || undefined : undefined,
        color: action === 'closed' ? Color.closed : Color.pullOpened,
      };
    }
    case 'pull_request_review': {
      if (action !== 'submitted') return null;
      const pr = obj(p.pull_request);
      const review = obj(p.review);
      return {
        title: `[${repo}] Pull request review submitted: #${str(pr.number)} ${str(pr.title)}`,
        url: str(review.html_url),
        description: clip(str(review.body), 500) || undefined,
        color: Color.other,
      };
    }
    case 'create':
    case 'delete': {
      const kind = str(p.ref_type) || 'branch';
      const title =
        event === 'create'
          ? `[${repo}] New ${kind} created: ${str(p.ref)}`
          : `[${repo}] ${cap(kind)} deleted: ${str(p.ref)}`;
      return { title, color: Color.other };
    }
    case 'release': {
      if (action !== 'published') return null;
      const release = obj(p.release);
      return {
        title: `[${repo}] New release published: ${str(release.tag_name)}`,
        url: str(release.html_url),
        color: Color.other,
      };
    }
    case 'fork':
      return {
        title: `[${repo}] Fork created: ${str(obj(p.forkee).full_name)}`,
        url: str(obj(p.forkee).html_url),
        color: Color.other,
      };
    case 'watch':
    case 'star':
      if (action !== 'started' && action !== 'created') return null;
      return { title: `[${repo}] New star added`, url: str(obj(p.repository).html_url), color: Color.other };
    default:
      // ping and the events Discord does not post.
      return null;
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
