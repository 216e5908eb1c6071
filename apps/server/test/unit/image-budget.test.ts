import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Limits } from '@hearth/protocol';
import sharp from 'sharp';
import { readImageHeader } from '../../src/media/image-header';
import { ImageLane, ImageLaneBusy } from '../../src/media/image-lane';
import {
  ImageError,
  imageInfo,
  makePreview,
  outputSize,
  overBudget,
  processImage,
} from '../../src/media/images';
import { bombGif, bombWebp, pngDeclaringFrames, pngHeaderOnly } from '../image-bombs';

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#336699' } });

describe('image headers', () => {
  test('a GIF counts its frames and the largest of its screen and frame extents', () => {
    assert.deepEqual(readImageHeader(bombGif({ width: 7000, height: 7000, frames: 300 })), {
      format: 'gif',
      width: 7000,
      height: 7000,
      frames: 300,
    });
    // A frame reaching past a small screen grows the canvas, as decoders do.
    const grown = bombGif({ width: 10, height: 10, frames: 2, cornerFirst: true });
    grown.writeUInt16LE(40, 13 + 6 + 8 + 1); // first frame's x
    assert.deepEqual(readImageHeader(grown), { format: 'gif', width: 41, height: 10, frames: 2 });
    // Truncated inside the frames: the frames seen so far; truncated before any frame: unreadable.
    const whole = bombGif({ width: 8, height: 8, frames: 10 });
    assert.equal(readImageHeader(whole.subarray(0, whole.length - 50))?.frames, 8);
    assert.equal(readImageHeader(whole.subarray(0, 20)), null);
  });

  test('counting stops where the answer is known, and the walk is bounded', () => {
    const gif = bombGif({ width: 8, height: 8, frames: 50 });
    assert.equal(readImageHeader(gif, { countFramesTo: 10 })?.frames, 10);
    assert.equal(readImageHeader(gif, { countFramesTo: 1 })?.frames, 1);
    // One frame whose pixel data is 1.5 million 1-byte sub-blocks: too long to walk on the event loop.
    const head = bombGif({ width: 8, height: 8, frames: 1 }).subarray(0, -5);
    const crafted = Buffer.concat([head, Buffer.alloc(3_000_000, 1), Buffer.from([0, 0x3b])]);
    assert.equal(readImageHeader(crafted), null);
    assert.equal(readImageHeader(crafted, { countFramesTo: 1 })?.frames, 1, 'its first frame needs no walk');
  });

  test('an animated WebP counts its ANMF frames on its VP8X canvas; sharp agrees', async () => {
    const webp = await bombWebp({ width: 5000, height: 4000, frames: 50 });
    assert.deepEqual(readImageHeader(webp), { format: 'webp', width: 5000, height: 4000, frames: 50 });
    const meta = await sharp(webp).metadata();
    assert.equal(meta.pages, 50);
    assert.equal(meta.width, 5000);
  });

  test('still WebP (lossy and lossless), JPEG and PNG sizes match sharp', async () => {
    for (const file of [
      await solid(321, 123).webp().toBuffer(),
      await solid(321, 123).webp({ lossless: true }).toBuffer(),
      await solid(321, 123).jpeg().toBuffer(),
      await solid(321, 123).jpeg({ progressive: true }).withMetadata({ orientation: 6 }).toBuffer(),
      await solid(321, 123).png().toBuffer(),
    ]) {
      const header = readImageHeader(file);
      const meta = await sharp(file).metadata();
      assert.deepEqual(
        { format: header?.format, width: header?.width, height: header?.height, frames: header?.frames },
        { format: meta.format, width: meta.width, height: meta.height, frames: 1 },
      );
    }
  });

  test('a PNG takes its frame count from acTL, its size from IHDR alone', async () => {
    const apng = await pngDeclaringFrames({ width: 20, height: 10, frames: 5000 });
    assert.deepEqual(readImageHeader(apng), { format: 'png', width: 20, height: 10, frames: 5000 });
    assert.equal((await sharp(apng).metadata()).width, 20, 'still a valid PNG');
    assert.deepEqual(readImageHeader(pngHeaderOnly(30_000, 30_000)), {
      format: 'png',
      width: 30_000,
      height: 30_000,
      frames: 1,
    });
  });

  test('other formats and garbage have no header', () => {
    for (const bytes of [
      Buffer.from('hello'),
      Buffer.from('GIF89a'),
      Buffer.from([0xff, 0xd8, 0xff]),
      Buffer.alloc(0),
    ])
      assert.equal(readImageHeader(bytes), null);
  });
});

describe('pixel budget', () => {
  test('per frame, frames and canvas × frames; previews count only the first frame', () => {
    const all = { frames: 'all' } as const;
    const first = { frames: 'first' } as const;
    assert.equal(overBudget({ width: 7680, height: 4320, frames: 1 }, all), null);
    assert.match(overBudget({ width: 7000, height: 7000, frames: 1 }, first) ?? '', /pixels/);
    assert.match(overBudget({ width: 1, height: 1, frames: Limits.imageMaxFrames + 1 }, all) ?? '', /frames/);
    assert.equal(overBudget({ width: 1, height: 1, frames: Limits.imageMaxFrames + 1 }, first), null);
    assert.match(overBudget({ width: 1000, height: 1000, frames: 51 }, all) ?? '', /51 frames/);
    assert.equal(overBudget({ width: 1000, height: 1000, frames: 50 }, all), null);
  });

  test('output is never enlarged and long animations are stored smaller', () => {
    const slot = { width: 1024, height: 1024, fit: 'cover' } as const;
    assert.deepEqual(outputSize({ width: 1, height: 1, frames: 300 }, slot), { width: 1, height: 1 });
    assert.deepEqual(outputSize({ width: 300, height: 200, frames: 1 }, slot), { width: 200, height: 200 });
    assert.deepEqual(outputSize({ width: 4000, height: 3000, frames: 1 }, slot), {
      width: 1024,
      height: 1024,
    });
    const long = outputSize({ width: 480, height: 270, frames: 300 }, slot);
    assert.ok(
      long.width === long.height && long.width * long.height * 300 <= 8_000_000,
      JSON.stringify(long),
    );
    const banner = outputSize(
      { width: 840, height: 840, frames: 1 },
      { width: 1680, height: 672, fit: 'cover' },
    );
    assert.deepEqual(banner, { width: 840, height: 336 });
    assert.deepEqual(
      outputSize({ width: 100, height: 50, frames: 1 }, { width: 64, height: 64, fit: 'inside' }),
      {
        width: 64,
        height: 32,
      },
    );
  });

  test('bombs are refused before decoding; as attachments they get no preview', async () => {
    const tooMany = (e: unknown) => e instanceof ImageError && e.code === 'too_many_pixels';
    for (const bomb of [
      bombGif({ width: 7000, height: 7000, frames: 300 }),
      bombGif({ width: 1, height: 1, frames: 5000 }),
      await bombWebp({ width: 7000, height: 7000, frames: 10 }),
      await pngDeclaringFrames({ width: 8, height: 8, frames: 100_000 }),
    ])
      await assert.rejects(processImage(bomb, { width: 128, height: 128, fit: 'cover' }), tooMany);
    const screen = bombGif({ width: 7000, height: 7000, frames: 300, cornerFirst: true });
    assert.equal(await imageInfo(screen), null);
    await assert.rejects(makePreview(screen, 400), tooMany);
    // Many frames on a small canvas still have a preview: only the first frame is decoded for it.
    const long = bombGif({ width: 64, height: 64, frames: 5000 });
    assert.deepEqual(await imageInfo(long), { width: 64, height: 64, format: 'gif' });
    assert.equal((await makePreview(long, 400)).width, 64);
  });

  test('an animation within the budget stays animated, at no more than its own size', async () => {
    // 40 frames of 16×8, each a different shade.
    const raw = Buffer.alloc(16 * 8 * 3 * 40);
    for (let f = 0; f < 40; f++) raw.fill(f * 6, f * 16 * 8 * 3, (f + 1) * 16 * 8 * 3);
    const gif = await sharp(raw, { raw: { width: 16, height: 8 * 40, channels: 3, pageHeight: 8 } })
      .gif()
      .toBuffer();
    const out = await processImage(gif, { width: 1024, height: 1024, fit: 'cover' });
    assert.equal(out.animated, true);
    assert.deepEqual([out.width, out.height], [8, 8]);
    assert.equal((await sharp(out.data).metadata()).pages, 40);
  });
});

describe('image lane', () => {
  test('runs a bounded number at once, queues a bounded number, refuses the rest', async () => {
    const lane = new ImageLane({ concurrency: 1, maxWaiting: 2, maxWaitMs: 60_000 });
    const gates: Array<() => void> = [];
    const started: number[] = [];
    const job = (i: number) => () =>
      new Promise<number>((resolve) => {
        started.push(i);
        gates.push(() => resolve(i));
      });
    const runs = [0, 1, 2, 3].map((i) => lane.run(job(i)));
    await assert.rejects(runs[3], ImageLaneBusy);
    assert.deepEqual(lane.load, { running: 1, waiting: 2 });
    assert.deepEqual(started, [0]);
    for (let i = 0; i < 3; i++) {
      while (gates.length <= i) await new Promise((r) => setImmediate(r));
      gates[i]();
      assert.equal(await runs[i], i);
    }
    assert.deepEqual(started, [0, 1, 2], 'in order, one at a time');
    assert.deepEqual(lane.load, { running: 0, waiting: 0 });
  });

  test('a job that waits too long is refused and leaves the queue', async () => {
    const lane = new ImageLane({ concurrency: 1, maxWaiting: 5, maxWaitMs: 20 });
    let release = () => {};
    const holding = lane.run(() => new Promise<void>((r) => (release = r)));
    await assert.rejects(
      lane.run(async () => 'never'),
      ImageLaneBusy,
    );
    assert.deepEqual(lane.load, { running: 1, waiting: 0 });
    release();
    await holding;
    assert.equal(await lane.run(async () => 'next'), 'next');
  });
});
