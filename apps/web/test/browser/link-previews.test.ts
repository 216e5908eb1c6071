// Link previews and rich embeds in Chromium against a real Hearth on PGlite, two people: a link one sends shows the
// other a card (title, site, description, picture) whose picture loads through Hearth under the app's CSP; a bot-like
// rich embed shows its fields; the author removes the previews (SUPPRESS_EMBEDS) and they go for both; at phone width
// the card fits the screen.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../../../server/test/harness';
import {
  chromiumSkip,
  closePeople,
  type Person,
  phone,
  png,
  shots,
  signedInPerson,
  startWebHearth,
} from './chromium';

let h: TestServer;
let web: Server;
let base = '';
let alice: Person;
let bob: Person;
let guildId = '';
let channelId = '';
const cspViolations: string[] = [];

describe('link previews', { skip: chromiumSkip }, () => {
  before(async () => {
    web = createServer((req, res) => {
      if (req.url === '/pic.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(png);
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>x</title>
        <meta property="og:title" content="The Hearth Gazette">
        <meta property="og:site_name" content="Gazette">
        <meta property="og:description" content="All the news that fits.">
        <meta property="og:image" content="/pic.png"></head><body></body></html>`);
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
    h = await startWebHearth({ outboundAllowHosts: ['127.0.0.1'] });
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    const guild = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Previews' } });
    guildId = guild.body.id;
    const channels = await h.api('GET', `/guilds/${guildId}/channels`, { token: alice.user.token });
    channelId = channels.body.find((c: { type: number }) => c.type === 0).id;
    const invite = await h.api('POST', `/channels/${channelId}/invites`, {
      token: alice.user.token,
      body: {},
    });
    await h.api('POST', `/invites/${invite.body.code}`, { token: bob.user.token });
    for (const p of [alice, bob])
      p.page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      });
  });
  after(async () => {
    await closePeople([alice, bob]);
    web?.closeAllConnections();
    web?.close();
    await h?.close();
  });

  test('a link shows the other person a card whose picture loads through Hearth; the author removes it', async () => {
    for (const p of [alice, bob]) {
      await p.page.goto(`${h.url}/channels/${guildId}/${channelId}`);
      await p.page.locator('.composer textarea').waitFor();
    }
    await bob.page.locator('.composer textarea').fill(`read this ${base}/news`);
    await bob.page.keyboard.press('Enter');
    const card = alice.page.getByRole('article', { name: 'The Hearth Gazette' });
    await card.waitFor({ timeout: 30_000 });
    assert.equal(await card.locator('.embed-provider').textContent(), 'Gazette');
    assert.match((await card.textContent()) ?? '', /All the news that fits\./);
    assert.equal(
      await card.getByRole('link', { name: 'The Hearth Gazette' }).getAttribute('href'),
      `${base}/news`,
    );
    const picture = card.locator('img.embed-thumbnail');
    await alice.page.waitForFunction(
      (img) => !!img && (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0,
      await picture.elementHandle(),
    );
    assert.match((await picture.getAttribute('src')) ?? '', /^\/embed-images\?/);
    await alice.page.screenshot({ path: join(shots, 'link-preview-desktop.png') });
    // Only the author (or a moderator) is offered to remove it; removing it removes it for everyone.
    const bobsCard = bob.page.getByRole('article', { name: 'The Hearth Gazette' });
    await bobsCard.waitFor();
    await bob.page.getByRole('button', { name: 'Remove embeds' }).click();
    await card.waitFor({ state: 'detached' });
    await bobsCard.waitFor({ state: 'detached' });
    assert.deepEqual(cspViolations, []);
  });

  test('a rich embed shows its title, description and fields; at phone width a card fits the screen', async () => {
    const sent = await h.api('POST', `/channels/${channelId}/messages`, {
      token: alice.user.token,
      body: {
        content: `status ${base}/today`,
        embeds: [
          {
            title: 'Build report',
            description: 'All **green**',
            color: 0x3ba55d,
            fields: [
              { name: 'Tests', value: '1,204', inline: true },
              { name: 'Time', value: '4 min', inline: true },
            ],
            footer: { text: 'CI' },
          },
        ],
      },
    });
    assert.equal(sent.status, 200, sent.text);
    await bob.page.setViewportSize(phone);
    const rich = bob.page.getByRole('article', { name: 'Build report' });
    await rich.waitFor();
    assert.equal(await rich.locator('.embed-description strong').textContent(), 'green');
    assert.equal(await rich.locator('dt').count(), 2);
    // The link's preview follows the sender's own embed.
    const preview = bob.page.getByRole('article', { name: 'The Hearth Gazette' });
    await preview.waitFor({ timeout: 30_000 });
    for (const card of [rich, preview]) {
      const box = await card.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= phone.width, 'the card fits the phone');
    }
    await bob.page.screenshot({ path: join(shots, 'link-preview-phone.png') });
    assert.deepEqual(cspViolations, []);
  });
});
