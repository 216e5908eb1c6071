// User settings: profile (names, bio, avatar), appearance (theme, this device), password, sessions
// (revoke one, sign out everywhere), blocked domains (one's own; the instance's for its admins) and the developer
// portal (./developer).
import { useCallback, useEffect, useState } from 'react';
import type { AdminDomainBlock, SessionRow } from '../endpoints';
import * as endpoints from '../endpoints';
import { navigate } from '../router';
import { signOut } from '../session';
import { useStore } from '../store';
import { setTheme, themeChoice } from '../theme';
import { Alert, Avatar, Field, Form, ImagePicker, useAction } from '../ui';
import { processingKey } from '../voice';
import { Developer } from './developer';

const sections = [
  ['profile', 'Profile'],
  ['appearance', 'Appearance'],
  ['voice', 'Voice'],
  ['password', 'Password'],
  ['sessions', 'Sessions'],
  ['domains', 'Blocked domains'],
  ['developer', 'Developer'],
] as const;

export function Settings({ section = 'profile' }: { section?: string }) {
  const me = useStore((s) => s.me);
  return (
    <div className="settings">
      <nav aria-label="Settings sections">
        <h2>User settings</h2>
        <ul>
          {sections.map(([id, label]) => (
            <li key={id}>
              <a
                href={`/settings/${id}`}
                aria-current={section === id ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/settings/${id}`, { replace: true });
                }}
              >
                {label}
              </a>
            </li>
          ))}
          <li>
            <button type="button" className="link danger" onClick={() => signOut()}>
              Sign out
            </button>
          </li>
        </ul>
      </nav>
      <main className="settings-main">
        <button
          type="button"
          className="close icon"
          aria-label="Close settings"
          onClick={() => navigate('/channels/@me')}
        >
          ×
        </button>
        {!me ? (
          <p>Loading…</p>
        ) : section === 'appearance' ? (
          <Appearance />
        ) : section === 'voice' ? (
          <VoiceSettings />
        ) : section === 'password' ? (
          <PasswordForm />
        ) : section === 'sessions' ? (
          <Sessions />
        ) : section === 'domains' ? (
          <DomainBlocks />
        ) : section === 'developer' ? (
          <Developer />
        ) : (
          <Profile />
        )}
      </main>
    </div>
  );
}

function Profile() {
  const me = useStore((s) => s.me)!;
  const [username, setUsername] = useState(me.username);
  const [globalName, setGlobalName] = useState(me.global_name ?? '');
  const [bio, setBio] = useState(me.bio ?? '');
  const [saved, setSaved] = useState(false);
  const save = useAction();
  return (
    <section aria-labelledby="profile-title">
      <h1 id="profile-title">Profile</h1>
      <div className="row">
        <Avatar user={me} size={80} />
        <ImagePicker
          id="avatar-file"
          label="Avatar (PNG, JPEG, GIF or WebP)"
          save={(avatar) => endpoints.modifyMe({ avatar })}
          present={!!me.avatar}
        />
      </div>
      {me.banner && (
        <img className="banner-preview" src={`/banners/${me.id}/${me.banner}.png`} alt="Your banner" />
      )}
      <ImagePicker
        id="banner-file"
        label="Profile banner"
        save={(banner) => endpoints.modifyMe({ banner })}
        present={!!me.banner}
      />
      <Form
        label="Profile"
        error={save.error}
        onSubmit={() =>
          save.run(async () => {
            setSaved(false);
            await endpoints.modifyMe({ username, global_name: globalName || null, bio });
            setSaved(true);
          })
        }
      >
        <Field
          label="Username"
          name="username"
          value={username}
          onChange={setUsername}
          required
          error={save.fields.username}
        />
        <Field
          label="Display name"
          name="global_name"
          value={globalName}
          onChange={setGlobalName}
          maxLength={32}
          error={save.fields.global_name}
        />
        <div className="field">
          <label htmlFor="f-bio">About me</label>
          <textarea
            id="f-bio"
            value={bio}
            onChange={(e) => setBio(e.target.value)}
            maxLength={190}
            rows={3}
          />
        </div>
        <button type="submit" className="primary" disabled={save.busy}>
          Save
        </button>
        {saved && <p role="status">Saved.</p>}
      </Form>
    </section>
  );
}

const themes = [
  ['dark', 'Dark'],
  ['light', 'Light'],
  ['system', 'Follow the system'],
] as const;

/** The theme, chosen per device and applied at once. */
function Appearance() {
  const [choice, setChoice] = useState(themeChoice);
  return (
    <section aria-labelledby="appearance-title">
      <h1 id="appearance-title">Appearance</h1>
      <fieldset className="theme-choice">
        <legend>Theme (this device)</legend>
        {themes.map(([id, label]) => (
          <label key={id}>
            <input
              type="radio"
              name="theme"
              value={id}
              checked={choice === id}
              onChange={() => {
                setChoice(id);
                setTheme(id);
              }}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
    </section>
  );
}

/** The microphone's processing, per device; it applies from the next join. */
function VoiceSettings() {
  const [on, setOn] = useState(() => localStorage.getItem(processingKey) !== 'off');
  return (
    <section aria-labelledby="voice-title">
      <h1 id="voice-title">Voice</h1>
      <label>
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => {
            setOn(e.target.checked);
            localStorage.setItem(processingKey, e.target.checked ? 'on' : 'off');
          }}
        />{' '}
        Noise suppression, echo cancellation and automatic gain (this device; from the next time you join).
        Turn it off to send music or other steady sounds as they are.
      </label>
    </section>
  );
}

function PasswordForm() {
  const [password, setPassword] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction();
  return (
    <section aria-labelledby="password-title">
      <h1 id="password-title">Password</h1>
      <Form
        label="Change password"
        error={action.error}
        onSubmit={() =>
          action.run(async () => {
            await endpoints.changePassword({ password, new_password: next });
            setDone(true);
            setPassword('');
            setNext('');
          })
        }
      >
        <Field
          label="Current password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
          error={action.fields.password}
        />
        <Field
          label="New password"
          name="new_password"
          type="password"
          value={next}
          onChange={setNext}
          autoComplete="new-password"
          required
          minLength={8}
          error={action.fields.new_password}
        />
        <button type="submit" className="primary" disabled={action.busy}>
          Change password
        </button>
        {done && <p role="status">Your password is changed.</p>}
      </Form>
    </section>
  );
}

/** "Chrome on Linux" from a user agent; the raw string when it says nothing recognisable. */
function clientName(ua: string | null): string {
  if (!ua) return 'Unknown client';
  const browser = (
    [
      ['Edg/', 'Edge'],
      ['Firefox/', 'Firefox'],
      ['Chrome/', 'Chrome'],
      ['Safari/', 'Safari'],
    ] as const
  ).find(([k]) => ua.includes(k))?.[1];
  const os = (
    [
      ['Android', 'Android'],
      ['iPhone', 'iOS'],
      ['Windows', 'Windows'],
      ['Mac OS', 'macOS'],
      ['Linux', 'Linux'],
    ] as const
  ).find(([k]) => ua.includes(k))?.[1];
  return browser ? `${browser}${os ? ` on ${os}` : ''}` : ua.slice(0, 60);
}

function Sessions() {
  const [list, setList] = useState<SessionRow[] | null>(null);
  const action = useAction();
  const load = useCallback(() => endpoints.listSessions().then(setList), []);
  useEffect(() => {
    load().catch(() => setList([]));
  }, [load]);
  const revoke = (id: string) =>
    action.run(async () => {
      await endpoints.revokeSession(id);
      await load();
    });
  const everywhere = () =>
    action.run(async () => {
      for (const s of list ?? []) if (!s.current) await endpoints.revokeSession(s.id);
      await signOut();
    });
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Sessions</h1>
      <p>Every device signed in to your account. Revoking one signs it out at once.</p>
      {!list ? (
        <p>Loading…</p>
      ) : (
        <ul className="sessions">
          {list.map((s) => (
            <li key={s.id}>
              <div>
                <strong title={s.client ?? undefined}>{clientName(s.client)}</strong>{' '}
                {s.current && <span className="chip">This device</span>}
                <br />
                <small className="muted">
                  {s.ip ?? 'unknown address'} · signed in {new Date(s.created_at).toLocaleString()} · last
                  active {new Date(s.last_used_at).toLocaleString()}
                </small>
              </div>
              {s.current ? (
                <button type="button" onClick={() => signOut()}>
                  Sign out
                </button>
              ) : (
                <button
                  type="button"
                  onClick={() => revoke(s.id)}
                  aria-label={`Revoke session ${clientName(s.client)} from ${s.ip ?? 'unknown address'}`}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="danger" onClick={everywhere} disabled={action.busy}>
        Sign out everywhere
      </button>
      <Alert message={action.error} />
    </section>
  );
}

/**
 * Blocked domains: the user's own (that server's accounts leave their timelines and notifications) and, for an
 * instance admin, the instance's (nothing is accepted from or delivered to it). The admin part shows only when the
 * server lets the user read that list.
 */
function DomainBlocks() {
  const [mine, setMine] = useState<string[] | null>(null);
  const [instance, setInstance] = useState<AdminDomainBlock[] | null>(null);
  const [domain, setDomain] = useState('');
  const [instanceDomain, setInstanceDomain] = useState('');
  const action = useAction();
  const adminAction = useAction();
  const load = useCallback(async () => {
    setMine(await endpoints.myDomainBlocks());
    // 403 for everyone but the instance's admins: their part stays hidden.
    setInstance(await endpoints.instanceDomainBlocks().catch(() => null));
  }, []);
  useEffect(() => {
    load().catch(() => setMine([]));
  }, [load]);
  return (
    <section aria-labelledby="domains-title">
      <h1 id="domains-title">Blocked domains</h1>
      <p>Posts and notifications from accounts on a server you block no longer reach you.</p>
      <Form
        label="Block a domain"
        error={action.error}
        onSubmit={() =>
          action.run(async () => {
            await endpoints.blockDomain(domain.trim());
            setDomain('');
            await load();
          })
        }
      >
        <Field label="Domain" name="domain" value={domain} onChange={setDomain} required maxLength={253} />
        <button type="submit" className="primary" disabled={action.busy}>
          Block
        </button>
      </Form>
      {!mine ? (
        <p>Loading…</p>
      ) : mine.length === 0 ? (
        <p className="muted">You block no domain.</p>
      ) : (
        <ul className="sessions" aria-label="Domains you block">
          {mine.map((d) => (
            <li key={d}>
              <strong>{d}</strong>
              <button
                type="button"
                aria-label={`Unblock ${d}`}
                onClick={() =>
                  action.run(async () => {
                    await endpoints.unblockDomain(d);
                    await load();
                  })
                }
              >
                Unblock
              </button>
            </li>
          ))}
        </ul>
      )}
      {instance && (
        <>
          <h2>This instance (admin)</h2>
          <p>
            Nothing is accepted from a blocked server, nothing is delivered to it, and none of its accounts is
            looked up.
          </p>
          <Form
            label="Block a domain for the instance"
            error={adminAction.error}
            onSubmit={() =>
              adminAction.run(async () => {
                await endpoints.blockInstanceDomain(instanceDomain.trim());
                setInstanceDomain('');
                await load();
              })
            }
          >
            <Field
              label="Instance domain"
              name="instance-domain"
              value={instanceDomain}
              onChange={setInstanceDomain}
              required
              maxLength={253}
            />
            <button type="submit" className="primary" disabled={adminAction.busy}>
              Block for everyone
            </button>
          </Form>
          <ul className="sessions" aria-label="Domains the instance blocks">
            {instance.map((b) => (
              <li key={b.id}>
                <div>
                  <strong>{b.domain}</strong>
                  <br />
                  <small className="muted">
                    {b.severity} · since {new Date(b.created_at).toLocaleString()}
                  </small>
                </div>
                <button
                  type="button"
                  aria-label={`Lift the instance block of ${b.domain}`}
                  onClick={() =>
                    adminAction.run(async () => {
                      await endpoints.unblockInstanceDomain(b.id);
                      await load();
                    })
                  }
                >
                  Lift
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
