import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { type FrameSink, type Rest, restBytes } from './core/outbox';

/**
 * The head of a server-to-client WebSocket text frame whose payload is `length` bytes, with `room` bytes left after
 * it: FIN and the text opcode, then the length in 7, 16 or 64 bits; server frames are not masked (RFC 6455, 5.2).
 */
function frameHead(length: number, room = 0): { bytes: Buffer; size: number } {
  const size = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const bytes = Buffer.allocUnsafe(size + room);
  bytes[0] = 0x81;
  if (length < 126) bytes[1] = length;
  else if (length < 65536) {
    bytes[1] = 126;
    bytes.writeUInt16BE(length, 2);
  } else {
    bytes[1] = 127;
    bytes.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    bytes.writeUInt32BE(length >>> 0, 6);
  }
  return { bytes, size };
}

/** A short text message (under 126 bytes) as one whole frame, to be written as is to every socket. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new RangeError('textFrame is for payloads under 126 bytes');
  const { bytes, size } = frameHead(payload.length, payload.length);
  payload.copy(bytes, size);
  return bytes;
}

/**
 * A `ws` socket as a frame sink. A message of a session's `head` (ASCII) and a shared `rest` is written as one frame
 * past `ws`: the frame's head and `head` in one small buffer, then the shared bytes as they are, so nothing is copied
 * per session to join them. `ws` frames an uncompressed message and writes it synchronously, adding nothing of its
 * own, so writing past it keeps the order of what the socket carries.
 */
export class WebSocketSink implements FrameSink {
  constructor(
    readonly ws: WebSocket,
    private readonly raw: Duplex,
  ) {}

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  write(head: string, rest: Rest): void {
    if (!rest) {
      this.ws.send(head);
      return;
    }
    const { bytes, size } = frameHead(head.length + restBytes(rest), head.length);
    bytes.write(head, size, 'latin1');
    this.raw.write(bytes);
    if (Array.isArray(rest)) for (const part of rest) this.raw.write(part);
    else this.raw.write(rest);
  }

  writeFramed(frame: Buffer): void {
    this.raw.write(frame);
  }

  cork(): void {
    this.raw.cork();
  }

  uncork(): void {
    this.raw.uncork();
  }

  terminate(): void {
    this.ws.terminate();
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
}
