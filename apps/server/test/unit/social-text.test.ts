import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalDomain } from '../../src/domain/social/domain-blocks.service';
import { hashtags, mentionedUsernames, renderText } from '../../src/domain/social/text';
import { parseRailsForm } from '../../src/http/routes/mastodon/form';

const tag = (t: string) => `https://h.test/tags/${t}`;

describe('status text as HTML', () => {
  test('everything that is not a link, a known mention or a hashtag is escaped', () => {
    const html = renderText('<script>alert("x")</script> & \'q\'', new Map(), tag);
    assert.equal(html, '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>');
    // A URL cannot break out of its attribute.
    const link = renderText('see https://e.test/a?b=1&c=2"onmouseover=x', new Map(), tag);
    assert.match(
      link,
      /^<p>see <a href="https:\/\/e.test\/a\?b=1&amp;c=2" rel="nofollow noopener noreferrer" target="_blank">/,
    );
    assert.ok(!link.includes('"onmouseover'));
  });

  test('mentions link only known users; hashtags in any script; paragraphs and line breaks', () => {
    const known = new Map([['ada', 'https://h.test/@ada']]);
    const html = renderText('hi @Ada and @nobody\n#Café #123 mail@ada.test\n\nnext', known, tag);
    assert.equal(
      html,
      '<p>hi <span class="h-card"><a href="https://h.test/@ada" class="u-url mention">@<span>Ada</span></a></span> and @nobody<br><a href="https://h.test/tags/café" class="mention hashtag" rel="tag">#<span>Café</span></a> #123 mail@ada.test</p><p>next</p>',
    );
    assert.deepEqual(mentionedUsernames('@a @B @a x@c @d.e.', 10), ['a', 'b', 'd.e']);
    assert.deepEqual(mentionedUsernames('@a @b @c', 2), ['a', 'b']);
    assert.deepEqual(hashtags('#One #one #two_2 a#no', 10), ['one', 'two_2']);
  });
});

describe('Rails-style forms', () => {
  test('lists, nested objects and bounds', () => {
    const form = parseRailsForm(
      new URLSearchParams('a=1&ids[]=2&ids[]=3&f[0][name]=n&f[0][value]=v&f[1][name]=m'),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(form)), {
      a: '1',
      ids: ['2', '3'],
      f: { 0: { name: 'n', value: 'v' }, 1: { name: 'm' } },
    });
    assert.equal(parseRailsForm(new URLSearchParams('a[b][c][d]=1')), null);
    assert.equal(parseRailsForm(new URLSearchParams('a[][b]=1')), null);
    assert.equal(
      parseRailsForm(new URLSearchParams(Array.from({ length: 201 }, (_, i) => `k${i}=1`).join('&'))),
      null,
    );
    // A key named like an object's own property is only data.
    const proto = parseRailsForm(new URLSearchParams('__proto__[polluted]=1'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.ok(proto);
  });

  test('@name@host mentions another instance (a port allowed); it shows as @name, linked to its profile', () => {
    assert.deepEqual(
      mentionedUsernames('hi @Bob@Social.Example and @eve@127.0.0.1:8080, bob@mail.test', 10),
      ['bob@social.example', 'eve@127.0.0.1:8080'],
    );
    assert.deepEqual(mentionedUsernames('@ann@host.example. @cid@host:', 10), [
      'ann@host.example',
      'cid@host',
    ]);
    const known = new Map([['bob@social.example', 'https://social.example/@bob']]);
    assert.equal(
      renderText('@bob@social.example @zed@nowhere.example', known, tag),
      '<p><span class="h-card"><a href="https://social.example/@bob" class="u-url mention">@<span>bob</span></a></span> @zed@nowhere.example</p>',
    );
  });

  test('a domain to block is a host name, lower case, or nothing', () => {
    assert.equal(normalDomain(' Spam.Example. '), 'spam.example');
    assert.equal(normalDomain('127.0.0.1'), '127.0.0.1');
    for (const bad of [
      '',
      'a b',
      'http://x.example',
      'x.example/path',
      '.example',
      'a..b',
      'x:80',
      '%',
      'a'.repeat(254),
    ])
      assert.equal(normalDomain(bad), null, bad);
  });
});
