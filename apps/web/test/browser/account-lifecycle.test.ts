// Settings → Account in Chromium against a real Hearth on PGlite: at desktop width a person deactivates their account
// (password asked; signed out; signing in again brings it back), and at phone width another deletes theirs (password
// and username typed; a wrong password is refused with the server's message; then signed out and gone).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../../../server/test/harness';
import { chromiumSkip, closePeople, type Person, phone, signedInPerson, startWebHearth } from './chromium';

let h: TestServer;
const people: Person[] = [];

/** The page's content is no wider than its viewport (nothing cut off at phone width). */
async function fits(page: Page): Promise<void> {
  const [scroll, width] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    window.innerWidth,
  ]);
  assert.ok(scroll <= width, `content ${scroll}px wide in a ${width}px viewport`);
}

describe('account lifecycle in the web app', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
  });
  after(async () => {
    await closePeople(people);
    await h?.close();
  });

  test('desktop: deactivate with the password, signed out, back by signing in', async () => {
    const p = await signedInPerson(h, 'deact');
    people.push(p);
    const { page, user } = p;
    await page.goto(`${h.url}/settings/account`);
    await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Deactivate account…' }).click();
    const form = page.getByRole('form', { name: 'Confirm deactivating your account' });
    await form.getByLabel('Password').fill(user.password);
    await form.getByRole('button', { name: 'Deactivate my account' }).click();
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    const hidden = await fetch(`${h.url}/api/v1/accounts/${user.id}`);
    assert.equal(hidden.status, 404);

    const signIn = page.getByRole('form', { name: 'Sign in' });
    await signIn.getByLabel('Email or username').fill(user.email);
    await signIn.getByLabel('Password').fill(user.password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor({ state: 'detached' });
    assert.equal((await fetch(`${h.url}/api/v1/accounts/${user.id}`)).status, 200);
  });

  test('phone: delete asks for the password and the username; a wrong password is refused', async () => {
    const p = await signedInPerson(h, 'del');
    people.push(p);
    const { page, user } = p;
    await page.setViewportSize(phone);
    await page.goto(`${h.url}/settings/account`);
    await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    await fits(page);
    await page.getByRole('button', { name: 'Delete account…' }).click();
    const form = page.getByRole('form', { name: 'Confirm deleting your account' });
    const submit = form.getByRole('button', { name: 'Delete my account' });
    await form.getByLabel('Password').fill('not-my-password');
    assert.equal(await submit.isDisabled(), true, 'not before the username is typed');
    await form.getByLabel(/Type your username/).fill(user.username);
    await fits(page);
    await submit.click();
    await form.getByText(/Password does not match/).waitFor();
    assert.equal((await fetch(`${h.url}/api/v1/accounts/${user.id}`)).status, 200, 'nothing happened');

    await form.getByLabel('Password').fill(user.password);
    await submit.click();
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    assert.equal((await fetch(`${h.url}/api/v1/accounts/${user.id}`)).status, 404);
    const login = await h.api('POST', '/auth/login', {
      body: { login: user.email, password: user.password },
    });
    assert.equal(login.status, 400, 'a deleted account cannot sign in');
  });
});
