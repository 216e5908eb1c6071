// The REST client: Hearth's API under /api/v10, with 15-minute access tokens refreshed from a rotating
// refresh token. Tokens live in localStorage so a reload stays signed in; nothing else is stored.

export interface Tokens {
  user_id: string;
  token: string;
  refresh_token: string;
  /** Epoch ms when the access token stops working. */
  expires_at: number;
}

interface TokenPair {
  user_id: string;
  token: string;
  refresh_token: string;
  expires_in: number;
}

/** A Discord-shaped error: `{code, message, errors?}` with the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

const storageKey = 'hearth.tokens';
const listeners = new Set<(t: Tokens | null) => void>();
let refreshing: Promise<Tokens | null> | null = null;

export function currentTokens(): Tokens | null {
  try {
    const raw = localStorage.getItem(storageKey);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

function setTokens(t: Tokens | null): Promise<void> {
  if (t) localStorage.setItem(storageKey, JSON.stringify(t));
  else localStorage.removeItem(storageKey);
  for (const l of listeners) l(t);
  return sharedTokens.put(t).catch(() => {});
}

/**
 * The copy of the tokens that the refresh lock reads and writes. localStorage reaches other tabs' processes
 * with a delay, so a tab taking the lock right after another refreshed could still see the used refresh
 * token there; IndexedDB transactions are seen by every tab in commit order.
 */
const sharedTokens = {
  db: null as Promise<IDBDatabase> | null,
  open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open('hearth', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('kv');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return this.db;
  },
  async get(): Promise<Tokens | null> {
    const db = await this.open();
    return new Promise((resolve, reject) => {
      const req = db.transaction('kv').objectStore('kv').get(storageKey);
      req.onsuccess = () => resolve((req.result as Tokens | undefined) ?? null);
      req.onerror = () => reject(req.error);
    });
  },
  async put(t: Tokens | null): Promise<void> {
    const db = await this.open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction('kv', 'readwrite');
      if (t) tx.objectStore('kv').put(t, storageKey);
      else tx.objectStore('kv').delete(storageKey);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  },
};

/** The newest tokens either copy holds (a sign-in writes both; the later expiry is the later pair). */
async function latestTokens(): Promise<Tokens | null> {
  const local = currentTokens();
  const shared = await sharedTokens.get().catch(() => null);
  if (!local || !shared) return local ?? shared;
  return shared.expires_at > local.expires_at ? shared : local;
}

/** Called with the new tokens on sign-in, refresh and sign-out (null). */
export function onTokens(listener: (t: Tokens | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Stores the tokens a login or registration returned. */
export function signedIn(pair: TokenPair): Promise<void> {
  return setTokens({ ...pair, expires_at: Date.now() + pair.expires_in * 1000 });
}

export function signedOut(): void {
  void setTokens(null);
}

/** Flattens Discord's nested field errors into `{ "field.path": "message" }`. */
function flattenFields(errors: unknown, path: string[] = [], out: Record<string, string> = {}) {
  if (!errors || typeof errors !== 'object') return out;
  for (const [key, value] of Object.entries(errors as Record<string, unknown>)) {
    if (key === '_errors' && Array.isArray(value)) {
      out[path.join('.')] = (value[0] as { message?: string })?.message ?? 'Invalid value';
    } else flattenFields(value, [...path, key], out);
  }
  return out;
}

async function send(
  method: string,
  path: string,
  body: unknown,
  token: string | null,
  opts: ApiOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = token;
  // URL-encoded, as discord.js sends it (a header carries no raw non-ASCII).
  if (opts.reason) headers['x-audit-log-reason'] = encodeURIComponent(opts.reason);
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  return fetch(`${opts.base ?? '/api/v10'}${path}`, {
    method,
    headers,
    body: payload,
    ...(opts.keepalive ? { keepalive: true } : {}),
  });
}

async function parse<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after') ?? data?.retry_after ?? 1);
      throw new ApiError(429, 0, `Slow down: try again in ${Math.ceil(after)} s.`);
    }
    throw new ApiError(
      res.status,
      data?.code ?? 0,
      // Discord's `{message}`, or the Mastodon API's `{error}`.
      data?.message ?? data?.error ?? `Request failed (${res.status})`,
      flattenFields(data?.errors),
    );
  }
  return data as T;
}

/**
 * Trades the refresh token for a new pair, once at a time across every tab (a Web Lock): a refresh token
 * is single-use and presenting a used one revokes the session. `stale` is the access token found wanting;
 * if another tab has replaced it meanwhile, its tokens are used instead. Signs out when refused.
 */
function refresh(stale: string | null = currentTokens()?.token ?? null): Promise<Tokens | null> {
  const run = async (): Promise<Tokens | null> => {
    const held = await latestTokens();
    if (!held) return null;
    if (held.token !== stale && held.expires_at - Date.now() > 60_000) {
      if (held.token !== currentTokens()?.token) await setTokens(held);
      return held;
    }
    const res = await send('POST', '/auth/refresh', { refresh_token: held.refresh_token }, null);
    if (res.status === 400 || res.status === 401) {
      await setTokens(null);
      return null;
    }
    // Written to both copies before the lock is released.
    await signedIn(await parse<TokenPair>(res));
    return currentTokens();
  };
  refreshing ??= (navigator.locks ? navigator.locks.request('hearth.refresh', run) : run()).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** An access token valid for at least another minute, refreshing when needed. */
export async function accessToken(): Promise<string | null> {
  const t = currentTokens();
  if (!t) return null;
  if (t.expires_at - Date.now() > 60_000) return t.token;
  return (await refresh(t.token))?.token ?? null;
}

/** Calls the API as the signed-in user (or anonymously); one refresh-and-retry on a 401. */
export interface ApiOptions {
  /** Why, for the server's audit log (`X-Audit-Log-Reason`). */
  reason?: string;
  /** The Mastodon API's `Idempotency-Key`: a retried post is made once. */
  idempotencyKey?: string;
  /** The API's root: Hearth's own `/api/v10` unless said (the Mastodon client API is at `/api`). */
  base?: string;
  /** Sent even if the page is being left (`fetch`'s keepalive; small bodies only). */
  keepalive?: boolean;
}

async function call(method: string, path: string, body: unknown, opts: ApiOptions): Promise<Response> {
  const token = await accessToken();
  let res = await send(method, path, body, token, opts);
  if (res.status === 401 && token) {
    const renewed = await refresh(token);
    if (renewed) res = await send(method, path, body, renewed.token, opts);
  }
  return res;
}

export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  opts: ApiOptions = {},
): Promise<T> {
  return parse<T>(await call(method, path, body, opts));
}

/** A page of a Mastodon list and the `max_id` of the next (older) one from its Link header; null at the end. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/**
 * Calls the Mastodon client API (`/api/v1/…`, `/api/v2/…`) as the signed-in user: the server takes the web app's
 * own access token there (ADR 0028), so the social side needs no second sign-in.
 */
export function mastodon<T = unknown>(method: string, path: string, body?: unknown, opts: ApiOptions = {}) {
  return api<T>(method, path, body, { ...opts, base: '/api' });
}

/**
 * Downloads a file the API serves only to the signed-in user (an export, an archive): fetched with the token, then
 * saved under `filename` through an object URL, since a plain link would carry no token.
 */
export async function download(path: string, filename: string, base = '/api'): Promise<void> {
  const res = await call('GET', path, undefined, { base });
  if (!res.ok) await parse(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A paged Mastodon list: the items and where the next page starts. */
export async function mastodonPage<T>(path: string): Promise<Page<T>> {
  const res = await call('GET', path, undefined, { base: '/api' });
  const items = await parse<T[]>(res);
  const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  const maxId = next ? new URL(next, location.origin).searchParams.get('max_id') : null;
  return { items, next: items.length ? maxId : null };
}

/**
 * Uploads a multipart form with progress (fetch reports none): resolves to the parsed JSON answer. `base` as in
 * ApiOptions (`/api` for the Mastodon client API).
 */
export async function upload<T = unknown>(
  path: string,
  form: FormData,
  onProgress: (fraction: number) => void,
  base = '/api/v10',
): Promise<T> {
  const token = await accessToken();
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${base}${path}`);
    if (token) xhr.setRequestHeader('authorization', token);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 0, 'Network error'));
    xhr.onload = () => {
      const res = new Response(xhr.status === 204 ? null : xhr.responseText, {
        status: xhr.status,
        headers: { 'retry-after': xhr.getResponseHeader('retry-after') ?? '' },
      });
      parse<T>(res).then(resolve, reject);
    };
    xhr.send(form);
  });
}
