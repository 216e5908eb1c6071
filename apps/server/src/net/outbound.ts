// Requests Hearth makes to addresses its users or other instances chose (interactions endpoints, WebFinger), guarded
// against SSRF: every address the host resolves to must be public, the connection goes to the address that was
// checked (the check runs inside the socket's own lookup, so DNS cannot answer differently in between), redirects are
// not followed, and time and answer size are bounded (ADR 0038).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

export type OutboundFailure =
  | 'invalid_url'
  | 'blocked_address'
  | 'unreachable'
  | 'timeout'
  | 'too_large'
  | 'redirect';

export class OutboundError extends Error {
  constructor(
    readonly reason: OutboundFailure,
    message: string,
    /** A redirect's Location, for callers that follow redirects themselves (each hop through the guard again). */
    readonly location?: string,
  ) {
    super(message);
  }
}

export interface OutboundOptions {
  /** The whole exchange (DNS, connect, send, answer) must finish within this. */
  timeoutMs: number;
  /** Answers longer than this are cut off and refused (or, with `truncate`, cut off and kept). */
  maxBytes: number;
  /** Keep the first maxBytes of a longer answer instead of refusing it (the head of a web page is enough). */
  truncate?: boolean;
  /** Host names or IP literals that may resolve to private addresses (tests; a deployment's own services). */
  allowHosts?: readonly string[];
}

export interface OutboundAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** Whether an IP address is private, loopback, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  // IPv4 carried in IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d, compatible ::a.b.c.d): judge the IPv4.
  const embedded = embeddedIpv4(lower);
  if (embedded) return isPrivateAddress(embedded);
  return blocked.check(lower, 'ipv6');
}

function embeddedIpv4(v6: string): string | null {
  // The URL parser writes IPv6 in one canonical form, dotted IPv4 tails as hex: [::ffff:7f00:1].
  let canonical: string;
  try {
    canonical = new URL(`http://[${v6}]/`).hostname.slice(1, -1);
  } catch {
    return '0.0.0.0';
  }
  const m = /^(?:::ffff:|64:ff9b::|::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!m) return null;
  const hi = Number.parseInt(m[1], 16);
  const lo = Number.parseInt(m[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The URL if it is one Hearth may call: http(s), no credentials, a host; else an OutboundError. */
export function parseOutboundUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError('invalid_url', 'Not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new OutboundError('invalid_url', 'The URL must start with https:// or http://');
  if (url.username || url.password)
    throw new OutboundError('invalid_url', 'The URL must not carry credentials');
  if (!url.hostname) throw new OutboundError('invalid_url', 'The URL has no host');
  return url;
}

/** One HTTP request to a user-chosen URL, within the guard's limits. Rejects with OutboundError on every failure. */
export function outboundRequest(
  rawUrl: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string | Buffer },
  opts: OutboundOptions,
): Promise<OutboundAnswer> {
  const url = parseOutboundUrl(rawUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const allowed = (opts.allowHosts ?? []).includes(host.toLowerCase());
  if (isIP(host) && !allowed && isPrivateAddress(host))
    return Promise.reject(new OutboundError('blocked_address', `${host} is not a public address`));

  // Runs as the socket's lookup: the addresses checked are the ones connected to.
  const guardedLookup = (
    hostname: string,
    options: { family?: number; all?: boolean },
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = (addresses as LookupAddress[]).filter(
        (a) => !options.family || a.family === options.family,
      );
      if (!list.length)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      if (!allowed && list.some((a) => isPrivateAddress(a.address))) {
        const e = new OutboundError(
          'blocked_address',
          `${hostname} resolves to an address that is not public`,
        );
        return callback(e as NodeJS.ErrnoException, '');
      }
      if (options.all) callback(null, list);
      else callback(null, list[0].address, list[0].family);
    });
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: OutboundError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: init.method,
        headers: {
          'user-agent': 'Hearth (interactions)',
          ...init.headers,
          ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}),
        },
        lookup: guardedLookup as never,
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          return fail(
            new OutboundError(
              'redirect',
              `The endpoint answered with a redirect (${status})`,
              res.headers.location,
            ),
          );
        }
        const declared = Number(res.headers['content-length']);
        if (declared > opts.maxBytes && !opts.truncate) return fail(tooLarge(opts.maxBytes));
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status, headers: res.headers, body: Buffer.concat(chunks) });
        };
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          size += chunk.length;
          if (size > opts.maxBytes) {
            if (!opts.truncate) return fail(tooLarge(opts.maxBytes));
            chunks.push(chunk.subarray(0, chunk.length - (size - opts.maxBytes)));
            done();
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', done);
        res.on('error', () => fail(new OutboundError('unreachable', 'The connection to the endpoint broke')));
      },
    );
    const timer = setTimeout(
      () =>
        fail(new OutboundError('timeout', `The endpoint did not answer within ${opts.timeoutMs / 1000} s`)),
      opts.timeoutMs,
    );
    req.on('error', (err) => {
      if (err instanceof OutboundError) return fail(err);
      const cause = (err as { cause?: unknown }).cause;
      if (cause instanceof OutboundError) return fail(cause);
      fail(
        new OutboundError(
          'unreachable',
          `The endpoint could not be reached (${(err as NodeJS.ErrnoException).code ?? err.message})`,
        ),
      );
    });
    if (init.body !== undefined) req.end(init.body);
    else req.end();
  });
}

function tooLarge(max: number): OutboundError {
  return new OutboundError('too_large', `The endpoint's answer is larger than ${max} bytes`);
}
