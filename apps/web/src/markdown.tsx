// Discord-style markdown rendered to React elements. Nothing is ever parsed as HTML: text stays text, and
// links are only http(s), so no message or name can inject markup or script.
import { Fragment, type ReactNode, useEffect, useMemo, useRef, useState } from 'react';

export interface MentionResolver {
  user(id: string): string | null;
  role(id: string): { name: string; color: number } | null;
  channel(id: string): string | null;
  /** An http(s) link's rendering, when the app renders some links itself (its own message links as chips). */
  link?(url: URL, text: string): ReactNode;
}

type Inline = (m: RegExpExecArray, ctx: Ctx) => ReactNode;
interface Ctx {
  mentions: MentionResolver;
  key: () => number;
}

const safeUrl = (raw: string) => {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
};

const colour = (c: number) => (c ? `#${c.toString(16).padStart(6, '0')}` : undefined);

// Tried in order at each position; the first that matches there wins.
const rules: Array<[RegExp, Inline]> = [
  [/\\([^\w\s])/y, (m) => m[1]],
  [/(`+)([\s\S]*?[^`])\1(?!`)/y, (m, c) => <code key={c.key()}>{m[2].trim() || m[2]}</code>],
  [/\|\|([\s\S]+?)\|\|/y, (m, c) => <Spoiler key={c.key()}>{inline(m[1], c)}</Spoiler>],
  [/\*\*([\s\S]+?)\*\*(?!\*)/y, (m, c) => <strong key={c.key()}>{inline(m[1], c)}</strong>],
  [/__([\s\S]+?)__(?!_)/y, (m, c) => <u key={c.key()}>{inline(m[1], c)}</u>],
  [/\*(?=\S)([\s\S]*?\S)\*(?!\*)/y, (m, c) => <em key={c.key()}>{inline(m[1], c)}</em>],
  [/_(?=\S)([\s\S]*?\S)_(?![_\w])/y, (m, c) => <em key={c.key()}>{inline(m[1], c)}</em>],
  [/~~([\s\S]+?)~~/y, (m, c) => <s key={c.key()}>{inline(m[1], c)}</s>],
  [
    /https?:\/\/[^\s<>]*[^\s<>.,:;"')\]]/y,
    (m, c) => {
      const href = safeUrl(m[0]);
      if (href && c.mentions.link)
        return <Fragment key={c.key()}>{c.mentions.link(new URL(href), m[0])}</Fragment>;
      return href ? (
        <a key={c.key()} href={href} target="_blank" rel="noopener noreferrer nofollow">
          {m[0]}
        </a>
      ) : (
        m[0]
      );
    },
  ],
  [
    /<@!?(\d{1,20})>/y,
    (m, c) => {
      const name = c.mentions.user(m[1]);
      return (
        <span key={c.key()} className="mention">
          @{name ?? 'unknown-user'}
        </span>
      );
    },
  ],
  [
    /<@&(\d{1,20})>/y,
    (m, c) => {
      const role = c.mentions.role(m[1]);
      return (
        <span key={c.key()} className="mention" style={{ color: colour(role?.color ?? 0) }}>
          @{role?.name ?? 'deleted-role'}
        </span>
      );
    },
  ],
  [
    /<#(\d{1,20})>/y,
    (m, c) => (
      <span key={c.key()} className="mention">
        #{c.mentions.channel(m[1]) ?? 'unknown'}
      </span>
    ),
  ],
  [
    /@(everyone|here)\b/y,
    (m, c) => (
      <span key={c.key()} className="mention">
        {m[0]}
      </span>
    ),
  ],
  [/\n/y, (_m, c) => <br key={c.key()} />],
];

function inline(text: string, ctx: Ctx): ReactNode[] {
  const out: ReactNode[] = [];
  let plain = '';
  let i = 0;
  outer: while (i < text.length) {
    for (const [re, render] of rules) {
      re.lastIndex = i;
      const m = re.exec(text);
      if (m?.[0].length) {
        if (plain) out.push(plain);
        plain = '';
        out.push(render(m, ctx));
        i += m[0].length;
        continue outer;
      }
    }
    plain += text[i++];
  }
  if (plain) out.push(plain);
  return out;
}

function Spoiler({ children }: { children: ReactNode }) {
  return (
    <button
      type="button"
      className="spoiler"
      aria-label="Spoiler: activate to reveal"
      onClick={(e) => {
        e.currentTarget.classList.add('revealed');
        e.currentTarget.removeAttribute('aria-label');
      }}
    >
      {children}
    </button>
  );
}

// The highlighter (code-highlight.tsx and its grammars) is its own chunk, fetched the first time a block names a
// language; until then, and if it fails to load, the code shows plain.
type Highlighter = typeof import('./code-highlight');
let highlighter: Highlighter | null = null;
let loading: Promise<Highlighter> | null = null;
const loadHighlighter = () => {
  loading ??= import('./code-highlight').then(
    (m) => {
      highlighter = m;
      return m;
    },
    (e: unknown) => {
      loading = null; // a failed chunk fetch (offline, a new deploy) is tried again by the next block
      throw e;
    },
  );
  return loading;
};

/** A fenced block: highlighted when its language is one highlight.js knows (Discord's rule), plain otherwise. */
function CodeBlock({ lang, code }: { lang: string | undefined; code: string }) {
  const [hl, setHl] = useState(highlighter);
  useEffect(() => {
    if (hl || !lang) return;
    let live = true;
    loadHighlighter().then(
      (m) => {
        if (live) setHl(m);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [hl, lang]);
  const tokens = useMemo(() => (hl && lang ? hl.highlightCode(code, lang) : null), [hl, lang, code]);
  // A block whose lines are wider than the screen scrolls sideways; it is then a Tab stop, so a keyboard can scroll it.
  const pre = useRef<HTMLPreElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = pre.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const measure = () => setScrolls(el.scrollWidth > el.clientWidth);
    measure();
    const watch = new ResizeObserver(measure);
    watch.observe(el);
    return () => watch.disconnect();
  }, []);
  return (
    <pre ref={pre} data-lang={lang} tabIndex={scrolls ? 0 : undefined}>
      <code className={tokens ? 'hljs' : undefined}>{tokens ?? code}</code>
    </pre>
  );
}

/** Renders a message's content: fenced code and quotes as blocks, the rest inline. */
export function Markdown({ text, mentions }: { text: string; mentions: MentionResolver }) {
  let n = 0;
  const ctx: Ctx = { mentions, key: () => n++ };
  const blocks: ReactNode[] = [];
  const fence = /```(?:([\w+#.-]{1,20})\n)?([\s\S]*?)```/g;
  let last = 0;
  const prose = (chunk: string) => {
    if (!chunk) return;
    // Quotes: `> ` lines, or `>>> ` quoting everything after it.
    const lines = chunk.split('\n');
    let buffer: string[] = [];
    const flush = () => {
      if (buffer.length) blocks.push(<span key={ctx.key()}>{inline(buffer.join('\n'), ctx)}</span>);
      buffer = [];
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.startsWith('>>> ')) {
        flush();
        const rest = [line.slice(4), ...lines.slice(i + 1)].join('\n');
        blocks.push(<blockquote key={ctx.key()}>{inline(rest, ctx)}</blockquote>);
        return;
      }
      if (line.startsWith('> ') || line === '>') {
        flush();
        const quoted: string[] = [];
        while (i < lines.length && (lines[i].startsWith('> ') || lines[i] === '>'))
          quoted.push(lines[i++].slice(2));
        i--;
        blocks.push(<blockquote key={ctx.key()}>{inline(quoted.join('\n'), ctx)}</blockquote>);
      } else buffer.push(line);
    }
    flush();
  };
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    prose(text.slice(last, m.index).replace(/\n$/, ''));
    blocks.push(
      <CodeBlock
        key={ctx.key()}
        lang={m[1] || undefined}
        code={m[2].replace(/^\n/, '').replace(/\n$/, '')}
      />,
    );
    last = m.index + m[0].length;
  }
  prose(text.slice(last).replace(/^\n/, ''));
  return <>{blocks}</>;
}
