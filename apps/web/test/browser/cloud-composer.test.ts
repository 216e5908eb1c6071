// The composer's cloud uploads in Chromium against a real Hearth on PGlite (issue 20): a file uploads as soon as it
// is picked, with its own progress bar; Cancel aborts it and deletes the upload on the server; a file past the
// caller's announced upload_limit is refused before any byte goes; Send waits for the uploads and the message names
// them by uploaded_filename. Desktop, then a send at phone width (390 px); a file dropped on the composer (desktop)
// and an image pasted into it (phone) upload the same way.
// Then the composer's later parts: files dragged over the conversation show where they go ("Upload to #general") and
// dropped join the message; past 10 the first 10 are kept and the rest named; each channel keeps its own files and
// text while another is open; leaving the page deletes the uploads not sent; a sent message's file is removed in
// its edit box after a confirm. Desktop and phone width. Where files may not be attached the overlay says why and a
// drop is taken and ignored; a DM's overlay names the other person with an @.
// The server holds each PUT's bytes at a gate the test opens, so the progress is seen part-way on any machine.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
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
let plans = '';

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
    const made = await h.api('POST', `/guilds/${guildId}/channels`, {
      token: alice.user.token,
      body: { name: 'plans', type: 0 },
    });
    plans = made.body.id;
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

/** `count` small text files f1.txt… as a drag's DataTransfer in the page. */
const dragged = (page: Page, count: number, prefix = 'f') =>
  page.evaluateHandle(
    ({ count, prefix }) => {
      const dt = new DataTransfer();
      for (let i = 1; i <= count; i++)
        dt.items.add(new File([`file ${i}`], `${prefix}${i}.txt`, { type: 'text/plain' }));
      return dt;
    },
    { count, prefix },
  );

/** Opens `channel` of the guild the way a person does: its link in the channel list (the page is not reloaded). */
async function openByLink(page: Page, channel: string, viaBack: boolean): Promise<void> {
  if (viaBack) await page.getByRole('link', { name: /^Back to channels/ }).click();
  await page.locator(`a.channel[href="/channels/${guildId}/${channel}"]`).click();
  await page.locator(`#composer-${channel}`).waitFor();
}

describe('the composer: drop zone, the 10-file limit, files kept per channel, the edit box', {
  skip: chromiumSkip,
}, () => {
  before(async () => {
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
    bob = await signedInPerson(h, 'bob');
    const g = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Drops' } });
    guildId = g.body.id;
    const channels = await h.api('GET', `/guilds/${guildId}/channels`, { token: alice.user.token });
    general = channels.body.find((c: { type: number }) => c.type === 0).id;
    const made = await h.api('POST', `/guilds/${guildId}/channels`, {
      token: alice.user.token,
      body: { name: 'plans', type: 0 },
    });
    plans = made.body.id;
    const invite = await h.api('POST', `/channels/${general}/invites`, { token: alice.user.token, body: {} });
    await h.api('POST', `/invites/${invite.body.code}`, { token: bob.user.token });
  });
  after(async () => {
    await closePeople([alice, bob]);
    await h?.close();
  });

  for (const [width, size] of [
    ['desktop', desktop],
    ['phone', phone],
  ] as const) {
    test(`at ${width} width: drag shows where files go, 12 dropped keep 10 and name 2, each channel keeps its own, leaving cancels`, async () => {
      const page = alice.page;
      await page.setViewportSize(size);
      await page.goto(`${h.url}/channels/${guildId}/${general}`);
      const box = page.locator(`#composer-${general}`);
      await box.waitFor();
      const files = await dragged(page, 12);
      const log = page.getByRole('log');
      const overlay = page.locator('.drop-overlay');

      await log.dispatchEvent('dragenter', { dataTransfer: files });
      await overlay.waitFor();
      assert.match(await overlay.innerText(), /Upload to #general/);
      const area = await overlay.boundingBox();
      assert.ok(
        area && area.x >= 0 && area.x + area.width <= size.width + 0.5,
        `within: ${JSON.stringify(area)}`,
      );
      await page.screenshot({ path: join(shots, `composer-drop-overlay-${width}.png`) });
      await log.dispatchEvent('dragleave', { dataTransfer: files });
      await overlay.waitFor({ state: 'detached' });
      assert.equal(await waitingUploads(), 0, 'a drag that left added nothing');

      // Dropped on the composer itself: the same zone.
      await box.dispatchEvent('dragenter', { dataTransfer: files });
      await overlay.waitFor();
      await box.dispatchEvent('drop', { dataTransfer: files });
      await overlay.waitFor({ state: 'detached' });
      const list = page.getByRole('list', { name: 'Files to send' });
      await list.waitFor();
      assert.equal(await list.getByRole('listitem').count(), 10);
      assert.deepEqual(
        await list
          .getByRole('listitem')
          .evaluateAll((items) => items.map((i) => i.getAttribute('aria-label'))),
        ['f1.txt', 'f2.txt', 'f3.txt', 'f4.txt', 'f5.txt', 'f6.txt', 'f7.txt', 'f8.txt', 'f9.txt', 'f10.txt'],
      );
      const notice = page.locator('.upload-notice');
      assert.match(
        await notice.innerText(),
        /A message can carry at most 10 files: f11\.txt and f12\.txt were not added\./,
      );
      await page.screenshot({ path: join(shots, `composer-ten-files-${width}.png`) });
      await box.fill('draft for general');
      await until(async () => (await waitingUploads()) === 10, 'ten announced');
      await page.locator('.composer-row button.send:not([disabled])').waitFor({ timeout: 120_000 });

      // Another channel: empty; what is added there stays there.
      await openByLink(page, plans, width === 'phone');
      assert.equal(await page.getByRole('list', { name: 'Files to send' }).count(), 0);
      assert.equal(await page.locator(`#composer-${plans}`).inputValue(), '');
      await page
        .locator('input[type="file"][aria-label="Files to attach"]')
        .setInputFiles({ name: 'plan.txt', mimeType: 'text/plain', buffer: Buffer.from('the plan') });
      await page.locator(`#composer-${plans}`).fill('draft for plans');
      await page.locator('.composer-row button.send:not([disabled])').waitFor({ timeout: 120_000 });

      // Back: general's ten files and text are as they were, uploads kept on the server.
      await openByLink(page, general, width === 'phone');
      assert.equal(await page.getByRole('list', { name: 'Files to send' }).getByRole('listitem').count(), 10);
      assert.equal(await page.locator(`#composer-${general}`).inputValue(), 'draft for general');
      assert.equal(await waitingUploads(), 11, 'nothing cancelled by the switch');
      await openByLink(page, plans, width === 'phone');
      const planned = page.getByRole('list', { name: 'Files to send' }).getByRole('listitem');
      assert.deepEqual(await planned.evaluateAll((items) => items.map((i) => i.getAttribute('aria-label'))), [
        'plan.txt',
      ]);
      assert.equal(await page.locator(`#composer-${plans}`).inputValue(), 'draft for plans');

      // Leaving the page deletes every upload not sent.
      await page.goto(`${h.url}/channels/@me`);
      await until(async () => (await waitingUploads()) === 0, 'the unsent uploads are deleted on leaving');
      await page.goto(`${h.url}/channels/${guildId}/${general}`);
      await page.locator(`#composer-${general}`).waitFor();
      assert.equal(await page.getByRole('list', { name: 'Files to send' }).count(), 0);
      await page.setViewportSize(desktop);
    });
  }

  for (const [width, size] of [
    ['desktop', desktop],
    ['phone', phone],
  ] as const)
    test(`at ${width} width: where files may not be attached, the overlay says so and a drop is taken and ignored; a DM's names @them`, async () => {
      const page = bob.page;
      await page.setViewportSize(size);
      const locked = await h.api('POST', `/guilds/${guildId}/channels`, {
        token: alice.user.token,
        body: {
          name: `no-files-${width}`,
          type: 0,
          permission_overwrites: [{ id: guildId, type: 0, allow: '0', deny: String(1 << 15) }],
        },
      });
      assert.equal(locked.status, 201, locked.text);
      await page.goto(`${h.url}/channels/${guildId}/${locked.body.id}`);
      await page.locator(`#composer-${locked.body.id}`).waitFor();
      const files = await dragged(page, 1, 'refused');
      const log = page.getByRole('log');
      const overlay = page.locator('.drop-overlay');
      await log.dispatchEvent('dragenter', { dataTransfer: files });
      await overlay.waitFor();
      assert.match(await overlay.innerText(), /You can't upload files here/);
      assert.match(await overlay.innerText(), /permission to attach files/);
      // The app takes the drop (the browser does not leave it to open the file) and adds nothing.
      const taken = await log.evaluate((el) => {
        const dt = new DataTransfer();
        dt.items.add(new File(['x'], 'refused.txt', { type: 'text/plain' }));
        const drop = new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
        el.dispatchEvent(drop);
        return drop.defaultPrevented;
      });
      assert.equal(taken, true);
      await overlay.waitFor({ state: 'detached' });
      assert.equal(await page.getByRole('list', { name: 'Files to send' }).count(), 0);

      // In a DM the overlay names the other person with an @, as Discord's does.
      const dm = await h.api('POST', '/users/@me/channels', {
        token: bob.user.token,
        body: { recipient_id: alice.user.id },
      });
      await page.goto(`${h.url}/channels/@me/${dm.body.id}`);
      await page.locator(`#composer-${dm.body.id}`).waitFor();
      const more = await dragged(page, 1, 'dm');
      await page.getByRole('log').dispatchEvent('dragenter', { dataTransfer: more });
      await overlay.waitFor();
      assert.match(await overlay.innerText(), /Upload to @/);
      await page.getByRole('log').dispatchEvent('dragleave', { dataTransfer: more });
      await overlay.waitFor({ state: 'detached' });
      await page.setViewportSize(desktop);
    });

  test("past the uploads one may have waiting, the file's own error says so", async () => {
    const page = alice.page;
    await page.goto(`${h.url}/channels/${guildId}/${general}`);
    await page.locator(`#composer-${general}`).waitFor();
    // 50 announced elsewhere (another tab, a bot with the person's token): the server's limit is reached.
    for (let i = 0; i < 5; i++) {
      const files = Array.from({ length: 10 }, (_, n) => ({
        id: String(n),
        filename: `x${n}.bin`,
        file_size: 1,
      }));
      const made = await h.api('POST', `/channels/${plans}/attachments`, {
        token: alice.user.token,
        body: { files },
      });
      assert.equal(made.status, 200, made.text);
    }
    await page
      .locator('input[type="file"][aria-label="Files to attach"]')
      .setInputFiles({ name: 'one-more.txt', mimeType: 'text/plain', buffer: Buffer.from('one more') });
    const refused = page.getByRole('listitem', { name: 'one-more.txt' });
    await refused.getByRole('alert').waitFor();
    assert.equal(
      await refused.getByRole('alert').innerText(),
      'At most 50 uploads may wait for their message at once.',
    );
    await page.getByRole('button', { name: 'Remove one-more.txt' }).click();
    await h.app.database.db.delete(cloudUploads).where(eq(cloudUploads.uploaderId, alice.user.id));
  });

  test('the edit box removes a file from a sent message after a confirm; Cancel keeps it', async () => {
    const page = alice.page;
    await page.goto(`${h.url}/channels/${guildId}/${general}`);
    await page.locator('input[type="file"][aria-label="Files to attach"]').setInputFiles([
      { name: 'keep.txt', mimeType: 'text/plain', buffer: Buffer.from('kept') },
      { name: 'drop.txt', mimeType: 'text/plain', buffer: Buffer.from('dropped') },
    ]);
    await page.locator(`#composer-${general}`).fill('two files, one too many');
    await page.locator('.composer-row button.send:not([disabled])').click({ timeout: 120_000 });
    await bob.page.goto(`${h.url}/channels/${guildId}/${general}`);
    const seen = bob.page.locator('.messages li.message', { hasText: 'two files, one too many' });
    await seen.getByText('drop.txt').waitFor();

    // Bob has no edit box on Alice's message.
    await seen.hover();
    assert.equal(await seen.getByRole('button', { name: 'Edit' }).count(), 0);

    const box = page.locator(`#composer-${general}`);
    await box.focus();
    await box.press('ArrowUp');
    const files = page.getByRole('list', { name: 'Files of this message' });
    await files.waitFor();
    await files.getByRole('button', { name: 'Remove drop.txt' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove file' });
    await confirm.getByText('Remove drop.txt from this message?').waitFor();
    await page.screenshot({ path: join(shots, 'composer-edit-remove-file-desktop.png') });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal(await files.getByRole('listitem').count(), 2, 'Cancel keeps it');

    await files.getByRole('button', { name: 'Remove drop.txt' }).click();
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await confirm.waitFor({ state: 'detached' });
    await files.getByRole('button', { name: 'Remove drop.txt' }).waitFor({ state: 'detached' });
    await seen.getByText('drop.txt').waitFor({ state: 'detached' });
    await seen.getByText('keep.txt').waitFor();
    const history = await h.api('GET', `/channels/${general}/messages?limit=1`, { token: bob.user.token });
    assert.deepEqual(
      history.body[0].attachments.map((a: { filename: string }) => a.filename),
      ['keep.txt'],
    );
    assert.equal(history.body[0].content, 'two files, one too many', 'the text is untouched');
    await page.getByLabel('Edit message').press('Escape');
  });
});
