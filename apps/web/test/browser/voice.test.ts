// Voice in the web app (ADR 0034), end to end: people in Chromium profiles whose fake microphone plays a sine tone of
// their own (a WAV file written here), join one voice channel with a click, and each page analyses the audio it
// receives (a WebAudio AnalyserNode's FFT) to tell whose tone arrives. Server mute silences one person for the others;
// a member without SPEAK is heard by nobody. Needs Debian's Chromium; without it the suite says it skipped.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import type { Page } from 'playwright-core';
import { createGuild, join as joinGuild, type TestGuild } from '../../../server/test/guild-helpers';
import type { TestServer, TestUser } from '../../../server/test/harness';
import {
  chromiumSkip,
  desktop,
  launchProfile,
  phone,
  shots,
  signInWithTokens,
  startWebHearth,
} from './chromium';

/** A mono 16-bit PCM WAV of a sine tone (Chromium loops a fake capture file). */
function sineWav(frequency: number, seconds = 2, rate = 48_000): Buffer {
  const samples = seconds * rate;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequency * i) / rate) * 0.5 * 32767), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // bytes per frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Collects every remote track the page's RTCPeerConnections receive, for the analysis below. */
const captureTracks = () => {
  const Native = window.RTCPeerConnection;
  const tracks: MediaStreamTrack[] = [];
  (window as unknown as { receivedTracks: MediaStreamTrack[] }).receivedTracks = tracks;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('track', (e) => tracks.push(e.track));
    }
  } as typeof RTCPeerConnection;
};

/**
 * The tones the page receives: for each received live track carrying sound, the frequency of its FFT peak (Hz), from
 * an AnalyserNode after a second and a half of the page's incoming audio. A silent track (nothing forwarded) has no
 * peak standing PEAK_DB above its spectrum's median and names none.
 */
async function heard(page: Page): Promise<number[]> {
  return page.evaluate(async (PEAK_DB) => {
    const tracks = (window as unknown as { receivedTracks: MediaStreamTrack[] }).receivedTracks.filter(
      // The connection receives video slots too (cameras and screens): only the audio ones carry tones.
      (t) => t.readyState === 'live' && t.kind === 'audio',
    );
    const context = new AudioContext();
    await context.resume();
    const analysers = tracks.map((t) => {
      const a = context.createAnalyser();
      a.fftSize = 8192;
      context.createMediaStreamSource(new MediaStream([t])).connect(a);
      return a;
    });
    await new Promise((r) => setTimeout(r, 1500));
    const tones: number[] = [];
    for (const a of analysers) {
      const bins = new Float32Array(a.frequencyBinCount);
      a.getFloatFrequencyData(bins);
      const db = [...bins].map((x) => (Number.isFinite(x) ? x : -200));
      const median = [...db].sort((x, y) => x - y)[db.length >> 1];
      let peak = 1;
      for (let b = 1; b < db.length; b++) if (db[b] > db[peak]) peak = b;
      if (db[peak] - median > PEAK_DB) tones.push((peak * context.sampleRate) / a.fftSize);
    }
    await context.close();
    return tones;
  }, PEAK_DB);
}

/** Whether `tones` holds `frequency` (within the FFT's resolution at 48 kHz, about 6 Hz a bin). */
const hears = (tones: number[], frequency: number) => tones.some((t) => Math.abs(t - frequency) < 15);

interface Speaker {
  user: TestUser;
  page: Page;
  frequency: number;
  close: () => Promise<void>;
}

let h: TestServer;
let g: TestGuild;
const people: Speaker[] = [];
const wavDir = mkdtempSync(join(tmpdir(), 'hearth-voice-wav-'));

async function speaker(name: string, user: TestUser, frequency: number): Promise<Speaker> {
  const wav = join(wavDir, `${name}.wav`);
  writeFileSync(wav, sineWav(frequency));
  const dir = mkdtempSync(join(tmpdir(), `hearth-chromium-${name}-`));
  const context = await launchProfile(dir, desktop, [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`,
    '--autoplay-policy=no-user-gesture-required',
  ]);
  await context.grantPermissions(['microphone'], { origin: h.url });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  await page.addInitScript(captureTracks);
  await signInWithTokens(page, h.url, user);
  // A steady tone is what noise suppression removes: each person sends theirs unprocessed (a setting of the app).
  await page.evaluate(() => localStorage.setItem('hearth.voice.processing', 'off'));
  const s: Speaker = {
    user,
    page,
    frequency,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  people.push(s);
  return s;
}

/** Opens the guild and joins its voice channel with one click; resolves when the panel says connected. */
async function joinVoiceChannel(s: Speaker): Promise<void> {
  await s.page.goto(`${h.url}/channels/${g.id}/${g.textChannelId}`);
  await s.page.getByRole('button', { name: /^General, voice channel/ }).click();
  await s.page.getByRole('region', { name: 'Voice connection' }).getByText('Voice connected').waitFor();
}

/** Retries `check` (an assertion over fresh measurements) until it holds or the attempts run out. */
async function eventually(check: () => Promise<void>, attempts = 15): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await check();
    } catch (err) {
      if (i >= attempts) throw err;
    }
  }
}

/** How far a track's FFT peak must stand above its median to count as a tone. */
const PEAK_DB = 30;

describe('voice in the web app', { skip: chromiumSkip }, () => {
  let alice: Speaker;
  let bob: Speaker;

  before(async () => {
    h = await startWebHearth();
    const owner = await h.register({ username: `vo_alice_${process.pid.toString(36)}` });
    g = await createGuild(h, owner, 'Voice Guild');
    const bobUser = await joinGuild(
      h,
      g,
      await h.register({ username: `vo_bob_${process.pid.toString(36)}` }),
    );
    alice = await speaker('alice', owner, 520);
    bob = await speaker('bob', bobUser, 1230);
  });
  after(async () => {
    for (const p of people) await p.close().catch(() => {});
    rmSync(wavDir, { recursive: true, force: true });
    await h?.close();
  });

  test('two people in one channel each hear the other, and see each other in the channel list', async () => {
    await joinVoiceChannel(alice);
    await joinVoiceChannel(bob);
    for (const [me, other] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      await eventually(async () => {
        const tones = await heard(me.page);
        assert.ok(
          hears(tones, other.frequency),
          `${me.frequency} Hz hears ${other.frequency} Hz (heard ${tones})`,
        );
        assert.ok(
          !hears(tones, me.frequency),
          `${me.frequency} Hz does not hear itself back (heard ${tones})`,
        );
      });
      const list = me.page.getByRole('list', { name: 'In General' });
      await list.locator(`[data-user="${other.user.id}"]`).waitFor();
      await list.locator(`[data-user="${me.user.id}"]`).waitFor();
      // Their tone never stops, so they are shown speaking.
      await list.locator(`.voice-person.speaking[data-user="${other.user.id}"]`).waitFor();
    }
    await alice.page.screenshot({ path: join(shots, 'voice-desktop.png') });
    // At phone width the channel list (with the voice panel) shows once the open channel is left; a reload would
    // end the voice connection, so the app's own navigation goes there.
    await alice.page.setViewportSize(phone);
    await alice.page.evaluate((to) => {
      history.pushState(null, '', to);
      dispatchEvent(new PopStateEvent('popstate'));
    }, `/channels/${g.id}`);
    await alice.page.getByRole('region', { name: 'Voice connection' }).getByText('Voice connected').waitFor();
    await alice.page.screenshot({ path: join(shots, 'voice-phone.png') });
    await alice.page.setViewportSize(desktop);
  });

  test('server mute silences a person for the others, and shows it; unmuting brings them back', async () => {
    const mute = async (on: boolean) => {
      const res = await h.api('PATCH', `/guilds/${g.id}/members/${bob.user.id}`, {
        token: alice.user.token,
        body: { mute: on },
      });
      assert.equal(res.status, 200, res.text);
    };
    await mute(true);
    await alice.page
      .getByRole('list', { name: 'In General' })
      .getByRole('listitem', { name: /server muted/ })
      .waitFor();
    await eventually(async () => {
      const tones = await heard(alice.page);
      assert.ok(!hears(tones, bob.frequency), `bob is silent once server-muted (heard ${tones})`);
    });
    await mute(false);
    await eventually(async () => {
      const tones = await heard(alice.page);
      assert.ok(hears(tones, bob.frequency), `bob is heard again (heard ${tones})`);
    });
  });

  test('a member without SPEAK in the channel is heard by nobody, and hears the others', async () => {
    const carolUser = await joinGuild(
      h,
      g,
      await h.register({ username: `vo_carol_${process.pid.toString(36)}` }),
    );
    const deny = await h.api('PUT', `/channels/${g.voiceChannelId}/permissions/${carolUser.id}`, {
      token: alice.user.token,
      body: { type: 1, allow: '0', deny: P.SPEAK.toString() },
    });
    assert.equal(deny.status, 204, deny.text);
    const carol = await speaker('carol', carolUser, 1770);
    await joinVoiceChannel(carol);
    for (const s of [alice, bob])
      await s.page
        .getByRole('list', { name: 'In General' })
        .locator(`[data-user="${carol.user.id}"]`)
        .waitFor();
    await eventually(async () => {
      const tones = await heard(carol.page);
      assert.ok(
        hears(tones, alice.frequency) && hears(tones, bob.frequency),
        `carol hears both (heard ${tones})`,
      );
    });
    for (const [s, other] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      // Three people forwarded by an SFU in JavaScript on a loaded machine can stutter: measured until it is clear.
      await eventually(async () => {
        const tones = await heard(s.page);
        assert.ok(
          hears(tones, other.frequency),
          `${s.frequency} Hz still hears ${other.frequency} Hz (heard ${tones})`,
        );
        assert.ok(!hears(tones, carol.frequency), `${s.frequency} Hz does not hear carol (heard ${tones})`);
      });
    }
    // Kicked, carol loses CONNECT with her membership: her connection ends at once, for her and for the others.
    const kick = await h.api('DELETE', `/guilds/${g.id}/members/${carol.user.id}`, {
      token: alice.user.token,
    });
    assert.equal(kick.status, 204, kick.text);
    await carol.page.getByRole('region', { name: 'Voice connection' }).waitFor({ state: 'detached' });
    await alice.page
      .getByRole('list', { name: 'In General' })
      .locator(`[data-user="${carol.user.id}"]`)
      .waitFor({ state: 'detached' });
  });

  test('losing SPEAK while connected silences at once; getting it back is heard again', async () => {
    const overwrite = `/channels/${g.voiceChannelId}/permissions/${bob.user.id}`;
    const deny = await h.api('PUT', overwrite, {
      token: alice.user.token,
      body: { type: 1, allow: '0', deny: P.SPEAK.toString() },
    });
    assert.equal(deny.status, 204, deny.text);
    await eventually(async () => {
      const tones = await heard(alice.page);
      assert.ok(!hears(tones, bob.frequency), `bob is silent without SPEAK (heard ${tones})`);
    });
    const back = await h.api('DELETE', overwrite, { token: alice.user.token });
    assert.equal(back.status, 204, back.text);
    await eventually(async () => {
      const tones = await heard(alice.page);
      assert.ok(hears(tones, bob.frequency), `bob is heard again with SPEAK (heard ${tones})`);
    });
  });

  test('a click on another voice channel moves there; a moderator moves and disconnects from the menu', async () => {
    const lounge = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: alice.user.token,
      body: { name: 'Lounge', type: 2 },
    });
    assert.equal(lounge.status, 201, lounge.text);
    await bob.page.getByRole('button', { name: /^Lounge, voice channel/ }).click();
    const bobPanel = bob.page.getByRole('region', { name: 'Voice connection' });
    await bobPanel.getByText('Lounge').waitFor();
    await bobPanel.getByText('Voice connected').waitFor();
    await alice.page
      .getByRole('list', { name: 'In Lounge' })
      .locator(`[data-user="${bob.user.id}"]`)
      .waitFor();
    await eventually(async () => {
      const tones = await heard(alice.page);
      assert.ok(!hears(tones, bob.frequency), `bob is in another room (heard ${tones})`);
    });

    // Alice (the owner) moves Bob back from his menu: his app follows, and they hear each other again.
    await alice.page.getByRole('button', { name: /^Voice actions for vo_bob/ }).click();
    await alice.page.getByLabel('Move to').selectOption({ label: 'General' });
    await alice.page
      .getByRole('list', { name: 'In General' })
      .locator(`[data-user="${bob.user.id}"]`)
      .waitFor();
    await bobPanel.getByText('General').waitFor();
    await bobPanel.getByText('Voice connected').waitFor();
    await eventually(async () => {
      const tones = await heard(alice.page);
      assert.ok(hears(tones, bob.frequency), `bob is heard after the move (heard ${tones})`);
    });

    // And disconnects him: his voice panel goes, and he is in no channel for anyone.
    await alice.page.getByRole('button', { name: /^Voice actions for vo_bob/ }).click();
    await alice.page.getByRole('button', { name: 'Disconnect', exact: true }).first().click();
    await bobPanel.waitFor({ state: 'detached' });
    await alice.page
      .getByRole('list', { name: 'In General' })
      .locator(`[data-user="${bob.user.id}"]`)
      .waitFor({ state: 'detached' });
  });

  test('disconnect leaves the channel for everyone', async () => {
    await bob.page.getByRole('button', { name: /^General, voice channel/ }).click();
    await bob.page.getByRole('region', { name: 'Voice connection' }).getByText('Voice connected').waitFor();
    await bob.page.getByRole('button', { name: 'Disconnect' }).click();
    await bob.page.getByRole('region', { name: 'Voice connection' }).waitFor({ state: 'detached' });
    await alice.page
      .getByRole('list', { name: 'In General' })
      .locator(`[data-user="${bob.user.id}"]`)
      .waitFor({ state: 'detached' });
  });
});
