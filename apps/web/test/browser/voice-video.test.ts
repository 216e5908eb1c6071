// Video in voice channels and the mic test (ADR 0034, video addendum), end to end in Chromium with its fake devices
// (a beeping microphone, a camera drawing a moving pattern): two people join one voice channel, one turns the camera
// on, and the other's page plays it in the video grid with real frames; each side's incoming audio grows. Needs
// Debian's Chromium; without it the suite says it skipped.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createGuild, join as joinGuild, type TestGuild } from '../../../server/test/guild-helpers';
import type { TestServer, TestUser } from '../../../server/test/harness';
import { chromiumSkip, desktop, phone, startWebHearth } from './chromium';
import { type MediaPerson, mediaPerson, waitForAudioGrowth } from './voice-helpers';

type Person = MediaPerson;

let h: TestServer;
let g: TestGuild;
const people: Person[] = [];

async function person(name: string, user: TestUser): Promise<Person> {
  const p = await mediaPerson(h, name, user);
  people.push(p);
  return p;
}

async function joinVoiceChannel(p: Person): Promise<void> {
  await p.page.goto(`${h.url}/channels/${g.id}/${g.textChannelId}`);
  await p.page.getByRole('button', { name: /^General, voice channel/ }).click();
  await p.page.getByRole('region', { name: 'Voice connection' }).getByText('Voice connected').waitFor();
}

describe('video and the mic test in the web app', { skip: chromiumSkip }, () => {
  let alice: Person;
  let bob: Person;

  before(async () => {
    // One video stream per channel, so that a second one is refused (VOICE_MAX_VIDEO).
    h = await startWebHearth({ voiceMaxVideo: 1 });
    const owner = await h.register({ username: `vv_alice_${process.pid.toString(36)}` });
    g = await createGuild(h, owner, 'Video Guild');
    const bobUser = await joinGuild(
      h,
      g,
      await h.register({ username: `vv_bob_${process.pid.toString(36)}` }),
    );
    alice = await person('alice', owner);
    bob = await person('bob', bobUser);
  });
  after(async () => {
    for (const p of people) {
      await p.context.close().catch(() => {});
      rmSync(p.dir, { recursive: true, force: true });
    }
    await h?.close();
  });

  test("each side's microphone reaches the other: the received audio bytes grow", async () => {
    await joinVoiceChannel(alice);
    await joinVoiceChannel(bob);
    for (const p of [alice, bob]) await waitForAudioGrowth(p.page);
  });

  test('a camera turned on plays, with frames, in the other person’s video grid; turned off, it goes', async () => {
    await alice.page.getByRole('button', { name: 'Turn camera on' }).click();
    // Her own preview, and Bob's list says her camera is on.
    await alice.page.locator('video[aria-label="Your camera"]').waitFor();
    await bob.page
      .getByRole('list', { name: 'In General' })
      .locator(`[data-user="${alice.user.id}"][aria-label*="camera on"]`)
      .waitFor();
    const tile = bob.page.locator(
      `.video-stage figure.video-tile.camera[data-user="${alice.user.id}"] video`,
    );
    await tile.waitFor();
    await bob.page.waitForFunction(
      (id) => {
        const v = document.querySelector<HTMLVideoElement>(
          `.video-stage figure.video-tile.camera[data-user="${id}"] video`,
        );
        return !!v && v.videoWidth > 0 && !v.paused && v.readyState >= 2;
      },
      alice.user.id,
      { polling: 250 },
    );
    const size = await tile.evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight]);
    assert.ok(size[0] > 0 && size[1] > 0, `frames of ${size}`);
    // Frames keep coming: the decoded frame count grows.
    const frames = await tile.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
    await bob.page.waitForFunction(
      ([id, n]) =>
        (document
          .querySelector<HTMLVideoElement>(`.video-stage figure.video-tile.camera[data-user="${id}"] video`)
          ?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > (n as number),
      [alice.user.id, frames] as const,
      { polling: 250 },
    );

    // Focusing her video shows it alone; off, it leaves Bob's grid.
    await bob.page.getByRole('button', { name: /^Focus .*camera$/ }).click();
    await bob.page.getByRole('button', { name: /^Show all videos/ }).waitFor();
    await alice.page.getByRole('button', { name: 'Turn camera off' }).click();
    await bob.page.locator('.video-stage').waitFor({ state: 'detached' });
    await bob.page
      .getByRole('list', { name: 'In General' })
      .locator(`[data-user="${alice.user.id}"]:not([aria-label*="camera on"])`)
      .waitFor();
  });

  test('Go Live: a shared screen plays in the other’s grid and the list says LIVE; stopping ends it', async () => {
    await alice.page.getByRole('button', { name: 'Share your screen' }).click();
    await alice.page.getByRole('button', { name: 'Stop sharing your screen' }).waitFor();
    await bob.page
      .getByRole('list', { name: 'In General' })
      .locator(`[data-user="${alice.user.id}"][aria-label*="live"]`)
      .waitFor();
    await bob.page.waitForFunction(
      (id) => {
        const v = document.querySelector<HTMLVideoElement>(
          `.video-stage figure.video-tile.screen[data-user="${id}"] video`,
        );
        return !!v && v.videoWidth > 0 && !v.paused;
      },
      alice.user.id,
      { polling: 250 },
    );
    await alice.page.getByRole('button', { name: 'Stop sharing your screen' }).click();
    await bob.page.locator('.video-stage').waitFor({ state: 'detached' });
    await bob.page
      .getByRole('list', { name: 'In General' })
      .locator(`[data-user="${alice.user.id}"]:not([aria-label*="live"])`)
      .waitFor();
  });

  test('on a phone, the video grid fits the screen above the channel', async () => {
    // Bob, still in voice and reading the text channel, turns his phone; Alice's camera comes on.
    await bob.page.setViewportSize(phone);
    await alice.page.getByRole('button', { name: 'Turn camera on' }).click();
    const tile = bob.page.locator(`.video-stage figure.video-tile.camera[data-user="${alice.user.id}"]`);
    await tile.waitFor();
    await bob.page.waitForFunction(
      (id) =>
        (document.querySelector<HTMLVideoElement>(`.video-tile[data-user="${id}"] video`)?.videoWidth ?? 0) >
        0,
      alice.user.id,
      { polling: 250 },
    );
    const box = await tile.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= phone.width, `the tile fits: ${JSON.stringify(box)}`);
    const stage = await bob.page.locator('.video-stage').boundingBox();
    assert.ok(
      stage && stage.height <= phone.height / 2,
      `the grid leaves room for the channel: ${stage?.height}`,
    );
    await alice.page.getByRole('button', { name: 'Turn camera off' }).click();
    await bob.page.setViewportSize(desktop);
  });

  test('with the channel’s video full, a camera or a screen share is refused and the panel says why', async () => {
    await alice.page.getByRole('button', { name: 'Turn camera on' }).click();
    await bob.page
      .getByRole('list', { name: 'In General' })
      .locator(`[data-user="${alice.user.id}"][aria-label*="camera on"]`)
      .waitFor();
    const panel = bob.page.getByRole('region', { name: 'Voice connection' });
    await bob.page.getByRole('button', { name: 'Turn camera on' }).click();
    await panel.getByRole('alert').filter({ hasText: 'Your camera was turned off' }).waitFor();
    await panel.getByRole('button', { name: 'Turn camera on' }).waitFor();
    await bob.page.getByRole('button', { name: 'Share your screen' }).click();
    await panel.getByRole('alert').filter({ hasText: 'as many videos as it may' }).waitFor();
    await panel.getByRole('button', { name: 'Share your screen' }).waitFor();
    // Alice saw no video of Bob's.
    assert.equal(await alice.page.locator(`.video-tile[data-user="${bob.user.id}"]`).count(), 0);
    await alice.page.getByRole('button', { name: 'Turn camera off' }).click();
    await bob.page.locator('.video-stage').waitFor({ state: 'detached' });
  });

  test('Settings → Voice: the chosen microphone is used, and push to talk opens it only while the key is held', async () => {
    const page = alice.page;
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.goto(`${h.url}/settings/voice`);
    const mic = page.getByLabel('Microphone', { exact: true });
    // The fake devices are listed once the page may use them (it was granted the microphone).
    await page.waitForFunction(
      () => (document.querySelector<HTMLSelectElement>('.device-choices select')?.options.length ?? 0) > 2,
    );
    const chosen = await mic.locator('option').nth(2).getAttribute('value');
    assert.ok(chosen);
    await mic.selectOption(chosen);
    // The mic test shows the fake microphone's sound (it beeps), and stops.
    await page.getByRole('button', { name: 'Test the microphone' }).click();
    await page.waitForFunction(
      () =>
        (document.querySelector<HTMLMeterElement>('meter[aria-label="Microphone level"]')?.value ?? 0) > 0,
      undefined,
      { polling: 100 },
    );
    await page.getByRole('button', { name: 'Stop the mic test' }).click();
    await page.getByLabel('Push to talk').check();
    assert.equal(await page.evaluate(() => localStorage.getItem('hearth.voice.input')), chosen);

    await joinVoiceChannel(alice);
    const micTrack = () =>
      page.evaluate(() => {
        const pcs = (window as unknown as { peers: RTCPeerConnection[] }).peers;
        const live = pcs.filter((pc) => pc.connectionState !== 'closed').at(-1);
        const track = live?.getSenders().find((s) => s.track?.kind === 'audio')?.track;
        return track ? { enabled: track.enabled, deviceId: track.getSettings().deviceId } : null;
      });
    assert.deepEqual(await micTrack(), { enabled: false, deviceId: chosen });
    await page.locator('main').click({ position: { x: 5, y: 5 } });
    await page.keyboard.down('Backquote');
    assert.equal((await micTrack())?.enabled, true);
    await page.keyboard.up('Backquote');
    assert.equal((await micTrack())?.enabled, false);
    await page.evaluate(() => localStorage.setItem('hearth.voice.mode', 'vad'));
  });
});
