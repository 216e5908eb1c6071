import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { ChannelType, Client, Events, GatewayIntentBits, type VoiceState } from 'discord.js';
import { type BotWorld, nextEvent as botEvent, botWorld } from '../bots/bot-setup';
import { closeWithClients, TestGateway } from '../gateway-client';
import { join } from '../guild-helpers';
import type { TestUser } from '../harness';

// An unmodified discord.js v14 bot following and moderating voice states (ADR 0034): it sees who joins, leaves and
// moves, and server-mutes, moves and disconnects members. (Sending audio needs Discord's voice protocol, which
// Hearth does not offer: see the ADR.)

let world: BotWorld;
let client: Client;
let member: TestUser;
let person: TestGateway;

const voiceUpdate = (match: (before: VoiceState, after: VoiceState) => boolean) =>
  botEvent<[VoiceState, VoiceState]>(client, Events.VoiceStateUpdate, match);

before(async () => {
  world = await botWorld('Voice Bot');
  member = await join(world.h, world.g);
  client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildVoiceStates],
    rest: { api: `${world.h.url}/api`, retries: 0 },
  });
  const ready = once(client, Events.ClientReady);
  await client.login(world.token);
  await ready;
  person = await TestGateway.identify(world.h, member.token, {}, 1);
});

after(async () => {
  await client?.destroy();
  await closeWithClients(world?.h);
});

test('voiceStateUpdate and guild.voiceStates follow a member joining; setMute, setChannel and disconnect work', async () => {
  const { g, h } = world;
  const joined = voiceUpdate((_, now) => now.id === member.id && now.channelId === g.voiceChannelId);
  person.send({
    op: 4,
    d: { guild_id: g.id, channel_id: g.voiceChannelId, self_mute: true, self_deaf: false },
  });
  const [was, now] = await joined;
  assert.equal(was.channelId, null);
  assert.equal(now.selfMute, true);
  assert.equal(now.member?.id, member.id);
  const guild = client.guilds.cache.get(g.id)!;
  assert.equal(guild.voiceStates.cache.get(member.id)?.channelId, g.voiceChannelId);
  const voiceChannel = guild.channels.cache.get(g.voiceChannelId);
  assert.ok(voiceChannel?.isVoiceBased());
  assert.ok(voiceChannel.members.has(member.id), 'the channel lists who is in it');

  const target = await guild.members.fetch(member.id);
  const muted = voiceUpdate((_, after) => after.id === member.id && after.serverMute === true);
  await target.voice.setMute(true, 'too loud');
  await muted;

  const other = await guild.channels.create({ name: 'Lounge', type: ChannelType.GuildVoice });
  const moved = voiceUpdate((_, after) => after.id === member.id && after.channelId === other.id);
  await target.voice.setChannel(other);
  await moved;
  assert.equal(guild.voiceStates.cache.get(member.id)?.channelId, other.id);

  const gone = voiceUpdate((_, after) => after.id === member.id && after.channelId === null);
  await target.voice.disconnect('bye');
  const [before] = await gone;
  assert.equal(before.channelId, other.id);
  const log = await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: g.owner.token });
  const reasons = log.body.audit_log_entries.map((e: any) => [e.action_type, e.reason ?? null]);
  assert.ok(reasons.some(([t, r]: [number, string]) => t === 27 && r === 'bye'));
});

test('a bot joins and leaves a voice channel with op 4 (its voice state is seen by others)', async () => {
  const { g } = world;
  const guild = client.guilds.cache.get(g.id)!;
  const seen = person.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === client.user!.id && d.channel_id);
  guild.shard.send({
    op: 4,
    d: { guild_id: g.id, channel_id: g.voiceChannelId, self_mute: false, self_deaf: true },
  });
  assert.equal((await seen).self_deaf, true);
  const left = person.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === client.user!.id && !d.channel_id);
  guild.shard.send({ op: 4, d: { guild_id: g.id, channel_id: null, self_mute: false, self_deaf: false } });
  await left;
});
