import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement, Fragment } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { highlightCode, knownLanguage, MAX_HIGHLIGHTED } from '../../src/code-highlight';

const html = (code: string, lang: string) => {
  const nodes = highlightCode(code, lang);
  return nodes && renderToStaticMarkup(createElement(Fragment, null, ...nodes));
};
// The text a highlighted block shows, its tags taken off and entities read back.
const text = (markup: string) =>
  markup
    .replace(/<[^>]*>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&amp;', '&');

test("a fence's language picks the grammar, through the aliases people type", () => {
  for (const lang of [
    'js',
    'javascript',
    'JS',
    'jsx',
    'ts',
    'typescript',
    'tsx',
    'py',
    'python',
    'rs',
    'rust',
  ]) {
    assert.ok(knownLanguage(lang), lang);
  }
  for (const lang of [
    'go',
    'golang',
    'json',
    'sh',
    'bash',
    'zsh',
    'shell',
    'console',
    'css',
    'html',
    'xml',
    'svg',
  ]) {
    assert.ok(knownLanguage(lang), lang);
  }
  for (const lang of [
    'sql',
    'diff',
    'patch',
    'yaml',
    'yml',
    'toml',
    'ini',
    'c',
    'cpp',
    'c++',
    'cs',
    'csharp',
    'java',
  ]) {
    assert.ok(knownLanguage(lang), lang);
  }
  for (const lang of [
    'rb',
    'ruby',
    'php',
    'kt',
    'kotlin',
    'swift',
    'lua',
    'md',
    'markdown',
    'dockerfile',
    'docker',
  ]) {
    assert.ok(knownLanguage(lang), lang);
  }
  assert.equal(
    html('const x: number = 1; // one', 'ts'),
    '<span class="hljs-keyword">const</span> <span class="hljs-attr">x</span>: <span class="hljs-built_in">number</span> = <span class="hljs-number">1</span>; <span class="hljs-comment">// one</span>',
  );
  assert.equal(html('def f(): return "a"', 'py'), html('def f(): return "a"', 'python'));
  assert.match(html('fn main() {}', 'rs') ?? '', /<span class="hljs-keyword">fn<\/span>/);
  assert.match(html('SELECT 1 FROM t', 'sql') ?? '', /<span class="hljs-keyword">SELECT<\/span>/);
  assert.match(
    html('+added\n-removed', 'diff') ?? '',
    /class="hljs-addition">\+added<.*class="hljs-deletion">-removed</s,
  );
  assert.match(
    html('{"a": true}', 'json') ?? '',
    /<span class="hljs-attr">&quot;a&quot;<\/span>.*hljs-literal/,
  );
});

test('an unknown language, or none, is not highlighted (shown plain by the caller)', () => {
  for (const lang of ['', 'nosuchlang', 'brainfuck', '__proto__', 'constructor', 'toString']) {
    assert.equal(knownLanguage(lang), false, lang);
    assert.equal(highlightCode('const a = 1', lang), null, lang);
  }
  assert.equal(highlightCode('x'.repeat(MAX_HIGHLIGHTED + 1), 'js'), null, 'over-long code stays plain');
});

test('code is text: markup in it is escaped, and every character comes back unchanged', () => {
  const evil = '<script>alert(1)</script><img src=x onerror="alert(2)"> & \'q\'';
  for (const lang of ['html', 'js', 'md', 'sh', 'css']) {
    const out = html(evil, lang) ?? '';
    assert.doesNotMatch(out, /<script|<img/i, lang);
    assert.equal(text(out), evil, lang);
    // The only elements are spans whose only attribute is highlight.js's token class.
    for (const tag of out.match(/<[^/][^>]*>/g) ?? [])
      assert.match(tag, /^<span class="[a-z0-9_ -]+">$/, tag);
  }
});
