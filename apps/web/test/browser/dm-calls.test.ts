// DM calls in the web app (issue 24), end to end in Chromium with its fake microphone: Alice calls Bob from their DM's
// header, Bob's app rings with Accept and Decline, he accepts and each hears the other (the received audio grows on
// both sides); in a second call Bob declines and Alice's app stops showing him rung; on a phone the incoming call
// and the in-call panel fit the screen. Needs Debian's Chromium; without it the suite says it skipped.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../../../server/test/harness';
import { chromiumSkip, phone, startWebHearth } from './chromium';
import { type MediaPerson, mediaPerson, waitForAudioGrowth } from './voice-helpers';

let h: TestServer;
const people: MediaPerson[] = [];

async function caller(name: string): Promise<MediaPerson> {
  const user = await h.register({ username: `${name}_${process.pid.toString(36)}` });
  const p = await mediaPerson(h, name, user);
  people.push(p);
  return p;
}

describe('DM calls in the web app', { skip: chromiumSkip }, () => {
  let alice: MediaPerson;
  let bob: MediaPerson;
  let dmId: string;

  before(async () => {
    h = await startWebHearth();
    alice = await caller('call_alice');
    bob = await caller('call_bob');
    const res = await h.api('POST', '/users/@me/channels', {
      token: alice.user.token,
      body: { recipient_id: bob.user.id },
    });
    assert.equal(res.status, 200, res.text);
    dmId = res.body.id;
    // A message opens the DM on Bob's side too (a DM shows in a recipient's list once it has a message).
    const hello = await h.api('POST', `/channels/${dmId}/messages`, {
      token: alice.user.token,
      body: { content: 'call me' },
    });
    assert.equal(hello.status, 200, hello.text);
    for (const p of [alice, bob]) await p.page.goto(`${h.url}/channels/@me/${dmId}`);
    await bob.page.goto(`${h.url}/channels/@me/friends`);
  });
  after(async () => {
    for (const p of people) {
      await p.context.close().catch(() => {});
      rmSync(p.dir, { recursive: true, force: true });
    }
    await h?.close();
  });

  test('Alice calls, Bob accepts, and each hears the other', async () => {
    await alice.page.getByRole('button', { name: 'Start voice call' }).click();
    await alice.page.getByRole('region', { name: 'Voice connection' }).getByText('Call connected').waitFor();
    const ring = bob.page.getByRole('alertdialog', { name: /^Incoming call from / });
    await ring.waitFor();
    // Bob's DM list marks the conversation with a call going on.
    await bob.page.getByRole('img', { name: 'Call in progress' }).waitFor();
    await ring.getByRole('button', { name: 'Accept', exact: true }).click();
    await bob.page.getByRole('region', { name: 'Voice connection' }).getByText('Call connected').waitFor();
    await ring.waitFor({ state: 'detached' });
    await alice.page
      .getByRole('status')
      .filter({ hasText: 'In the call:' })
      .getByText(/call_bob/)
      .waitFor();
    for (const p of [alice, bob]) await waitForAudioGrowth(p.page);
    // Both leave: the call ends, and its mark goes.
    await bob.page.getByRole('button', { name: 'Disconnect' }).click();
    await alice.page.getByRole('button', { name: 'Disconnect' }).click();
    await bob.page.getByRole('img', { name: 'Call in progress' }).waitFor({ state: 'detached' });
    // The DM keeps the call's system message, which now says how long it lasted.
    await alice.page
      .locator('.message.system')
      .filter({ hasText: /call_alice.* started a call that lasted (a few seconds|a minute|\d+ minutes)\./ })
      .waitFor();
  });

  test('Bob declines a second call: it stops ringing, and Alice still waits in it', async () => {
    await alice.page.getByRole('button', { name: 'Start voice call' }).click();
    const ring = bob.page.getByRole('alertdialog', { name: /^Incoming call from / });
    await ring.waitFor();
    const ringing = alice.page.getByRole('status').filter({ hasText: /^Ringing .*call_bob/ });
    await ringing.waitFor();
    await ring.getByRole('button', { name: 'Decline' }).click();
    await ring.waitFor({ state: 'detached' });
    // Alice's app learns it: Bob is no longer rung, and she is still in the call.
    await ringing.waitFor({ state: 'detached' });
    await alice.page.getByRole('region', { name: 'Voice connection' }).getByText('Call connected').waitFor();
  });

  test('on a phone, the incoming call and the call panel fit the screen', async () => {
    await bob.page.setViewportSize(phone);
    // Alice rings Bob again from the call she is still in.
    await alice.page.getByRole('button', { name: /^Ring .*call_bob/ }).click();
    const ring = bob.page.getByRole('alertdialog', { name: /^Incoming call from / });
    await ring.waitFor();
    const box = await ring.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= phone.width, `the ring fits: ${JSON.stringify(box)}`);
    await ring.getByRole('button', { name: 'Accept', exact: true }).click();
    // In the conversation (the sidebar with the voice panel is hidden on a phone), the call bar shows him in the call
    // and offers Leave call; nothing scrolls sideways.
    await bob.page
      .getByRole('status')
      .filter({ hasText: /^In the call: .*call_bob/ })
      .waitFor();
    const leave = bob.page.getByRole('button', { name: 'Leave call' });
    const leaveBox = await leave.boundingBox();
    assert.ok(
      leaveBox && leaveBox.x + leaveBox.width <= phone.width,
      `Leave call fits: ${JSON.stringify(leaveBox)}`,
    );
    const width = await bob.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= phone.width, `no sideways scroll: ${width}`);
    await leave.click();
    await leave.waitFor({ state: 'detached' });
  });

  test('a call Bob never joins reads, for him, as a missed call', async () => {
    await bob.page.setViewportSize({ width: 1280, height: 800 });
    await alice.page.getByRole('button', { name: 'Disconnect' }).click();
    await alice.page.getByRole('button', { name: 'Start voice call' }).click();
    const ring = bob.page.getByRole('alertdialog', { name: /^Incoming call from / });
    await ring.waitFor();
    await ring.getByRole('button', { name: 'Decline' }).click();
    await alice.page.getByRole('button', { name: 'Disconnect' }).click();
    await bob.page.goto(`${h.url}/channels/@me/${dmId}`);
    await bob.page
      .locator('.message.system')
      .filter({ hasText: /You missed a call from .*call_alice.* that lasted/ })
      .waitFor();
    // Alice took part in it: for her it is a call she started.
    assert.equal(
      await alice.page.locator('.message.system').filter({ hasText: 'You missed a call' }).count(),
      0,
    );
  });
});
