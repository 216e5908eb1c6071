// Syntax highlighting of fenced code blocks, as Discord does it: highlight.js grammars (through lowlight, which
// returns a syntax tree rather than an HTML string), the language named after the fence, no guessing. This module
// is loaded on demand (markdown.tsx imports it dynamically the first time a block names a language), so the
// grammars are not part of the app's first load.
//
// Safety: the tree is turned into React elements — a `<span>` whose only attribute is highlight.js's own class
// names, and text that React escapes — so nothing in a message can become markup.
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import lua from 'highlight.js/lib/languages/lua';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { createLowlight } from 'lowlight';
import { Fragment, type ReactNode } from 'react';

// The grammars people reach for in a chat; each brings highlight.js's own aliases (js, ts, py, rs, golang, sh, zsh,
// html, svg, yml, toml, cs, c++, rb, kt, md, docker, patch, …). A name outside this set renders plain, as an unknown
// language does on Discord.
const lowlight = createLowlight({
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  dockerfile,
  go,
  ini,
  java,
  javascript,
  json,
  kotlin,
  lua,
  markdown,
  php,
  python,
  ruby,
  rust,
  shell,
  sql,
  swift,
  typescript,
  xml,
  yaml,
});

/** Longer code is shown plain: highlighting is linear but not free, and a bot's message can be long. */
export const MAX_HIGHLIGHTED = 20_000;

type Root = ReturnType<typeof lowlight.highlight>;
type Content = Root['children'][number];
type Element = Extract<Content, { type: 'element' }>;

/** Whether a fence's language (a grammar's name or one of its aliases, any case) is one we highlight. */
export function knownLanguage(lang: string): boolean {
  return lang.length > 0 && lowlight.registered(lang.toLowerCase());
}

/** The code as highlighted React nodes, or null when the language is unknown (the caller shows it plain). */
export function highlightCode(code: string, lang: string): ReactNode[] | null {
  if (!knownLanguage(lang) || code.length > MAX_HIGHLIGHTED) return null;
  let key = 0;
  const node = (n: Content): ReactNode => {
    if (n.type === 'text') return n.value;
    if (n.type !== 'element') return null;
    const className = classOf(n);
    const children = n.children.map(node);
    return className ? (
      <span key={key++} className={className}>
        {children}
      </span>
    ) : (
      <Fragment key={key++}>{children}</Fragment>
    );
  };
  return lowlight.highlight(lang.toLowerCase(), code).children.map(node);
}

// Only highlight.js's token and sub-language classes (`hljs-keyword`, `hljs-title function_`, `language-xml`) —
// never anything from the input.
const classOf = (el: Element) => {
  const names = el.properties.className;
  const list = Array.isArray(names) ? names : [];
  return (
    list
      .map(String)
      .filter((n) => /^(hljs-|language-)?[a-z0-9_]+$/.test(n))
      .join(' ') || undefined
  );
};
