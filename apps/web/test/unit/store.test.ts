import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  addHistory,
  addPending,
  applyDispatch,
  firstPageAsked,
  firstPageFailed,
  getState,
  resetState,
  setJoinedThreads,
} from '../../src/store';
import type { Message } from '../../src/types';

const me = { id: '100', username: 'me' };
const other = { id: '200', username: 'other' };
const msg = (id: string, content = id, extra: Partial<Message> = {}): Message => ({
  id,
  channel_id: '10',
  guild_id: '1',
  author: other,
  content,
  timestamp: new Date().toISOString(),
  edited_timestamp: null,
  mentions: [],
  mention_roles: [],
  mention_everyone: false,
  attachments: [],
  type: 0,
  ...extra,
});

beforeEach(() => {
  resetState();
  applyDispatch('READY', {
    user: me,
    session_id: 's1',
    guilds: [{ id: '1' }],
    private_channels: [],
    relationships: [],
    read_state: { entries: [] },
  });
  applyDispatch('GUILD_CREATE', {
    id: '1',
    name: 'G',
    owner_id: '200',
    roles: [{ id: '1', name: '@everyone', permissions: '1024', position: 0, color: 0, hoist: false }],
    channels: [{ id: '10', type: 0, name: 'general' }],
    members: [
      { user: me, roles: [] },
      { user: other, roles: [] },
    ],
    presences: [{ user: { id: '200' }, status: 'online' }],
  });
});

test('history pages and live messages merge by id, in order, never twice', () => {
  addHistory('10', [msg('30'), msg('20')], { hasMore: true });
  applyDispatch('MESSAGE_CREATE', msg('40'));
  applyDispatch('MESSAGE_CREATE', msg('40'));
  addHistory('10', [msg('10'), msg('20')], { hasMore: false });
  const held = getState().messages['10'];
  assert.deepEqual(
    held.list.map((m) => m.id),
    ['10', '20', '30', '40'],
  );
  assert.equal(held.hasMore, false);
  // Snowflakes compare as numbers, not strings.
  applyDispatch('MESSAGE_CREATE', msg('100'));
  assert.equal(getState().messages['10'].list.at(-1)!.id, '100');
});

test('a pending message is settled by the MESSAGE_CREATE that carries its nonce', () => {
  addHistory('10', [], { hasMore: false });
  addPending({ nonce: 'n1', channel_id: '10', content: 'hi', replyTo: null, failed: false });
  addPending({ nonce: 'n2', channel_id: '10', content: 'again', replyTo: null, failed: false });
  applyDispatch('MESSAGE_CREATE', msg('50', 'hi', { author: me, nonce: 'n1' }));
  assert.deepEqual(
    getState().pending['10'].map((p) => p.nonce),
    ['n2'],
  );
  assert.equal(getState().messages['10'].list.length, 1);
  // Our own message counts as read.
  assert.equal(getState().readStates['10'].last_message_id, '50');
});

test('mentions of me count until acknowledged; edits, reactions and deletes apply to the held message', () => {
  addHistory('10', [msg('20')], { hasMore: false });
  applyDispatch('MESSAGE_CREATE', msg('21', '<@100>', { mentions: [me] }));
  applyDispatch('MESSAGE_CREATE', msg('22', 'no mention'));
  assert.equal(getState().readStates['10'].mention_count, 1);
  applyDispatch('MESSAGE_ACK', { channel_id: '10', message_id: '22', mention_count: 0 });
  assert.equal(getState().readStates['10'].mention_count, 0);

  applyDispatch('MESSAGE_UPDATE', { ...msg('20', 'edited'), edited_timestamp: new Date().toISOString() });
  const emoji = { id: null, name: '👍' };
  applyDispatch('MESSAGE_REACTION_ADD', { channel_id: '10', message_id: '20', user_id: '200', emoji });
  applyDispatch('MESSAGE_REACTION_ADD', { channel_id: '10', message_id: '20', user_id: '100', emoji });
  let m = getState().messages['10'].list.find((x) => x.id === '20')!;
  assert.equal(m.content, 'edited');
  assert.deepEqual(m.reactions, [{ count: 2, me: true, emoji }]);
  applyDispatch('MESSAGE_REACTION_REMOVE', { channel_id: '10', message_id: '20', user_id: '100', emoji });
  applyDispatch('MESSAGE_REACTION_REMOVE', { channel_id: '10', message_id: '20', user_id: '200', emoji });
  m = getState().messages['10'].list.find((x) => x.id === '20')!;
  assert.deepEqual(m.reactions, []);
  applyDispatch('MESSAGE_DELETE', { id: '20', channel_id: '10' });
  assert.deepEqual(
    getState().messages['10'].list.map((x) => x.id),
    ['21', '22'],
  );
});

test('messages arriving while viewing older history wait, and join the list when it reaches the present', () => {
  const ids = () => getState().messages['10'].list.map((m) => m.id);
  // A window around an old message: newer history remains on the server.
  addHistory('10', [msg('20'), msg('21')], { hasMore: true, hasNewer: true });
  applyDispatch('MESSAGE_CREATE', msg('90', 'while away'));
  applyDispatch('MESSAGE_CREATE', msg('91', 'edited soon'));
  applyDispatch('MESSAGE_CREATE', msg('92', 'deleted soon'));
  applyDispatch('MESSAGE_UPDATE', { ...msg('91', 'edited'), edited_timestamp: new Date().toISOString() });
  applyDispatch('MESSAGE_DELETE', { id: '92', channel_id: '10' });
  // Not shown after the gap.
  assert.deepEqual(ids(), ['20', '21']);
  // A newer page that still does not reach the present keeps them waiting.
  addHistory('10', [msg('22'), msg('23')], { hasNewer: true });
  assert.deepEqual(ids(), ['20', '21', '22', '23']);
  // The last `after=` page, answered before 90 was sent: 90 and 91 join it, edited; 92 stays deleted.
  addHistory('10', [msg('24')], { hasNewer: false });
  assert.deepEqual(ids(), ['20', '21', '22', '23', '24', '90', '91']);
  assert.equal(getState().messages['10'].list.at(-1)!.content, 'edited');
  assert.equal(getState().messages['10'].live, undefined);
  // From now on live messages go straight into the list.
  applyDispatch('MESSAGE_CREATE', msg('93'));
  assert.equal(ids().at(-1), '93');
});

test("a channel's first page takes in what arrived while it was on its way; nothing waits unasked or after a failure", () => {
  const ids = () => getState().messages['10']?.list.map((m) => m.id);
  // Not asked for: a live message of a channel with no history held is not kept (its first page will have it).
  applyDispatch('MESSAGE_CREATE', msg('80'));
  assert.equal(getState().messages['10'], undefined);
  firstPageAsked('10');
  applyDispatch('MESSAGE_CREATE', msg('90', 'sent after the server answered'));
  assert.equal(getState().messages['10'], undefined, 'no history is shown before the page');
  addHistory('10', [msg('21'), msg('20')], { hasMore: true });
  assert.deepEqual(ids(), ['20', '21', '90']);
  // A failed first page leaves nothing waiting for the next one.
  firstPageAsked('11');
  applyDispatch('MESSAGE_CREATE', msg('95', 'x', { channel_id: '11' }));
  firstPageFailed('11');
  addHistory('11', [msg('30', 'y', { channel_id: '11' })], { hasMore: false });
  assert.deepEqual(
    getState().messages['11'].list.map((m) => m.id),
    ['30'],
  );
});

test('"Jump to present" replacing a window takes in what arrived meanwhile, but nothing from before its page', () => {
  const ids = () => getState().messages['10'].list.map((m) => m.id);
  addHistory('10', [msg('20')], { hasMore: true, hasNewer: true });
  applyDispatch('MESSAGE_CREATE', msg('50'));
  applyDispatch('MESSAGE_CREATE', msg('70'));
  // The newest page was answered after 50 and before 70; 50 is in it. Older live ones than its start stay out.
  addHistory('10', [msg('40'), msg('50')], { replace: true, hasMore: true, hasNewer: false });
  assert.deepEqual(ids(), ['40', '50', '70']);
  // A jump elsewhere into older history keeps the buffer for its own return.
  addHistory('10', [msg('10')], { replace: true, hasNewer: true });
  applyDispatch('MESSAGE_CREATE', msg('80'));
  addHistory('10', [msg('75'), msg('79')], { replace: true, hasNewer: false });
  assert.deepEqual(ids(), ['75', '79', '80']);
});

test('a lost channel goes with its messages; a fresh READY forgets history so it is fetched again', () => {
  addHistory('10', [msg('20')], { hasMore: false });
  applyDispatch('CHANNEL_DELETE', { id: '10', guild_id: '1', type: 0 });
  assert.equal(getState().channels['10'], undefined);
  assert.equal(getState().messages['10'], undefined);
  addHistory('11', [msg('30')], { hasMore: false });
  applyDispatch('READY', { user: me, session_id: 's2', guilds: [], private_channels: [], relationships: [] });
  assert.deepEqual(getState().messages, {});
  assert.equal(getState().presences['200'], 'online');
});

test('a member chunk adds members and their presences to a guild held, and nothing for one that is not', () => {
  const third = { id: '300', username: 'third' };
  applyDispatch('GUILD_MEMBERS_CHUNK', {
    guild_id: '1',
    members: [{ user: third, roles: [] }],
    presences: [
      { user: { id: '300' }, status: 'idle' },
      { user: { id: '200' }, status: 'dnd' },
    ],
  });
  const s = getState();
  assert.deepEqual(Object.keys(s.members['1']).sort(), ['100', '200', '300']);
  assert.equal(s.users['300'].username, 'third');
  assert.equal(s.presences['300'], 'idle');
  assert.equal(s.presences['200'], 'dnd');
  applyDispatch('GUILD_MEMBERS_CHUNK', { guild_id: '2', members: [{ user: third, roles: [] }] });
  assert.equal(getState().members['2'], undefined);
});

test('a partial USER_UPDATE (only what changed) updates a user held, and adds no user it does not know', () => {
  applyDispatch('USER_UPDATE', { id: '100', verified: true });
  assert.equal(getState().me?.verified, true);
  assert.equal(getState().users['100'].username, 'me');
  assert.equal(getState().users['100'].verified, true);
  applyDispatch('USER_UPDATE', { id: '300', verified: true });
  assert.equal(getState().users['300'], undefined);
  applyDispatch('USER_UPDATE', { id: '300', username: 'third' });
  assert.equal(getState().users['300'].username, 'third');
});

test("voice states: GUILD_CREATE's, then joins, moves and leaves from VOICE_STATE_UPDATE", () => {
  const state = (user_id: string, channel_id: string | null) => ({
    user_id,
    channel_id,
    session_id: 's',
    deaf: false,
    mute: false,
    self_deaf: false,
    self_mute: false,
    self_video: false,
    self_stream: false,
    suppress: false,
  });
  applyDispatch('GUILD_CREATE', {
    id: '2',
    name: 'Voice',
    owner_id: '100',
    roles: [],
    channels: [
      { id: '20', type: 2, name: 'General' },
      { id: '21', type: 2, name: 'Lounge' },
    ],
    voice_states: [state('200', '20')],
  });
  assert.deepEqual(Object.keys(getState().voiceStates['2']), ['200']);
  applyDispatch('VOICE_STATE_UPDATE', { ...state('100', '20'), guild_id: '2' });
  applyDispatch('VOICE_STATE_UPDATE', { ...state('200', '21'), guild_id: '2', mute: true });
  assert.equal(getState().voiceStates['2']['100'].channel_id, '20');
  assert.equal(getState().voiceStates['2']['200'].channel_id, '21');
  assert.equal(getState().voiceStates['2']['200'].mute, true);
  applyDispatch('VOICE_STATE_UPDATE', { ...state('200', null), guild_id: '2' });
  assert.deepEqual(Object.keys(getState().voiceStates['2']), ['100']);
  // Leaving the guild forgets its voice states.
  applyDispatch('GUILD_DELETE', { id: '2' });
  assert.equal(getState().voiceStates['2'], undefined);
});

test("joined threads: from the events that say so, one's own post, and the active threads asked for; a leave or delete drops one", () => {
  const thread = (id: string, archived = false) => ({
    id,
    type: 11,
    guild_id: '1',
    parent_id: '10',
    name: `t${id}`,
    thread_metadata: { archived },
  });
  applyDispatch('THREAD_CREATE', thread('50'));
  applyDispatch('THREAD_CREATE', thread('51'));
  applyDispatch('THREAD_CREATE', thread('52', true));
  const joined = () => Object.keys(getState().joinedThreads).sort();
  assert.deepEqual(joined(), []);
  const member = (id: string, user_id: string) => ({ id, user_id, join_timestamp: '', flags: 0 });
  // Another's join is not mine.
  applyDispatch('THREAD_MEMBERS_UPDATE', {
    id: '50',
    guild_id: '1',
    member_count: 2,
    added_members: [member('50', '200')],
  });
  assert.deepEqual(joined(), []);
  applyDispatch('THREAD_MEMBER_UPDATE', { ...member('50', '100'), guild_id: '1' });
  assert.deepEqual(joined(), ['50']);
  // Posting in a thread joins it; posting in a channel joins nothing.
  applyDispatch('MESSAGE_CREATE', msg('60', 'hi', { channel_id: '51', author: me }));
  applyDispatch('MESSAGE_CREATE', msg('61', 'hi', { channel_id: '10', author: me }));
  assert.deepEqual(joined(), ['50', '51']);
  applyDispatch('THREAD_MEMBERS_UPDATE', {
    id: '50',
    guild_id: '1',
    member_count: 1,
    removed_member_ids: ['200'],
  });
  assert.deepEqual(joined(), ['50', '51']);
  applyDispatch('THREAD_MEMBERS_UPDATE', {
    id: '50',
    guild_id: '1',
    member_count: 0,
    removed_member_ids: ['100'],
  });
  assert.deepEqual(joined(), ['51']);
  applyDispatch('THREAD_DELETE', { id: '51', guild_id: '1', parent_id: '10' });
  assert.deepEqual(joined(), []);
  // The guild's active threads, as answered, replace what was known of its active ones; an archived one stays.
  applyDispatch('THREAD_MEMBER_UPDATE', { ...member('52', '100'), guild_id: '1' });
  applyDispatch('THREAD_MEMBER_UPDATE', { ...member('50', '100'), guild_id: '1' });
  setJoinedThreads('1', [member('53', '200')]);
  assert.deepEqual(joined(), ['52']);
  setJoinedThreads('1', [member('50', '100')]);
  assert.deepEqual(joined(), ['50', '52']);
  // A fresh READY forgets them (GUILD_CREATE and the active threads bring them back).
  applyDispatch('READY', {
    user: me,
    session_id: 's2',
    guilds: [],
    private_channels: [],
    relationships: [],
    read_state: { entries: [] },
  });
  assert.deepEqual(joined(), []);
});
