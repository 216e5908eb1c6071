// The developer portal end to end in Chromium against a real Hearth on PGlite (ADR 0038): a person creates an
// application, resets its bot's token (shown once, and it works), turns on a privileged intent, sees an interactions
// endpoint on a private address refused, builds an invite link whose permissions integer is right, adds the bot to
// their server through the authorize screen, sees it with its commands under server settings → Integrations and
// removes it; then, at phone width, finds the application again and deletes it.
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
  shots,
  signedInPerson,
  startWebHearth,
} from './chromium';

let h: TestServer;
let alice: Person;
let guildId: string;

async function shot(name: string, size = desktop): Promise<void> {
  await alice.page.setViewportSize(size);
  await alice.page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

describe('the developer portal', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'dev');
    const guild = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Bot Garage' } });
    assert.equal(guild.status, 201);
    guildId = guild.body.id;
  });
  after(async () => {
    await closePeople([alice]);
    await h?.close();
  });

  let appId: string;
  let botToken: string;

  test('create an application, reset its bot token, turn on an intent, try an endpoint', async () => {
    const a = alice.page;
    await a.goto(`${h.url}/channels/@me`);
    await a.getByRole('link', { name: 'User settings' }).click();
    await a.getByRole('link', { name: 'Developer' }).click();
    await a.getByRole('heading', { name: 'Developer portal' }).waitFor();
    await a.getByText('You have no applications yet.').waitFor();
    await a.getByLabel('Name', { exact: true }).fill('Garden Bot');
    await a.getByRole('button', { name: 'Create application' }).click();
    await a.getByRole('heading', { name: 'Garden Bot' }).waitFor();
    appId = await a.getByLabel('Application ID').inputValue();
    assert.match(appId, /^\d+$/);
    assert.match(a.url(), new RegExp(`/settings/developer/${appId}/general$`));
    const key = await a.getByLabel('Public key').inputValue();
    const app = await h.api('GET', `/applications/${appId}`, { token: alice.user.token });
    assert.equal(key, app.body.verify_key);
    assert.match(key, /^[0-9a-f]{64}$/);

    // An endpoint on a private address is refused, with the server's reason shown; nothing is saved.
    await a.getByLabel('Interactions endpoint URL').fill('http://10.0.0.1/interactions');
    await a.getByRole('button', { name: 'Save endpoint' }).click();
    await a.getByText(/could not be verified: .*not a public address/).waitFor();
    assert.equal(
      (await h.api('GET', `/applications/${appId}`, { token: alice.user.token })).body
        .interactions_endpoint_url,
      null,
    );
    await shot('developer-general-desktop');

    await a.getByRole('tab', { name: 'Bot' }).click();
    await a.getByRole('button', { name: 'Reset token' }).click();
    const confirm = a.getByRole('dialog', { name: "Reset the bot's token?" });
    await confirm.getByRole('button', { name: 'Yes, reset it' }).click();
    const tokenField = a.getByLabel(/Bot token/);
    await tokenField.waitFor();
    botToken = await tokenField.inputValue();
    const me = await h.api('GET', '/users/@me', { token: `Bot ${botToken}` });
    assert.equal(me.status, 200, 'the token shown works');
    assert.equal(me.body.id, app.body.bot.id);
    await shot('developer-bot-desktop');
    await a.getByRole('button', { name: 'Hide token' }).click();
    assert.equal(await a.getByLabel(/Bot token/).count(), 0, 'the token is not kept on screen');

    await a.getByLabel('Message content intent').check();
    await a.waitForFunction(
      async ([url, id, token]) => {
        const r = await fetch(`${url}/api/v10/applications/${id}`, { headers: { authorization: token } });
        return ((await r.json()).flags & (1 << 18)) !== 0;
      },
      [h.url, appId, alice.user.token] as const,
    );
    assert.equal(await a.getByLabel('Message content intent').isChecked(), true);
  });

  test('the invite link adds the bot to a server; Integrations lists it with its commands and removes it', async () => {
    const a = alice.page;
    // The bot registers a command in the server once it is there; first, the link.
    await a.getByRole('tab', { name: 'OAuth2 URL generator' }).click();
    await a.getByLabel('Kick members').check();
    await a.getByLabel('Send messages', { exact: true }).uncheck();
    // View channels (1 << 10) + read message history (1 << 16) + kick members (1 << 1).
    const expected = String((1n << 10n) | (1n << 16n) | (1n << 1n));
    assert.equal(await a.getByTestId('permissions-integer').textContent(), expected);
    const link = await a.getByLabel('Generated URL').inputValue();
    const url = new URL(link);
    assert.equal(url.pathname, '/oauth2/authorize');
    assert.equal(url.searchParams.get('client_id'), appId);
    assert.equal(url.searchParams.get('scope'), 'bot applications.commands');
    assert.equal(url.searchParams.get('permissions'), expected);
    await shot('developer-oauth2-desktop');

    await a.getByRole('link', { name: 'Open the invite link' }).click();
    await a.getByRole('heading', { name: 'Garden Bot' }).waitFor();
    await a.getByRole('list', { name: 'Permissions asked' }).getByText('Kick members').waitFor();
    await a.getByLabel('Add to server').selectOption({ label: 'Bot Garage' });
    await shot('authorize-desktop');
    await a.getByRole('button', { name: 'Authorize' }).click();
    await a.getByText('Garden Bot was added to Bot Garage.').waitFor();
    const bot = `Bot ${botToken}`;
    const member = await h.api(
      'GET',
      `/guilds/${guildId}/members/${(await h.api('GET', '/users/@me', { token: bot })).body.id}`,
      {
        token: alice.user.token,
      },
    );
    assert.equal(member.status, 200, 'the bot joined');
    const cmd = await h.api('POST', `/applications/${appId}/guilds/${guildId}/commands`, {
      token: bot,
      body: { name: 'water', description: 'Waters the plants' },
    });
    assert.equal(cmd.status, 201, cmd.text);

    await a.goto(`${h.url}/channels/${guildId}`);
    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByRole('tab', { name: 'Integrations' }).click();
    const entry = a
      .getByRole('list', { name: 'Installed apps' })
      .locator('li', { hasText: 'Garden Bot' })
      .first();
    await entry.getByRole('list', { name: 'Commands of Garden Bot' }).getByText('/water').waitFor();
    await shot('integrations-desktop');
    await shot('integrations-phone', phone);
    await a.setViewportSize(desktop);
    await entry.getByRole('button', { name: 'Remove Garden Bot' }).click();
    const remove = a.getByRole('dialog', { name: 'Remove Garden Bot?' });
    await remove.getByLabel('Reason (for the audit log)').fill('testing done');
    await remove.getByRole('button', { name: 'Remove', exact: true }).click();
    await a.getByText('No apps are installed.').waitFor();
    const integrations = await h.api('GET', `/guilds/${guildId}/integrations`, { token: alice.user.token });
    assert.deepEqual(integrations.body, []);
    await a.keyboard.press('Escape');
  });

  test('at phone width: the application is found again and deleted after confirming its name', async () => {
    const a = alice.page;
    await a.setViewportSize(phone);
    await a.goto(`${h.url}/settings/developer`);
    await a.getByRole('list', { name: 'My applications' }).getByRole('link', { name: 'Garden Bot' }).click();
    await a.getByRole('heading', { name: 'Garden Bot' }).waitFor();
    await a.getByRole('tab', { name: 'Bot' }).click();
    await a.getByRole('button', { name: 'Reset token' }).waitFor();
    await shot('developer-bot-phone', phone);
    await a.getByRole('tab', { name: 'General information' }).click();
    await a.getByRole('button', { name: 'Delete application' }).click();
    const dialog = a.getByRole('dialog', { name: 'Delete Garden Bot?' });
    const del = dialog.getByRole('button', { name: 'Delete', exact: true });
    assert.equal(await del.isDisabled(), true, 'disabled until the name is typed');
    await dialog.getByLabel('Application name').fill('Garden Bot');
    await shot('developer-delete-phone', phone);
    await del.click();
    await a.getByText('You have no applications yet.').waitFor();
    assert.equal((await h.api('GET', '/users/@me', { token: `Bot ${botToken}` })).status, 401);
    await a.setViewportSize(desktop);
  });
});
