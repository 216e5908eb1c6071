// Settings → Account → "Import" in Chromium against a real Hearth on PGlite: a person picks a CSV of follows (one
// address that exists, one that does not), imports it, watches it finish, reads why the one row failed, and follows
// the account the file named.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../../../server/test/harness';
import { chromiumSkip, closePeople, type Person, signedInPerson, startWebHearth } from './chromium';

let h: TestServer;
const people: Person[] = [];

describe('data import in the web app', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
  });
  after(async () => {
    await closePeople(people);
    await h?.close();
  });

  test('a CSV of follows: imported in the background, the failed row shown with its reason', async () => {
    const p = await signedInPerson(h, 'importer');
    people.push(p);
    const { page, user } = p;
    const other = await h.register();
    const host = new URL(h.app.config.publicUrl).host;

    await page.goto(`${h.url}/settings/account`);
    await page.getByRole('heading', { name: 'Import' }).waitFor();
    await page.getByLabel('What it holds').selectOption('following');
    await page.getByLabel('CSV file').setInputFiles({
      name: 'following.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `Account address,Show boosts,Notify on new posts,Languages\n${other.username}@${host},true,false,\nghost@${host},true,false,\n`,
      ),
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const list = page.getByTestId('imports');
    await list.getByText('done: 1 imported, 1 failed.').waitFor({ timeout: 60_000 });
    await list.getByText('Rows that failed').click();
    await list.getByText(/Row 2/).waitFor();
    await list.getByText(/account not found/).waitFor();

    const rel = await h.api('GET', `/api/v1/accounts/relationships?id[]=${other.id}`, {
      token: `Bearer ${user.token}`,
    });
    assert.equal(rel.body[0].following, true);
  });
});
