import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  botIntent,
  EVENT_NAMES,
  EVENTS,
  type EventCache,
  eventInfo,
  invalidates,
  isEventName,
} from '../../src/events';
import { Intent } from '../../src/gateway';

// The catalog replaced lists of names that the gateway and the caches kept of their own. These are those lists as
// they were, and the function that gave bots' intents: what the catalog says must be exactly what they said, so a
// slip in the catalog changes no behaviour unnoticed. Events added since (stickers, scheduled events) are added to
// them here as those lists would have had them.

/** gateway.ts: after these, a session may be in other guilds or DMs (its audience index is updated). */
const MEMBERSHIP_EVENTS = [
  'GUILD_DELETE',
  'GUILD_MEMBER_REMOVE',
  'CHANNEL_CREATE',
  'CHANNEL_DELETE',
  'DM_RECIPIENT',
];

/** gateway/session-state.ts: after these, a session's computed permissions in the guild are dropped. */
const CHANGES_PERMISSIONS = [
  'GUILD_ROLE_CREATE',
  'GUILD_ROLE_UPDATE',
  'GUILD_ROLE_DELETE',
  'GUILD_MEMBER_UPDATE',
  'CHANNEL_CREATE',
  'CHANNEL_UPDATE',
  'CHANNEL_DELETE',
  'THREAD_CREATE',
  'THREAD_UPDATE',
  'THREAD_DELETE',
  'THREAD_MEMBERS_UPDATE',
];

/** The social layer's events (on `account:` topics): no chat cache, no bot. */
const SOCIAL = EVENT_NAMES.filter((t) => t.startsWith('SOCIAL_'));

/** domain/guilds/context-cache.ts: these change nothing a message channel context holds. */
const UNRELATED = [
  'MESSAGE_CREATE',
  'MESSAGE_UPDATE',
  'MESSAGE_DELETE',
  'MESSAGE_DELETE_BULK',
  'MESSAGE_ACK',
  'MESSAGE_REACTION_ADD',
  'MESSAGE_REACTION_REMOVE',
  'MESSAGE_REACTION_REMOVE_ALL',
  'MESSAGE_REACTION_REMOVE_EMOJI',
  'CHANNEL_PINS_UPDATE',
  'TYPING_START',
  'PRESENCE_UPDATE',
  'GUILD_SCHEDULED_EVENT_CREATE',
  'GUILD_SCHEDULED_EVENT_UPDATE',
  'GUILD_SCHEDULED_EVENT_DELETE',
  'GUILD_SCHEDULED_EVENT_USER_ADD',
  'GUILD_SCHEDULED_EVENT_USER_REMOVE',
  // Command overwrites change nothing a message's channel context holds.
  'APPLICATION_COMMAND_PERMISSIONS_UPDATE',
  // Interactions and what their invoker is told of them change no cache (ADR 0039).
  'INTERACTION_CREATE',
  'INTERACTION_SUCCESS',
  'INTERACTION_FAILURE',
  'INTERACTION_MODAL_CREATE',
  'APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE',
  // Who is in a voice channel is no part of a message channel's context.
  'VOICE_STATE_UPDATE',
  'VOICE_SERVER_UPDATE',
  'STREAM_CREATE',
  'STREAM_DELETE',
  // Nor who is in a DM's call, or being rung (ADR 0034).
  'CALL_CREATE',
  'CALL_UPDATE',
  'CALL_DELETE',
  // A join request changes no membership until it is approved (the approval adds the member, GUILD_MEMBER_ADD).
  'GUILD_JOIN_REQUEST_CREATE',
  'GUILD_JOIN_REQUEST_UPDATE',
  'GUILD_JOIN_REQUEST_DELETE',
  // A report is news for moderators, and no part of any cache.
  'GUILD_MESSAGE_REPORT_CREATE',
  'GUILD_MESSAGE_REPORT_UPDATE',
  // A user's notification settings are no part of any cache.
  'USER_GUILD_SETTINGS_UPDATE',
  ...SOCIAL,
];

/** domain/guilds/context-cache.ts: these drop only the part of the member they name. */
const MEMBER_EVENTS = [
  'GUILD_MEMBER_ADD',
  'GUILD_MEMBER_UPDATE',
  'GUILD_MEMBER_REMOVE',
  'GUILD_BAN_ADD',
  'GUILD_BAN_REMOVE',
];

/** domain/gateway/guild-cache.ts: after these (and MESSAGE_CREATE in a thread), a guild's snapshot is dropped. */
const STALE_AFTER = [
  'GUILD_UPDATE',
  'GUILD_DELETE',
  'GUILD_ROLE_CREATE',
  'GUILD_ROLE_UPDATE',
  'GUILD_ROLE_DELETE',
  'GUILD_EMOJIS_UPDATE',
  'GUILD_STICKERS_UPDATE',
  'GUILD_SCHEDULED_EVENT_CREATE',
  'GUILD_SCHEDULED_EVENT_UPDATE',
  'GUILD_SCHEDULED_EVENT_DELETE',
  'GUILD_MEMBER_ADD',
  'GUILD_MEMBER_UPDATE',
  'GUILD_MEMBER_REMOVE',
  'CHANNEL_CREATE',
  'CHANNEL_UPDATE',
  'CHANNEL_DELETE',
  'CHANNEL_PINS_UPDATE',
  'THREAD_CREATE',
  'THREAD_UPDATE',
  'THREAD_DELETE',
  'THREAD_MEMBERS_UPDATE',
  // GUILD_CREATE lists the guild's voice states.
  'VOICE_STATE_UPDATE',
];
/** guild-cache.ts changes the snapshot in place for these before it looks at the catalog (it drops it for the rest). */
const SNAPSHOT_CHANGED_IN_PLACE = ['MESSAGE_CREATE', 'PRESENCE_UPDATE', 'USER_UPDATE'];

/** gateway.ts's intentFor, as it was. */
function intentFor(t: string, inGuild: boolean): number {
  if (t.startsWith('MESSAGE_REACTION'))
    return inGuild ? Intent.GuildMessageReactions : Intent.DirectMessageReactions;
  if (t.startsWith('MESSAGE_')) return inGuild ? Intent.GuildMessages : Intent.DirectMessages;
  if (t === 'TYPING_START') return inGuild ? Intent.GuildMessageTyping : Intent.DirectMessageTyping;
  if (t === 'CHANNEL_PINS_UPDATE') return inGuild ? Intent.Guilds : Intent.DirectMessages;
  if (t.startsWith('GUILD_MEMBER') || t === 'THREAD_MEMBERS_UPDATE') return Intent.GuildMembers;
  if (t.startsWith('GUILD_BAN') || t === 'GUILD_AUDIT_LOG_ENTRY_CREATE') return Intent.GuildModeration;
  // Added with group join requests (ADR 0031).
  if (t.startsWith('GUILD_JOIN_REQUEST_')) return Intent.GuildModeration;
  // Added with reports (ADR 0031).
  if (t.startsWith('GUILD_MESSAGE_REPORT_')) return Intent.GuildModeration;
  if (t === 'GUILD_EMOJIS_UPDATE' || t === 'GUILD_STICKERS_UPDATE') return Intent.GuildExpressions;
  if (t.startsWith('GUILD_SCHEDULED_EVENT_')) return Intent.GuildScheduledEvents;
  if (t === 'WEBHOOKS_UPDATE') return Intent.GuildWebhooks;
  if (t.startsWith('INVITE_')) return Intent.GuildInvites;
  if (t === 'PRESENCE_UPDATE') return Intent.GuildPresences;
  // Added with voice states (ADR 0034).
  if (t.startsWith('VOICE_')) return Intent.GuildVoiceStates;
  // Added with Go Live (ADR 0034).
  if (t.startsWith('STREAM_')) return Intent.GuildVoiceStates;
  // Added with DM calls (ADR 0034): they are a DM's, in a guild or not.
  if (t.startsWith('CALL_')) return Intent.DirectMessages;
  return Intent.Guilds;
}

const those = (cache: EventCache) => EVENT_NAMES.filter((t) => invalidates(t, cache)).sort();
const sorted = (names: string[]) => [...names].sort();

describe('event catalog', () => {
  test('the audience index is updated after the events it was before', () => {
    assert.deepEqual(those('audience'), sorted(MEMBERSHIP_EVENTS));
  });

  test('computed permissions are dropped after the events they were before', () => {
    assert.deepEqual(those('permissions'), sorted(CHANGES_PERMISSIONS));
  });

  test('message channel contexts: the same events pass by, and the same drop only a member', () => {
    const untouched = EVENT_NAMES.filter(
      (t) => !invalidates(t, 'context') && !invalidates(t, 'context-member'),
    );
    assert.deepEqual(untouched.sort(), sorted(UNRELATED));
    assert.deepEqual(those('context-member'), sorted(MEMBER_EVENTS));
    // A member event drops the member's part, never the whole guild's.
    for (const t of MEMBER_EVENTS) assert.equal(invalidates(t, 'context'), false, t);
  });

  test('guild snapshots are dropped after the events they were before, or changed in place', () => {
    assert.deepEqual(those('guild-snapshot'), sorted([...STALE_AFTER, ...SNAPSHOT_CHANGED_IN_PLACE]));
  });

  test('bots need the intents they needed before, in a guild and outside one', () => {
    for (const t of EVENT_NAMES) {
      if (SOCIAL.includes(t)) continue;
      for (const inGuild of [true, false])
        assert.equal(botIntent(t, inGuild), intentFor(t, inGuild), `${t} ${inGuild}`);
    }
  });

  test('social events are on account topics only, and no intent brings them to a bot', () => {
    assert.ok(SOCIAL.length >= 8);
    for (const t of SOCIAL) {
      assert.deepEqual(EVENTS[t].topics, ['account'], t);
      for (const inGuild of [true, false]) assert.equal(botIntent(t, inGuild), 0, t);
    }
  });

  test('names outside the catalog: no cache, the GUILDS intent', () => {
    for (const t of ['BUS_GAP', 'HANDOFF', 'READY', 'GUILD_MEMBERS_CHUNK']) {
      assert.equal(isEventName(t), false);
      assert.equal(eventInfo(t), undefined);
      assert.equal(invalidates(t, 'context'), false);
      assert.equal(botIntent(t, false), Intent.Guilds);
    }
  });

  test('interactions go to users only: the bot that answers, the person who invoked; ephemeral messages too', () => {
    for (const t of [
      'INTERACTION_CREATE',
      'INTERACTION_SUCCESS',
      'INTERACTION_FAILURE',
      'INTERACTION_MODAL_CREATE',
      'APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE',
    ] as const) {
      assert.deepEqual(EVENTS[t].topics, ['user'], t);
      assert.equal(botIntent(t, true), Intent.Guilds, t);
      assert.equal(eventInfo(t)!.invalidates.size, 0, t);
    }
    for (const t of ['MESSAGE_CREATE', 'MESSAGE_UPDATE', 'MESSAGE_DELETE'] as const)
      assert.ok(eventInfo(t)!.topics.has('user'), t);
    assert.equal(eventInfo('MESSAGE_DELETE_BULK')!.topics.has('user'), false);
  });

  test('every event is published to some topic', () => {
    for (const t of EVENT_NAMES) assert.ok(eventInfo(t)!.topics.size > 0, t);
  });
});
