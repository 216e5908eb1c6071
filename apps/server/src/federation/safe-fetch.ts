import { validatePublicUrl } from '@fedify/vocab-runtime';

/** Longest WebFinger answer read, and the longest wait for it. */
const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 10_000;
const ACCT = /^([a-z0-9_.~-]{1,100})@([a-z0-9.-]{1,253}(?::\d{1,5})?)$/i;

/**
 * Hearth's own fetch of another instance's WebFinger (Fedify's document loader does the rest, with the same rules):
 * https only, no private, loopback or link-local address (both unless the test-only settings allow), no redirects,
 * bounded in size and time. Answers the actor IRI of `name@host`, or null.
 */
export async function webFingerSelf(
  acct: string,
  opts: { allowPrivate: boolean; allowHttp: boolean },
): Promise<URL | null> {
  const m = ACCT.exec(acct);
  if (!m) return null;
  const url = new URL(`${opts.allowHttp ? 'http' : 'https'}://${m[2]}/.well-known/webfinger`);
  url.searchParams.set('resource', `acct:${m[1]}@${m[2]}`);
  if (!opts.allowPrivate) await validatePublicUrl(url.href);
  const res = await fetch(url, {
    headers: { accept: 'application/jrd+json, application/json' },
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok || !res.body) return null;
  const body = await readBounded(res.body, MAX_BYTES);
  if (body === null) return null;
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

/** The stream as text, or null when it is longer than `max` bytes. */
async function readBounded(stream: ReadableStream<Uint8Array>, max: number): Promise<string | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > max) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
