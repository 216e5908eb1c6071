// What the voice browser tests share: the page's peer connections kept for their statistics, and waiting until the
// audio they receive grows (someone's microphone reaches this page through the SFU).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { TestServer, TestUser } from '../../../server/test/harness';
import { desktop, launchProfile, signInWithTokens } from './chromium';

/** Someone signed in to the web app in a Chromium of their own with fake media devices. */
export interface MediaPerson {
  user: TestUser;
  page: Page;
  context: BrowserContext;
  dir: string;
}

/**
 * Signs `user` in, in a fresh Chromium profile whose microphone and camera are Chromium's fake ones (a beep, a moving
 * pattern), allowed without asking, with sound allowed to play and the page's peer connections kept (capturePeers).
 */
export async function mediaPerson(h: TestServer, name: string, user: TestUser): Promise<MediaPerson> {
  const dir = mkdtempSync(join(tmpdir(), `hearth-chromium-${name}-`));
  const context = await launchProfile(dir, desktop, [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--auto-select-desktop-capture-source=Entire screen',
    '--autoplay-policy=no-user-gesture-required',
  ]);
  await context.grantPermissions(['microphone', 'camera'], { origin: h.url });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  await page.addInitScript(capturePeers);
  await signInWithTokens(page, h.url, user);
  return { user, page, context, dir };
}

/** An init script: keeps every RTCPeerConnection the page makes, to read its statistics. */
const capturePeers = () => {
  const Native = window.RTCPeerConnection;
  const peers: RTCPeerConnection[] = [];
  (window as unknown as { peers: RTCPeerConnection[] }).peers = peers;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      peers.push(this);
    }
  } as typeof RTCPeerConnection;
};

/** Bytes of audio the page's connections received so far (inbound-rtp statistics). */
function audioBytesReceived(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let total = 0;
    for (const pc of (window as unknown as { peers: RTCPeerConnection[] }).peers) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') total += s.bytesReceived ?? 0;
      });
    }
    return total;
  });
}

/** Waits until the audio the page receives grows by more than 2000 bytes from now. */
export async function waitForAudioGrowth(page: Page): Promise<void> {
  const first = await audioBytesReceived(page);
  await page.waitForFunction(
    async (before) => {
      let total = 0;
      for (const pc of (window as unknown as { peers: RTCPeerConnection[] }).peers) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') total += s.bytesReceived ?? 0;
        });
      }
      return total > before + 2000;
    },
    first,
    { polling: 250 },
  );
}
