// Code blocks in Chromium against a real Hearth on PGlite, at desktop and phone width: a ```ts fence is syntax
// highlighted (its grammar fetched on demand), an unknown language and a fence without one stay plain, inline code is
// unchanged, markup in a block is shown as text, and axe-core finds no serious or critical violation (colour contrast
// of the tokens included) in the dark and the light theme.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../../../server/test/harness';
import {
  axeViolations,
  chromiumSkip,
  closePeople,
  desktop,
  type Person,
  phone,
  shots,
  signedInPerson,
  startWebHearth,
} from './chromium';

let h: TestServer;
let alice: Person;
let chat = '';

const content = [
  'Here is `inline <b>code</b>` and a block:',
  '```ts',
  'const answer: number = 42; // the answer',
  'function greet(name: string) {',
  "  return 'hello ' + name;",
  '}',
  '```',
  '```nosuchlang',
  'const stays = "plain";',
  '```',
  '```',
  'const none = 1;',
  '```',
  '```html',
  '<script>window.pwned = true</script><img src=x onerror="window.pwned = true">',
  '```',
].join('\n');

describe('code blocks', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    const token = alice.user.token;
    const guild = await h.api('POST', '/guilds', { token, body: { name: 'Code' } });
    const channels = await h.api('GET', `/guilds/${guild.body.id}/channels`, { token });
    const text = channels.body.find((c: { type: number }) => c.type === 0).id;
    chat = `/channels/${guild.body.id}/${text}`;
    const sent = await h.api('POST', `/channels/${text}/messages`, { token, body: { content } });
    assert.equal(sent.status, 200, sent.text);
  });
  after(async () => {
    await closePeople([alice]);
    await h?.close();
  });

  for (const [size, theme] of [
    [desktop, 'dark'],
    [phone, 'light'],
    [desktop, 'light'],
    [phone, 'dark'],
  ] as const)
    test(`at ${size.width}px in the ${theme} theme a ts block is highlighted, the others plain, and axe passes`, async () => {
      const page = alice.page;
      await page.setViewportSize(size);
      await page.goto(`${h.url}/login`);
      await page.evaluate((t) => localStorage.setItem('hearth.theme', t), theme);
      await page.goto(`${h.url}${chat}`);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
      const ts = page.locator('.messages pre[data-lang="ts"] code.hljs');
      await ts.locator('.hljs-keyword', { hasText: 'const' }).first().waitFor();
      // The tokens a person sees, each in its class: keywords, types, numbers, comments, strings, a function's name.
      assert.deepEqual(await ts.locator('.hljs-keyword').allTextContents(), ['const', 'function', 'return']);
      assert.ok((await ts.locator('.hljs-built_in').allTextContents()).includes('number'));
      assert.deepEqual(await ts.locator('.hljs-number').allTextContents(), ['42']);
      assert.deepEqual(await ts.locator('.hljs-comment').allTextContents(), ['// the answer']);
      assert.deepEqual(await ts.locator('.hljs-title').allTextContents(), ['greet']);
      assert.ok((await ts.locator('.hljs-string').allTextContents()).some((s) => s === "'hello '"));
      assert.equal(
        await ts.textContent(),
        "const answer: number = 42; // the answer\nfunction greet(name: string) {\n  return 'hello ' + name;\n}",
      );
      // Coloured from the theme: a keyword is not in the code's plain colour, nor a comment in a keyword's.
      const colour = (selector: string) =>
        ts
          .locator(selector)
          .first()
          .evaluate((el) => getComputedStyle(el).color);
      const plain = await ts.evaluate((el) => getComputedStyle(el).color);
      assert.notEqual(await colour('.hljs-keyword'), plain);
      assert.notEqual(await colour('.hljs-comment'), await colour('.hljs-keyword'));
      // An unknown language and no language: plain text, no tokens.
      for (const [selector, text] of [
        ['pre[data-lang="nosuchlang"] code', 'const stays = "plain";'],
        ['pre:not([data-lang]) code', 'const none = 1;'],
      ]) {
        const block = page.locator(`.messages ${selector}`);
        assert.equal(await block.textContent(), text);
        assert.equal(await block.locator('span').count(), 0, selector);
      }
      // Inline code is unchanged: text in a <code>, not a block, not highlighted.
      const inline = page.locator('.messages li.message code').filter({ hasText: 'inline' });
      assert.equal(await inline.textContent(), 'inline <b>code</b>');
      assert.equal(await inline.locator('*').count(), 0);
      // Markup in a block is shown, never run nor rendered.
      const html = page.locator('.messages pre[data-lang="html"] code');
      await html.locator('.hljs-name', { hasText: 'script' }).first().waitFor();
      assert.equal(
        await html.textContent(),
        '<script>window.pwned = true</script><img src=x onerror="window.pwned = true">',
      );
      assert.equal(await page.locator('.messages script, .messages img[src="x"]').count(), 0);
      assert.equal(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned), undefined);
      // A long line scrolls within its block; the block stays within the screen.
      const overflow = await html.evaluate((el) => {
        const pre = el.parentElement as HTMLElement;
        return {
          right: pre.getBoundingClientRect().right,
          width: innerWidth,
          scrolls: pre.scrollWidth > pre.clientWidth,
        };
      });
      assert.ok(
        overflow.right <= overflow.width,
        `the block ends at ${overflow.right} of ${overflow.width}px`,
      );
      assert.equal(
        overflow.scrolls,
        size.width === phone.width,
        'the long line scrolls within its block on a phone',
      );
      // A block that scrolls is a Tab stop (so a keyboard can scroll it); one that fits is not.
      const tabindex = (l: typeof ts) =>
        l.evaluate((el) => el.parentElement?.getAttribute('tabindex') ?? null);
      assert.equal(await tabindex(html), overflow.scrolls ? '0' : null);
      assert.equal(await tabindex(page.locator('.messages pre:not([data-lang]) code')), null);
      await page.screenshot({ path: join(shots, `code-blocks-${theme}-${size.width}.png`) });
      assert.deepEqual(await axeViolations(page), []);
    });
});
