// An unmodified @discordjs/core bot for the web app's interaction tests: an application of `owner`, added to
// `guildId` as a bot, connected to the gateway and answering each interaction with `answer` (its errors collected).
import assert from 'node:assert/strict';
import { type APIInteraction, Client, GatewayDispatchEvents, GatewayIntentBits } from '@discordjs/core';
import { REST } from '@discordjs/rest';
import { WebSocketManager } from '@discordjs/ws';
import type { TestServer, TestUser } from '../../../server/test/harness';

export interface CommandBot {
  applicationId: string;
  client: Client;
  gateway: WebSocketManager;
  /** What `answer` threw, to assert empty at the end. */
  errors: unknown[];
}

export async function startCommandBot(
  h: TestServer,
  opts: {
    owner: TestUser;
    guildId: string;
    name: string;
    permissions: string;
    answer: (api: Client['api'], i: APIInteraction) => Promise<void>;
  },
): Promise<CommandBot> {
  const auth = { token: opts.owner.token };
  const app = (await h.api('POST', '/applications', { ...auth, body: { name: opts.name } })).body;
  const token = (await h.api('POST', `/applications/${app.id}/bot/reset`, auth)).body.token;
  const added = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
    ...auth,
    body: { guild_id: opts.guildId, permissions: opts.permissions, authorize: true },
  });
  assert.equal(added.status, 200, added.text);
  const rest = new REST({ api: `${h.url}/api`, retries: 0 }).setToken(token);
  const gateway = new WebSocketManager({ token, intents: GatewayIntentBits.Guilds, rest });
  const client = new Client({ rest, gateway });
  const errors: unknown[] = [];
  client.on(GatewayDispatchEvents.InteractionCreate, ({ data, api }) => {
    opts.answer(api, data).catch((err) => errors.push(err));
  });
  const ready = new Promise<void>((resolve) => client.once(GatewayDispatchEvents.Ready, () => resolve()));
  await gateway.connect();
  await ready;
  return { applicationId: app.id, client, gateway, errors };
}
