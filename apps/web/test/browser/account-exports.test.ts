// Settings → Account → "Export your data" in Chromium against a real Hearth on PGlite: a person downloads a CSV
// export (their follows, in Mastodon's format), asks for an archive, sees it being prepared and then ready, downloads
// it, and cannot ask for another before the week is out.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import type { TestServer } from '../../../server/test/harness';
import { chromiumSkip, closePeople, type Person, signedInPerson, startWebHearth } from './chromium';

let h: TestServer;
const people: Person[] = [];

describe('data export in the web app', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
  });
  after(async () => {
    await closePeople(people);
    await h?.close();
  });

  test('CSV export and the archive: request, ready, download; asked again too soon, the button waits', async () => {
    const p = await signedInPerson(h, 'exporter');
    people.push(p);
    const { page, user } = p;
    const other = await h.register();
    const followed = await h.api('POST', `/api/v1/accounts/${other.id}/follow`, {
      token: `Bearer ${user.token}`,
    });
    assert.equal(followed.status, 200, followed.text);

    await page.goto(`${h.url}/settings/account`);
    await page.getByRole('heading', { name: 'Export your data' }).waitFor();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /Follows/ }).click(),
    ]);
    assert.equal(csv.suggestedFilename(), 'following.csv');
    const text = await readFile(await csv.path(), 'utf8');
    const host = new URL(h.app.config.publicUrl).host;
    assert.equal(
      text,
      `Account address,Show boosts,Notify on new posts,Languages\n${other.username}@${host},true,false,\n`,
    );

    const request = page.getByRole('button', { name: 'Request an archive' });
    await request.click();
    await page.getByRole('button', { name: 'Download archive' }).waitFor({ timeout: 120_000 });
    await page
      .getByTestId('archive-status')
      .getByText(/^Ready/)
      .waitFor();
    assert.equal(await request.isDisabled(), true, 'one archive a week');
    await page.getByText(/You can ask for another archive after/).waitFor();
    const [zip] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download archive' }).click(),
    ]);
    assert.match(zip.suggestedFilename(), /^hearth-archive-\d+\.zip$/);
    const files = unzipSync(new Uint8Array(await readFile(await zip.path())));
    assert.ok(files['outbox.json'] && files['actor.json'] && files['account/user.json']);
  });
});
