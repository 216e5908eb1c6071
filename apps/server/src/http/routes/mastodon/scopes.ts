import type { RouteOptions } from 'fastify';

// Which OAuth scopes let a Mastodon client's token call each route: Mastodon's own choices (its controllers'
// `doorkeeper_authorize!`), any one of a route's list being enough (`read` and `write` cover their granular scopes,
// `follow` the follows, blocks and mutes; see domain/social/scopes.ts). Hearth's own tokens are not scoped.
// Every route of the Mastodon block that takes a token must be listed: a missing one stops the server at start.

const R = (s: string) => [`read:${s}`];
const W = (s: string) => [`write:${s}`];

const POLICY: Record<string, readonly string[]> = {
  'GET /api/v1/apps/verify_credentials': ['read', 'write', 'follow', 'push', 'profile'],
  'GET /api/v1/accounts/verify_credentials': ['read:accounts', 'profile'],
  'PATCH /api/v1/accounts/update_credentials': W('accounts'),
  'GET /api/v1/accounts/relationships': R('follows'),
  'GET /api/v1/accounts/lookup': R('accounts'),
  'GET /api/v1/accounts/search': R('accounts'),
  'GET /api/v1/accounts/:id': R('accounts'),
  'GET /api/v1/accounts/:id/statuses': R('statuses'),
  'GET /api/v1/accounts/:id/followers': R('accounts'),
  'GET /api/v1/accounts/:id/following': R('accounts'),
  'POST /api/v1/accounts/:id/follow': W('follows'),
  'POST /api/v1/accounts/:id/unfollow': W('follows'),
  'POST /api/v1/accounts/:id/remove_from_followers': W('follows'),
  'POST /api/v1/accounts/:id/block': W('blocks'),
  'POST /api/v1/accounts/:id/unblock': W('blocks'),
  'POST /api/v1/accounts/:id/mute': W('mutes'),
  'POST /api/v1/accounts/:id/unmute': W('mutes'),
  'GET /api/v1/mutes': R('mutes'),
  'GET /api/v1/follow_requests': R('follows'),
  'POST /api/v1/follow_requests/:id/authorize': W('follows'),
  'POST /api/v1/follow_requests/:id/reject': W('follows'),
  'POST /api/v1/statuses': W('statuses'),
  'GET /api/v1/statuses/:id': R('statuses'),
  'PUT /api/v1/statuses/:id': W('statuses'),
  'DELETE /api/v1/statuses/:id': W('statuses'),
  'GET /api/v1/statuses/:id/context': R('statuses'),
  'GET /api/v1/statuses/:id/history': R('statuses'),
  'GET /api/v1/statuses/:id/source': R('statuses'),
  'GET /api/v1/statuses/:id/favourited_by': R('accounts'),
  'GET /api/v1/statuses/:id/reblogged_by': R('accounts'),
  'POST /api/v1/statuses/:id/favourite': W('favourites'),
  'POST /api/v1/statuses/:id/unfavourite': W('favourites'),
  'POST /api/v1/statuses/:id/reblog': W('statuses'),
  'POST /api/v1/statuses/:id/unreblog': W('statuses'),
  'POST /api/v1/statuses/:id/bookmark': W('bookmarks'),
  'POST /api/v1/statuses/:id/unbookmark': W('bookmarks'),
  'POST /api/v1/statuses/:id/pin': W('accounts'),
  'POST /api/v1/statuses/:id/unpin': W('accounts'),
  'GET /api/v1/bookmarks': R('bookmarks'),
  'GET /api/v1/timelines/home': R('statuses'),
  'GET /api/v1/timelines/public': R('statuses'),
  'GET /api/v1/timelines/tag/:hashtag': R('statuses'),
  'GET /api/v1/notifications': R('notifications'),
  'GET /api/v1/notifications/unread_count': R('notifications'),
  'GET /api/v1/notifications/:id': R('notifications'),
  'POST /api/v1/notifications/clear': W('notifications'),
  'POST /api/v1/notifications/:id/dismiss': W('notifications'),
  'GET /api/v1/markers': R('statuses'),
  'POST /api/v1/markers': W('statuses'),
  'POST /api/v1/media': W('media'),
  'POST /api/v2/media': W('media'),
  'GET /api/v1/media/:id': W('media'),
  'PUT /api/v1/media/:id': W('media'),
  'DELETE /api/v1/media/:id': W('media'),
  'GET /api/v1/hearth/account/aliases': R('accounts'),
  'POST /api/v1/hearth/account/aliases': W('accounts'),
  'DELETE /api/v1/hearth/account/aliases': W('accounts'),
  'POST /api/v1/hearth/account/move': W('accounts'),
  // The whole account's data: only a token that may read everything.
  'GET /api/v1/hearth/exports/:name': ['read'],
  'GET /api/v1/hearth/account/archive': ['read'],
  'POST /api/v1/hearth/account/archive': ['read'],
  'GET /api/v1/hearth/account/archive/:id/download': ['read'],
  // An import changes follows, blocks, mutes, lists and bookmarks at once: only a token that may write everything.
  'POST /api/v1/hearth/imports': ['write'],
  'GET /api/v1/hearth/imports': ['read'],
  'GET /api/v1/hearth/imports/:id': ['read'],
  'GET /api/v1/hearth/media': W('media'),
  'POST /api/v1/hearth/media/:id/trash': W('media'),
  'POST /api/v1/hearth/media/:id/restore': W('media'),
  'PUT /api/v1/hearth/media/:id': W('media'),
  'DELETE /api/v1/hearth/media/:id': W('media'),
  'GET /api/v1/polls/:id': R('statuses'),
  'POST /api/v1/polls/:id/votes': W('statuses'),
  'GET /api/v2/search': R('search'),
  'GET /api/v1/pleroma/statuses/:id/reactions': R('statuses'),
  'GET /api/v1/pleroma/statuses/:id/reactions/:emoji': R('statuses'),
  'PUT /api/v1/pleroma/statuses/:id/reactions/:emoji': W('statuses'),
  'DELETE /api/v1/pleroma/statuses/:id/reactions/:emoji': W('statuses'),
  'GET /api/v1/directory': R('accounts'),
  'GET /api/v1/trends/tags': R('statuses'),
  'GET /api/v1/trends': R('statuses'),
  'GET /api/v1/tags/:name': R('statuses'),
  'POST /api/v1/tags/:name/follow': W('follows'),
  'POST /api/v1/tags/:name/unfollow': W('follows'),
  'GET /api/v1/followed_tags': R('follows'),
  'GET /api/v1/lists': R('lists'),
  'POST /api/v1/lists': W('lists'),
  'GET /api/v1/lists/:id': R('lists'),
  'PUT /api/v1/lists/:id': W('lists'),
  'DELETE /api/v1/lists/:id': W('lists'),
  'GET /api/v1/lists/:id/accounts': R('lists'),
  'POST /api/v1/lists/:id/accounts': W('lists'),
  'DELETE /api/v1/lists/:id/accounts': W('lists'),
  'GET /api/v1/accounts/:id/lists': R('lists'),
  'GET /api/v1/timelines/list/:list_id': R('lists'),
  'GET /api/v1/conversations': R('statuses'),
  'DELETE /api/v1/conversations/:id': W('conversations'),
  'POST /api/v1/conversations/:id/read': W('conversations'),
  'GET /api/v1/domain_blocks': R('blocks'),
  'POST /api/v1/domain_blocks': W('blocks'),
  'DELETE /api/v1/domain_blocks': W('blocks'),
  'POST /api/v1/reports': W('reports'),
  'GET /api/v1/admin/reports': ['admin:read:reports'],
  'GET /api/v1/admin/domain_blocks': ['admin:read:domain_blocks'],
  'GET /api/v1/hearth/admin/instances': ['admin:read'],
  'GET /api/v1/admin/domain_blocks/:id': ['admin:read:domain_blocks'],
  'POST /api/v1/admin/domain_blocks': ['admin:write:domain_blocks'],
  'DELETE /api/v1/admin/domain_blocks/:id': ['admin:write:domain_blocks'],
};

/**
 * The Mastodon block's `onRoute` hook: gives every route that takes a token its scopes from the policy above, and
 * refuses to start when one is missing (a new route must say which scopes it needs).
 */
export function assignScopes(route: RouteOptions): void {
  const config = route.config ?? {};
  if (!config.auth || config.auth === 'none' || config.scopes) return;
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  for (const method of methods) {
    if (method === 'HEAD') continue;
    const scopes = POLICY[`${method} ${route.url}`];
    if (!scopes)
      throw new Error(
        `Mastodon route ${method} ${route.url} has no OAuth scopes (http/routes/mastodon/scopes.ts)`,
      );
    route.config = { ...config, scopes };
  }
}
