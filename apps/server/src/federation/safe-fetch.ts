import { OutboundError, outboundRequest } from '../net/outbound';

/** Longest WebFinger answer read, and the longest wait for it. */
const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 10_000;
const ACCT = /^([a-z0-9_.~-]{1,100})@([a-z0-9.-]{1,253}(?::\d{1,5})?)$/i;

/**
 * Hearth's own fetch of another instance's WebFinger (Fedify's document loader does the rest, with the same rules),
 * through the outbound guard (ADR 0038): https only, no private, loopback or link-local address (both unless the
 * test-only settings allow), checked on the address actually connected to, no redirects, bounded in size and time.
 * Answers the actor IRI of `name@host`, or null.
 */
export async function webFingerSelf(
  acct: string,
  opts: { allowPrivate: boolean; allowHttp: boolean },
): Promise<URL | null> {
  const m = ACCT.exec(acct);
  if (!m) return null;
  const url = new URL(`${opts.allowHttp ? 'http' : 'https'}://${m[2]}/.well-known/webfinger`);
  url.searchParams.set('resource', `acct:${m[1]}@${m[2]}`);
  let body: string;
  try {
    const res = await outboundRequest(
      url.href,
      { method: 'GET', headers: { accept: 'application/jrd+json, application/json' } },
      {
        timeoutMs: TIMEOUT_MS,
        maxBytes: MAX_BYTES,
        allowHosts: opts.allowPrivate ? [url.hostname.replace(/^\[|\]$/g, '').toLowerCase()] : [],
      },
    );
    if (res.status < 200 || res.status >= 300) return null;
    body = res.body.toString('utf8');
  } catch (err) {
    if (err instanceof OutboundError) return null;
    throw err;
  }
  let jrd: { links?: Array<{ rel?: string; type?: string; href?: string }> };
  try {
    jrd = JSON.parse(body);
  } catch {
    return null;
  }
  const self = jrd.links?.find(
    (l) =>
      l.rel === 'self' &&
      (l.type === 'application/activity+json' || l.type?.startsWith('application/ld+json')) &&
      typeof l.href === 'string',
  );
  if (!self?.href || !URL.canParse(self.href)) return null;
  const actor = new URL(self.href);
  if (actor.protocol !== 'https:' && !(opts.allowHttp && actor.protocol === 'http:')) return null;
  return actor;
}
