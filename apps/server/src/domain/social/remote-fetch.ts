import { OutboundError, outboundRequest } from '../../net/outbound';
import type { Deps } from '../deps';

// Fetching a file another instance serves (a remote status's attachment, a remote account's avatar or header; ADR
// 0052), through the outbound guard (ADR 0038): http(s) only, no private, loopback or link-local address, checked on
// the address connected to, every redirect hop checked again, bounded in size and time, and a per-instance rate.

/** Each hop of a download must finish within this. */
const FETCH_TIMEOUT_MS = 30_000;
/** Redirects followed per file (each hop through the guard again). */
const MAX_REDIRECTS = 3;

/** Why a remote file was not fetched: `retry` (worth another try later), `rate` (the instance's budget is spent). */
export class RemoteFetchError extends Error {
  constructor(
    readonly kind: 'refused' | 'retry' | 'rate',
    message: string,
    /** For `rate`: milliseconds until the instance's budget is back. */
    readonly waitMs = 0,
  ) {
    super(message);
  }
}

/**
 * GETs `url`, at most `maxBytes` long. On an instance allowed private addresses by the test-only setting
 * (FEDERATION_ALLOW_PRIVATE_ADDRESSES), only the URL's own host may be one: a redirect elsewhere to a private address is
 * still refused. Throws RemoteFetchError.
 */
export async function fetchRemoteFile(deps: Deps, url: string, maxBytes: number): Promise<Buffer> {
  let first: URL;
  try {
    first = new URL(url);
  } catch {
    throw new RemoteFetchError('refused', 'not a URL');
  }
  if (first.protocol !== 'https:' && first.protocol !== 'http:')
    throw new RemoteFetchError('refused', 'only http(s) URLs are fetched');
  const host = first.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const budget = await deps.limiter.hit(
    `remote-media:${first.host.toLowerCase()}`,
    deps.config.remoteMediaFetchesPerMinute,
    60_000,
  );
  if (!budget.allowed) throw new RemoteFetchError('rate', 'rate limited', budget.resetAfterMs);
  const allowHosts = deps.config.federationAllowPrivateAddresses
    ? [host, ...deps.config.outboundAllowHosts]
    : deps.config.outboundAllowHosts;
  let current = first.href;
  for (let hop = 0; ; hop++) {
    try {
      const res = await outboundRequest(
        current,
        { method: 'GET', headers: { accept: 'image/*, video/*, audio/*', 'user-agent': 'Hearth/0.1' } },
        { timeoutMs: FETCH_TIMEOUT_MS, maxBytes, allowHosts },
      );
      if (res.status === 200) return res.body;
      if (res.status === 429 || res.status >= 500)
        throw new RemoteFetchError('retry', `the instance answered ${res.status}`);
      throw new RemoteFetchError('refused', `the instance answered ${res.status}`);
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      if (err.reason === 'redirect' && err.location && hop < MAX_REDIRECTS) {
        const next = new URL(err.location, current);
        if (next.protocol !== 'https:' && next.protocol !== 'http:')
          throw new RemoteFetchError('refused', 'a redirect to a URL that is not http(s)');
        current = next.href;
        continue;
      }
      const transient = err.reason === 'timeout' || err.reason === 'unreachable';
      throw new RemoteFetchError(transient ? 'retry' : 'refused', `${err.reason}: ${err.message}`);
    }
  }
}
