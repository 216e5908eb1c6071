import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Markdown, type MentionResolver } from '../../src/markdown';

const mentions: MentionResolver = {
  user: (id) => (id === '1' ? 'alice' : null),
  role: (id) => (id === '2' ? { name: 'mods', color: 0xff0000 } : null),
  channel: (id) => (id === '3' ? 'general' : null),
};
const render = (text: string, m: MentionResolver = mentions) =>
  renderToStaticMarkup(createElement(Markdown, { text, mentions: m }));

test('Discord markdown: emphasis, code, quotes, spoilers, links and mentions', () => {
  assert.equal(
    render('**b** *i* _i_ __u__ ~~s~~'),
    '<span><strong>b</strong> <em>i</em> <em>i</em> <u>u</u> <s>s</s></span>',
  );
  assert.equal(render('a `x **y**` b'), '<span>a <code>x **y**</code> b</span>');
  assert.equal(
    render('```js\nconst a = 1 < 2;\n```'),
    '<pre data-lang="js"><code>const a = 1 &lt; 2;</code></pre>',
  );
  assert.equal(render('> quoted\nnot'), '<blockquote>quoted</blockquote><span>not</span>');
  assert.equal(render('>>> all\nof this'), '<blockquote>all<br/>of this</blockquote>');
  assert.match(render('||secret||'), /<button type="button" class="spoiler"[^>]*>secret<\/button>/);
  assert.match(
    render('see https://example.org/a?b=1.'),
    /<a href="https:\/\/example.org\/a\?b=1" target="_blank" rel="noopener noreferrer nofollow">https:\/\/example.org\/a\?b=1<\/a>\.<\/span>$/,
  );
  assert.equal(
    render('hi <@1> <@&2> <#3> <@9>'),
    '<span>hi <span class="mention">@alice</span> <span class="mention" style="color:#ff0000">@mods</span> <span class="mention">#general</span> <span class="mention">@unknown-user</span></span>',
  );
  assert.equal(render('\\*not italic\\*'), '<span>*not italic*</span>');
});

test('only http(s) links become links', () => {
  assert.doesNotMatch(render('javascript:alert(1) data:text/html,x'), /<a /);
  assert.match(render('[x](javascript:alert(1))'), /^<span>\[x\]\(javascript:alert\(1\)\)<\/span>$/);
});

// Every element the renderer may produce; anything else in the output came from the input.
const allowed = new Set(['span', 'strong', 'em', 'u', 's', 'code', 'pre', 'blockquote', 'br', 'a', 'button']);

test('no input, nor any name it mentions, produces markup of its own', () => {
  const piece = fc.constantFrom(
    '<',
    '>',
    '"',
    "'",
    '&',
    '*',
    '_',
    '~',
    '|',
    '`',
    '\n',
    '> ',
    '<img src=x onerror=alert(1)>',
    '<script>',
    'https://x.test/"onmouseover="',
    '<@1>',
    '<#3>',
    'a',
    ' ',
  );
  const text = fc
    .array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 30 })
    .map((a) => a.join(''));
  fc.assert(
    fc.property(text, fc.string(), (t, name) => {
      const html = render(t, { user: () => name, role: () => ({ name, color: 1 }), channel: () => name });
      // Text is escaped, so every '<' left in the output opens an element the renderer made.
      for (const [, tag, attrs] of html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
        assert.ok(allowed.has(tag), `unexpected <${tag}> from ${JSON.stringify(t)}`);
        assert.doesNotMatch(attrs, /\son\w+=/i);
      }
      for (const [, href] of html.matchAll(/href="([^"]*)"/g)) assert.match(href, /^https?:\/\//);
    }),
    { numRuns: 500 },
  );
});
