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
