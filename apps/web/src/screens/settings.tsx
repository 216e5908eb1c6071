// User settings: profile (names, bio, avatar), appearance (theme, this device), accessibility (reduced motion,
// contrast, this device), password, sessions (revoke one, sign out everywhere), authorized apps (installed to the
// account; remove one), the account (deactivate, delete), blocked domains (one's own; the instance's for its admins)
// and the developer
// portal (./developer).
import { useCallback, useEffect, useId, useState } from 'react';
import { download, signedOut } from '../api';
import type { AdminDomainBlock, KnownInstance, SessionRow } from '../endpoints';
import * as endpoints from '../endpoints';
import { ImagePicker } from '../image-crop';
import { navigate } from '../router';
import { signOut, stopSession } from '../session';
import { useStore } from '../store';
import {
  contrastChoice,
  type Density,
  densityChoice,
  type FontScale,
  fontScaleChoice,
  fontScales,
  reducedMotionChoice,
  type SystemOr,
  setContrast,
  setDensity,
  setFontScale,
  setReducedMotion,
  setTheme,
  themeChoice,
} from '../theme';
import { Alert, Avatar, Field, Form, useAction } from '../ui';
import {
  deviceKeys,
  inputModeKey,
  level,
  meter,
  openMicrophone,
  processingKey,
  pushToTalkKey,
} from '../voice';
import { Developer } from './developer';

const sections = [
  ['profile', 'Profile'],
  ['appearance', 'Appearance'],
  ['accessibility', 'Accessibility'],
  ['voice', 'Voice'],
  ['password', 'Password'],
  ['sessions', 'Sessions'],
  ['apps', 'Authorized apps'],
  ['account', 'Account'],
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
        ) : section === 'accessibility' ? (
          <AccessibilitySettings />
        ) : section === 'voice' ? (
          <VoiceSettings />
        ) : section === 'password' ? (
          <PasswordForm />
        ) : section === 'sessions' ? (
          <Sessions />
        ) : section === 'apps' ? (
          <AuthorizedApps />
        ) : section === 'account' ? (
          <Account />
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
  const [pronouns, setPronouns] = useState(me.pronouns ?? '');
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
          crop={{ title: 'Crop your avatar', width: 1024, height: 1024, round: true }}
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
        crop={{ title: 'Crop your banner', width: 1680, height: 672 }}
      />
      <Form
        label="Profile"
        error={save.error}
        onSubmit={() =>
          save.run(async () => {
            setSaved(false);
            await endpoints.modifyMe({ username, global_name: globalName || null, bio, pronouns });
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
        <Field
          label="Pronouns"
          name="pronouns"
          value={pronouns}
          onChange={setPronouns}
          maxLength={40}
          error={save.fields.pronouns}
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

const densities = [
  ['cozy', 'Cozy: avatars and roomy rows'],
  ['compact', 'Compact: more messages on the screen'],
] as const;

/** One group of radio buttons (a setting of this device), applied as soon as it is chosen. */
function ChoiceGroup<T extends string | number>(props: {
  legend: string;
  name: string;
  options: ReadonlyArray<readonly [T, string]>;
  value: T;
  onChange: (v: T) => void;
}) {
  return (
    <fieldset className="theme-choice">
      <legend>{props.legend}</legend>
      {props.options.map(([id, label]) => (
        <label key={id}>
          <input
            type="radio"
            name={props.name}
            value={id}
            checked={props.value === id}
            onChange={() => props.onChange(id)}
          />{' '}
          {label}
        </label>
      ))}
    </fieldset>
  );
}

/** A setting of this device: its stored value, and a setter that stores and applies it. */
function useDeviceSetting<T>(read: () => T, apply: (v: T) => void): [T, (v: T) => void] {
  const [value, setValue] = useState(read);
  return [
    value,
    (v: T) => {
      setValue(v);
      apply(v);
    },
  ];
}

/** The theme, message density and font scale, chosen per device and applied at once. */
function Appearance() {
  const [theme, chooseTheme] = useDeviceSetting(themeChoice, setTheme);
  const [density, chooseDensity] = useDeviceSetting<Density>(densityChoice, setDensity);
  const [scale, chooseScale] = useDeviceSetting<FontScale>(fontScaleChoice, setFontScale);
  return (
    <section aria-labelledby="appearance-title">
      <h1 id="appearance-title">Appearance</h1>
      <ChoiceGroup
        legend="Theme (this device)"
        name="theme"
        options={themes}
        value={theme}
        onChange={chooseTheme}
      />
      <ChoiceGroup
        legend="Message display"
        name="density"
        options={densities}
        value={density}
        onChange={chooseDensity}
      />
      <ChoiceGroup
        legend="Font size"
        name="font-scale"
        options={fontScales.map((s) => [s, `${s}%`] as const)}
        value={scale}
        onChange={chooseScale}
      />
    </section>
  );
}

const systemOr = (on: string, off: string): ReadonlyArray<readonly [SystemOr, string]> => [
  ['system', 'Follow the system'],
  ['on', on],
  ['off', off],
];

/** Reduced motion and more contrast, chosen per device (or the system's) and applied at once. */
function AccessibilitySettings() {
  const [motion, chooseMotion] = useDeviceSetting<SystemOr>(reducedMotionChoice, setReducedMotion);
  const [contrast, chooseContrast] = useDeviceSetting<SystemOr>(contrastChoice, setContrast);
  return (
    <section aria-labelledby="accessibility-title">
      <h1 id="accessibility-title">Accessibility</h1>
      <ChoiceGroup
        legend="Reduced motion (animations and transitions)"
        name="reduced-motion"
        options={systemOr('Reduce motion', 'Full motion')}
        value={motion}
        onChange={chooseMotion}
      />
      <ChoiceGroup
        legend="Contrast"
        name="contrast"
        options={systemOr('More contrast', 'Normal contrast')}
        value={contrast}
        onChange={chooseContrast}
      />
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
      <DeviceChoices />
      <MicTest />
      <InputMode />
    </section>
  );
}

/**
 * The microphone, speakers and camera voice uses, chosen among the browser's devices (enumerateDevices) and kept
 * for this device; from the next time you join (speakers: for new sounds). Names show once the browser was allowed
 * a microphone or camera.
 */
function DeviceChoices() {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    const media = navigator.mediaDevices;
    if (!media?.enumerateDevices) return;
    const load = () => media.enumerateDevices().then(setDevices, () => setDevices([]));
    load();
    media.addEventListener('devicechange', load);
    return () => media.removeEventListener('devicechange', load);
  }, []);
  const choices = [
    { kind: 'audioinput', key: deviceKeys.input, label: 'Microphone' },
    { kind: 'audiooutput', key: deviceKeys.output, label: 'Speakers' },
    { kind: 'videoinput', key: deviceKeys.camera, label: 'Camera' },
  ] as const;
  return (
    <fieldset className="device-choices">
      <legend>Devices (this device)</legend>
      {choices.map((c) => (
        <DeviceSelect
          key={c.kind}
          label={c.label}
          storageKey={c.key}
          devices={devices.filter((d) => d.kind === c.kind && d.deviceId && d.deviceId !== 'default')}
        />
      ))}
    </fieldset>
  );
}

function DeviceSelect(props: { label: string; storageKey: string; devices: MediaDeviceInfo[] }) {
  const [value, setValue] = useState(() => localStorage.getItem(props.storageKey) ?? '');
  const id = useId();
  return (
    <div className="device-choice">
      <label htmlFor={id}>{props.label}</label>{' '}
      <select
        id={id}
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          if (e.target.value) localStorage.setItem(props.storageKey, e.target.value);
          else localStorage.removeItem(props.storageKey);
        }}
      >
        <option value="">The browser's default</option>
        {props.devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `${props.label} ${i + 1}`}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A mic test: the chosen microphone, opened as voice opens it, and its level live (nothing is sent anywhere). */
function MicTest() {
  const [testing, setTesting] = useState(false);
  const [value, setValue] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!testing) return;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setInterval> | undefined;
    let stopped = false;
    const context = new AudioContext();
    openMicrophone().then(
      (s) => {
        if (stopped) {
          for (const t of s.getTracks()) t.stop();
          return;
        }
        stream = s;
        const analyser = meter(context, s);
        timer = setInterval(() => setValue(Math.min(1, level(analyser) * 4)), 100);
      },
      () => {
        setError('The microphone could not be opened.');
        setTesting(false);
      },
    );
    return () => {
      stopped = true;
      clearInterval(timer);
      for (const t of stream?.getTracks() ?? []) t.stop();
      context.close().catch(() => {});
      setValue(0);
    };
  }, [testing]);
  return (
    <div className="mic-test">
      <button
        type="button"
        onClick={() => {
          setError(null);
          setTesting((t) => !t);
        }}
      >
        {testing ? 'Stop the mic test' : 'Test the microphone'}
      </button>{' '}
      <meter aria-label="Microphone level" min={0} max={1} value={value} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Voice activity (the microphone is open while unmuted) or push to talk (open while a key is held). */
function InputMode() {
  const [ptt, setPtt] = useState(() => localStorage.getItem(inputModeKey) === 'ptt');
  const [key, setKey] = useState(() => localStorage.getItem(pushToTalkKey) || 'Backquote');
  const [listening, setListening] = useState(false);
  return (
    <fieldset className="input-mode">
      <legend>Input mode (this device)</legend>
      <label>
        <input
          type="radio"
          name="input-mode"
          checked={!ptt}
          onChange={() => {
            setPtt(false);
            localStorage.setItem(inputModeKey, 'vad');
          }}
        />{' '}
        Voice activity
      </label>
      <label>
        <input
          type="radio"
          name="input-mode"
          checked={ptt}
          onChange={() => {
            setPtt(true);
            localStorage.setItem(inputModeKey, 'ptt');
          }}
        />{' '}
        Push to talk
      </label>
      {ptt && (
        <button
          type="button"
          aria-label={`Push-to-talk key: ${key}. Change it`}
          onClick={() => setListening(true)}
          onKeyDown={(e) => {
            if (!listening) return;
            e.preventDefault();
            setKey(e.code);
            localStorage.setItem(pushToTalkKey, e.code);
            setListening(false);
          }}
        >
          {listening ? 'Press a key…' : `Key: ${key}`}
        </button>
      )}
    </fieldset>
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

/**
 * The account's lifecycle: deactivate (hidden until one signs in again) or delete for good, each confirmed with the
 * password; deleting also asks to type the username. Either ends every session, this one included.
 */
function Account() {
  const me = useStore((s) => s.me);
  const [choice, setChoice] = useState<'deactivate' | 'delete' | null>(null);
  const [password, setPassword] = useState('');
  const [typed, setTyped] = useState('');
  const action = useAction();
  const username = me?.username ?? '';
  const submit = () =>
    action.run(async () => {
      if (choice === 'delete') await endpoints.deleteAccount(password);
      else await endpoints.deactivateAccount(password);
      // The server ended every session: this one is over too.
      stopSession();
      signedOut();
    });
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      <ExportData />
      <ImportData />
      <h2>Deactivate</h2>
      <p>
        Your profile and posts are hidden from everyone and you are signed out everywhere. Sign in again to
        come back.
      </p>
      <button type="button" onClick={() => setChoice('deactivate')} disabled={choice === 'deactivate'}>
        Deactivate account…
      </button>
      <h2>Delete</h2>
      <p>
        Your posts, comments, reactions, votes, follows, lists and uploaded media are removed (within minutes;
        a large account takes longer), your chat messages stay as "Deleted User", and your username stays
        reserved. This cannot be undone. Hand over any server you own first.
      </p>
      <button
        type="button"
        className="danger"
        onClick={() => setChoice('delete')}
        disabled={choice === 'delete'}
      >
        Delete account…
      </button>
      {choice && (
        <Form
          label={choice === 'delete' ? 'Confirm deleting your account' : 'Confirm deactivating your account'}
          error={action.error}
          onSubmit={submit}
        >
          <Field
            label="Password"
            name="password"
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="current-password"
            required
            error={action.fields.password}
          />
          {choice === 'delete' && (
            <Field
              label={`Type your username (${username}) to confirm`}
              name="confirm_username"
              value={typed}
              onChange={setTyped}
              autoComplete="off"
              required
            />
          )}
          <div className="row">
            <button type="button" onClick={() => setChoice(null)}>
              Cancel
            </button>
            <button
              type="submit"
              className="danger"
              disabled={action.busy || (choice === 'delete' && typed !== username)}
            >
              {choice === 'delete' ? 'Delete my account' : 'Deactivate my account'}
            </button>
          </div>
        </Form>
      )}
    </section>
  );
}

const dateTime = (iso: string) => new Date(iso).toLocaleString();

/**
 * "Export your data": Mastodon's CSV exports, downloaded at once, and the archive of everything (statuses, media,
 * likes, bookmarks, chat messages), asked for here, built in the background, then downloaded from here (ADR 0051).
 */
function ExportData() {
  const [status, setStatus] = useState<endpoints.ArchiveStatus | null>(null);
  const action = useAction();
  const load = useCallback(() => endpoints.getArchive().then(setStatus, () => {}), []);
  useEffect(() => {
    load();
  }, [load]);
  const pending = status?.archive?.state === 'pending';
  // While the archive is being built, look again every few seconds.
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [pending, load]);
  const archive = status?.archive ?? null;
  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">Export your data</h2>
      <p>
        Lists of your follows, followers, lists, blocks, mutes and bookmarks, as other Mastodon servers import
        them.
      </p>
      <ul className="export-list">
        {endpoints.CSV_EXPORTS.map(([file, label]) => (
          <li key={file}>
            <button
              type="button"
              className="link"
              onClick={() => action.run(() => download(`/v1/hearth/exports/${file}`, file))}
            >
              {label} <span className="muted">({file})</span>
            </button>
          </li>
        ))}
      </ul>
      <h3>Archive</h3>
      <p>
        An archive of your posts (as ActivityPub), media, likes, bookmarks and chat messages. You can ask for
        one once a week; we mail you when it is ready.
      </p>
      {archive && (
        <p aria-live="polite" data-testid="archive-status">
          {archive.state === 'pending' && `Being prepared (asked ${dateTime(archive.created_at)})…`}
          {archive.state === 'failed' && 'The last archive could not be made. Ask for a new one.'}
          {archive.state === 'ready' &&
            `Ready: ${Math.max(1, Math.round((archive.size ?? 0) / 1024))} KB, made ${dateTime(archive.completed_at ?? archive.created_at)}${archive.expires_at ? `, available until ${dateTime(archive.expires_at)}` : ''}.`}
        </p>
      )}
      <div className="row">
        {archive?.state === 'ready' && (
          <button
            type="button"
            className="primary"
            onClick={() =>
              action.run(() =>
                download(
                  `/v1/hearth/account/archive/${archive.id}/download`,
                  `hearth-archive-${archive.id}.zip`,
                ),
              )
            }
          >
            Download archive
          </button>
        )}
        <button
          type="button"
          disabled={action.busy || pending || !!status?.next_request_at}
          onClick={() =>
            action.run(async () => {
              setStatus(await endpoints.requestArchive());
            })
          }
        >
          Request an archive
        </button>
      </div>
      {status?.next_request_at && !pending && (
        <p className="muted">You can ask for another archive after {dateTime(status.next_request_at)}.</p>
      )}
      <Alert message={action.error} />
    </section>
  );
}

/**
 * "Import": a CSV file of Mastodon's kinds (this server's exports or another's), merged into what the account has or
 * replacing it, worked through in the background; its progress and the rows that failed, with why (ADR 0051).
 */
function ImportData() {
  const [imports, setImports] = useState<endpoints.AccountImport[] | null>(null);
  const [type, setType] = useState<string>('following');
  const [mode, setMode] = useState<'merge' | 'overwrite'>('merge');
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const action = useAction();
  const typeId = useId();
  const fileId = useId();
  const load = useCallback(() => endpoints.getImports().then(setImports, () => {}), []);
  useEffect(() => {
    load();
  }, [load]);
  const pending = imports?.some((i) => i.state === 'pending') ?? false;
  // While an import is being worked through, look again every few seconds.
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, [pending, load]);
  const label = (t: string) => endpoints.IMPORT_TYPES.find(([k]) => k === t)?.[1] ?? t;
  const submit = () =>
    action.run(async () => {
      if (!file) return;
      const started = await endpoints.startImport(type, mode, file);
      setImports((list) => [started, ...(list ?? [])]);
      setFile(null);
      setInputKey((k) => k + 1);
    });
  return (
    <section aria-labelledby="import-title">
      <h2 id="import-title">Import</h2>
      <p>
        A CSV file exported from this server or another Mastodon server: follows, lists, blocks, mutes,
        blocked domains or bookmarks.
      </p>
      <Form label="Import a file" error={action.error} onSubmit={submit}>
        <label htmlFor={typeId}>What it holds</label>
        <select id={typeId} value={type} onChange={(e) => setType(e.target.value)}>
          {endpoints.IMPORT_TYPES.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
        <fieldset>
          <legend>How</legend>
          <label>
            <input
              type="radio"
              name="import-mode"
              checked={mode === 'merge'}
              onChange={() => setMode('merge')}
            />{' '}
            Merge: keep what you have and add the file's
          </label>
          <label>
            <input
              type="radio"
              name="import-mode"
              checked={mode === 'overwrite'}
              onChange={() => setMode('overwrite')}
            />{' '}
            Overwrite: what the file does not name is removed
          </label>
        </fieldset>
        <label htmlFor={fileId}>CSV file</label>
        <input
          key={inputKey}
          id={fileId}
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
        <div className="row">
          <button type="submit" className="primary" disabled={action.busy || !file || pending}>
            Import
          </button>
        </div>
      </Form>
      {imports && imports.length > 0 && (
        <ul className="import-list" aria-live="polite" data-testid="imports">
          {imports.map((i) => (
            <li key={i.id}>
              <strong>{label(i.type)}</strong> ({i.mode}, {dateTime(i.created_at)}):{' '}
              {i.state === 'pending'
                ? `${i.processed_rows} of ${i.total_rows} rows done…`
                : `done: ${i.imported_rows} imported, ${i.failed_rows} failed.`}
              {i.failures.length > 0 && (
                <details>
                  <summary>Rows that failed</summary>
                  <ul>
                    {i.failures.map((f) => (
                      <li key={f.row}>
                        Row {f.row} <code>{f.value}</code>: {f.error}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </li>
          ))}
        </ul>
      )}
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
 * Authorized apps: the applications installed to the account (Discord's user install, through an install link).
 * Their commands are offered wherever the person types `/`; Remove takes them away at once.
 */
function AuthorizedApps() {
  const [list, setList] = useState<endpoints.AuthorizedApp[] | null>(null);
  const action = useAction();
  const load = useCallback(() => endpoints.authorizedApps().then(setList), []);
  useEffect(() => {
    load().catch(() => setList([]));
  }, [load]);
  const remove = (id: string) =>
    action.run(async () => {
      await endpoints.removeAuthorizedApp(id);
      await load();
    });
  return (
    <section aria-labelledby="apps-title">
      <h1 id="apps-title">Authorized apps</h1>
      <p>
        Apps added to your account. Their commands are yours to use in any server, DM or group DM; they see
        only the commands you use.
      </p>
      {!list ? (
        <p>Loading…</p>
      ) : list.length === 0 ? (
        <p className="muted">No apps are added to your account.</p>
      ) : (
        <ul className="sessions" aria-label="Authorized apps">
          {list.map((a) => (
            <li key={a.id}>
              <div>
                <strong>{a.application.name}</strong>
                {a.application.description && (
                  <>
                    <br />
                    <small className="muted">{a.application.description}</small>
                  </>
                )}
              </div>
              <button
                type="button"
                className="danger"
                disabled={action.busy}
                onClick={() => remove(a.id)}
                aria-label={`Remove ${a.application.name}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <Alert message={action.error} />
    </section>
  );
}

/**
 * Blocked domains: the user's own (that server's accounts leave their timelines and notifications) and, for an
 * instance admin, the instance's (suspended: nothing is accepted from or delivered to it; silenced: its posts leave
 * public places for non-followers) and the instances Hearth knows. The admin part shows only when the server lets
 * the user read those lists.
 */
function DomainBlocks() {
  const [mine, setMine] = useState<string[] | null>(null);
  const [instance, setInstance] = useState<AdminDomainBlock[] | null>(null);
  const [known, setKnown] = useState<KnownInstance[] | null>(null);
  const [domain, setDomain] = useState('');
  const [instanceDomain, setInstanceDomain] = useState('');
  const [severity, setSeverity] = useState<'silence' | 'suspend'>('suspend');
  const severityId = useId();
  const action = useAction();
  const adminAction = useAction();
  const load = useCallback(async () => {
    setMine(await endpoints.myDomainBlocks());
    // 403 for everyone but the instance's admins: their part stays hidden.
    setInstance(await endpoints.instanceDomainBlocks().catch(() => null));
    setKnown(await endpoints.knownInstances().catch(() => null));
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
            Nothing is accepted from a suspended server, nothing is delivered to it, and none of its accounts
            is looked up. A silenced server's posts leave public timelines and search for those who do not
            follow its accounts, which notify only their followers and need approval to follow.
          </p>
          <Form
            label="Block a domain for the instance"
            error={adminAction.error}
            onSubmit={() =>
              adminAction.run(async () => {
                await endpoints.blockInstanceDomain(instanceDomain.trim(), severity);
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
            <div className="device-choice">
              <label htmlFor={severityId}>Severity</label>{' '}
              <select
                id={severityId}
                value={severity}
                onChange={(e) => setSeverity(e.target.value === 'silence' ? 'silence' : 'suspend')}
              >
                <option value="suspend">Suspend</option>
                <option value="silence">Silence (limit)</option>
              </select>
            </div>
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
      {known && <KnownInstances instances={known} />}
    </section>
  );
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

/** The instances Hearth knows (admins only): accounts, follows both ways, traffic, failures, block. */
function KnownInstances({ instances }: { instances: KnownInstance[] }) {
  return (
    <>
      <h2 id="known-instances-title">Known instances</h2>
      {instances.length === 0 ? (
        <p className="muted">No other instance is known yet.</p>
      ) : (
        <ul className="sessions" aria-labelledby="known-instances-title">
          {instances.map((i) => (
            <li key={i.domain}>
              <div className="instance-info">
                <strong>{i.domain}</strong>
                {i.block && (
                  <span className="instance-state">
                    {i.block.severity === 'silence' ? 'silenced' : 'suspended'}
                  </span>
                )}
                {i.unavailable_since && (
                  <span
                    className="instance-state"
                    title={`Nothing is sent there since ${when(i.unavailable_since)}`}
                  >
                    unavailable
                  </span>
                )}
                <br />
                <small className="muted">
                  {i.accounts_count} accounts · {i.followers_count} follows of ours · {i.following_count}{' '}
                  followed by ours
                </small>
                <br />
                <small className="muted">
                  Received {when(i.last_received_at)} · delivered {when(i.last_delivered_at)}
                  {i.failures > 0 && ` · ${i.failures} failed deliveries, last ${when(i.last_failed_at)}`}
                </small>
                {i.failures > 0 && i.last_error && (
                  <>
                    <br />
                    <small className="muted" title={i.last_error}>
                      {i.last_error.slice(0, 120)}
                    </small>
                  </>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
