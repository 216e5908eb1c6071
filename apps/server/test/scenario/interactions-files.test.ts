import assert from 'node:assert/strict';
import { join as joinPath } from 'node:path';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import * as schema from '../../src/store/schema';
import { addApplication, type BotWorld, botWorld } from '../bots/bot-setup';
import { TestGateway } from '../gateway-client';
import { join } from '../guild-helpers';
import { filesUnder, type TestUser } from '../harness';

// Files in interactions (ADR 0039, addendum): attachment options (the invoker's files, in `resolved.attachments`),
// multipart callbacks, follow-ups and edits; and the mentions of responses, as the bot's permissions allow.

let world: BotWorld;
let botGw: TestGateway;
let aliceGw: TestGateway;
let bobGw: TestGateway;
let alice: TestUser;
let bob: TestUser;
let uploadId: string;
let sayId: string;
let quiet: { id: string; token: string; commandId: string; gw: TestGateway };

before(async () => {
  world = await botWorld('Files Bot', { config: { interactionDeadlineMs: 10_000 } });
  const { h, g } = world;
  const put = await h.api('PUT', `/applications/${world.applicationId}/guilds/${g.id}/commands`, {
    token: `Bot ${world.token}`,
    body: [
      {
        name: 'upload',
        description: 'Takes a file',
        options: [
          { type: 11, name: 'file', description: 'The file', required: true },
          { type: 11, name: 'extra', description: 'Another' },
        ],
      },
      { name: 'say', description: 'Says' },
    ],
  });
  assert.equal(put.status, 200, put.text);
  uploadId = put.body.find((c: { name: string }) => c.name === 'upload').id;
  sayId = put.body.find((c: { name: string }) => c.name === 'say').id;
  alice = await join(h, g);
  bob = await join(h, g);
  botGw = await TestGateway.identify(h, `Bot ${world.token}`, { intents: 1 }, 1);
  aliceGw = await TestGateway.identify(h, alice.token, {}, 1);
  bobGw = await TestGateway.identify(h, bob.token, {}, 1);
  // A second application whose bot holds no permission beyond @everyone's (no MENTION_EVERYONE).
  const app = await addApplication(h, g, 'Quiet');
  const token = app.token;
  const cmd = await h.api('POST', `/applications/${app.id}/guilds/${g.id}/commands`, {
    token: `Bot ${token}`,
    body: { name: 'say', description: 'Says' },
  });
  assert.equal(cmd.status, 201, cmd.text);
  const gw = await TestGateway.identify(h, `Bot ${token}`, { intents: 1 }, 1);
  quiet = { id: app.id, token, commandId: cmd.body.id, gw };
});

after(async () => {
  botGw?.close();
  aliceGw?.close();
  bobGw?.close();
  quiet?.gw.close();
  await world?.h.close();
});

let nonces = 0;

/** Alice (or `user`) invokes as Discord's client does: a form of payload_json, then `files[n]`. */
function invokeForm(
  payload: Record<string, unknown>,
  files: Array<{ field: string; name: string; body: string }>,
  opts: { user?: TestUser; payloadLast?: boolean } = {},
) {
  const form = new FormData();
  const json = JSON.stringify({
    type: 2,
    application_id: world.applicationId,
    guild_id: world.g.id,
    channel_id: world.g.textChannelId,
    nonce: `f${++nonces}`,
    ...payload,
  });
  if (!opts.payloadLast) form.append('payload_json', json);
  for (const f of files) form.append(f.field, new Blob([f.body]), f.name);
  if (opts.payloadLast) form.append('payload_json', json);
  return fetch(`${world.h.url}/api/v10/interactions`, {
    method: 'POST',
    headers: { authorization: (opts.user ?? alice).token },
    body: form,
  });
}

const uploadData = (options: unknown[], attachments?: unknown[]) => ({
  data: { id: uploadId, name: 'upload', type: 1, options, ...(attachments ? { attachments } : {}) },
});

async function storedFiles(): Promise<number> {
  const { db } = world.h.app.database;
  return (
    await db.select().from(schema.attachments).where(eq(schema.attachments.channelId, world.g.textChannelId))
  ).length;
}

/** A form of payload_json and files, sent to `path` (no Authorization: the token is in the path). */
function sendForm(
  method: string,
  path: string,
  payload: unknown,
  files: Array<{ name: string; body: string }>,
) {
  const form = new FormData();
  form.append('payload_json', JSON.stringify(payload));
  files.forEach((f, i) => {
    form.append(`files[${i}]`, new Blob([f.body]), f.name);
  });
  return fetch(`${world.h.url}/api/v10${path}`, { method, body: form });
}

async function say(app: { id: string; commandId: string; gw: TestGateway }): Promise<any> {
  const res = await world.h.api('POST', '/interactions', {
    token: alice.token,
    body: {
      type: 2,
      application_id: app.id,
      guild_id: world.g.id,
      channel_id: world.g.textChannelId,
      nonce: `s${++nonces}`,
      data: { id: app.commandId, name: 'say', type: 1 },
    },
  });
  assert.equal(res.status, 204, res.text);
  return app.gw.dispatch('INTERACTION_CREATE', (d) => d.application_id === app.id, 15_000);
}

test('an attachment option: the file reaches the bot in resolved.attachments, served by its signed URL', async () => {
  const res = await invokeForm(
    uploadData([{ type: 11, name: 'file', value: 0 }], [{ id: '0', filename: 'report.txt' }]),
    [{ field: 'files[0]', name: 'ignored-name.txt', body: 'the report' }],
  );
  assert.equal(res.status, 204, await res.text());
  const i = await botGw.dispatch('INTERACTION_CREATE', (d) => d.data?.name === 'upload', 15_000);
  const option = i.data.options[0];
  assert.equal(option.type, 11);
  assert.match(option.value, /^\d+$/);
  const file = i.data.resolved.attachments[option.value];
  assert.equal(file.id, option.value);
  assert.equal(file.filename, 'report.txt');
  assert.equal(file.size, 'the report'.length);
  assert.match(file.content_type, /^text\/plain/);
  assert.equal(file.ephemeral, true);
  assert.equal(typeof file.proxy_url, 'string');
  const fetched = await fetch(file.url);
  assert.equal(fetched.status, 200);
  assert.equal(await fetched.text(), 'the report');
  // The file is the interaction's, not a message's: no history shows it.
  const history = await world.h.api('GET', `/channels/${world.g.textChannelId}/messages`, {
    token: alice.token,
  });
  assert.ok(history.body.every((m: any) => m.attachments.every((a: any) => a.id !== file.id)));
  // When the interaction's 15 minutes end, the sweep deletes the file with it.
  const { db } = world.h.app.database;
  await db
    .update(schema.interactions)
    .set({ createdAt: new Date(Date.now() - 16 * 60_000) })
    .where(eq(schema.interactions.id, i.id));
  await world.h.app.services.interactions.sweep();
  const left = await db
    .select()
    .from(schema.attachments)
    .where(and(eq(schema.attachments.channelId, world.g.textChannelId), eq(schema.attachments.id, file.id)));
  assert.deepEqual(left, []);
  assert.equal((await fetch(file.url)).status, 404);
});

test('attachment options are checked: each file named, each named file sent, payload first, places allowed', async () => {
  const before = await storedFiles();
  // A file no option names.
  const extra = await invokeForm(uploadData([{ type: 11, name: 'file', value: 0 }]), [
    { field: 'files[0]', name: 'a.txt', body: 'a' },
    { field: 'files[1]', name: 'b.txt', body: 'b' },
  ]);
  assert.equal(extra.status, 400);
  assert.equal((await extra.json()).code, 50035);
  // An option naming no file.
  const missing = await invokeForm(uploadData([{ type: 11, name: 'file', value: 3 }]), [
    { field: 'files[0]', name: 'a.txt', body: 'a' },
  ]);
  assert.equal(missing.status, 400);
  // No file at all, as JSON.
  const json = await world.h.api('POST', '/interactions', {
    token: alice.token,
    body: {
      type: 2,
      application_id: world.applicationId,
      channel_id: world.g.textChannelId,
      ...uploadData([{ type: 11, name: 'file', value: 0 }]),
    },
  });
  assert.equal(json.status, 400);
  // Files before payload_json: the place is not known yet, so nothing is read.
  const last = await invokeForm(
    uploadData([{ type: 11, name: 'file', value: 0 }]),
    [{ field: 'files[0]', name: 'a.txt', body: 'a' }],
    { payloadLast: true },
  );
  assert.equal(last.status, 400);
  // A channel the invoker cannot see: 404, as without files.
  const { h, g } = world;
  const hidden = await h.api('POST', `/guilds/${g.id}/channels`, {
    token: g.owner.token,
    body: {
      name: 'staff',
      type: 0,
      permission_overwrites: [{ id: g.id, type: 0, allow: '0', deny: '1024' }],
    },
  });
  const unseen = await invokeForm(
    { ...uploadData([{ type: 11, name: 'file', value: 0 }]), channel_id: hidden.body.id },
    [{ field: 'files[0]', name: 'a.txt', body: 'a' }],
  );
  assert.equal(unseen.status, 404);
  // A channel where Bob may not attach files: 403.
  const noFiles = await h.api('POST', `/guilds/${g.id}/channels`, {
    token: g.owner.token,
    body: {
      name: 'text-only',
      type: 0,
      permission_overwrites: [{ id: g.id, type: 0, allow: '0', deny: (1n << 15n).toString() }],
    },
  });
  const refused = await invokeForm(
    { ...uploadData([{ type: 11, name: 'file', value: 0 }]), channel_id: noFiles.body.id },
    [{ field: 'files[0]', name: 'a.txt', body: 'a' }],
    { user: bob },
  );
  assert.equal(refused.status, 403);
  // A component or a modal takes no files.
  const component = await invokeForm(
    { type: 3, message_id: g.textChannelId, data: { custom_id: 'x', component_type: 2 } },
    [{ field: 'files[0]', name: 'a.txt', body: 'a' }],
  );
  assert.equal(component.status, 400);
  assert.equal(await storedFiles(), before);
});

test('a multipart callback answers with files; an ephemeral one shows them to the invoker alone', async () => {
  const i = await say({ id: world.applicationId, commandId: sayId, gw: botGw });
  // A wrong token opens nothing and keeps nothing.
  const before = await storedFiles();
  const wrong = await sendForm(
    'POST',
    `/interactions/${i.id}/${i.token.slice(0, -1)}${i.token.endsWith('A') ? 'B' : 'A'}/callback`,
    { type: 4, data: { content: 'no' } },
    [{ name: 'a.txt', body: 'a' }],
  );
  assert.equal(wrong.status, 404);
  // A deferred answer takes no files.
  const deferred = await sendForm('POST', `/interactions/${i.id}/${i.token}/callback`, { type: 5 }, [
    { name: 'a.txt', body: 'a' },
  ]);
  assert.equal(deferred.status, 400);
  assert.equal(await storedFiles(), before);
  const answered = await sendForm(
    'POST',
    `/interactions/${i.id}/${i.token}/callback?with_response=true`,
    { type: 4, data: { content: 'here it is', attachments: [{ id: '0', description: 'a chart' }] } },
    [{ name: 'chart.txt', body: 'data' }],
  );
  assert.equal(answered.status, 200, await answered.clone().text());
  const message = (await answered.json()).resource.message;
  assert.equal(message.attachments.length, 1);
  assert.equal(message.attachments[0].filename, 'chart.txt');
  assert.equal(message.attachments[0].description, 'a chart');
  // Answered: a second form is refused by its token before its file is read.
  const stored = await storedFiles();
  const twice = await sendForm('POST', `/interactions/${i.id}/${i.token}/callback`, { type: 4 }, [
    { name: 'b.txt', body: 'b' },
  ]);
  assert.equal(twice.status, 400);
  assert.equal((await twice.json()).code, 40060);
  assert.equal(await storedFiles(), stored);
  const seen = await bobGw.dispatch('MESSAGE_CREATE', (d) => d.id === message.id);
  assert.equal(seen.attachments.length, 1);
  assert.equal(await (await fetch(message.attachments[0].url)).text(), 'data');

  // Ephemeral: for Alice's sessions only, never in history.
  const e = await say({ id: world.applicationId, commandId: sayId, gw: botGw });
  const secret = await sendForm(
    'POST',
    `/interactions/${e.id}/${e.token}/callback`,
    { type: 4, data: { content: 'for you', flags: 64 } },
    [{ name: 'secret.txt', body: 'psst' }],
  );
  assert.equal(secret.status, 204, await secret.text());
  const mine = await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content === 'for you');
  assert.equal(mine.attachments.length, 1);
  assert.equal(mine.attachments[0].ephemeral, true);
  assert.equal(await (await fetch(mine.attachments[0].url)).text(), 'psst');
  assert.equal(await bobGw.never('MESSAGE_CREATE', (d) => d.content === 'for you'), true);
  const history = await world.h.api('GET', `/channels/${world.g.textChannelId}/messages`, {
    token: alice.token,
  });
  assert.ok(history.body.every((m: any) => m.id !== mine.id));
  // Deleting it deletes its file.
  const del = await world.h.api('DELETE', `/webhooks/${world.applicationId}/${e.token}/messages/@original`);
  assert.equal(del.status, 204, del.text);
  assert.equal((await fetch(mine.attachments[0].url)).status, 404);
});

test('follow-ups and edits of @original take files; `attachments` lists the files an edit keeps', async () => {
  const i = await say({ id: world.applicationId, commandId: sayId, gw: botGw });
  const base = `/webhooks/${world.applicationId}/${i.token}`;
  assert.equal(
    (await world.h.api('POST', `/interactions/${i.id}/${i.token}/callback`, { body: { type: 5 } })).status,
    204,
  );
  const edited = await sendForm('PATCH', `${base}/messages/@original`, { content: 'done' }, [
    { name: 'one.txt', body: '1' },
    { name: 'two.txt', body: '2' },
  ]);
  assert.equal(edited.status, 200, await edited.clone().text());
  const original = await edited.json();
  assert.deepEqual(
    original.attachments.map((a: any) => a.filename),
    ['one.txt', 'two.txt'],
  );
  assert.equal(original.flags & 128, 0);
  // Keep `two.txt`, add `three.txt`: `one.txt` goes, file and all.
  const two = original.attachments[1];
  const again = await sendForm(
    'PATCH',
    `${base}/messages/@original`,
    { attachments: [{ id: two.id }, { id: '0', filename: 'three.txt' }] },
    [{ name: 'x.txt', body: '3' }],
  );
  assert.equal(again.status, 200, await again.clone().text());
  const now = await again.json();
  assert.deepEqual(now.attachments.map((a: any) => a.filename).sort(), ['three.txt', 'two.txt']);
  assert.equal((await fetch(original.attachments[0].url)).status, 404);
  const followUp = await sendForm('POST', base, { content: 'and more' }, [
    { name: 'more.txt', body: 'more' },
  ]);
  assert.equal(followUp.status, 200, await followUp.clone().text());
  const more = await followUp.json();
  assert.equal(more.attachments[0].filename, 'more.txt');
  assert.equal(more.webhook_id, world.applicationId);
  // Another application's id with this token: 10015, nothing stored.
  const before = await storedFiles();
  const other = await sendForm('POST', `/webhooks/${quiet.id}/${i.token}`, { content: 'x' }, [
    { name: 'x.txt', body: 'x' },
  ]);
  assert.equal(other.status, 404);
  assert.equal((await other.json()).code, 10015);
  assert.equal(await storedFiles(), before);
});

test("a response's role and @everyone mentions follow the bot's permissions and allowed_mentions", async () => {
  const { h, g } = world;
  const role = async (name: string, mentionable: boolean) =>
    (await h.api('POST', `/guilds/${g.id}/roles`, { token: g.owner.token, body: { name, mentionable } })).body
      .id;
  const open = await role('open', true);
  const closed = await role('closed', false);
  const content = `@everyone <@&${open}> <@&${closed}> <@${bob.id}>`;
  // @everyone may not mention everyone here (Discord's default lets it).
  const everyone = (await h.api('GET', `/guilds/${g.id}/roles`, { token: g.owner.token })).body.find(
    (r: any) => r.id === g.id,
  );
  const withoutIt = (BigInt(everyone.permissions) & ~(1n << 17n)).toString();
  const patched = await h.api('PATCH', `/guilds/${g.id}/roles/${g.id}`, {
    token: g.owner.token,
    body: { permissions: withoutIt },
  });
  assert.equal(patched.status, 200, patched.text);
  const answer = async (app: { id: string; commandId: string; gw: TestGateway }, data: unknown) => {
    const i = await say(app);
    const res = await h.api('POST', `/interactions/${i.id}/${i.token}/callback?with_response=true`, {
      body: { type: 4, data },
    });
    assert.equal(res.status, 200, res.text);
    return res.body.resource.message;
  };
  // The quiet bot lacks MENTION_EVERYONE: its @everyone and the unmentionable role do not mention.
  const q = await answer(quiet, { content });
  assert.equal(q.mention_everyone, false);
  assert.deepEqual(q.mention_roles, [open]);
  assert.deepEqual(
    q.mentions.map((u: any) => u.id),
    [bob.id],
  );
  // The administrator bot may mention everyone and every role.
  const admin = { id: world.applicationId, commandId: sayId, gw: botGw };
  const a = await answer(admin, { content });
  assert.equal(a.mention_everyone, true);
  assert.deepEqual([...a.mention_roles].sort(), [open, closed].sort());
  // allowed_mentions narrows it: only the named role, nobody else.
  const narrowed = await answer(admin, { content, allowed_mentions: { parse: [], roles: [closed] } });
  assert.equal(narrowed.mention_everyone, false);
  assert.deepEqual(narrowed.mention_roles, [closed]);
  assert.deepEqual(narrowed.mentions, []);
  // An edit resolves them again.
  const i = await say(admin);
  await h.api('POST', `/interactions/${i.id}/${i.token}/callback`, {
    body: { type: 4, data: { content: 'hi' } },
  });
  const edited = await h.api('PATCH', `/webhooks/${world.applicationId}/${i.token}/messages/@original`, {
    body: { content: `<@&${closed}>` },
  });
  assert.equal(edited.status, 200, edited.text);
  assert.deepEqual(edited.body.mention_roles, [closed]);
});

/** The files on disk for the guild's text channel (each beside its `.meta`), whatever rows name them. */
const filesOnDisk = () =>
  filesUnder(joinPath(world.h.dataDir, 'media', 'attachments', world.g.textChannelId)).filter(
    (f) => !f.endsWith('.meta'),
  ).length;

test('a form whose payload_json fails the schema after its files were read leaves no file on disk', async () => {
  const i = await say({ id: world.applicationId, commandId: sayId, gw: botGw });
  const before = filesOnDisk();
  // Files first, then a payload the callback schema refuses (`type` must be an integer): the files were stored
  // as they arrived and must go with the refusal.
  const callback = new FormData();
  callback.append('files[0]', new Blob(['a'.repeat(5000)]), 'a.txt');
  callback.append('files[1]', new Blob(['b']), 'b.txt');
  callback.append('payload_json', JSON.stringify({ type: 'four', data: { content: 'x' } }));
  const res = await fetch(`${world.h.url}/api/v10/interactions/${i.id}/${i.token}/callback`, {
    method: 'POST',
    body: callback,
  });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).code, 50035);
  assert.equal(filesOnDisk(), before);
  // The same for a follow-up's form; the interaction is still unanswered and answers normally afterwards.
  const followUp = new FormData();
  followUp.append('files[0]', new Blob(['c']), 'c.txt');
  followUp.append('payload_json', JSON.stringify({ content: { not: 'text' } }));
  const bad = await fetch(`${world.h.url}/api/v10/webhooks/${world.applicationId}/${i.token}`, {
    method: 'POST',
    body: followUp,
  });
  assert.equal(bad.status, 400);
  assert.equal(filesOnDisk(), before);
  const ok = await world.h.api('POST', `/interactions/${i.id}/${i.token}/callback`, {
    body: { type: 4, data: { content: 'fine' } },
  });
  assert.equal(ok.status, 204, ok.text);
});

test('a bot answers with its own cloud upload; another application cannot use it', async () => {
  const { h, g } = world;
  const announced = await h.api('POST', `/channels/${g.textChannelId}/attachments`, {
    token: `Bot ${world.token}`,
    body: { files: [{ id: '0', filename: 'chart.txt', file_size: 4 }] },
  });
  assert.equal(announced.status, 200, announced.text);
  const [slot] = announced.body.attachments;
  const put = await fetch(slot.upload_url.replace('http://hearth.test', h.url), {
    method: 'PUT',
    body: 'data',
  });
  assert.equal(put.status, 200);
  const entry = { id: '0', filename: 'chart.txt', uploaded_filename: slot.upload_filename };
  // The other application's interaction in the same channel cannot take this bot's upload.
  const q = await say(quiet);
  const stolen = await h.api('POST', `/interactions/${q.id}/${q.token}/callback`, {
    body: { type: 4, data: { content: 'mine now', attachments: [entry] } },
  });
  assert.equal(stolen.status, 400);
  assert.equal(stolen.body.code, 50146);
  const i = await say({ id: world.applicationId, commandId: sayId, gw: botGw });
  const answered = await h.api('POST', `/interactions/${i.id}/${i.token}/callback?with_response=true`, {
    body: { type: 4, data: { attachments: [entry] } },
  });
  assert.equal(answered.status, 200, answered.text);
  const message = answered.body.resource.message;
  assert.equal(message.attachments.length, 1);
  assert.equal(message.attachments[0].filename, 'chart.txt');
  assert.equal(await (await fetch(message.attachments[0].url)).text(), 'data');
});
