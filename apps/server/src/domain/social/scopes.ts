// OAuth scopes as Mastodon defines them: `read`, `write`, `follow`, `push`, `profile` and the granular `read:…` and
// `write:…` ones. A token holds the scopes it was granted; a route names the scopes any one of which lets it through.

/** Every scope Hearth knows (Mastodon 4.3's list; of the admin ones, those of the admin routes Hearth has). */
export const KNOWN_SCOPES: readonly string[] = [
  'read',
  'read:accounts',
  'read:blocks',
  'read:bookmarks',
  'read:favourites',
  'read:filters',
  'read:follows',
  'read:lists',
  'read:mutes',
  'read:notifications',
  'read:search',
  'read:statuses',
  'write',
  'write:accounts',
  'write:blocks',
  'write:bookmarks',
  'write:conversations',
  'write:favourites',
  'write:filters',
  'write:follows',
  'write:lists',
  'write:media',
  'write:mutes',
  'write:notifications',
  'write:reports',
  'write:statuses',
  'follow',
  'push',
  'profile',
  'admin:read',
  'admin:read:domain_blocks',
  'admin:read:reports',
  'admin:write',
  'admin:write:domain_blocks',
];
const known = new Set(KNOWN_SCOPES);

/** What the legacy `follow` scope stands for. */
const FOLLOW = new Set([
  'read:follows',
  'write:follows',
  'read:blocks',
  'write:blocks',
  'read:mutes',
  'write:mutes',
]);

/** Scopes as written (space- or plus-separated), the known ones only, each once; null when none are known. */
export function parseScopes(text: string | undefined | null): string[] | null {
  const list = (text ?? '').split(/[\s+]+/).filter((s) => known.has(s));
  return list.length ? [...new Set(list)] : null;
}

/**
 * Whether a token holding `held` may do what needs any one of `needed` (`read` covers every `read:…`,
 * `admin:read` every `admin:read:…`, and so on).
 */
export function scopesAllow(held: readonly string[], needed: readonly string[]): boolean {
  return needed.some((want) =>
    held.some(
      (have) =>
        have === want ||
        (!have.startsWith('read:') && !have.startsWith('write:') && want.startsWith(`${have}:`)) ||
        (have === 'follow' && FOLLOW.has(want)),
    ),
  );
}

/** Whether every scope of `asked` is one `granted` allows (a client may ask for no more than it registered). */
export function scopesWithin(asked: readonly string[], granted: readonly string[]): boolean {
  return asked.every((s) => scopesAllow(granted, [s]));
}
