import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockTime, fullTime, messageTime } from '../../src/screens/messages/time';

// Local times, so the test holds in any time zone.
const now = new Date(2026, 11, 7, 9, 30);

test('"Today at", "Yesterday at", then the date', () => {
  assert.equal(messageTime(new Date(2026, 11, 7, 0, 5), now, 'en-GB'), 'Today at 00:05');
  assert.equal(messageTime(new Date(2026, 11, 6, 23, 59), now, 'en-GB'), 'Yesterday at 23:59');
  assert.equal(messageTime(new Date(2026, 11, 6, 0, 0), now, 'en-GB'), 'Yesterday at 00:00');
  assert.equal(messageTime(new Date(2026, 11, 5, 14, 3), now, 'en-GB'), '05/12/2026, 14:03');
  assert.equal(messageTime(new Date(2025, 11, 7, 14, 3), now, 'en-GB'), '07/12/2025, 14:03');
});

test('across a daylight-saving change a day is still a day', () => {
  // 30 March 2026 follows the European spring change; whatever the zone, the calendar day decides.
  const after = new Date(2026, 2, 30, 8, 0);
  assert.equal(messageTime(new Date(2026, 2, 29, 8, 0), after, 'en-GB'), 'Yesterday at 08:00');
});

test('the whole date on hover, the clock beside grouped messages', () => {
  // ICU versions differ on the comma after the weekday.
  assert.match(fullTime(new Date(2026, 11, 7, 14, 3), 'en-GB'), /^Monday,? 7 December 2026 at 14:03$/);
  assert.equal(clockTime(new Date(2026, 11, 7, 14, 3), 'en-GB'), '14:03');
});
