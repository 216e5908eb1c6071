// What the reader shares with a person, from GET /users/:id/profile: pronouns, the servers both are in (a click opens
// the server) and the friends both have (a click shows that friend's profile). Shown in the profile popout and on the
// full profile page.
import type { UserProfile } from '@hearth/protocol';
import { useEffect, useState } from 'react';
import * as endpoints from '../endpoints';
import { navigate } from '../router';
import { useStore } from '../store';
import { Avatar } from '../ui';
import './profile-mutuals.css';

/** The person's profile as the reader may see it; null while loading or when they share nothing (403). */
export function useUserProfile(userId: string | null): UserProfile | null {
  const [profile, setProfile] = useState<{ id: string; data: UserProfile } | null>(null);
  useEffect(() => {
    if (!userId) return;
    let live = true;
    endpoints.getUserProfile(userId).then(
      (data) => live && setProfile({ id: userId, data }),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [userId]);
  return profile && profile.id === userId ? profile.data : null;
}

export function ProfileMutuals(props: {
  profile: UserProfile;
  /** A mutual friend was picked: show their profile. */
  onFriend: (userId: string) => void;
  /** A mutual server was picked (the app navigates there). */
  onGuild?: () => void;
}) {
  const guilds = useStore((s) => s.guilds);
  const { mutual_guilds: servers = [], mutual_friends: friends = [] } = props.profile;
  const me = useStore((s) => s.me?.id);
  if (props.profile.user.id === me) return null;
  return (
    <div className="mutuals">
      <section aria-label="Mutual servers">
        <h3>{servers.length === 1 ? '1 mutual server' : `${servers.length} mutual servers`}</h3>
        {servers.length > 0 && (
          <ul>
            {servers.map((s) => {
              const g = guilds[s.id];
              return (
                <li key={s.id}>
                  <a
                    href={`/channels/${s.id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      props.onGuild?.();
                      navigate(`/channels/${s.id}`);
                    }}
                  >
                    {g?.icon ? (
                      <img src={`/icons/${g.id}/${g.icon}.png`} alt="" width={24} height={24} />
                    ) : (
                      <span className="mutual-initial" aria-hidden="true">
                        {(g?.name ?? '?').slice(0, 1)}
                      </span>
                    )}
                    <span>{g?.name ?? 'A server'}</span>
                    {s.nick && <span className="muted"> — {s.nick}</span>}
                  </a>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section aria-label="Mutual friends">
        <h3>
          {(props.profile.mutual_friends_count ?? friends.length) === 1
            ? '1 mutual friend'
            : `${props.profile.mutual_friends_count ?? friends.length} mutual friends`}
        </h3>
        {friends.length > 0 && (
          <ul>
            {friends.map((f) => (
              <li key={f.id}>
                <button type="button" className="link" onClick={() => props.onFriend(f.id)}>
                  <Avatar user={f} size={24} />
                  <span>{f.global_name || f.username}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
