import sharp from 'sharp';
import type { ApiResponse, TestServer, TestUser } from './harness';

/** A Mastodon API call as a client makes it: `Authorization: Bearer <token>` when signed in. */
export function mastodon(h: TestServer) {
  return <T = any>(
    method: string,
    path: string,
    user?: TestUser | null,
    body?: unknown,
  ): Promise<ApiResponse<T>> =>
    h.api<T>(method, path, { token: user ? `Bearer ${user.token}` : undefined, body });
}

/** Posts a status and returns its id. */
export async function post(h: TestServer, user: TestUser, body: Record<string, unknown>): Promise<string> {
  const res = await mastodon(h)('POST', '/api/v1/statuses', user, body);
  if (res.status !== 200) throw new Error(`post failed: ${res.status} ${res.text}`);
  return res.body.id;
}

/** Uploads a small PNG of one colour as `user` (Mastodon's POST /api/v2/media) with alt text; returns the media id. */
export async function uploadPng(
  h: TestServer,
  user: TestUser,
  opts: { width: number; height: number; colour: string; description: string },
): Promise<string> {
  const png = await sharp({
    create: { width: opts.width, height: opts.height, channels: 3, background: opts.colour },
  })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)]), 'image.png');
  form.append('description', opts.description);
  const res = await fetch(`${h.url}/api/v2/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}` },
    body: form,
  });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
