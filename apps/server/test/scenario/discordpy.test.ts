import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BotWorld, botWorld, type FlowResults, runBotProcess } from '../bots/bot-setup';
import { join } from '../guild-helpers';

// An unmodified discord.py 2.x bot (Debian's python3-discord), pointed at Hearth by `Route.BASE` only, doing what
// bots do: apps/server/test/bots/discordpy_bot.py. Each flow it runs is one test here.

const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const probe = spawnSync(python, ['-c', 'import discord'], { encoding: 'utf8' });
const skip = probe.status === 0 ? false : 'discord.py is not installed (apt-get install python3-discord)';

const flows = [
  'login',
  'receive and reply',
  'edit',
  'react',
  'pins',
  'history',
  'typing',
  'embed',
  'uploads',
  'bulk delete',
  'delete',
  'roles',
  'member chunking',
  'dm',
  'dm received',
  'overwrites',
  'threads',
  'timeout',
  'ban',
  'attachment option',
];

let world: BotWorld;
let run: Promise<{ results: FlowResults; stderr: string }>;

before(async () => {
  if (skip) return;
  world = await botWorld('discord.py bot');
  const { h, g } = world;
  const victim = await join(h, g);
  run = runBotProcess(
    python,
    [fileURLToPath(new URL('../bots/discordpy_bot.py', import.meta.url))],
    {
      HEARTH_URL: h.url,
      BOT_TOKEN: world.token,
      GUILD_ID: g.id,
      CHANNEL_ID: g.textChannelId,
      OWNER_ID: g.owner.id,
      VICTIM_ID: victim.id,
    },
    {
      READY: async () => {
        await h.api('POST', `/channels/${g.textChannelId}/messages`, {
          token: g.owner.token,
          body: { content: 'ping' },
        });
      },
      // The owner runs the bot's /reverse with a file, as the web app sends it: payload_json, then files[0].
      COMMAND_READY: async () => {
        const commands = await h.api('GET', `/applications/${world.applicationId}/guilds/${g.id}/commands`, {
          token: `Bot ${world.token}`,
        });
        const reverse = commands.body.find((c: { name: string }) => c.name === 'reverse');
        const form = new FormData();
        form.append(
          'payload_json',
          JSON.stringify({
            type: 2,
            application_id: world.applicationId,
            guild_id: g.id,
            channel_id: g.textChannelId,
            nonce: 'reverse-1',
            data: {
              id: reverse.id,
              name: 'reverse',
              type: 1,
              options: [{ type: 11, name: 'file', value: 0 }],
              attachments: [{ id: '0', filename: 'numbers.txt' }],
            },
          }),
        );
        form.append('files[0]', new Blob(['0123456789']), 'numbers.txt');
        const res = await fetch(`${h.url}/api/v10/interactions`, {
          method: 'POST',
          headers: { authorization: g.owner.token },
          body: form,
        });
        assert.equal(res.status, 204, await res.text());
      },
      // The owner writes to the bot in private.
      DM_READY: async () => {
        const dm = await h.api('POST', '/users/@me/channels', {
          token: g.owner.token,
          body: { recipient_id: world.botUserId },
        });
        await h.api('POST', `/channels/${dm.body.id}/messages`, {
          token: g.owner.token,
          body: { content: 'hello bot' },
        });
      },
    },
  );
});

after(async () => {
  await world?.h.close();
});

for (const name of flows) {
  test(`discord.py: ${name}`, { skip }, async () => {
    const { results, stderr } = await run;
    const outcome = results.get(name);
    assert.equal(
      outcome,
      'ok',
      outcome ? `${name}: ${outcome}` : `${name} did not run\n${stderr.slice(-3000)}`,
    );
  });
}
