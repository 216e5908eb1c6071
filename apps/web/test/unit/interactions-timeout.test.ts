// The client's own give-up on an interaction nobody acknowledged (issue 20): the server's INTERACTION_FAILURE normally
// comes after its deadline, but should it never come, "Sending command…" turns into "The application did not respond"
// once it has waited `unansweredMs`; an acknowledged one (a deferred "is thinking…" answer included) is no longer
// pending and never times out here. Times are given, never waited for.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { giveUpUnanswered, interactionDispatch, isUnanswered, unansweredMs } from '../../src/interactions';
import { getState, type PendingInteraction, resetState, setState } from '../../src/store';

const sent = 1_000_000;
const pending = (nonce: string, extra: Partial<PendingInteraction> = {}): PendingInteraction => ({
  nonce,
  id: null,
  channel_id: '10',
  kind: 'command',
  label: '/roll',
  application: 'Dice Bot',
  sent_at: sent,
  failed: false,
  ...extra,
});

beforeEach(() => {
  resetState();
});

test('an interaction is unanswered once it has waited the whole time, not a moment before', () => {
  assert.equal(isUnanswered(pending('a'), sent + unansweredMs - 1), false);
  assert.equal(isUnanswered(pending('a'), sent + unansweredMs), true);
  assert.equal(isUnanswered(pending('a', { failed: true }), sent + unansweredMs * 2), false);
  assert.ok(unansweredMs >= 10_000 && unansweredMs <= 20_000, 'about 15 s, as Discord');
});

test('giving up marks only the interactions still waiting too long as failed', () => {
  setState({
    interactions: {
      old: pending('old'),
      fresh: pending('fresh', { sent_at: sent + 5_000 }),
      told: pending('told', { failed: true, error: 'Missing Access' }),
    },
  });
  giveUpUnanswered(sent + unansweredMs);
  const { interactions } = getState();
  assert.equal(interactions.old.failed, true);
  assert.equal(interactions.old.error, undefined, 'shown as "The application did not respond"');
  assert.equal(interactions.fresh.failed, false);
  assert.equal(interactions.told.error, 'Missing Access', 'an earlier reason is kept');
  giveUpUnanswered(sent + 5_000 + unansweredMs);
  assert.equal(getState().interactions.fresh.failed, true);
});

test('an acknowledged interaction (a deferred answer included) is no longer waiting, so it never times out', () => {
  setState({ interactions: { slow: pending('slow') } });
  interactionDispatch('INTERACTION_CREATE', { id: '500', nonce: 'slow', type: 2 } as never);
  assert.equal(getState().interactions.slow.id, '500', 'received by the server, not yet acknowledged');
  interactionDispatch('INTERACTION_SUCCESS', { id: '500', nonce: 'slow' } as never);
  assert.equal(getState().interactions.slow, undefined);
  giveUpUnanswered(sent + unansweredMs * 60);
  assert.deepEqual(getState().interactions, {});
});
