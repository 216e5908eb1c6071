// The social side live (the Mastodon user stream, ADR 0035): Bob follows Alice; with his home feed open her new
// posts, her image with its alt text and their edits and deletes reach him without a reload; his boost bumps her
// notification badge while she looks elsewhere. Two Chromium profiles against a real Hearth on PGlite.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../../../server/test/harness';
import {
  chromiumSkip,
  closePeople,
  desktop,
  type Person,
  phone,
  png,
  shots,
  signedInPerson,
  startWebHearth,
} from './chromium';

let h: TestServer;
let alice: Person;
let bob: Person;

const person = (name: string) => signedInPerson(h, name);

/** The Mastodon client API as `p` (what another app of theirs would do). */
async function masto<T>(p: Person, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${h.url}/api${path}`, {
    method,
    headers: { authorization: p.user.token, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

const card = (p: Person, text: string) => p.page.locator('article.status-card', { hasText: text });

describe('the social side live', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await person('alice');
    bob = await person('bob');
    const a = await masto<{ id: string }>(
      bob,
      'GET',
      `/v1/accounts/lookup?acct=${encodeURIComponent(alice.user.username)}`,
    );
    await masto(bob, 'POST', `/v1/accounts/${a.id}/follow`);
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  test("alice's new post, its edit and its deletion reach bob's open home feed without a reload", async () => {
    const b = bob.page;
    await b.goto(`${h.url}/social`);
    await b.getByText('Nothing here yet.').waitFor();
    await alice.page.goto(`${h.url}/social`);
    const form = alice.page.getByRole('form', { name: 'New post' });
    await form.locator('textarea').fill('Live from the rabbit hole');
    await form.getByRole('button', { name: 'Post', exact: true }).click();
    await card(bob, 'Live from the rabbit hole').waitFor();

    const posted = await masto<{ id: string }>(alice, 'POST', '/v1/statuses', { status: 'Soon edited' });
    await card(bob, 'Soon edited').waitFor();
    await masto(alice, 'PUT', `/v1/statuses/${posted.id}`, { status: 'Edited in place' });
    await card(bob, 'Edited in place').waitFor();
    await masto(alice, 'DELETE', `/v1/statuses/${posted.id}`);
    await card(bob, 'Edited in place').waitFor({ state: 'detached' });
  });
});
