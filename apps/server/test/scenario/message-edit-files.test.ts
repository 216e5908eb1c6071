import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type BotWorld, botWorld } from '../bots/bot-setup';
import { join as joinGuild } from '../guild-helpers';
import { filesUnder, type TestUser } from '../harness';

// Multipart edits (issue 20): a webhook's message through its token and a bot's own message through the channel
// route take new files with the same form reader as a send; `attachments` lists the files kept, and the files
// dropped are deleted from storage.

let world: BotWorld;
let member: TestUser;
let hook: { id: string; token: string };

before(async () => {
  world = await botWorld('Edit Bot');
  member = await joinGuild(world.h, world.g);
  const created = await world.h.api('POST', `/channels/${world.g.textChannelId}/webhooks`, {
    token: world.g.owner.token,
    body: { name: 'Reporter' },
  });
  assert.equal(created.status, 200, created.text);
  hook = { id: created.body.id, token: created.body.token };
});
after(() => world?.h.close());

/** Files stored for the guild's text channel (each beside its `.meta`). */
const storedFiles = () =>
  filesUnder(join(world.h.dataDir, 'media', 'attachments', world.g.textChannelId)).filter(
    (f) => !f.endsWith('.meta'),
  ).length;

function form(
  method: string,
  path: string,
  payload: unknown,
  files: Array<{ name: string; body: string }>,
  authorization?: string,
) {
  const body = new FormData();
  body.append('payload_json', JSON.stringify(payload));
  files.forEach((f, i) => {
    body.append(`files[${i}]`, new Blob([f.body]), f.name);
  });
  return fetch(`${world.h.url}/api/v10${path}`, {
    method,
    body,
    ...(authorization ? { headers: { authorization } } : {}),
  });
}

const names = (m: any) => m.attachments.map((a: any) => a.filename).sort();

test('a webhook edits its message with files: `attachments` keeps some, new ones come, dropped ones are deleted', async () => {
  const base = `/webhooks/${hook.id}/${hook.token}`;
  const sent = await form('POST', `${base}?wait=true`, { content: 'report' }, [
    { name: 'one.txt', body: '1' },
    { name: 'two.txt', body: '2' },
  ]);
  assert.equal(sent.status, 200, await sent.clone().text());
  const message = await sent.json();
  const [one, two] = message.attachments;
  const count = storedFiles();
  const edited = await form(
    'PATCH',
    `${base}/messages/${message.id}`,
    { content: 'report, revised', attachments: [{ id: two.id }, { id: '0', filename: 'three.txt' }] },
    [{ name: 'x.txt', body: '3' }],
  );
  assert.equal(edited.status, 200, await edited.clone().text());
  const now = await edited.json();
  assert.equal(now.content, 'report, revised');
  assert.deepEqual(names(now), ['three.txt', 'two.txt']);
  assert.equal((await fetch(one.url)).status, 404, 'the dropped file is gone');
  assert.equal(storedFiles(), count, 'one file out, one in');
  const three = now.attachments.find((a: any) => a.filename === 'three.txt');
  assert.equal(await (await fetch(three.url)).text(), '3');

  // A wrong token reads no file and stores none.
  const wrong = await form('PATCH', `/webhooks/${hook.id}/${'x'.repeat(68)}/messages/${message.id}`, {}, [
    { name: 'y.txt', body: 'y' },
  ]);
  assert.equal(wrong.status, 401);
  // A form failing the schema after its file was read keeps nothing.
  const bad = await form('PATCH', `${base}/messages/${message.id}`, { content: 5 }, [
    { name: 'z.txt', body: 'z' },
  ]);
  assert.equal(bad.status, 400);
  // An empty list removes every file; a message left empty is refused.
  const empty = await world.h.api('PATCH', `${base}/messages/${message.id}`, {
    body: { content: '', attachments: [] },
  });
  assert.equal(empty.status, 400);
  assert.equal(empty.body.code, 50006);
  assert.equal(storedFiles(), count);
  const cleared = await world.h.api('PATCH', `${base}/messages/${message.id}`, { body: { attachments: [] } });
  assert.equal(cleared.status, 200, cleared.text);
  assert.deepEqual(cleared.body.attachments, []);
  assert.equal(storedFiles(), count - 2);
});

test("a bot edits its own message's files through the channel route; nobody else can", async () => {
  const channel = `/channels/${world.g.textChannelId}/messages`;
  const bot = `Bot ${world.token}`;
  const sent = await form('POST', channel, { content: 'v1' }, [{ name: 'a.txt', body: 'a' }], bot);
  assert.equal(sent.status, 200, await sent.clone().text());
  const message = await sent.json();
  const count = storedFiles();
  const edited = await form(
    'PATCH',
    `${channel}/${message.id}`,
    { content: 'v2', attachments: [{ id: '0', description: 'b file' }] },
    [{ name: 'b.txt', body: 'b' }],
    bot,
  );
  assert.equal(edited.status, 200, await edited.clone().text());
  const now = await edited.json();
  assert.deepEqual(names(now), ['b.txt'], 'a.txt was not listed, so it went');
  assert.equal(now.attachments[0].description, 'b file');
  assert.equal((await fetch(message.attachments[0].url)).status, 404);
  assert.equal(storedFiles(), count);

  // Another member: refused before a byte is read, nothing stored; an outsider does not learn the channel exists.
  const theirs = await form(
    'PATCH',
    `${channel}/${message.id}`,
    { content: 'mine' },
    [{ name: 'c.txt', body: 'c' }],
    member.token,
  );
  assert.equal(theirs.status, 403);
  assert.equal((await theirs.json()).code, 50005);
  const outsider = await world.h.register();
  const hidden = await form(
    'PATCH',
    `${channel}/${message.id}`,
    {},
    [{ name: 'c.txt', body: 'c' }],
    outsider.token,
  );
  assert.equal(hidden.status, 404);
  assert.equal(storedFiles(), count);

  // An edit may add a file of the cloud-upload flow too.
  const announced = await world.h.api('POST', `/channels/${world.g.textChannelId}/attachments`, {
    token: bot,
    body: { files: [{ id: '0', filename: 'cloud.txt', file_size: 5 }] },
  });
  assert.equal(announced.status, 200, announced.text);
  const [slot] = announced.body.attachments;
  const put = await fetch(slot.upload_url.replace('http://hearth.test', world.h.url), {
    method: 'PUT',
    body: 'cloud',
  });
  assert.equal(put.status, 200);
  const withCloud = await world.h.api('PATCH', `${channel}/${message.id}`, {
    token: bot,
    body: {
      attachments: [{ id: now.attachments[0].id }, { id: '1', uploaded_filename: slot.upload_filename }],
    },
  });
  assert.equal(withCloud.status, 200, withCloud.text);
  assert.deepEqual(names(withCloud.body), ['b.txt', 'cloud.txt']);
});
