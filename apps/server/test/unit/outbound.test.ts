import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isPrivateAddress, OutboundError, outboundRequest, parseOutboundUrl } from '../../src/net/outbound';

describe('isPrivateAddress', () => {
  test('private, loopback, link-local, reserved and mapped forms of them are private', () => {
    for (const a of [
      '127.0.0.1',
      '127.255.0.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'fc00::abcd',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
      '::127.0.0.1',
      'not an address',
    ])
      assert.equal(isPrivateAddress(a), true, a);
  });

  test('public addresses are not', () => {
    for (const a of [
      '1.1.1.1',
      '8.8.8.8',
      '172.32.0.1',
      '192.169.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
    ])
      assert.equal(isPrivateAddress(a), false, a);
  });
});

describe('parseOutboundUrl', () => {
  test('only http(s) URLs without credentials', () => {
    assert.equal(parseOutboundUrl('https://example.com/x').hostname, 'example.com');
    for (const bad of [
      'ftp://example.com',
      'file:///etc/passwd',
      'https://u:p@example.com/',
      'nonsense',
      'javascript:1',
    ])
      assert.throws(() => parseOutboundUrl(bad), OutboundError, bad);
  });
});

describe('outboundRequest', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://127.0.0.1/' });
        return res.end();
      }
      if (req.url === '/big') {
        res.writeHead(200);
        return res.end(Buffer.alloc(10_000, 'a'));
      }
      if (req.url === '/slow') return; // never answers
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => res.end(JSON.stringify({ method: req.method, body })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const opts = { timeoutMs: 2000, maxBytes: 1000 };
  const reason = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof OutboundError, String(err));
      return err.reason;
    }
    assert.fail('expected a refusal');
  };

  test('loopback is refused by address and by name unless allowed', async () => {
    const url = `http://127.0.0.1:${port}/`;
    assert.equal(await reason(outboundRequest(url, { method: 'GET' }, opts)), 'blocked_address');
    assert.equal(
      await reason(outboundRequest(`http://localhost:${port}/`, { method: 'GET' }, opts)),
      'blocked_address',
    );
    assert.equal(
      await reason(outboundRequest('http://[::ffff:127.0.0.1]:1/', { method: 'GET' }, opts)),
      'blocked_address',
    );
    const ok = await outboundRequest(
      url,
      { method: 'POST', body: 'hi' },
      { ...opts, allowHosts: ['127.0.0.1'] },
    );
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.body.toString()), { method: 'POST', body: 'hi' });
  });

  test('redirects are not followed, answers are bounded in size and time', async () => {
    const allowed = { ...opts, allowHosts: ['127.0.0.1'] };
    const base = `http://127.0.0.1:${port}`;
    assert.equal(await reason(outboundRequest(`${base}/redirect`, { method: 'GET' }, allowed)), 'redirect');
    assert.equal(await reason(outboundRequest(`${base}/big`, { method: 'GET' }, allowed)), 'too_large');
    assert.equal(
      await reason(outboundRequest(`${base}/slow`, { method: 'GET' }, { ...allowed, timeoutMs: 200 })),
      'timeout',
    );
  });

  test('a closed port is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    assert.equal(
      await reason(
        outboundRequest(
          `http://127.0.0.1:${closedPort}/`,
          { method: 'GET' },
          { ...opts, allowHosts: ['127.0.0.1'] },
        ),
      ),
      'unreachable',
    );
  });
});
