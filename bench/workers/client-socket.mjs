// A minimal WebSocket client (RFC 6455) for the load generator: the upgrade request, masked text frames out,
// unmasked frames in (fragmented ones joined), ping answered, close handshake. It does what the gateway clients need
// and no more (no extensions, no UTF-8 validation, no check of Sec-WebSocket-Accept), so that on a 2-core machine the
// clients leave more of the CPU to the server they load: `ws`'s client spends about twice as much CPU to connect.
import { randomBytes, randomFillSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** Masking keys, drawn from a pool refilled from the CSPRNG (a client must mask every frame it sends). */
const maskPool = Buffer.alloc(4096);
let maskAt = maskPool.length;
function maskKey() {
  if (maskAt + 4 > maskPool.length) {
    randomFillSync(maskPool);
    maskAt = 0;
  }
  maskAt += 4;
  return maskAt - 4;
}

/** One client socket. Events: 'open', 'message' (Buffer), 'error', 'close' (once). */
export class ClientSocket extends EventEmitter {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  readyState = ClientSocket.CONNECTING;
  /** Bytes received and not yet parsed, and how many a frame begun among them needs (0: not known yet). */
  #chunks = [];
  #length = 0;
  #need = 0;
  #fragments = null;
  #socket;

  constructor(url) {
    super();
    const { hostname, port, pathname, search, host } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.once('connect', () =>
      socket.write(
        `GET ${pathname}${search} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
      ),
    );
    socket.on('data', (chunk) => this.#received(chunk));
    socket.on('error', (err) => this.emit('error', err));
    socket.once('close', () => {
      this.readyState = ClientSocket.CLOSED;
      this.emit('close');
    });
  }

  send(text) {
    if (this.readyState === ClientSocket.OPEN) this.#write(OP_TEXT, Buffer.from(text));
  }

  /** Starts the close handshake; the server answers and ends the connection. */
  close(code = 1000) {
    if (this.readyState !== ClientSocket.OPEN) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.#write(OP_CLOSE, payload);
    this.readyState = ClientSocket.CLOSING;
  }

  terminate() {
    this.#socket.destroy();
  }

  #write(opcode, data) {
    const length = data.length;
    const head = length < 126 ? 6 : length < 65536 ? 8 : 14;
    const frame = Buffer.allocUnsafe(head + length);
    frame[0] = 0x80 | opcode;
    if (length < 126) frame[1] = 0x80 | length;
    else if (length < 65536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    const key = maskKey();
    maskPool.copy(frame, head - 4, key, key + 4);
    for (let i = 0; i < length; i++) frame[head + i] = data[i] ^ maskPool[key + (i & 3)];
    this.#socket.write(frame);
  }

  #received(chunk) {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    if (this.readyState === ClientSocket.CONNECTING) {
      const bytes = this.#joined();
      const end = bytes.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!bytes.toString('latin1', 0, 13).startsWith('HTTP/1.1 101')) {
        this.emit(
          'error',
          new Error(`upgrade refused: ${bytes.toString('latin1', 0, bytes.indexOf('\r\n'))}`),
        );
        return this.terminate();
      }
      this.#keep(bytes.subarray(end + 4));
      this.readyState = ClientSocket.OPEN;
      this.emit('open');
    }
    while (this.#length >= 2 && (!this.#need || this.#length >= this.#need)) {
      const bytes = this.#joined();
      let length = bytes[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (bytes.length < 4) return;
        length = bytes.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (bytes.length < 10) return;
        length = Number(bytes.readBigUInt64BE(2));
        offset = 10;
      }
      if (bytes.length < offset + length) {
        this.#need = offset + length;
        return;
      }
      this.#need = 0;
      this.#keep(bytes.subarray(offset + length));
      this.#frame(bytes[0] & 0x80, bytes[0] & 0x0f, bytes.subarray(offset, offset + length));
      if (this.readyState === ClientSocket.CLOSED) return;
    }
  }

  #frame(fin, opcode, payload) {
    if (opcode === OP_CLOSE) {
      // The server's close (or its answer to ours): answer it, then the connection ends.
      if (this.readyState === ClientSocket.OPEN) this.#write(OP_CLOSE, payload.subarray(0, 2));
      this.readyState = ClientSocket.CLOSING;
      this.#socket.end();
      return;
    }
    if (opcode === OP_PING) return this.#write(OP_PONG, payload);
    if (opcode === OP_PONG) return;
    if (opcode !== OP_CONTINUATION) this.#fragments = [];
    this.#fragments?.push(payload);
    if (!fin || !this.#fragments) return;
    const message = this.#fragments.length === 1 ? this.#fragments[0] : Buffer.concat(this.#fragments);
    this.#fragments = null;
    this.emit('message', message);
  }

  #joined() {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#length)];
    return this.#chunks[0];
  }

  #keep(rest) {
    this.#chunks = rest.length ? [rest] : [];
    this.#length = rest.length;
  }
}
