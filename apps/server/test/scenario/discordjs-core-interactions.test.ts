import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type APIInteraction,
  Client,
  GatewayDispatchEvents,
  GatewayIntentBits,
  InteractionType,
  MessageFlags,
} from '@discordjs/core';
import { REST } from '@discordjs/rest';
import { WebSocketManager } from '@discordjs/ws';
import { type BotWorld, botWorld } from '../bots/bot-setup';
import { TestGateway } from '../gateway-client';
import { join } from '../guild-helpers';
import type { TestUser } from '../harness';

// An unmodified @discordjs/core bot answering interactions through `client.api.interactions` (ADR 0039): reply with
// with_response, defer + getOriginalReply + editReply + followUp + deleteReply, autocomplete, modal.

let world: BotWorld;
let gateway: WebSocketManager;
let client: Client;
let alice: TestUser;
let aliceGw: TestGateway;
const ids = new Map<string, string>();
const errors: unknown[] = [];
const seen: Record<string, unknown> = {};

async function answer(api: Client['api'], i: APIInteraction): Promise<void> {
  if (i.type === InteractionType.ApplicationCommandAutocomplete) {
    await api.interactions.createAutocompleteResponse(i.id, i.token, {
      choices: [{ name: 'one', value: 'one' }],
    });
    return;
  }
  if (i.type !== InteractionType.ApplicationCommand) return;
  const name = i.data.name;
  if (name === 'hello') {
    const res = await api.interactions.reply(
      i.id,
      i.token,
      { content: 'hello there', flags: MessageFlags.SuppressNotifications },
      {},
    );
    seen.hello = res;
    const withResponse = await api.interactions
      .reply(i.id, i.token, { content: 'twice' })
      .catch((err: { code?: number }) => err.code);
    seen.twice = withResponse;
  } else if (name === 'work') {
    await api.interactions.defer(i.id, i.token, { flags: MessageFlags.Ephemeral });
    const original = await api.interactions.getOriginalReply(i.application_id, i.token);
    seen.loadingFlags = original.flags;
    await api.interactions.editReply(i.application_id, i.token, { content: 'worked' });
    const extra = await api.interactions.followUp(i.application_id, i.token, { content: 'extra' });
    await api.interactions.deleteReply(i.application_id, i.token, extra.id);
    seen.followUpDeleted = extra.id;
  } else if (name === 'ask') {
    await api.interactions.createModal(i.id, i.token, {
      custom_id: 'ask',
      title: 'Ask',
      components: [
        { type: 1, components: [{ type: 4, custom_id: 'q', label: 'Question', style: 2, required: true }] },
      ],
    });
  }
}

before(async () => {
  world = await botWorld('core interactions', { config: { interactionDeadlineMs: 30_000 } });
  const rest = new REST({ api: `${world.h.url}/api`, retries: 0 }).setToken(world.token);
  gateway = new WebSocketManager({ token: world.token, intents: GatewayIntentBits.Guilds, rest });
  client = new Client({ rest, gateway });
  client.on(GatewayDispatchEvents.InteractionCreate, ({ data, api }) => {
    answer(api, data).catch((err) => errors.push(err));
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no READY')), 20_000);
    client.once(GatewayDispatchEvents.Ready, () => resolve(clearTimeout(timer)));
  });
  await gateway.connect();
  await ready;
  const set = await client.api.applicationCommands.bulkOverwriteGuildCommands(
    world.applicationId,
    world.g.id,
    [
      { name: 'hello', description: 'Hello' },
      { name: 'work', description: 'Works' },
      { name: 'ask', description: 'Asks' },
      {
        name: 'pick',
        description: 'Picks',
        options: [{ type: 3, name: 'what', description: 'What', autocomplete: true }],
      },
    ],
  );
  for (const c of set) ids.set(c.name, c.id);
  alice = await join(world.h, world.g);
  aliceGw = await TestGateway.identify(world.h, alice.token, {}, 1);
});

after(async () => {
  aliceGw?.close();
  await gateway?.destroy();
  await world?.h.close();
});

let nonces = 0;
async function invoke(name: string, options: unknown[] = [], type = 2): Promise<string> {
  const nonce = `core-${++nonces}`;
  const res = await world.h.api('POST', '/interactions', {
    token: alice.token,
    body: {
      type,
      application_id: world.applicationId,
      guild_id: world.g.id,
      channel_id: world.g.textChannelId,
      nonce,
      data: { id: ids.get(name), name, type: 1, options },
    },
  });
  assert.equal(res.status, 204, res.text);
  return nonce;
}

test('@discordjs/core: reply, and a second reply is refused with 40060', async () => {
  await invoke('hello');
  const message = await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content === 'hello there', 15_000);
  assert.equal(message.flags & MessageFlags.SuppressNotifications, MessageFlags.SuppressNotifications);
  for (let n = 0; n < 50 && seen.twice === undefined; n++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(seen.twice, 40060);
  assert.deepEqual(errors, []);
});

test('@discordjs/core: an ephemeral deferred answer, read, edited; a follow-up made and deleted', async () => {
  await invoke('work');
  const loading = await aliceGw.dispatch('MESSAGE_CREATE', (d) => (d.flags & 128) === 128, 15_000);
  assert.equal(loading.flags & 64, 64);
  const edited = await aliceGw.dispatch('MESSAGE_UPDATE', (d) => d.id === loading.id, 15_000);
  assert.equal(edited.content, 'worked');
  const extra = await aliceGw.dispatch('MESSAGE_CREATE', (d) => d.content === 'extra', 15_000);
  await aliceGw.dispatch('MESSAGE_DELETE', (d) => d.id === extra.id, 15_000);
  assert.equal(seen.loadingFlags, 64 | 128);
  assert.equal(seen.followUpDeleted, extra.id);
  assert.deepEqual(errors, []);
});

test('@discordjs/core: autocomplete choices and a modal reach the invoker', async () => {
  const nonce = await invoke('pick', [{ type: 3, name: 'what', value: 'o', focused: true }], 4);
  const choices = await aliceGw.dispatch(
    'APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE',
    (d) => d.nonce === nonce,
    15_000,
  );
  assert.deepEqual(choices.choices, [{ name: 'one', value: 'one' }]);
  const asked = await invoke('ask');
  const modal = await aliceGw.dispatch('INTERACTION_MODAL_CREATE', (d) => d.nonce === asked, 15_000);
  assert.equal(modal.components[0].components[0].style, 2);
  assert.equal(modal.application.id, world.applicationId);
  assert.deepEqual(errors, []);
});
