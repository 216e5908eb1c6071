// The composer's cloud uploads in Chromium against a real Hearth on PGlite (issue 20): a file uploads as soon as it
// is picked, with its own progress bar; Cancel aborts it and deletes the upload on the server; a file past the
// caller's announced upload_limit is refused before any byte goes; Send waits for the uploads and the message names
// them by uploaded_filename. Desktop, then a send at phone width (390 px); a file dropped on the composer (desktop)
// and an image pasted into it (phone) upload the same way.
// The server holds each PUT's bytes at a gate the test opens, so the progress is seen part-way on any machine.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { cloudUploads, users } from '../../../server/src/store/schema';
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

const MB = 1024 * 1024;
/** Alice's upload limit: the large file fits, one byte more does not. */
const limit = 20 * MB;

let h: TestServer;
let alice: Person;
let bob: Person;
let guildId = '';
let general = '';

/** While set, every PUT of upload bytes waits here before the server reads them. */
let gate: Promise<void> | null = null;
let openGate = () => {};
const holdUploads = () => {
  gate = new Promise((resolve) => {
    openGate = () => {
      gate = null;
      resolve();
    };
  });
};

const waitingUploads = async () =>
  (await h.app.database.db.select().from(cloudUploads).where(eq(cloudUploads.uploaderId, alice.user.id)))
    .length;

/** Polls `check` (a database condition) until it holds; no timing is asserted. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never: ${what}`);
}

/** Large files are given to Chromium by path: sending their bytes over the protocol would take long. */
const folder = mkdtempSync(join(tmpdir(), 'hearth-cloud-composer-'));
const bigFile = (name: string, size: number) => {
  const path = join(folder, name);
  writeFileSync(path, Buffer.alloc(size, 7));
  return path;
};
const dotPng = () => {
  const path = join(folder, 'dot.png');
  writeFileSync(path, png);
  return path;
};

describe('the composer uploads files as they are picked', { skip: chromiumSkip }, () => {
  before(async () => {
    h = await startWebHearth();
    const uploads = h.app.services.messages.cloudUploads;
    const receive = uploads.receive.bind(uploads);
    uploads.receive = async (...args) => {
      if (gate) await gate;
      return receive(...args);
    };
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    await h.app.database.db.update(users).set({ uploadLimit: limit }).where(eq(users.id, alice.user.id));
    const g = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Files' } });
    guildId = g.body.id;
    const channels = await h.api('GET', `/guilds/${guildId}/channels`, { token: alice.user.token });
    general = channels.body.find((c: { type: number }) => c.type === 0).id;
    const invite = await h.api('POST', `/channels/${general}/invites`, { token: alice.user.token, body: {} });
    await h.api('POST', `/invites/${invite.body.code}`, { token: bob.user.token });
  });
  after(async () => {
    openGate();
    await closePeople([alice, bob]);
    await h?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('progress part-way, Cancel deletes the upload, and a file past the limit is refused before it goes', async () => {
    const page = alice.page;
    await page.goto(`${h.url}/channels/${guildId}/${general}`);
    const picker = page.locator('input[type="file"][aria-label="Files to attach"]');
    await page.locator('.composer textarea').waitFor();

    holdUploads();
    await picker.setInputFiles(bigFile('big.bin', limit));
    const bar = page.getByRole('progressbar', { name: 'Uploading big.bin' });
    await bar.waitFor();
    // The bytes go until the held server stops taking them: part-way, shown as such.
    await page.waitForFunction(() => {
      const p = document.querySelector<HTMLProgressElement>('progress[aria-label="Uploading big.bin"]');
      return !!p && p.value > 0;
    });
    const shown = await bar.evaluate((p) => (p as HTMLProgressElement).value);
    assert.ok(shown > 0 && shown < 1, `part-way: ${shown}`);
    const sendButton = page.locator('.composer-row button.send');
    await sendButton.waitFor();
    assert.equal(await sendButton.isDisabled(), true, 'Send waits for the upload');
    assert.equal(await sendButton.innerText(), 'Uploading…');
    assert.equal(await waitingUploads(), 1, 'announced on the server');
    await page.screenshot({ path: join(shots, 'composer-upload-progress-desktop.png') });

    await page.getByRole('button', { name: 'Cancel big.bin' }).click();
    await page.getByRole('list', { name: 'Files to send' }).waitFor({ state: 'detached' });
    await until(async () => (await waitingUploads()) === 0, 'the cancelled upload is deleted');
    openGate();

    // One byte past the limit the user object announced: refused in the page, nothing announced.
    await picker.setInputFiles(bigFile('huge.bin', limit + 1));
    const refused = page.getByRole('listitem', { name: 'huge.bin' });
    await refused.getByRole('alert').filter({ hasText: 'too large' }).waitFor();
    assert.match(await refused.getByRole('alert').innerText(), /files may be at most 20\.0 MB/);
    assert.equal(await refused.getByRole('progressbar').count(), 0, 'no upload started');
    assert.equal(await waitingUploads(), 0);
    assert.equal(await sendButton.isDisabled(), true, 'not sent with a refused file');
    await page.getByRole('button', { name: 'Remove huge.bin' }).click();
    await refused.waitFor({ state: 'detached' });
  });

  test('at phone width: two files upload, Send is enabled once they are up, and the message carries them', async () => {
    const page = alice.page;
    await page.setViewportSize(phone);
    holdUploads();
    await page
      .locator('input[type="file"][aria-label="Files to attach"]')
      .setInputFiles([bigFile('video.bin', 8 * MB), dotPng()]);
    await page.getByRole('progressbar', { name: 'Uploading video.bin' }).waitFor();
    const list = page.getByRole('list', { name: 'Files to send' });
    const box = await list.boundingBox();
    assert.ok(
      box && box.x >= 0 && box.x + box.width <= phone.width + 0.5,
      `within the phone: ${JSON.stringify(box)}`,
    );
    await page.screenshot({ path: join(shots, 'composer-upload-progress-phone.png') });
    await page.locator('.composer textarea').fill('two files from the phone');
    await page.locator('.composer textarea').press('Enter');
    assert.equal(
      await page.locator('.composer textarea').inputValue(),
      'two files from the phone',
      'not sent yet',
    );
    openGate();

    // The uploads finish on their own time: Send is enabled then.
    await page
      .locator('.composer-row button.send:not([disabled])', { hasText: 'Send' })
      .click({ timeout: 120_000 });
    await list.waitFor({ state: 'detached' });
    assert.equal(await page.locator('.composer textarea').inputValue(), '');

    await bob.page.goto(`${h.url}/channels/${guildId}/${general}`);
    const sent = bob.page.locator('.messages li.message', { hasText: 'two files from the phone' });
    await sent.getByRole('button', { name: 'Open image dot.png' }).waitFor();
    await sent.getByText('video.bin').waitFor();
    const history = await h.api('GET', `/channels/${general}/messages?limit=1`, { token: bob.user.token });
    const files = history.body[0].attachments.map((a: { filename: string; size: number }) => [
      a.filename,
      a.size,
    ]);
    assert.deepEqual(files, [
      ['video.bin', 8 * MB],
      ['dot.png', png.length],
    ]);
    assert.equal(await waitingUploads(), 0, 'the message took both uploads');
    await page.setViewportSize(desktop);
  });
  test('a file dropped on the composer, and at phone width an image pasted into it, upload and are sent', async () => {
    const page = alice.page;
    await page.goto(`${h.url}/channels/${guildId}/${general}`);
    const composer = page.locator('.composer');
    await composer.locator('textarea').waitFor();
    const send = page.locator('.composer-row button.send:not([disabled])', { hasText: 'Send' });
    // Dropped: a DataTransfer holding a file, as the browser gives one for a file dragged from the desktop.
    const dropped = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['notes from a drop'], 'dropped.txt', { type: 'text/plain' }));
      return dt;
    });
    await composer.dispatchEvent('dragover', { dataTransfer: dropped });
    await composer.dispatchEvent('drop', { dataTransfer: dropped });
    await page
      .getByRole('list', { name: 'Files to send' })
      .getByRole('listitem', { name: 'dropped.txt' })
      .waitFor();
    await composer.locator('textarea').fill('a dropped file');
    await send.click({ timeout: 60_000 });
    await page.getByRole('list', { name: 'Files to send' }).waitFor({ state: 'detached' });

    // Pasted, at phone width: an image on the clipboard becomes an upload, the text box keeps its words.
    await page.setViewportSize(phone);
    try {
      await composer.locator('textarea').fill('a pasted picture');
      await composer.locator('textarea').evaluate((box, bytes) => {
        const dt = new DataTransfer();
        const data = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0));
        dt.items.add(new File([data], 'pasted.png', { type: 'image/png' }));
        box.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }),
        );
      }, png.toString('base64'));
      await page
        .getByRole('list', { name: 'Files to send' })
        .getByRole('listitem', { name: 'pasted.png' })
        .waitFor();
      assert.equal(await composer.locator('textarea').inputValue(), 'a pasted picture');
      await send.click({ timeout: 60_000 });
      await page.getByRole('list', { name: 'Files to send' }).waitFor({ state: 'detached' });
    } finally {
      await page.setViewportSize(desktop);
    }

    // Bob sees both, each with its file.
    await bob.page.goto(`${h.url}/channels/${guildId}/${general}`);
    await bob.page
      .locator('.messages li.message', { hasText: 'a dropped file' })
      .getByText('dropped.txt')
      .waitFor();
    await bob.page
      .locator('.messages li.message', { hasText: 'a pasted picture' })
      .getByRole('button', { name: 'Open image pasted.png' })
      .waitFor();
  });
});
