import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { WebhookClient } from 'discord.js';
import { pino } from 'pino';
import sharp from 'sharp';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, grant, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

let h: TestServer;
let g: TestGuild;
before(async () => {
  h = await startHearth();
  g = await createGuild(h);
});
after(() => closeWithClients(h));

const png = async () =>
  `data:image/png;base64,${(
    await sharp({ create: { width: 32, height: 32, channels: 4, background: '#3366ff' } })
      .png()
      .toBuffer()
  ).toString('base64')}`;

async function newWebhook(name = 'Deploys', channelId = g.textChannelId, token = g.owner.token) {
  const res = await h.api('POST', `/channels/${channelId}/webhooks`, { token, body: { name } });
  assert.equal(res.status, 200, res.text);
  return res.body as { id: string; token: string; url: string; channel_id: string };
}

const execute = (w: { id: string; token: string }, body: unknown, query = '') =>
  h.api('POST', `/webhooks/${w.id}/${w.token}${query}`, { body });

describe('managing webhooks', () => {
  test('create, list, get, modify and delete with MANAGE_WEBHOOKS; Discord-shaped objects; audit log', async () => {
    const m = await join(h, g);
    const body = { name: 'Builds', avatar: await png() };
    const refused = await h.api('POST', `/channels/${g.textChannelId}/webhooks`, { token: m.token, body });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 50013);
    await grant(h, g, m, P.MANAGE_WEBHOOKS);
    const created = await h.api('POST', `/channels/${g.textChannelId}/webhooks`, { token: m.token, body });
    assert.equal(created.status, 200, created.text);
    const w = created.body;
    assert.equal(w.type, 1);
    assert.equal(w.guild_id, g.id);
    assert.equal(w.channel_id, g.textChannelId);
    assert.equal(w.name, 'Builds');
    assert.equal(w.user.id, m.id);
    assert.equal(w.application_id, null);
    assert.match(w.token, /^[A-Za-z0-9_-]{68}$/);
    assert.equal(w.url, `http://hearth.test/api/v10/webhooks/${w.id}/${w.token}`);
    assert.match(w.avatar, /^[0-9a-f]{32}$/);
    const avatar = await fetch(`${h.url}/avatars/${w.id}/${w.avatar}.png`);
    assert.equal(avatar.status, 200);

    const list = await h.api('GET', `/channels/${g.textChannelId}/webhooks`, { token: m.token });
    assert.ok(list.body.some((x: any) => x.id === w.id && x.token === w.token));
    const guildList = await h.api('GET', `/guilds/${g.id}/webhooks`, { token: g.owner.token });
    assert.ok(guildList.body.some((x: any) => x.id === w.id));
    const got = await h.api('GET', `/webhooks/${w.id}`, { token: m.token });
    assert.equal(got.body.token, w.token);
    assert.equal(got.body.user.id, m.id);

    // Moved to another channel of the guild, renamed, avatar cleared.
    const other = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: { name: 'ci' },
    });
    const moved = await h.api('PATCH', `/webhooks/${w.id}`, {
      token: m.token,
      body: { name: 'CI', avatar: null, channel_id: other.body.id },
    });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.channel_id, other.body.id);
    assert.equal(moved.body.name, 'CI');
    assert.equal(moved.body.avatar, null);
    // Not into a channel of another guild.
    const elsewhere = await createGuild(h, g.owner);
    const away = await h.api('PATCH', `/webhooks/${w.id}`, {
      token: g.owner.token,
      body: { channel_id: elsewhere.textChannelId },
    });
    assert.equal(away.status, 400);

    const deleted = await h.api('DELETE', `/webhooks/${w.id}`, { token: m.token });
    assert.equal(deleted.status, 204);
    assert.equal((await h.api('GET', `/webhooks/${w.id}`, { token: m.token })).body.code, 10015);
    const log = await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: g.owner.token });
    const entries = log.body.audit_log_entries.filter((e: any) => e.target_id === w.id);
    assert.deepEqual(entries.map((e: any) => e.action_type).sort(), [50, 51, 52]);
  });

  test('a member without MANAGE_WEBHOOKS is refused 403; an outsider sees 404', async () => {
    const w = await newWebhook();
    const member = await join(h, g);
    const outsider = await h.register();
    for (const [who, status, code] of [
      [member, 403, 50013],
      [outsider, 404, 10015],
    ] as Array<[TestUser, number, number]>) {
      assert.equal((await h.api('GET', `/webhooks/${w.id}`, { token: who.token })).status, status);
      const patch = await h.api('PATCH', `/webhooks/${w.id}`, { token: who.token, body: { name: 'x' } });
      assert.equal(patch.status, status);
      assert.equal(patch.body.code, code);
      assert.equal((await h.api('DELETE', `/webhooks/${w.id}`, { token: who.token })).status, status);
    }
    assert.equal(
      (await h.api('GET', `/channels/${g.textChannelId}/webhooks`, { token: member.token })).status,
      403,
    );
    assert.equal(
      (await h.api('GET', `/channels/${g.textChannelId}/webhooks`, { token: outsider.token })).status,
      404,
    );
    assert.equal((await h.api('GET', `/guilds/${g.id}/webhooks`, { token: member.token })).status, 403);
    assert.equal((await h.api('GET', `/guilds/${g.id}/webhooks`, { token: outsider.token })).status, 404);
    // Still there and unchanged.
    assert.equal((await h.api('GET', `/webhooks/${w.id}`, { token: g.owner.token })).body.name, 'Deploys');
  });

  test("names follow Discord's rules", async () => {
    for (const name of ['', 'a'.repeat(81), 'My Clyde', 'discord bot', '   ']) {
      const res = await h.api('POST', `/channels/${g.textChannelId}/webhooks`, {
        token: g.owner.token,
        body: { name },
      });
      assert.equal(res.status, 400, name);
      assert.equal(res.body.code, 50035);
    }
    const voice = await h.api('POST', `/channels/${g.voiceChannelId}/webhooks`, {
      token: g.owner.token,
      body: { name: 'Voice' },
    });
    assert.equal(voice.status, 400);
  });

  test('the token routes: get, modify, delete without Authorization; a wrong token is 401, no webhook 404', async () => {
    const w = await newWebhook('Tokened');
    const got = await h.api('GET', `/webhooks/${w.id}/${w.token}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.name, 'Tokened');
    assert.equal(got.body.user, undefined);
    const wrong = await h.api('GET', `/webhooks/${w.id}/${'x'.repeat(68)}`);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.code, 50027);
    assert.equal((await h.api('GET', `/webhooks/1234567890123/${w.token}`)).body.code, 10015);
    assert.equal((await execute({ id: w.id, token: 'nope' }, { content: 'hi' })).status, 401);
    const ok = await h.api('PATCH', `/webhooks/${w.id}/${w.token}`, {
      body: { name: 'Renamed', channel_id: g.voiceChannelId },
    });
    assert.equal(ok.body.name, 'Renamed');
    assert.equal(ok.body.channel_id, g.textChannelId, 'the token cannot move the webhook');
    assert.equal(ok.body.user, undefined);
    assert.equal((await h.api('DELETE', `/webhooks/${w.id}/${'y'.repeat(68)}`)).status, 401);
    assert.equal((await h.api('DELETE', `/webhooks/${w.id}/${w.token}`)).status, 204);
    assert.equal((await h.api('GET', `/webhooks/${w.id}/${w.token}`)).status, 404);
  });

  test('deleting the channel deletes its webhooks', async () => {
    const ch = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: { name: 'gone' },
    });
    const w = await newWebhook('Doomed', ch.body.id);
    assert.equal((await h.api('DELETE', `/channels/${ch.body.id}`, { token: g.owner.token })).status, 200);
    assert.equal((await h.api('GET', `/webhooks/${w.id}/${w.token}`)).status, 404);
  });
});

describe('executing', () => {
  test('wait, overrides, embeds, tts, flags, allowed_mentions; the message in history and MESSAGE_CREATE', async () => {
    const w = await newWebhook('Alerts');
    const member = await join(h, g);
    const gw = await TestGateway.identify(h, g.owner.token, {}, 1);
    const noWait = await execute(w, { content: 'fire and forget' });
    assert.equal(noWait.status, 204);
    assert.equal(noWait.text, '');
    const res = await execute(
      w,
      {
        content: `deploy done <@${member.id}> @everyone`,
        username: 'Deploy Bot',
        avatar_url: 'https://example.com/a.png',
        tts: true,
        flags: 4,
        embeds: [{ title: 'v1.2.3', description: 'shipped', color: 0x00ff00 }],
        allowed_mentions: { parse: ['users'] },
      },
      '?wait=true',
    );
    assert.equal(res.status, 200, res.text);
    const m = res.body;
    assert.equal(m.webhook_id, w.id);
    assert.deepEqual(
      {
        id: m.author.id,
        username: m.author.username,
        bot: m.author.bot,
        discriminator: m.author.discriminator,
      },
      { id: w.id, username: 'Deploy Bot', bot: true, discriminator: '0000' },
    );
    assert.equal(m.author.avatar_url, 'https://example.com/a.png');
    assert.equal(m.tts, true);
    assert.equal(m.flags, 4);
    // Flag 4 is SUPPRESS_EMBEDS: as on Discord, a suppressed message is serialized without its embeds (ADR 0044).
    assert.deepEqual(m.embeds, []);
    assert.deepEqual(
      m.mentions.map((u: any) => u.id),
      [member.id],
    );
    assert.equal(m.mention_everyone, false, 'allowed_mentions left @everyone out');
    assert.equal(m.member, undefined);

    const created = await gw.dispatch('MESSAGE_CREATE', (d) => d.id === m.id);
    assert.equal(created.webhook_id, w.id);
    assert.equal(created.author.username, 'Deploy Bot');
    assert.equal(created.member, undefined);
    assert.equal(created.guild_id, g.id);

    const history = await h.api('GET', `/channels/${g.textChannelId}/messages?limit=5`, {
      token: member.token,
    });
    const inHistory = history.body.find((x: any) => x.id === m.id);
    assert.equal(inHistory.webhook_id, w.id);
    assert.equal(inHistory.author.username, 'Deploy Bot');
    const plain = history.body.find((x: any) => x.content === 'fire and forget');
    assert.equal(plain.author.username, 'Alerts', 'without an override, the name of the webhook');
    assert.equal(plain.author.avatar_url, undefined);

    // The override avatar where libraries look for it (discord.js: <cdn>/avatars/<author id>/<avatar>.webp): not
    // fetched by Hearth, a redirect to the URL the message was sent with; another webhook's path finds nothing.
    assert.match(m.author.avatar, /^[0-9a-f]{32}$/);
    assert.equal(plain.author.avatar, null, 'without an override, the webhook has no avatar');
    const avatarAt = (id: string, ext: string) =>
      fetch(`${h.url}/avatars/${id}/${m.author.avatar}.${ext}`, { redirect: 'manual' });
    for (const ext of ['webp', 'png']) {
      const shown = await avatarAt(w.id, ext);
      assert.equal(shown.status, 302);
      assert.equal(shown.headers.get('location'), 'https://example.com/a.png');
    }
    assert.equal((await avatarAt(member.id, 'png')).status, 404);

    const found = await h.api('GET', `/guilds/${g.id}/messages/search?content=deploy`, {
      token: member.token,
    });
    assert.equal(found.status, 200, found.text);
    assert.ok(found.body.messages.flat().some((x: any) => x.id === m.id && x.webhook_id === w.id));

    // A user cannot edit the webhook's message through the channel routes.
    const edit = await h.api('PATCH', `/channels/${g.textChannelId}/messages/${m.id}`, {
      token: g.owner.token,
      body: { content: 'hijack' },
    });
    assert.equal(edit.status, 403);
  });

  test('a webhook mentions with its own rights: @everyone and roles that are not mentionable', async () => {
    const w = await newWebhook('Pager');
    const role = await h.api('POST', `/guilds/${g.id}/roles`, {
      token: g.owner.token,
      body: { name: 'oncall', mentionable: false },
    });
    const m = (await execute(w, { content: `@everyone <@&${role.body.id}> wake up` }, '?wait=true')).body;
    assert.equal(m.mention_everyone, true);
    assert.deepEqual(m.mention_roles, [role.body.id]);
    const quiet = (
      await execute(
        w,
        { content: `@everyone <@&${role.body.id}>`, allowed_mentions: { parse: [] } },
        '?wait=true',
      )
    ).body;
    assert.equal(quiet.mention_everyone, false);
    assert.deepEqual(quiet.mention_roles, []);
  });

  test('bad executions: empty, forbidden username, too long, invalid embeds', async () => {
    const w = await newWebhook('Strict');
    assert.equal((await execute(w, {})).body.code, 50006);
    assert.equal((await execute(w, { content: 'x', username: 'clyde' })).status, 400);
    assert.equal((await execute(w, { content: 'x'.repeat(2001) })).status, 400);
    assert.equal((await execute(w, { embeds: [{ title: 'x'.repeat(300) }] })).status, 400);
    assert.equal((await execute(w, { content: 'x' }, '?thread_id=123')).status, 404);
  });

  test('thread_id posts into a thread of the channel, and no other', async () => {
    const w = await newWebhook('Threads');
    const thread = await h.api('POST', `/channels/${g.textChannelId}/threads`, {
      token: g.owner.token,
      body: { name: 'release notes', type: 11 },
    });
    assert.equal(thread.status, 201, thread.text);
    const res = await execute(w, { content: 'in the thread' }, `?wait=true&thread_id=${thread.body.id}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.channel_id, thread.body.id);
    const got = await h.api(
      'GET',
      `/webhooks/${w.id}/${w.token}/messages/${res.body.id}?thread_id=${thread.body.id}`,
    );
    assert.equal(got.body.content, 'in the thread');
    // A thread of another channel is not the webhook's.
    const ch = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: { name: 'else' },
    });
    const foreign = await h.api('POST', `/channels/${ch.body.id}/threads`, {
      token: g.owner.token,
      body: { name: 'foreign', type: 11 },
    });
    assert.equal((await execute(w, { content: 'x' }, `?thread_id=${foreign.body.id}`)).status, 404);
  });

  test('files through multipart', async () => {
    const w = await newWebhook('Files');
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'report', username: 'Reporter' }));
    form.append('files[0]', new Blob([Buffer.from('hello file')], { type: 'text/plain' }), 'report.txt');
    const res = await fetch(`${h.url}/api/v10/webhooks/${w.id}/${w.token}?wait=true`, {
      method: 'POST',
      body: form,
    });
    assert.equal(res.status, 200);
    const m = (await res.json()) as any;
    assert.equal(m.attachments.length, 1);
    assert.equal(m.attachments[0].filename, 'report.txt');
    assert.equal(m.author.username, 'Reporter');
    assert.equal(
      await (await fetch(m.attachments[0].url.replace('http://hearth.test', h.url))).text(),
      'hello file',
    );
  });

  test('webhook messages: get, edit and delete only its own; @original is routed and unknown', async () => {
    const w = await newWebhook('Editor');
    const other = await newWebhook('Other');
    const m = (await execute(w, { content: 'first' }, '?wait=true')).body;
    const base = `/webhooks/${w.id}/${w.token}/messages`;
    assert.equal((await h.api('GET', `${base}/${m.id}`)).body.content, 'first');
    const edited = await h.api('PATCH', `${base}/${m.id}`, {
      body: { content: 'second', embeds: [{ title: 'now with embed' }] },
    });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.body.content, 'second');
    assert.equal(edited.body.embeds[0].title, 'now with embed');
    assert.ok(edited.body.edited_timestamp);
    assert.ok(h.events.some((e) => e.t === 'MESSAGE_UPDATE' && (e.d as any).id === m.id));
    // Another webhook's token does not reach it, nor does a user's message.
    assert.equal(
      (await h.api('GET', `/webhooks/${other.id}/${other.token}/messages/${m.id}`)).body.code,
      10008,
    );
    const userMsg = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: { content: 'mine' },
    });
    assert.equal(
      (await h.api('PATCH', `${base}/${userMsg.body.id}`, { body: { content: 'x' } })).status,
      404,
    );
    assert.equal((await h.api('GET', `${base}/@original`)).body.code, 10008);
    assert.equal((await h.api('GET', `/webhooks/${w.id}/bad/messages/${m.id}`)).status, 401);
    assert.equal((await h.api('DELETE', `${base}/${m.id}`)).status, 204);
    assert.equal((await h.api('GET', `${base}/${m.id}`)).status, 404);
    assert.ok(h.events.some((e) => e.t === 'MESSAGE_DELETE' && (e.d as any).id === m.id));
    // A moderator may delete a webhook's message in the channel.
    const again = (await execute(w, { content: 'mod me' }, '?wait=true')).body;
    const del = await h.api('DELETE', `/channels/${g.textChannelId}/messages/${again.id}`, {
      token: g.owner.token,
    });
    assert.equal(del.status, 204);
  });

  test('Slack-compatible payloads', async () => {
    const w = await newWebhook('Slacky');
    const res = await h.api('POST', `/webhooks/${w.id}/${w.token}/slack?wait=true`, {
      body: {
        text: 'Build <https://ci.example/1|#1> passed',
        username: 'CI',
        icon_url: 'https://ci.example/icon.png',
        attachments: [
          {
            color: 'good',
            title: 'Details',
            title_link: 'https://ci.example/1',
            text: 'All green',
            fields: [{ title: 'Branch', value: 'main', short: true }],
            footer: 'ci',
            ts: 1700000000,
          },
        ],
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.content, 'Build [#1](https://ci.example/1) passed');
    assert.equal(res.body.author.username, 'CI');
    assert.equal(res.body.author.avatar_url, 'https://ci.example/icon.png');
    assert.deepEqual(res.body.embeds[0], {
      title: 'Details',
      url: 'https://ci.example/1',
      description: 'All green',
      color: 0x2eb886,
      fields: [{ name: 'Branch', value: 'main', inline: true }],
      footer: { text: 'ci' },
      timestamp: '2023-11-14T22:13:20.000Z',
    });
    const plain = await h.api('POST', `/webhooks/${w.id}/${w.token}/slack`, { body: { text: 'hi' } });
    assert.equal(plain.status, 200);
    assert.equal(plain.text, 'ok');
  });

  test('GitHub-compatible payloads: a push renders as Discord renders it; ping posts nothing', async () => {
    const w = await newWebhook('Repo');
    const before = h.events.filter((e) => e.t === 'MESSAGE_CREATE').length;
    const ping = await h.api('POST', `/webhooks/${w.id}/${w.token}/github`, {
      headers: { 'x-github-event': 'ping' },
      body: { zen: 'Keep it simple.', hook_id: 1 },
    });
    assert.equal(ping.status, 204);
    assert.equal(h.events.filter((e) => e.t === 'MESSAGE_CREATE').length, before);
    const push = {
      ref: 'refs/heads/main',
      compare: 'https://github.com/hearth/hearth/compare/abc...def',
      repository: {
        name: 'hearth',
        full_name: 'hearth/hearth',
        html_url: 'https://github.com/hearth/hearth',
      },
      sender: {
        login: 'octocat',
        avatar_url: 'https://avatars.example/octocat',
        html_url: 'https://github.com/octocat',
      },
      commits: [
        {
          id: 'abcdef1234567890',
          message: 'Fix the flux capacitor\n\nLong description',
          url: 'https://github.com/hearth/hearth/commit/abcdef1234567890',
          author: { name: 'Octo Cat', username: 'octocat' },
        },
        {
          id: '1234567abcdef',
          message: 'Add tests',
          url: 'https://github.com/hearth/hearth/commit/1234567abcdef',
          author: { name: 'Mona', username: 'mona' },
        },
      ],
    };
    const res = await h.api('POST', `/webhooks/${w.id}/${w.token}/github?wait=true`, {
      headers: { 'x-github-event': 'push' },
      body: push,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.author.username, 'GitHub');
    const embed = res.body.embeds[0];
    assert.equal(embed.title, '[hearth/hearth:main] 2 new commits');
    assert.equal(embed.url, push.compare);
    assert.equal(
      embed.description,
      '[`abcdef1`](https://github.com/hearth/hearth/commit/abcdef1234567890) Fix the flux capacitor - octocat\n' +
        '[`1234567`](https://github.com/hearth/hearth/commit/1234567abcdef) Add tests - mona',
    );
    assert.equal(embed.author.name, 'octocat');
    const issue = await h.api('POST', `/webhooks/${w.id}/${w.token}/github?wait=true`, {
      headers: { 'x-github-event': 'issues' },
      body: {
        action: 'opened',
        issue: {
          number: 7,
          title: 'Crash',
          html_url: 'https://github.com/hearth/hearth/issues/7',
          body: 'It broke',
        },
        repository: push.repository,
        sender: push.sender,
      },
    });
    assert.equal(issue.body.embeds[0].title, '[hearth/hearth] Issue opened: #7 Crash');
    const pr = await h.api('POST', `/webhooks/${w.id}/${w.token}/github?wait=true`, {
      headers: { 'x-github-event': 'pull_request' },
      body: {
        action: 'closed',
        pull_request: { number: 8, title: 'Feature', merged: true, html_url: 'https://x/8' },
        repository: push.repository,
        sender: push.sender,
      },
    });
    assert.equal(pr.body.embeds[0].title, '[hearth/hearth] Pull request merged: #8 Feature');
    assert.equal(
      (
        await h.api('POST', `/webhooks/${w.id}/bad/github`, {
          headers: { 'x-github-event': 'ping' },
          body: {},
        })
      ).status,
      401,
    );
  });

  test("discord.js's WebhookClient executes, edits and deletes against Hearth", async () => {
    const w = await newWebhook('Djs');
    const client = new WebhookClient(
      { id: w.id, token: w.token },
      { rest: { api: `${h.url}/api`, retries: 0 } },
    );
    try {
      const sent = await client.send({
        content: 'from discord.js',
        username: 'DJS',
        embeds: [{ title: 'E' }],
      });
      assert.equal(sent.content, 'from discord.js');
      assert.equal(sent.webhook_id, w.id);
      const edited = await client.editMessage(sent.id, { content: 'edited by discord.js' });
      assert.equal(edited.content, 'edited by discord.js');
      const fetched = await client.fetchMessage(sent.id);
      assert.equal(fetched.content, 'edited by discord.js');
      await client.deleteMessage(sent.id);
      const gone = await h.api('GET', `/webhooks/${w.id}/${w.token}/messages/${sent.id}`);
      assert.equal(gone.status, 404);
    } finally {
      client.destroy();
    }
  });
});

test('the access log never holds a webhook token', async () => {
  const lines: string[] = [];
  // Request lines are logged at debug (http/request-log.ts), as an operator investigating would turn on.
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  const logged = await startHearth({}, { logger });
  try {
    const lg = await createGuild(logged);
    const w = (
      await logged.api('POST', `/channels/${lg.textChannelId}/webhooks`, {
        token: lg.owner.token,
        body: { name: 'Quiet' },
      })
    ).body;
    const m = await logged.api('POST', `/webhooks/${w.id}/${w.token}?wait=true`, { body: { content: 'x' } });
    await logged.api('GET', `/webhooks/${w.id}/${w.token}/messages/${m.body.id}`);
    await logged.api('GET', `/webhooks/${w.id}/${w.token}`);
    const all = lines.join('');
    assert.ok(all.includes(`/webhooks/${w.id}/[token]`), 'the requests were logged');
    assert.ok(!all.includes(w.token), 'no token in the log');
  } finally {
    await logged.close();
  }
});

describe('events and limits', () => {
  test('WEBHOOKS_UPDATE reaches those who see the channel; bots only with GUILD_WEBHOOKS', async () => {
    const app = (await h.api('POST', '/applications', { token: g.owner.token, body: { name: 'Hooks Bot' } }))
      .body;
    const added = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
      token: g.owner.token,
      body: { guild_id: g.id, permissions: '0', authorize: true },
    });
    assert.equal(added.status, 200, added.text);
    const botToken = (await h.api('POST', `/applications/${app.id}/bot/reset`, { token: g.owner.token })).body
      .token;
    const owner = await TestGateway.identify(h, g.owner.token, {}, 1);
    const withIntent = await TestGateway.identify(h, `Bot ${botToken}`, { intents: (1 << 0) | (1 << 5) }, 1);
    const without = await TestGateway.identify(h, `Bot ${botToken}`, { intents: 1 << 0 }, 1);
    const w = await newWebhook('Evented');
    const d = await owner.dispatch('WEBHOOKS_UPDATE');
    assert.deepEqual(d, { guild_id: g.id, channel_id: g.textChannelId });
    assert.deepEqual(await withIntent.dispatch('WEBHOOKS_UPDATE'), d);
    assert.ok(await without.never('WEBHOOKS_UPDATE'));
    await h.api('PATCH', `/webhooks/${w.id}`, { token: g.owner.token, body: { name: 'Evented 2' } });
    await owner.dispatch('WEBHOOKS_UPDATE');
    await h.api('DELETE', `/webhooks/${w.id}`, { token: g.owner.token });
    await owner.dispatch('WEBHOOKS_UPDATE');
  });

  test("rate limits: 5 requests per 2 s per webhook, 30 messages a minute per channel, Discord's headers", async () => {
    const limited = await startHearth({ rateLimits: true });
    try {
      const lg = await createGuild(limited);
      const res = await limited.api('POST', `/channels/${lg.textChannelId}/webhooks`, {
        token: lg.owner.token,
        body: { name: 'Busy' },
      });
      const w = res.body;
      // Wrong tokens are refused without spending the webhook's budget.
      for (let i = 0; i < 6; i++)
        assert.equal(
          (await limited.api('POST', `/webhooks/${w.id}/${'z'.repeat(68)}`, { body: { content: 'spam' } }))
            .status,
          401,
        );
      // Sent at once, so that one window holds them all.
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          limited.api('POST', `/webhooks/${w.id}/${w.token}`, { body: { content: `n${i}` } }),
        ),
      );
      const ok = answers.filter((a) => a.status === 204);
      const over = answers.filter((a) => a.status === 429);
      assert.equal(ok.length, 5);
      assert.equal(over.length, 1);
      assert.equal(ok[0].headers.get('x-ratelimit-limit'), '5');
      assert.ok(ok[0].headers.get('x-ratelimit-bucket'));
      assert.ok(over[0].headers.get('retry-after'));
      assert.equal(over[0].headers.get('x-ratelimit-remaining'), '0');
      assert.equal(typeof over[0].body.retry_after, 'number');

      // 30 messages a minute into one channel, whichever webhooks send them.
      const ch = await limited.api('POST', `/guilds/${lg.id}/channels`, {
        token: lg.owner.token,
        body: { name: 'busy-channel' },
      });
      const hooks = [];
      for (let i = 0; i < 7; i++)
        hooks.push(
          (
            await limited.api('POST', `/channels/${ch.body.id}/webhooks`, {
              token: lg.owner.token,
              body: { name: `Hook ${i}` },
            })
          ).body,
        );
      const thirty = await Promise.all(
        hooks
          .slice(0, 6)
          .flatMap((hook) =>
            Array.from({ length: 5 }, () =>
              limited.api('POST', `/webhooks/${hook.id}/${hook.token}`, { body: { content: 'x' } }),
            ),
          ),
      );
      assert.deepEqual(new Set(thirty.map((a) => a.status)), new Set([204]));
      const thirtyFirst = await limited.api('POST', `/webhooks/${hooks[6].id}/${hooks[6].token}`, {
        body: { content: 'one too many' },
      });
      assert.equal(thirtyFirst.status, 429);
      assert.equal(thirtyFirst.headers.get('x-ratelimit-limit'), '30');
    } finally {
      await limited.close();
    }
  });
});
