import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission } from '@hearth/permissions';
import { createGuild, grant, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

// Application commands over HTTP, as bots and people call them: Discord's routes, shapes, rules and limits.

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

interface Bot {
  appId: string;
  botUserId: string;
  token: string;
  owner: TestUser;
}

/** An application of `owner` with its bot, added to `guild` (by its owner) unless `guild` is null. */
async function installBot(guild: TestGuild | null, owner?: TestUser, name = 'Cmd Bot'): Promise<Bot> {
  const me = owner ?? guild?.owner ?? (await h.register());
  const app = (await h.api('POST', '/applications', { token: me.token, body: { name } })).body;
  const token = `Bot ${(await h.api('POST', `/applications/${app.id}/bot/reset`, { token: me.token })).body.token}`;
  if (guild) {
    const added = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
      token: guild.owner.token,
      body: { guild_id: guild.id, permissions: '0', authorize: true },
    });
    assert.equal(added.status, 200, added.text);
  }
  return { appId: app.id, botUserId: app.bot.id, token, owner: me };
}

const chat = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  description: `The ${name} command`,
  ...extra,
});

describe('registering commands', () => {
  test('POST creates (201), upserts by name (200, same id), GET, PATCH with a new version, DELETE', async () => {
    const bot = await installBot(null);
    const base = `/applications/${bot.appId}/commands`;
    const created = await h.api('POST', base, { token: bot.token, body: chat('ping') });
    assert.equal(created.status, 201, created.text);
    const c = created.body;
    assert.equal(c.type, 1);
    assert.equal(c.application_id, bot.appId);
    assert.equal(c.name, 'ping');
    assert.equal(c.default_member_permissions, null);
    assert.equal(c.dm_permission, true);
    assert.equal(c.contexts, null);
    assert.deepEqual(c.integration_types, [0]);
    assert.equal(c.nsfw, false);
    assert.equal(c.guild_id, undefined);
    assert.match(c.version, /^\d+$/);

    const same = await h.api('POST', base, { token: bot.token, body: chat('ping') });
    assert.equal(same.status, 200);
    assert.equal(same.body.id, c.id);
    assert.equal(same.body.version, c.version, 'nothing changed: same version');
    const changed = await h.api('POST', base, {
      token: bot.token,
      body: chat('ping', { description: 'Pong!', default_member_permissions: '32' }),
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.id, c.id);
    assert.notEqual(changed.body.version, c.version);
    assert.equal(changed.body.default_member_permissions, '32');

    const patched = await h.api('PATCH', `${base}/${c.id}`, {
      token: bot.token,
      body: { description: 'Edited', nsfw: true, contexts: [0] },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.description, 'Edited');
    assert.equal(patched.body.name, 'ping');
    assert.equal(patched.body.nsfw, true);
    assert.deepEqual(patched.body.contexts, [0]);
    assert.equal(patched.body.dm_permission, false);
    assert.equal(patched.body.default_member_permissions, '32', 'fields not given are kept');
    assert.notEqual(patched.body.version, changed.body.version);

    const got = await h.api('GET', `${base}/${c.id}`, { token: bot.token });
    assert.deepEqual(got.body, patched.body);
    const list = await h.api('GET', base, { token: bot.token });
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.map((x: any) => x.id),
      [c.id],
    );

    assert.equal((await h.api('DELETE', `${base}/${c.id}`, { token: bot.token })).status, 204);
    const gone = await h.api('GET', `${base}/${c.id}`, { token: bot.token });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 10063);
    assert.equal((await h.api('DELETE', `${base}/${c.id}`, { token: bot.token })).status, 404);
  });

  test("the owner's token may manage them; other people and other applications' bots learn nothing", async () => {
    const bot = await installBot(null);
    const other = await installBot(null);
    const stranger = await h.register();
    const base = `/applications/${bot.appId}/commands`;
    const mine = await h.api('POST', base, { token: bot.owner.token, body: chat('owned') });
    assert.equal(mine.status, 201, mine.text);
    for (const token of [stranger.token, other.token]) {
      for (const [method, path, body] of [
        ['GET', base, undefined],
        ['POST', base, chat('evil')],
        ['PUT', base, []],
        ['GET', `${base}/${mine.body.id}`, undefined],
        ['PATCH', `${base}/${mine.body.id}`, { description: 'evil' }],
        ['DELETE', `${base}/${mine.body.id}`, undefined],
      ] as const) {
        const res = await h.api(method, path, { token, body });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(res.body.code, 10002);
      }
    }
    assert.equal((await h.api('GET', base, {})).status, 401);
    const list = await h.api('GET', base, { token: bot.token });
    assert.deepEqual(
      list.body.map((c: any) => c.name),
      ['owned'],
    );
  });

  test('guild commands exist only where the bot is, and live beside global ones of the same name', async () => {
    const g = await createGuild(h);
    const elsewhere = await createGuild(h);
    const bot = await installBot(g);
    const created = await h.api('POST', `/applications/${bot.appId}/guilds/${g.id}/commands`, {
      token: bot.token,
      body: chat('ping', { contexts: [1], integration_types: [0, 1] }),
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.guild_id, g.id);
    assert.equal(created.body.contexts, null, 'contexts are for global commands');
    assert.equal(created.body.dm_permission, undefined);
    const global = await h.api('POST', `/applications/${bot.appId}/commands`, {
      token: bot.token,
      body: chat('ping'),
    });
    assert.equal(global.status, 201);
    assert.notEqual(global.body.id, created.body.id);
    const away = await h.api('POST', `/applications/${bot.appId}/guilds/${elsewhere.id}/commands`, {
      token: bot.token,
      body: chat('ping'),
    });
    assert.equal(away.status, 403);
    assert.equal(away.body.code, 50001);
    assert.equal(
      (await h.api('GET', `/applications/${bot.appId}/guilds/${elsewhere.id}/commands`, { token: bot.token }))
        .status,
      403,
    );
    // A guild command is not reachable through the global routes, nor through another guild's.
    assert.equal(
      (await h.api('GET', `/applications/${bot.appId}/commands/${created.body.id}`, { token: bot.token }))
        .status,
      404,
    );
  });

  test('every option type, subcommands and groups, choices, ranges, channel types and localizations round trip', async () => {
    const bot = await installBot(null);
    const body = {
      name: 'settings',
      description: 'Settings',
      name_localizations: { fr: 'réglages', de: 'einstellungen' },
      description_localizations: { fr: 'Réglages' },
      options: [
        {
          type: 2,
          name: 'user',
          description: 'User settings',
          options: [
            {
              type: 1,
              name: 'set',
              description: 'Set one',
              options: [
                {
                  type: 3,
                  name: 'key',
                  description: 'Key',
                  required: true,
                  choices: [
                    { name: 'Colour', value: 'colour', name_localizations: { 'en-US': 'Color' } },
                    { name: 'Size', value: 'size' },
                    { name: 'Five', value: '5' },
                  ],
                },
                {
                  type: 3,
                  name: 'value',
                  description: 'Value',
                  min_length: 1,
                  max_length: 50,
                  autocomplete: true,
                },
                {
                  type: 4,
                  name: 'count',
                  description: 'Count',
                  min_value: -5,
                  max_value: 10,
                  choices: [{ name: 'one', value: 1 }],
                },
                { type: 10, name: 'ratio', description: 'Ratio', min_value: 0.5, max_value: 2.5 },
                { type: 5, name: 'flag', description: 'Flag' },
                { type: 6, name: 'who', description: 'Who' },
                { type: 7, name: 'where', description: 'Where', channel_types: [0, 5] },
                { type: 8, name: 'role', description: 'Role' },
                { type: 9, name: 'any', description: 'Anything' },
                { type: 11, name: 'file', description: 'A file' },
              ],
            },
          ],
        },
        { type: 1, name: 'reset', description: 'Reset all' },
      ],
    };
    const res = await h.api('POST', `/applications/${bot.appId}/commands`, { token: bot.token, body });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.name_localizations, body.name_localizations);
    assert.deepEqual(res.body.description_localizations, body.description_localizations);
    const set = res.body.options[0].options[0];
    assert.equal(set.name, 'set');
    const [key, value, count, ratio, , , where] = set.options;
    assert.equal(key.required, true);
    assert.deepEqual(key.choices[0], {
      name: 'Colour',
      value: 'colour',
      name_localizations: { 'en-US': 'Color' },
    });
    assert.equal(key.choices[2].value, '5', 'a string choice stays a string');
    assert.equal(count.choices[0].value, 1, 'an integer choice stays a number');
    assert.equal(value.autocomplete, true);
    assert.equal(value.max_length, 50);
    assert.equal(count.min_value, -5);
    assert.equal(ratio.max_value, 2.5);
    assert.deepEqual(where.channel_types, [0, 5]);
    assert.equal(set.options.length, 10);

    // Lists give the caller's localization only, unless asked for the dictionaries.
    const plain = await h.api('GET', `/applications/${bot.appId}/commands`, {
      token: bot.token,
      headers: { 'x-discord-locale': 'fr' },
    });
    assert.equal(plain.body[0].name_localized, 'réglages');
    assert.equal(plain.body[0].description_localized, 'Réglages');
    assert.equal(plain.body[0].name_localizations, undefined);
    const english = await h.api('GET', `/applications/${bot.appId}/commands`, {
      token: bot.token,
      headers: { 'accept-language': 'en-US,en;q=0.9' },
    });
    const englishKey = english.body[0].options[0].options[0].options[0];
    assert.equal(englishKey.choices[0].name_localized, 'Color', 'localized down to the choices');
    assert.equal(englishKey.choices[0].name_localizations, undefined);
    const full = await h.api('GET', `/applications/${bot.appId}/commands?with_localizations=true`, {
      token: bot.token,
    });
    assert.deepEqual(full.body[0].name_localizations, body.name_localizations);
    assert.equal(full.body[0].name_localized, undefined);
  });

  test('USER and MESSAGE commands: mixed case and spaces, no description or options', async () => {
    const bot = await installBot(null);
    const base = `/applications/${bot.appId}/commands`;
    const user = await h.api('POST', base, { token: bot.token, body: { type: 2, name: 'High Five' } });
    assert.equal(user.status, 201, user.text);
    assert.equal(user.body.description, '');
    assert.equal(user.body.type, 2);
    const message = await h.api('POST', base, { token: bot.token, body: { type: 3, name: 'Bookmark This' } });
    assert.equal(message.status, 201);
    // The same name in another type is another command.
    assert.equal(
      (await h.api('POST', base, { token: bot.token, body: { type: 3, name: 'High Five' } })).status,
      201,
    );
    const withDescription = await h.api('POST', base, {
      token: bot.token,
      body: {
        type: 2,
        name: 'Wave',
        description: 'nope',
        options: [{ type: 3, name: 'x', description: 'x' }],
      },
    });
    assert.equal(withDescription.status, 400);
    assert.ok(withDescription.body.errors.description);
    assert.ok(withDescription.body.errors.options);
  });
});

describe('validation', () => {
  async function rejected(body: unknown, path: string[], method = 'POST') {
    const bot = await installBot(null);
    const res = await h.api(method, `/applications/${bot.appId}/commands`, { token: bot.token, body });
    assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
    assert.equal(res.body.code, 50035);
    let node = res.body.errors;
    for (const key of path) {
      node = node?.[key];
      assert.ok(node, `${path.join('.')} in ${JSON.stringify(res.body.errors)}`);
    }
    assert.ok(node._errors?.length, JSON.stringify(res.body.errors));
    return res.body.errors;
  }
  const opt = (name: string, extra: Record<string, unknown> = {}) => ({
    type: 3,
    name,
    description: name,
    ...extra,
  });

  test('names: the chat-input regex and lowercase; lengths; a description for chat input', async () => {
    await rejected(chat('Ping'), ['name']);
    await rejected(chat('two words'), ['name']);
    await rejected(chat('x'.repeat(33)), ['name']);
    await rejected({ name: 'nodesc' }, ['description']);
    await rejected(chat('ok', { description: 'd'.repeat(101) }), ['description']);
    await rejected(chat('ok', { name_localizations: { fr: 'Majuscule' } }), ['name_localizations', 'fr']);
    await rejected(chat('ok', { name_localizations: { xx: 'x' } }), ['name_localizations', 'xx']);
    await rejected(chat('ok', { type: 4 }), ['type']);
    // Unicode letters without case are fine, as on Discord.
    const bot = await installBot(null);
    const ok = await h.api('POST', `/applications/${bot.appId}/commands`, {
      token: bot.token,
      body: chat('ping-é_ñ'),
    });
    assert.equal(ok.status, 201, ok.text);
  });

  test('options: order, uniqueness, nesting, type-specific fields, limits', async () => {
    await rejected(chat('c', { options: [opt('a'), opt('b', { required: true })] }), [
      'options',
      '1',
      'required',
    ]);
    await rejected(chat('c', { options: [opt('a'), opt('a')] }), ['options', '1', 'name']);
    await rejected(chat('c', { options: [opt('A')] }), ['options', '0', 'name']);
    await rejected(chat('c', { options: Array.from({ length: 26 }, (_, i) => opt(`o${i}`)) }), ['options']);
    await rejected(
      chat('c', {
        options: [
          { type: 1, name: 's', description: 's', options: [{ type: 1, name: 't', description: 't' }] },
        ],
      }),
      ['options', '0', 'options', '0', 'type'],
    );
    await rejected(chat('c', { options: [{ type: 2, name: 'g', description: 'g', options: [opt('x')] }] }), [
      'options',
      '0',
      'options',
      '0',
      'type',
    ]);
    await rejected(chat('c', { options: [{ type: 1, name: 's', description: 's' }, opt('x')] }), ['options']);
    await rejected(chat('c', { options: [opt('b', { type: 5, choices: [{ name: 'y', value: 'y' }] })] }), [
      'options',
      '0',
      'choices',
    ]);
    await rejected(chat('c', { options: [opt('n', { type: 4, choices: [{ name: 'half', value: 0.5 }] })] }), [
      'options',
      '0',
      'choices',
      '0',
      'value',
    ]);
    await rejected(
      chat('c', { options: [opt('s', { choices: [{ name: 'a', value: 'a' }], autocomplete: true })] }),
      ['options', '0', 'autocomplete'],
    );
    await rejected(
      chat('c', {
        options: [
          opt('s', { choices: Array.from({ length: 26 }, (_, i) => ({ name: `${i}`, value: `${i}` })) }),
        ],
      }),
      ['options', '0', 'choices'],
    );
    await rejected(chat('c', { options: [opt('n', { type: 4, min_value: 5, max_value: 1 })] }), [
      'options',
      '0',
      'max_value',
    ]);
    await rejected(chat('c', { options: [opt('n', { type: 4, min_value: 1.5 })] }), [
      'options',
      '0',
      'min_value',
    ]);
    await rejected(chat('c', { options: [opt('s', { min_value: 1 })] }), ['options', '0', 'min_value']);
    await rejected(chat('c', { options: [opt('s', { min_length: 7000 })] }), ['options', '0', 'min_length']);
    await rejected(chat('c', { options: [opt('s', { channel_types: [0] })] }), [
      'options',
      '0',
      'channel_types',
    ]);
    await rejected(chat('c', { options: [opt('ch', { type: 7, channel_types: [42] })] }), [
      'options',
      '0',
      'channel_types',
      '0',
    ]);
  });

  test('a chat-input command is at most 8000 characters; permissions are a bit set', async () => {
    const big = Array.from({ length: 25 }, (_, i) =>
      opt(`o${i}`, {
        description: 'd'.repeat(100),
        choices: Array.from({ length: 25 }, (_, j) => ({ name: 'n'.repeat(10), value: `${j}` })),
      }),
    );
    await rejected(chat('big', { options: big }), ['_errors'].slice(0, 0));
    await rejected(chat('c', { default_member_permissions: 'lots' }), ['default_member_permissions']);
  });

  test('a bulk overwrite with two commands of the same type and name is refused whole', async () => {
    await rejected([chat('a'), chat('b'), chat('a')], ['2', 'name'], 'PUT');
  });
});

describe('limits and bulk overwrite', () => {
  test('100 chat-input and 15 user commands per scope (30032 beyond)', async () => {
    const bot = await installBot(null);
    const base = `/applications/${bot.appId}/commands`;
    const hundred = Array.from({ length: 100 }, (_, i) => chat(`c${i}`));
    const put = await h.api('PUT', base, { token: bot.token, body: hundred });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.length, 100);
    const more = await h.api('POST', base, { token: bot.token, body: chat('c100') });
    assert.equal(more.status, 400);
    assert.equal(more.body.code, 30032);
    // Upserting an existing name is no new command.
    assert.equal(
      (await h.api('POST', base, { token: bot.token, body: chat('c5', { nsfw: true }) })).status,
      200,
    );
    const tooMany = await h.api('PUT', base, { token: bot.token, body: [...hundred, chat('c100')] });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.code, 30032);
    const users = Array.from({ length: 16 }, (_, i) => ({ type: 2, name: `User ${i}` }));
    const u = await h.api('PUT', base, { token: bot.token, body: users });
    assert.equal(u.status, 400);
    assert.equal(u.body.code, 30032);
    assert.equal(
      (await h.api('GET', base, { token: bot.token })).body.length,
      100,
      'a refused PUT changes nothing',
    );
  });

  test('200 command creates a day per scope (30034 beyond); deleting commands gives none back', async () => {
    const bot = await installBot(null);
    const base = `/applications/${bot.appId}/commands`;
    const named = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => chat(`${prefix}${i}`));
    for (const body of [named('a', 100), named('b', 50), [...named('b', 50), ...named('c', 50)]]) {
      const put = await h.api('PUT', base, { token: bot.token, body });
      assert.equal(put.status, 200, put.text);
    }
    // 200 made today: deleting them makes room in the scope, not in the day.
    assert.deepEqual((await h.api('PUT', base, { token: bot.token, body: [] })).body, []);
    const refused = await h.api('POST', base, { token: bot.token, body: chat('d') });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.body.code, 30034);
    const put = await h.api('PUT', base, { token: bot.token, body: [chat('e')] });
    assert.equal(put.status, 400, put.text);
    assert.equal(put.body.code, 30034);
    assert.deepEqual(
      (await h.api('GET', base, { token: bot.token })).body,
      [],
      'a refused PUT changes nothing',
    );
  });

  test('PUT keeps the ids (and versions) of commands it names, creates the rest and deletes those left out', async () => {
    const bot = await installBot(null);
    const base = `/applications/${bot.appId}/commands`;
    const first = await h.api('PUT', base, {
      token: bot.token,
      body: [chat('keep'), chat('rename'), chat('drop'), { type: 2, name: 'Profile' }],
    });
    assert.equal(first.status, 200, first.text);
    const [keep, rename, drop] = first.body;
    const second = await h.api('PUT', base, {
      token: bot.token,
      body: [chat('keep'), { ...chat('renamed'), id: rename.id }, chat('fresh')],
    });
    assert.equal(second.status, 200, second.text);
    const [keep2, renamed, fresh] = second.body;
    assert.equal(keep2.id, keep.id);
    assert.equal(keep2.version, keep.version);
    assert.equal(renamed.id, rename.id);
    assert.equal(renamed.name, 'renamed');
    assert.notEqual(renamed.version, rename.version);
    assert.ok(![keep.id, rename.id, drop.id].includes(fresh.id));
    const list = await h.api('GET', base, { token: bot.token });
    assert.deepEqual(list.body.map((c: any) => c.name).sort(), ['fresh', 'keep', 'renamed']);
    // What a GET answered can be PUT back as is.
    const again = await h.api('PUT', base, { token: bot.token, body: list.body });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(
      again.body.map((c: any) => c.version).sort(),
      list.body.map((c: any) => c.version).sort(),
    );
    assert.deepEqual((await h.api('PUT', base, { token: bot.token, body: [] })).body, []);
  });
});

describe('command permissions', () => {
  test('read by the application, set by a person who manages the guild and its roles', async () => {
    const g = await createGuild(h);
    const bot = await installBot(g);
    const member = await join(h, g);
    const manager = await join(h, g);
    await grant(h, g, manager, Permission.MANAGE_GUILD | Permission.MANAGE_ROLES);
    const cmd = (
      await h.api('POST', `/applications/${bot.appId}/guilds/${g.id}/commands`, {
        token: bot.token,
        body: chat('ban'),
      })
    ).body;
    const base = `/applications/${bot.appId}/guilds/${g.id}/commands`;
    assert.deepEqual((await h.api('GET', `${base}/permissions`, { token: bot.token })).body, []);
    const none = await h.api('GET', `${base}/${cmd.id}/permissions`, { token: bot.token });
    assert.equal(none.status, 404);
    assert.equal(none.body.code, 10066);

    const allChannels = (BigInt(g.id) - 1n).toString();
    const permissions = [
      { id: g.id, type: 1, permission: false },
      { id: manager.id, type: 2, permission: true },
      { id: allChannels, type: 3, permission: true },
      { id: g.textChannelId, type: 3, permission: false },
    ];
    const byBot = await h.api('PUT', `${base}/${cmd.id}/permissions`, {
      token: bot.token,
      body: { permissions },
    });
    assert.equal(byBot.status, 403);
    const byMember = await h.api('PUT', `${base}/${cmd.id}/permissions`, {
      token: member.token,
      body: { permissions },
    });
    assert.equal(byMember.status, 403);
    const outsider = await h.register();
    assert.equal(
      (await h.api('PUT', `${base}/${cmd.id}/permissions`, { token: outsider.token, body: { permissions } }))
        .status,
      404,
    );

    const set = await h.api('PUT', `${base}/${cmd.id}/permissions`, {
      token: manager.token,
      body: { permissions },
    });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body, { id: cmd.id, application_id: bot.appId, guild_id: g.id, permissions });
    const event = h.events.find(
      (e) => e.t === 'APPLICATION_COMMAND_PERMISSIONS_UPDATE' && (e.d as any).id === cmd.id,
    );
    assert.equal(event?.topic, `user:${bot.botUserId}`);
    assert.deepEqual(
      (await h.api('GET', `${base}/${cmd.id}/permissions`, { token: bot.token })).body,
      set.body,
    );

    // Application-wide: the command id is the application's.
    const appWide = await h.api('PUT', `${base}/${bot.appId}/permissions`, {
      token: g.owner.token,
      body: { permissions: [{ id: member.id, type: 2, permission: false }] },
    });
    assert.equal(appWide.status, 200, appWide.text);
    const all = await h.api('GET', `${base}/permissions`, { token: bot.owner.token });
    assert.deepEqual(all.body.map((p: any) => p.id).sort(), [bot.appId, cmd.id].sort());

    // Bad targets, duplicates, too many; unknown commands.
    for (const bad of [
      [{ id: '123', type: 1, permission: true }],
      [{ id: g.textChannelId, type: 2, permission: true }],
      [
        { id: member.id, type: 2, permission: true },
        { id: member.id, type: 2, permission: false },
      ],
    ]) {
      const res = await h.api('PUT', `${base}/${cmd.id}/permissions`, {
        token: g.owner.token,
        body: { permissions: bad },
      });
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(res.body.code, 50035);
    }
    const many = Array.from({ length: 101 }, (_, i) => ({ id: String(1000 + i), type: 2, permission: true }));
    assert.equal(
      (
        await h.api('PUT', `${base}/${cmd.id}/permissions`, {
          token: g.owner.token,
          body: { permissions: many },
        })
      ).status,
      400,
    );
    const unknown = await h.api('PUT', `${base}/999999999/permissions`, {
      token: g.owner.token,
      body: { permissions: [] },
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 10063);

    // An empty list removes them; deleting the command removes them too.
    await h.api('PUT', `${base}/${bot.appId}/permissions`, {
      token: g.owner.token,
      body: { permissions: [] },
    });
    assert.deepEqual(
      (await h.api('GET', `${base}/permissions`, { token: bot.token })).body.map((p: any) => p.id),
      [cmd.id],
    );
    await h.api('DELETE', `${base}/${cmd.id}`, { token: bot.token });
    assert.deepEqual((await h.api('GET', `${base}/permissions`, { token: bot.token })).body, []);
  });
});

describe('the application command index', () => {
  test('lists what the member may use in the guild, with the applications', async () => {
    const g = await createGuild(h);
    const bot = await installBot(g, undefined, 'Index Bot');
    const notHere = await installBot(null);
    await h.api('POST', `/applications/${notHere.appId}/commands`, {
      token: notHere.token,
      body: chat('absent'),
    });
    const member = await join(h, g);
    const moderator = await join(h, g);
    const modRole = await grant(h, g, moderator, Permission.BAN_MEMBERS);
    const gBase = `/applications/${bot.appId}/guilds/${g.id}/commands`;
    const put = await h.api('PUT', `/applications/${bot.appId}/commands`, {
      token: bot.token,
      body: [
        chat('everyone'),
        chat('ban', { default_member_permissions: String(Permission.BAN_MEMBERS) }),
        chat('admin', { default_member_permissions: '0' }),
        chat('dmonly', { contexts: [1] }),
        { type: 2, name: 'Inspect' },
      ],
    });
    assert.equal(put.status, 200, put.text);
    const local = (await h.api('POST', gBase, { token: bot.token, body: chat('local') })).body;
    const names = async (u: TestUser) => {
      const res = await h.api('GET', `/guilds/${g.id}/application-command-index`, { token: u.token });
      assert.equal(res.status, 200, res.text);
      return res.body;
    };

    const forMember = await names(member);
    assert.deepEqual(forMember.application_commands.map((c: any) => c.name).sort(), [
      'Inspect',
      'everyone',
      'local',
    ]);
    assert.equal(forMember.applications.length, 1);
    assert.equal(forMember.applications[0].id, bot.appId);
    assert.equal(forMember.applications[0].name, 'Index Bot');
    assert.equal(forMember.applications[0].bot_id, bot.botUserId);
    assert.match(forMember.version, /^\d+$/);
    assert.deepEqual((await names(moderator)).application_commands.map((c: any) => c.name).sort(), [
      'Inspect',
      'ban',
      'everyone',
      'local',
    ]);
    assert.deepEqual((await names(g.owner)).application_commands.map((c: any) => c.name).sort(), [
      'Inspect',
      'admin',
      'ban',
      'everyone',
      'local',
    ]);

    // A command's overwrites win over default_member_permissions; the application's deny others.
    await h.api('PUT', `${gBase}/${put.body[2].id}/permissions`, {
      token: g.owner.token,
      body: { permissions: [{ id: member.id, type: 2, permission: true }] },
    });
    await h.api('PUT', `${gBase}/${local.id}/permissions`, {
      token: g.owner.token,
      body: { permissions: [{ id: modRole, type: 1, permission: false }] },
    });
    await h.api('PUT', `${gBase}/${bot.appId}/permissions`, {
      token: g.owner.token,
      body: { permissions: [{ id: moderator.id, type: 2, permission: false }] },
    });
    const after = await names(member);
    assert.deepEqual(after.application_commands.map((c: any) => c.name).sort(), [
      'Inspect',
      'admin',
      'everyone',
      'local',
    ]);
    assert.deepEqual(after.application_commands.find((c: any) => c.name === 'admin').permissions, {
      user: true,
    });
    assert.deepEqual(
      (await names(moderator)).application_commands,
      [],
      'denied application-wide, and local by role',
    );

    const outsider = await h.register();
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/application-command-index`, { token: outsider.token })).status,
      404,
    );
  });

  test("a DM with a bot lists its commands usable there; a bot that leaves takes its guild's commands", async () => {
    const g = await createGuild(h);
    const bot = await installBot(g);
    await h.api('PUT', `/applications/${bot.appId}/commands`, {
      token: bot.token,
      body: [chat('anywhere'), chat('guildonly', { contexts: [0] })],
    });
    await h.api('POST', `/applications/${bot.appId}/guilds/${g.id}/commands`, {
      token: bot.token,
      body: chat('local'),
    });
    const dm = await h.api('POST', '/users/@me/channels', {
      token: g.owner.token,
      body: { recipient_id: bot.botUserId },
    });
    assert.equal(dm.status, 200, dm.text);
    const index = await h.api('GET', `/channels/${dm.body.id}/application-command-index`, {
      token: g.owner.token,
    });
    assert.equal(index.status, 200, index.text);
    assert.deepEqual(
      index.body.application_commands.map((c: any) => c.name),
      ['anywhere'],
    );
    const stranger = await h.register();
    assert.equal(
      (await h.api('GET', `/channels/${dm.body.id}/application-command-index`, { token: stranger.token }))
        .status,
      404,
    );

    const kicked = await h.api('DELETE', `/guilds/${g.id}/members/${bot.botUserId}`, {
      token: g.owner.token,
    });
    assert.equal(kicked.status, 204, kicked.text);
    const index2 = await h.api('GET', `/guilds/${g.id}/application-command-index`, { token: g.owner.token });
    assert.deepEqual(index2.body.application_commands, []);
    await h.api('POST', `/oauth2/authorize?client_id=${bot.appId}&scope=bot`, {
      token: g.owner.token,
      body: { guild_id: g.id, permissions: '0', authorize: true },
    });
    assert.deepEqual(
      (await h.api('GET', `/applications/${bot.appId}/guilds/${g.id}/commands`, { token: bot.token })).body,
      [],
      'its guild commands went with it',
    );
  });
});
