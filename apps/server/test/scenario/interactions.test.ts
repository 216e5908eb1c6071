import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import * as schema from '../../src/store/schema';
import { addApplication, type BotWorld, botWorld } from '../bots/bot-setup';
import { TestGateway } from '../gateway-client';
import { join } from '../guild-helpers';
import { startHearth, type TestUser } from '../harness';

// Interactions over HTTP and the raw gateway (ADR 0039): who may invoke, who may answer, once, in time; validation.

let world: BotWorld;
let botGw: TestGateway;
let aliceGw: TestGateway;
let bobGw: TestGateway;
let alice: TestUser;
let bob: TestUser;
let openId: string;
let adminId: string;
let optsId: string;
let otherApp: { id: string; token: string };

before(async () => {
  world = await botWorld('Raw Bot', { config: { interactionDeadlineMs: 5000 } });
  const { h, g } = world;
  const put = await h.api('PUT', `/applications/${world.applicationId}/guilds/${g.id}/commands`, {
    token: `Bot ${world.token}`,
    body: [
      { name: 'open', description: 'Anyone' },
      { name: 'admin', description: 'Admins only', default_member_permissions: '8' },
      {
        name: 'opts',
        description: 'Options',
        options: [
          { type: 4, name: 'n', description: 'N', required: true },
          { type: 6, name: 'who', description: 'Who' },
          { type: 7, name: 'where', description: 'Where' },
          { type: 8, name: 'role', description: 'Role' },
        ],
      },
    ],
  });
  assert.equal(put.status, 200, put.text);
  openId = put.body.find((c: { name: string }) => c.name === 'open').id;
  adminId = put.body.find((c: { name: string }) => c.name === 'admin').id;
  optsId = put.body.find((c: { name: string }) => c.name === 'opts').id;
  alice = await join(h, g);
  bob = await join(h, g);
  botGw = await TestGateway.identify(h, `Bot ${world.token}`, { intents: 1 }, 1);
  aliceGw = await TestGateway.identify(h, alice.token, {}, 1);
  bobGw = await TestGateway.identify(h, bob.token, {}, 1);
  // A second application whose bot is in the guild too.
  otherApp = await addApplication(h, g, 'Other');
});

after(async () => {
  botGw?.close();
  aliceGw?.close();
  bobGw?.close();
  await world?.h.close();
});

let nonces = 0;
function invoke(user: TestUser | string, body: Record<string, unknown>) {
  return world.h.api('POST', '/interactions', {
    token: typeof user === 'string' ? user : user.token,
    body: {
      application_id: world.applicationId,
      guild_id: world.g.id,
      channel_id: world.g.textChannelId,
      nonce: String(++nonces),
      ...body,
    },
  });
}
const open = () => ({ type: 2, data: { id: openId, name: 'open', type: 1 } });

/** Alice invokes /open; the bot's gateway gets the interaction. */
async function invokeOpen(): Promise<any> {
  const res = await invoke(alice, open());
  assert.equal(res.status, 204, res.text);
  return botGw.dispatch('INTERACTION_CREATE', (d) => d.data?.name === 'open', 15_000);
}

const callback = (i: { id: string; token: string }, body: unknown, query = '') =>
  world.h.api('POST', `/interactions/${i.id}/${i.token}/callback${query}`, { body });

test("the bot gets Discord's full payload; the invoker's echo carries no token", async () => {
  const res = await invoke(alice, open());
  assert.equal(res.status, 204, res.text);
  const i = await botGw.dispatch('INTERACTION_CREATE', (d) => d.data?.name === 'open', 15_000);
  assert.equal(i.application_id, world.applicationId);
  assert.equal(i.type, 2);
  assert.equal(i.version, 1);
  assert.equal(i.guild_id, world.g.id);
  assert.equal(i.channel_id, world.g.textChannelId);
  assert.equal(i.channel.id, world.g.textChannelId);
  assert.equal(i.member.user.id, alice.id);
  assert.match(i.member.permissions, /^\d+$/);
  assert.match(i.app_permissions, /^\d+$/);
  assert.equal(typeof i.locale, 'string');
  assert.equal(typeof i.guild_locale, 'string');
  assert.deepEqual(i.entitlements, []);
  assert.deepEqual(i.authorizing_integration_owners, { '0': world.g.id });
  assert.equal(i.context, 0);
  assert.equal(typeof i.token, 'string');
  const echo = await aliceGw.dispatch('INTERACTION_CREATE', (d) => d.id === i.id);
  assert.equal(echo.token, undefined);
  assert.equal(await bobGw.never('INTERACTION_CREATE', () => true, 300), true);
  const answered = await callback(i, { type: 4, data: { content: 'hi' } }, '?with_response=true');
  assert.equal(answered.status, 200, answered.text);
  assert.equal(answered.body.interaction.id, i.id);
  assert.equal(answered.body.resource.type, 4);
  assert.equal(answered.body.resource.message.content, 'hi');
  // Only one initial response.
  const again = await callback(i, { type: 4, data: { content: 'again' } });
  assert.equal(again.status, 400);
  assert.equal(again.body.code, 40060);
});

test('options are checked against the command and resolved; hidden channels are unknown', async () => {
  const { h, g } = world;
  const role = await h.api('POST', `/guilds/${g.id}/roles`, { token: g.owner.token, body: { name: 'Crew' } });
  const hidden = await h.api('POST', `/guilds/${g.id}/channels`, {
    token: g.owner.token,
    body: {
      name: 'staff',
      type: 0,
      permission_overwrites: [{ id: g.id, type: 0, allow: '0', deny: '1024' }],
    },
  });
  assert.equal(hidden.status, 201, hidden.text);
  const opts = (options: unknown[]) => ({ type: 2, data: { id: optsId, name: 'opts', type: 1, options } });
  const res = await invoke(
    alice,
    opts([
      { name: 'who', type: 6, value: bob.id },
      { name: 'where', type: 7, value: g.textChannelId },
      { name: 'role', type: 8, value: role.body.id },
      { name: 'n', type: 4, value: 3 },
    ]),
  );
  assert.equal(res.status, 204, res.text);
  const i = await botGw.dispatch('INTERACTION_CREATE', (d) => d.data?.name === 'opts', 15_000);
  assert.equal(i.data.resolved.users[bob.id].id, bob.id);
  assert.match(i.data.resolved.members[bob.id].permissions, /^\d+$/);
  assert.equal(i.data.resolved.roles[role.body.id].name, 'Crew');
  assert.equal(i.data.resolved.channels[g.textChannelId].id, g.textChannelId);
  assert.deepEqual(
    i.data.options.map((o: { name: string }) => o.name),
    ['who', 'where', 'role', 'n'],
  );
  const refused: Array<[unknown[], number]> = [
    [
      [
        { name: 'where', type: 7, value: hidden.body.id },
        { name: 'n', type: 4, value: 1 },
      ],
      400,
    ],
    [[{ name: 'n', type: 4, value: 'three' }], 400],
    [[{ name: 'who', type: 6, value: bob.id }], 400],
    [
      [
        { name: 'nope', type: 3, value: 'x' },
        { name: 'n', type: 4, value: 1 },
      ],
      400,
    ],
  ];
  for (const [options, status] of refused) {
    const r = await invoke(alice, opts(options));
    assert.equal(r.status, status, r.text);
    assert.equal(r.body.code, 50035);
  }
});

test('who may invoke: command permissions, membership, bots', async () => {
  const denied = await invoke(alice, { type: 2, data: { id: adminId, name: 'admin', type: 1 } });
  assert.equal(denied.status, 403, denied.text);
  const owner = await invoke(world.g.owner, { type: 2, data: { id: adminId, name: 'admin', type: 1 } });
  assert.equal(owner.status, 204, owner.text);
  await botGw.dispatch('INTERACTION_CREATE', (d) => d.data?.name === 'admin', 15_000);
  const stranger = await world.h.register();
  const outside = await invoke(stranger, open());
  assert.equal(outside.status, 404, outside.text);
  const asBot = await invoke(`Bot ${otherApp.token}`, open());
  assert.equal(asBot.status, 403, asBot.text);
  const unknownCommand = await invoke(alice, { type: 2, data: { id: '1', name: 'nope', type: 1 } });
  assert.equal(unknownCommand.status, 404, unknownCommand.text);
  const otherAppsCommand = await invoke(alice, { ...open(), application_id: otherApp.id });
  assert.equal(otherAppsCommand.status, 404, otherAppsCommand.text);
  const noAuth = await world.h.api('POST', '/interactions', { body: open() });
  assert.equal(noAuth.status, 401);
});

test('the token is the interaction’s and its application’s: wrong tokens, other apps, ephemeral kept private', async () => {
  const i = await invokeOpen();
  const wrong = await callback(
    { id: i.id, token: `${i.token.slice(0, -2)}xx` },
    { type: 4, data: { content: 'x' } },
  );
  assert.equal(wrong.status, 404);
  assert.equal(wrong.body.code, 10062);
  const ok = await callback(i, { type: 4, data: { content: 'secret', flags: 64 } });
  assert.equal(ok.status, 204, ok.text);
  const mine = await world.h.api('GET', `/webhooks/${world.applicationId}/${i.token}/messages/@original`);
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.body.flags & 64, 64);
  const other = await world.h.api('GET', `/webhooks/${otherApp.id}/${i.token}/messages/@original`);
  assert.equal(other.status, 404);
  assert.equal(other.body.code, 10015);
  const otherFollowUp = await world.h.api('POST', `/webhooks/${otherApp.id}/${i.token}`, {
    body: { content: 'hijack' },
  });
  assert.equal(otherFollowUp.status, 404);
  const history = await world.h.api('GET', `/channels/${world.g.textChannelId}/messages?limit=50`, {
    token: bob.token,
  });
  assert.equal(
    history.body.some((m: { id: string }) => m.id === mine.body.id),
    false,
  );
  const edited = await world.h.api(
    'PATCH',
    `/webhooks/${world.applicationId}/${i.token}/messages/@original`,
    {
      body: { content: 'still secret' },
    },
  );
  assert.equal(edited.status, 200, edited.text);
  await aliceGw.dispatch('MESSAGE_UPDATE', (d) => d.id === mine.body.id && d.content === 'still secret');
  assert.equal(await bobGw.never('MESSAGE_UPDATE', (d) => d.id === mine.body.id, 300), true);
  const deleted = await world.h.api(
    'DELETE',
    `/webhooks/${world.applicationId}/${i.token}/messages/@original`,
  );
  assert.equal(deleted.status, 204, deleted.text);
  const gone = await world.h.api('GET', `/webhooks/${world.applicationId}/${i.token}/messages/@original`);
  assert.equal(gone.status, 404);
});

test('a button on an ephemeral message: its invoker may click it, nobody else; the bot updates it', async () => {
  const i = await invokeOpen();
  const sent = await callback(
    i,
    {
      type: 4,
      data: {
        content: 'just for you',
        flags: 64,
        components: [{ type: 1, components: [{ type: 2, style: 3, label: 'OK', custom_id: 'ok' }] }],
      },
    },
    '?with_response=true',
  );
  assert.equal(sent.status, 200, sent.text);
  assert.equal(sent.body.interaction.response_message_ephemeral, true);
  const messageId = sent.body.resource.message.id;
  const click = (user: TestUser) =>
    invoke(user, { type: 3, message_id: messageId, data: { component_type: 2, custom_id: 'ok' } });
  assert.equal((await click(bob)).status, 404);
  assert.equal((await click(alice)).status, 204);
  const clicked = await botGw.dispatch(
    'INTERACTION_CREATE',
    (d) => d.type === 3 && d.message?.id === messageId,
    15_000,
  );
  assert.equal(clicked.data.custom_id, 'ok');
  assert.equal(clicked.message.flags & 64, 64);
  const updated = await callback(clicked, { type: 7, data: { content: 'done', components: [] } });
  assert.equal(updated.status, 204, updated.text);
  const seen = await aliceGw.dispatch('MESSAGE_UPDATE', (d) => d.id === messageId && d.content === 'done');
  assert.deepEqual(seen.components, []);
  assert.equal(await bobGw.never('MESSAGE_UPDATE', (d) => d.id === messageId, 300), true);
});

test('the deadline: unanswered, the invoker is told it failed and a late answer is refused', async () => {
  const i = await invokeOpen();
  const failure = await aliceGw.dispatch('INTERACTION_FAILURE', (d) => d.id === i.id, 30_000);
  assert.equal(failure.id, i.id);
  const late = await callback(i, { type: 4, data: { content: 'late' } });
  assert.equal(late.status, 404);
  assert.equal(late.body.code, 10062);
  // No follow-up without an initial response.
  const followUp = await world.h.api('POST', `/webhooks/${world.applicationId}/${i.token}`, {
    body: { content: 'late too' },
  });
  assert.equal(followUp.status, 404);
});

test("components follow Discord's limits (50035 field errors), and a refused answer may be sent again", async () => {
  const i = await invokeOpen();
  const button = (n: number) => ({ type: 2, style: 1, label: `b${n}`, custom_id: `b${n}` });
  const cases: Array<[unknown[], string]> = [
    [Array.from({ length: 6 }, (_, n) => ({ type: 1, components: [button(n)] })), 'components'],
    [[{ type: 1, components: Array.from({ length: 6 }, (_, n) => button(n)) }], 'components'],
    [[{ type: 1, components: [{ ...button(1), custom_id: 'x'.repeat(101) }] }], 'custom_id'],
    [[{ type: 1, components: [{ ...button(1), label: 'x'.repeat(81) }] }], 'label'],
    [
      [{ type: 1, components: [{ type: 2, style: 5, label: 'l', custom_id: 'c', url: 'https://x.y' }] }],
      'custom_id',
    ],
    [[{ type: 1, components: [{ type: 4, style: 1, label: 'l', custom_id: 'c' }] }], 'type'],
    [
      [
        {
          type: 1,
          components: [
            {
              type: 3,
              custom_id: 's',
              options: Array.from({ length: 26 }, (_, n) => ({ label: `o${n}`, value: `o${n}` })),
            },
          ],
        },
      ],
      'options',
    ],
    [[{ type: 1, components: [button(1), { ...button(2), custom_id: 'b1' }] }], 'custom_id'],
  ];
  for (const [components, field] of cases) {
    const res = await callback(i, { type: 4, data: { content: 'x', components } });
    assert.equal(res.status, 400, `${field}: ${res.text}`);
    assert.equal(res.body.code, 50035);
    assert.ok(res.text.includes(field), res.text);
  }
  const ok = await callback(i, {
    type: 4,
    data: { content: 'fine', components: [{ type: 1, components: [button(1)] }] },
  });
  assert.equal(ok.status, 204, ok.text);
  // A person's message carries no components; a bot's checked ones do.
  const byBot = await world.h.api('POST', `/channels/${world.g.textChannelId}/messages`, {
    token: `Bot ${world.token}`,
    body: {
      content: 'x',
      components: [{ type: 1, components: [{ type: 2, style: 9, label: 'x', custom_id: 'x' }] }],
    },
  });
  assert.equal(byBot.status, 400, byBot.text);
  const byPerson = await world.h.api('POST', `/channels/${world.g.textChannelId}/messages`, {
    token: alice.token,
    body: { content: 'x', components: [{ type: 1, components: [button(1)] }] },
  });
  assert.equal(byPerson.status, 200, byPerson.text);
  assert.deepEqual(byPerson.body.components, []);
});

test("Discord's client form (multipart payload_json) invokes too; a form with a file is refused", async () => {
  const form = new FormData();
  form.append(
    'payload_json',
    JSON.stringify({
      ...open(),
      application_id: world.applicationId,
      guild_id: world.g.id,
      channel_id: world.g.textChannelId,
      nonce: 'form-1',
    }),
  );
  const res = await fetch(`${world.h.url}/api/v10/interactions`, {
    method: 'POST',
    headers: { authorization: alice.token },
    body: form,
  });
  assert.equal(res.status, 204, await res.text());
  const i = await botGw.dispatch('INTERACTION_CREATE', (d) => d.data?.name === 'open', 15_000);
  assert.equal((await callback(i, { type: 4, data: { content: 'from a form' } })).status, 204);
  const broken = new FormData();
  broken.append('payload_json', '{"type": 2');
  const bad = await fetch(`${world.h.url}/api/v10/interactions`, {
    method: 'POST',
    headers: { authorization: alice.token },
    body: broken,
  });
  assert.equal(bad.status, 400);
  const withFile = new FormData();
  withFile.append(
    'payload_json',
    JSON.stringify({ ...open(), application_id: world.applicationId, channel_id: world.g.textChannelId }),
  );
  withFile.append('files[0]', new Blob(['x']), 'x.txt');
  const file = await fetch(`${world.h.url}/api/v10/interactions`, {
    method: 'POST',
    headers: { authorization: alice.token },
    body: withFile,
  });
  assert.equal(file.status, 400, await file.text());
});

test('after 15 minutes the token opens nothing, and the sweep deletes the interaction', async () => {
  const i = await invokeOpen();
  assert.equal((await callback(i, { type: 4, data: { content: 'soon gone' } })).status, 204);
  const { db } = world.h.app.database;
  await db
    .update(schema.interactions)
    .set({ createdAt: new Date(Date.now() - 16 * 60_000) })
    .where(eq(schema.interactions.id, i.id));
  const original = await world.h.api('GET', `/webhooks/${world.applicationId}/${i.token}/messages/@original`);
  assert.equal(original.status, 404);
  assert.equal(original.body.code, 10015);
  const late = await callback(i, { type: 4, data: { content: 'late' } });
  assert.equal(late.body.code, 10062);
  await world.h.app.services.interactions.sweep();
  assert.deepEqual(await db.select().from(schema.interactions).where(eq(schema.interactions.id, i.id)), []);
});

// Last: it restarts the server.
test('a restart within 15 minutes keeps the token: the answer is edited on the new process', async () => {
  const i = await invokeOpen();
  assert.equal((await callback(i, { type: 5 })).status, 204);
  botGw.close();
  aliceGw.close();
  bobGw.close();
  await world.h.stop();
  const restarted = await startHearth({ interactionDeadlineMs: 5000 }, { after: world.h });
  world.h = restarted;
  const edited = await restarted.api(
    'PATCH',
    `/webhooks/${world.applicationId}/${i.token}/messages/@original`,
    {
      body: { content: 'after the restart' },
    },
  );
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.body.content, 'after the restart');
  assert.equal(edited.body.flags & 128, 0);
  const again = await restarted.api('POST', `/interactions/${i.id}/${i.token}/callback`, {
    body: { type: 4 },
  });
  assert.equal(again.status, 400);
  assert.equal(again.body.code, 40060);
});
