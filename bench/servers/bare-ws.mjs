// The fan-out ceiling: a bare `ws` server on node:http. Sockets on /gateway get HELLO and heartbeat ACKs;
// POST /send {content} broadcasts one MESSAGE_CREATE-shaped frame, padded to BARE_FRAME_BYTES, to every
// socket (encoded once); GET /stats reports process memory. With BARE_IDENTIFY_FILE (a JSON list of frames, READY
// and its GUILD_CREATEs as Hearth sent them), it is the identify ceiling too: an IDENTIFY is parsed and answered with
// those frames. Prints its port on stdout.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { WebSocketServer } from 'ws';

const frameBytes = Number(process.env.BARE_FRAME_BYTES ?? 800);
const interval = Number(process.env.BARE_HEARTBEAT_MS ?? 41_250);
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const hello = JSON.stringify({ op: 10, d: { heartbeat_interval: interval } });
const ack = JSON.stringify({ op: 11 });
const identified = process.env.BARE_IDENTIFY_FILE
  ? JSON.parse(readFileSync(process.env.BARE_IDENTIFY_FILE, 'utf8'))
  : null;
let seq = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ ...process.memoryUsage(), sockets: wss.clients.size }));
  }
  if (req.method !== 'POST' || req.url !== '/send') {
    res.statusCode = 404;
    return res.end();
  }
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    const { content } = JSON.parse(body);
    const head = `{"op":0,"t":"MESSAGE_CREATE","s":${++seq},"d":{"content":${JSON.stringify(content)},"pad":"`;
    const frame = Buffer.from(`${head}${'x'.repeat(Math.max(0, frameBytes - head.length - 4))}"}}`);
    for (const ws of wss.clients) ws.send(frame);
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 60_000;
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.send(hello);
    ws.on('message', (data) => {
      if (identified && JSON.parse(data.toString()).op === 2) for (const frame of identified) ws.send(frame);
      else ws.send(ack);
    });
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
