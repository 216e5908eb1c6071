// Cropping an avatar and a banner in Settings, end to end in Chromium against a real Hearth on PGlite: a picked PNG
// of four coloured quadrants is zoomed and moved (keyboard at desktop width; the zoom slider, a pinch and a pointer
// drag at phone width), applied, and the image the server stored is read back with sharp: its colour is the quadrant
// chosen. A server's icon goes through the same dialog in server settings. The wheel zooms; Cancel and Esc leave the
// avatar as it was and send nothing; focus goes back to the file field; axe-core passes on the dialog.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import type { TestServer } from '../../../server/test/harness';
import {
  axeViolations,
  chromiumSkip,
  closePeople,
  desktop,
  type Person,
  phone,
  shots,
  signedInPerson,
  startWebHearth,
} from './chromium';

type Rgb = [number, number, number];
const RED: Rgb = [230, 30, 30];
const GREEN: Rgb = [30, 200, 30];
const BLUE: Rgb = [30, 30, 230];
const YELLOW: Rgb = [240, 220, 20];

/** A 400×400 PNG: red top left, green top right, blue bottom left, yellow bottom right. */
async function quadrants(): Promise<Buffer> {
  const size = 400;
  const half = size / 2;
  const raw = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const c = y < half ? (x < half ? RED : GREEN) : x < half ? BLUE : YELLOW;
      raw.set(c, (y * size + x) * 3);
    }
  return sharp(raw, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

let h: TestServer;
let alice: Person;
let image: Buffer;

async function me(): Promise<{ avatar: string | null; banner: string | null }> {
  const res = await h.api('GET', '/users/@me', { token: alice.user.token });
  assert.equal(res.status, 200);
  return res.body;
}

/** Waits until the stored `field` differs from `before`, and returns it. */
async function changed(field: 'avatar' | 'banner', before: string | null): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const now = (await me())[field];
    if (now && now !== before) return now;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${field} did not change`);
}

/** The stored image's size and the mean colour of its pixels. */
async function stored(path: string): Promise<{ width: number; height: number; mean: Rgb }> {
  const res = await fetch(`${h.url}${path}`);
  assert.equal(res.status, 200, path);
  const data = Buffer.from(await res.arrayBuffer());
  const stats = await sharp(data).removeAlpha().stats();
  const { width = 0, height = 0 } = await sharp(data).metadata();
  return { width, height, mean: stats.channels.slice(0, 3).map((c) => Math.round(c.mean)) as Rgb };
}

/** Every channel of `mean` within 25 of `want`: the image is (almost) all that colour. */
function assertColour(mean: Rgb, want: Rgb, what: string) {
  for (let i = 0; i < 3; i++)
    assert.ok(
      Math.abs(mean[i] - want[i]) <= 25,
      `${what}: mean colour ${mean.join(',')}, want ${want.join(',')}`,
    );
}

const pick = (page: Page, label: string) =>
  page.getByLabel(label).setInputFiles({ name: 'quadrants.png', mimeType: 'image/png', buffer: image });

describe('cropping avatars and banners', { skip: chromiumSkip }, () => {
  before(async () => {
    image = await quadrants();
    h = await startWebHearth();
    alice = await signedInPerson(h, 'alice');
  });
  after(async () => {
    await closePeople([alice]);
    await h?.close();
  });

  test('at desktop width: zoom with +, move with the arrows to the bottom right; the stored avatar is that quadrant', async () => {
    const page = alice.page;
    await page.setViewportSize(desktop);
    await page.goto(`${h.url}/settings`);
    await pick(page, 'Avatar (PNG, JPEG, GIF or WebP)');
    const dialog = page.getByRole('dialog', { name: 'Crop your avatar' });
    await dialog.waitFor();
    // The picked image is drawn in the frame before anything is moved.
    await dialog.locator('.crop-frame img').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: join(shots, 'crop-avatar-desktop.png') });

    const area = dialog.getByRole('application', { name: 'Crop area' });
    await area.focus();
    // Zoom 1.15^5 ≈ 2: the crop is a little under half the image, so pushed into a corner it sees one quadrant.
    for (let i = 0; i < 5; i++) await page.keyboard.press('+');
    assert.ok(Number(await dialog.getByLabel('Zoom').inputValue()) > 2);
    for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowRight');
    for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowDown');
    // The preview shows the crop: its middle pixel is yellow.
    const middle = await dialog.getByRole('img', { name: 'Preview of the cropped image' }).evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const px = canvas.getContext('2d')?.getImageData(canvas.width / 2, canvas.height / 2, 1, 1).data;
      return px ? [px[0], px[1], px[2]] : [];
    });
    assertColour(middle as Rgb, YELLOW, 'the preview');

    const before = (await me()).avatar;
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    const avatar = await changed('avatar', before);
    const got = await stored(`/avatars/${alice.user.id}/${avatar}.png`);
    assert.equal(got.width, got.height, 'an avatar is square');
    assertColour(got.mean, YELLOW, 'the stored avatar');
    await page.locator(`.settings-main img.avatar[src="/avatars/${alice.user.id}/${avatar}.png"]`).waitFor();
  });

  test('at phone width: the zoom slider, a pinch and a pointer drag to the top left; the stored avatar is red', async () => {
    const page = alice.page;
    await page.setViewportSize(phone);
    await page.goto(`${h.url}/settings`);
    await pick(page, 'Avatar (PNG, JPEG, GIF or WebP)');
    const dialog = page.getByRole('dialog', { name: 'Crop your avatar' });
    await dialog.locator('.crop-frame img').waitFor();
    const box = await dialog.locator('.crop-frame').boundingBox();
    assert.ok(box && box.width <= phone.width, 'the frame fits the phone');
    assert.deepEqual(await axeViolations(page), []);

    // The slider: Page Up steps it by a tenth of its range (8× zoom is at most a twentieth of the image).
    const zoom = dialog.getByRole('slider', { name: 'Zoom' });
    await zoom.focus();
    for (let i = 0; i < 2; i++) await page.keyboard.press('PageUp');
    const slid = Number(await zoom.inputValue());
    assert.ok(slid >= 2);
    // Two fingers moving apart zoom in further (touch events through the DevTools protocol, as a phone sends them).
    const cdp = await alice.context.newCDPSession(page);
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const fingers = (d: number) => [
      { x: cx - d, y: cy, id: 1 },
      { x: cx + d, y: cy, id: 2 },
    ];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(30) });
    for (let d = 40; d <= 90; d += 10)
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(d) });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await cdp.detach();
    assert.ok(
      Number(await zoom.inputValue()) > slid * 1.5,
      `pinched from ${slid} to ${await zoom.inputValue()}`,
    );
    // Dragging the image right and down shows more of its top left.
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(x + i * 40, y + i * 40);
    await page.mouse.up();
    await page.screenshot({ path: join(shots, 'crop-avatar-phone.png') });

    const before = (await me()).avatar;
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    const avatar = await changed('avatar', before);
    assertColour((await stored(`/avatars/${alice.user.id}/${avatar}.png`)).mean, RED, 'the stored avatar');
  });

  test("a banner is cropped to the banner's 5:2 shape: zoomed into the bottom left, it is blue", async () => {
    const page = alice.page;
    await page.setViewportSize(phone);
    await page.goto(`${h.url}/settings`);
    await pick(page, 'Profile banner');
    const dialog = page.getByRole('dialog', { name: 'Crop your banner' });
    await dialog.locator('.crop-frame img').waitFor();
    const box = await dialog.locator('.crop-frame').boundingBox();
    assert.ok(box && Math.abs(box.width / box.height - 2.5) < 0.05, 'the frame has the banner shape');
    await dialog.getByRole('application', { name: 'Crop area' }).focus();
    // At zoom 1 the crop is 400×160; at 2.3 it is 174×70, inside one quadrant once in a corner.
    for (let i = 0; i < 6; i++) await page.keyboard.press('+');
    for (let i = 0; i < 10; i++) await page.keyboard.press('Shift+ArrowLeft');
    for (let i = 0; i < 10; i++) await page.keyboard.press('Shift+ArrowDown');
    const before = (await me()).banner;
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    const banner = await changed('banner', before);
    const got = await stored(`/banners/${alice.user.id}/${banner}.png`);
    assert.ok(Math.abs(got.width / got.height - 2.5) < 0.02, `stored ${got.width}×${got.height}`);
    assertColour(got.mean, BLUE, 'the stored banner');
  });

  test("a server's icon is cropped in server settings by the same dialog, over the settings; the stored icon is green", async () => {
    const page = alice.page;
    await page.setViewportSize(desktop);
    const guild = await h.api('POST', '/guilds', { token: alice.user.token, body: { name: 'Crop Club' } });
    assert.equal(guild.status, 201);
    const channels = await h.api('GET', `/guilds/${guild.body.id}/channels`, { token: alice.user.token });
    const text = channels.body.find((c: { type: number }) => c.type === 0);
    await page.goto(`${h.url}/channels/${guild.body.id}/${text.id}`);
    await page.getByRole('button', { name: 'Server settings' }).click();
    await pick(page, 'Server icon (PNG, JPEG, GIF or WebP)');
    const dialog = page.getByRole('dialog', { name: 'Crop the server icon' });
    await dialog.locator('.crop-frame img').waitFor();
    const box = await dialog.locator('.crop-frame').boundingBox();
    assert.ok(box && Math.abs(box.width - box.height) < 1, 'a square frame');
    assert.deepEqual(await axeViolations(page), []);
    await dialog.getByRole('application', { name: 'Crop area' }).focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('+');
    for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowRight');
    for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowUp');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The server settings stay open under it.
    await page.getByLabel('Server name').waitFor();
    let icon: string | null = null;
    for (let i = 0; i < 100 && !icon; i++) {
      const g = await h.api('GET', `/guilds/${guild.body.id}`, { token: alice.user.token });
      icon = g.body.icon;
      if (!icon) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(icon, 'the icon was stored');
    assertColour((await stored(`/icons/${guild.body.id}/${icon}.png`)).mean, GREEN, 'the stored icon');
  });

  for (const [how, viewport] of [
    ['Cancel', desktop],
    ['Escape', phone],
  ] as const)
    test(`${how} leaves the avatar as it was, sends nothing, and gives the focus back (${viewport.width} px)`, async () => {
      const page = alice.page;
      await page.setViewportSize(viewport);
      await page.goto(`${h.url}/settings`);
      const kept = (await me()).avatar;
      const patches: string[] = [];
      const onRequest = (r: { method(): string; url(): string }) => {
        if (r.method() === 'PATCH') patches.push(r.url());
      };
      page.on('request', onRequest);
      try {
        const input = page.getByLabel('Avatar (PNG, JPEG, GIF or WebP)');
        await input.focus();
        await pick(page, 'Avatar (PNG, JPEG, GIF or WebP)');
        const dialog = page.getByRole('dialog', { name: 'Crop your avatar' });
        await dialog.locator('.crop-frame img').waitFor();
        await dialog.getByRole('application', { name: 'Crop area' }).focus();
        await page.keyboard.press('+');
        // The wheel zooms too (and does not scroll the page).
        const zoom = dialog.getByRole('slider', { name: 'Zoom' });
        const before = Number(await zoom.inputValue());
        const box = await dialog.locator('.crop-frame').boundingBox();
        assert.ok(box);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.wheel(0, -200);
        await page.waitForFunction(
          (v) => Number((document.getElementById('crop-zoom') as HTMLInputElement | null)?.value) > v,
          before,
        );
        if (how === 'Cancel') await dialog.getByRole('button', { name: 'Cancel' }).click();
        else await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'avatar-file');
        assert.deepEqual(patches, []);
        assert.equal((await me()).avatar, kept);
      } finally {
        page.off('request', onRequest);
      }
    });
});
