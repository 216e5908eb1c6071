// User settings → Developer: the developer portal (ADR 0038). People create applications with their bots, edit
// them, reset the bot token (shown once), turn on privileged intents, set the interactions endpoint (the server
// verifies it with signed PINGs before saving) and build the invite link. The server decides everything; this
// screen shows what it answered.
import { useCallback, useEffect, useState } from 'react';
import type { Application } from '../endpoints';
import * as endpoints from '../endpoints';
import { ImagePicker } from '../image-crop';
import { Permission } from '../permissions';
import { navigate, usePath } from '../router';
import { Alert, Dialog, Field, Form, useAction } from '../ui';

/** Discord's application flags for the privileged intents (the full ones; Hearth has no verification). */
const intentFlags = [
  [1 << 12, 'Presence intent', 'Receive presence updates of the members of the servers the bot is in.'],
  [1 << 14, 'Server members intent', 'Receive member join, update and leave events, and list members.'],
  [
    1 << 18,
    'Message content intent',
    'Read the content, embeds and attachments of messages not addressed to it.',
  ],
] as const;

/** The permissions the invite link generator offers, in Discord's words. */
const invitePermissions: Array<[keyof typeof Permission, string]> = [
  ['ADMINISTRATOR', 'Administrator'],
  ['VIEW_CHANNEL', 'View channels'],
  ['SEND_MESSAGES', 'Send messages'],
  ['SEND_MESSAGES_IN_THREADS', 'Send messages in threads'],
  ['CREATE_PUBLIC_THREADS', 'Create public threads'],
  ['EMBED_LINKS', 'Embed links'],
  ['ATTACH_FILES', 'Attach files'],
  ['READ_MESSAGE_HISTORY', 'Read message history'],
  ['ADD_REACTIONS', 'Add reactions'],
  ['USE_EXTERNAL_EMOJIS', 'Use external emoji'],
  ['MENTION_EVERYONE', 'Mention everyone'],
  ['MANAGE_MESSAGES', 'Manage messages'],
  ['MANAGE_CHANNELS', 'Manage channels'],
  ['MANAGE_ROLES', 'Manage roles'],
  ['MANAGE_WEBHOOKS', 'Manage webhooks'],
  ['KICK_MEMBERS', 'Kick members'],
  ['BAN_MEMBERS', 'Ban members'],
  ['MODERATE_MEMBERS', 'Time out members'],
  ['CONNECT', 'Connect (voice)'],
  ['SPEAK', 'Speak (voice)'],
];

type Tab = 'general' | 'bot' | 'oauth2';

/** `/settings/developer` lists the applications; `/settings/developer/:id/:tab` opens one. */
export function Developer() {
  const path = usePath();
  const [, , , appId, tab] = path.split('/');
  if (appId) return <ApplicationScreen id={appId} tab={(tab as Tab) || 'general'} />;
  return <ApplicationList />;
}

function ApplicationList() {
  const [apps, setApps] = useState<Application[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const create = useAction();
  useEffect(() => {
    endpoints.listApplications().then(setApps, (err) => setLoadError(err.message));
  }, []);
  return (
    <section aria-labelledby="developer-title" className="developer">
      <h1 id="developer-title">Developer portal</h1>
      <p>Applications are how bots and apps reach Hearth through its Discord-compatible API.</p>
      <Form
        label="New application"
        className="inline-form"
        error={create.error}
        onSubmit={() =>
          create.run(async () => {
            const app = await endpoints.createApplication(name.trim());
            navigate(`/settings/developer/${app.id}/general`);
          })
        }
      >
        <Field
          label="Name"
          name="application-name"
          value={name}
          onChange={setName}
          required
          minLength={2}
          maxLength={32}
          error={create.fields.name}
        />
        <button type="submit" className="primary" disabled={create.busy}>
          Create application
        </button>
      </Form>
      <Alert message={loadError} />
      {apps?.length === 0 && <p>You have no applications yet.</p>}
      <ul className="app-list" aria-label="My applications">
        {apps?.map((a) => (
          <li key={a.id}>
            <a
              href={`/settings/developer/${a.id}/general`}
              onClick={(e) => {
                e.preventDefault();
                navigate(`/settings/developer/${a.id}/general`);
              }}
            >
              <AppIcon app={a} /> <span>{a.name}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function AppIcon({ app, size = 32 }: { app: Application; size?: number }) {
  if (!app.icon)
    return (
      <span className="app-icon" style={{ width: size, height: size }} aria-hidden="true">
        {app.name.slice(0, 1).toUpperCase()}
      </span>
    );
  return (
    <img
      className="app-icon"
      src={`/app-icons/${app.id}/${app.icon}.png`}
      width={size}
      height={size}
      alt=""
    />
  );
}

function ApplicationScreen({ id, tab }: { id: string; tab: Tab }) {
  const [app, setApp] = useState<Application | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const load = useCallback(
    () => endpoints.getApplication(id).then(setApp, (err) => setLoadError(err.message)),
    [id],
  );
  useEffect(() => {
    load();
  }, [load]);
  const tabs: Array<[Tab, string]> = [
    ['general', 'General information'],
    ['bot', 'Bot'],
    ['oauth2', 'OAuth2 URL generator'],
  ];
  return (
    <section aria-labelledby="application-title" className="developer">
      <button type="button" className="link" onClick={() => navigate('/settings/developer')}>
        ← My applications
      </button>
      <Alert message={loadError} />
      {app && (
        <>
          <h1 id="application-title" className="row">
            <AppIcon app={app} size={40} /> {app.name}
          </h1>
          <div className="tabs" role="tablist" aria-label="Application sections">
            {tabs.map(([t, label]) => (
              <button
                key={t}
                type="button"
                role="tab"
                aria-selected={tab === t}
                onClick={() => navigate(`/settings/developer/${id}/${t}`, { replace: true })}
              >
                {label}
              </button>
            ))}
          </div>
          <div role="tabpanel" className="settings-panel">
            {tab === 'bot' ? (
              <BotTab app={app} onSaved={setApp} />
            ) : tab === 'oauth2' ? (
              <OAuth2Tab app={app} />
            ) : (
              <GeneralTab app={app} onSaved={setApp} />
            )}
          </div>
        </>
      )}
    </section>
  );
}

function Copyable({ label, value, name }: { label: string; value: string; name: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="field">
      <label htmlFor={`f-${name}`}>{label}</label>
      <div className="row">
        <input id={`f-${name}`} readOnly value={value} onFocus={(e) => e.target.select()} />
        <button
          type="button"
          onClick={async () => {
            await navigator.clipboard?.writeText(value).catch(() => {});
            setCopied(true);
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}

function GeneralTab({ app, onSaved }: { app: Application; onSaved: (a: Application) => void }) {
  const [name, setName] = useState(app.name);
  const [description, setDescription] = useState(app.description);
  const [url, setUrl] = useState(app.interactions_endpoint_url ?? '');
  const [saved, setSaved] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const save = useAction();
  const endpoint = useAction();
  return (
    <>
      <Copyable label="Application ID" name="application-id" value={app.id} />
      <Copyable label="Public key" name="public-key" value={app.verify_key} />
      <ImagePicker
        id="app-icon-file"
        label="App icon"
        present={!!app.icon}
        save={async (icon) => onSaved(await endpoints.modifyApplication(app.id, { icon }))}
        crop={{ title: 'Crop the app icon', width: 1024, height: 1024 }}
      />
      <Form
        label="General information"
        error={save.error}
        onSubmit={() =>
          save.run(async () => {
            setSaved(null);
            onSaved(await endpoints.modifyApplication(app.id, { name: name.trim(), description }));
            setSaved('general');
          })
        }
      >
        <Field
          label="Name"
          name="app-name"
          value={name}
          onChange={setName}
          required
          minLength={2}
          maxLength={32}
          error={save.fields.name}
        />
        <div className="field">
          <label htmlFor="f-app-description">Description</label>
          <textarea
            id="f-app-description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            maxLength={400}
            rows={3}
          />
        </div>
        <button type="submit" className="primary" disabled={save.busy}>
          Save changes
        </button>
        {saved === 'general' && <p role="status">Saved.</p>}
      </Form>
      <Form
        label="Interactions endpoint"
        error={endpoint.error}
        onSubmit={() =>
          endpoint.run(async () => {
            setSaved(null);
            const next = await endpoints.modifyApplication(app.id, {
              interactions_endpoint_url: url.trim() || null,
            });
            onSaved(next);
            setSaved(next.interactions_endpoint_url ? 'endpoint' : 'endpoint-cleared');
          })
        }
      >
        <Field
          label="Interactions endpoint URL"
          name="interactions-endpoint-url"
          type="url"
          value={url}
          onChange={setUrl}
          maxLength={2048}
          hint="Hearth POSTs interactions here, signed with the public key, instead of sending them over the gateway. It must answer a PING and refuse bad signatures."
          error={endpoint.fields.interactions_endpoint_url}
        />
        <button type="submit" disabled={endpoint.busy}>
          {endpoint.busy ? 'Verifying…' : 'Save endpoint'}
        </button>
        {saved === 'endpoint' && (
          <p role="status">Verified and saved: the endpoint answered the signed PING.</p>
        )}
        {saved === 'endpoint-cleared' && (
          <p role="status">Endpoint removed: interactions go over the gateway.</p>
        )}
      </Form>
      <h2>Delete application</h2>
      <p>Its bot leaves every server and its token stops working. This cannot be undone.</p>
      <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
        Delete application
      </button>
      {confirmDelete && <DeleteApplication app={app} onClose={() => setConfirmDelete(false)} />}
    </>
  );
}

function DeleteApplication({ app, onClose }: { app: Application; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const act = useAction();
  return (
    <Dialog title={`Delete ${app.name}?`} onClose={onClose}>
      <Form
        label={`Delete ${app.name}`}
        error={act.error}
        onSubmit={() =>
          act.run(async () => {
            await endpoints.deleteApplication(app.id);
            onClose();
            navigate('/settings/developer', { replace: true });
          })
        }
      >
        <p>The application, its bot's access and its commands are deleted. Type its name to confirm.</p>
        <Field label="Application name" name="confirm-app-name" value={typed} onChange={setTyped} required />
        <div className="row">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={act.busy || typed !== app.name}>
            Delete
          </button>
        </div>
      </Form>
    </Dialog>
  );
}

function BotTab({ app, onSaved }: { app: Application; onSaved: (a: Application) => void }) {
  const [token, setToken] = useState<string | null>(null);
  const [confirmReset, setConfirmReset] = useState(false);
  const reset = useAction();
  const flags = useAction();
  const [isPublic, setPublic] = useState(app.bot_public);
  const [userInstall, setUserInstall] = useState(!!app.integration_types_config?.['1']);
  // Shown at once; put back as the server has them when saving fails.
  const [intents, setIntents] = useState(() => intentFlags.reduce((all, [b]) => all | (app.flags & b), 0));
  const setFlag = async (bit: number, on: boolean) => {
    const next = on ? intents | bit : intents & ~bit;
    setIntents(next);
    const ok = await flags.run(async () =>
      onSaved(await endpoints.modifyApplication(app.id, { flags: next })),
    );
    if (!ok) setIntents(intents);
  };
  return (
    <>
      {app.bot && (
        <p>
          Bot user: <strong>{app.bot.username}</strong> (ID {app.bot.id})
        </p>
      )}
      <h2>Token</h2>
      <p>The token is shown once, when it is made. Resetting it disconnects the bot and stops the old one.</p>
      {token ? (
        <>
          <Copyable
            label="Bot token (copy it now; it will not be shown again)"
            name="bot-token"
            value={token}
          />
          <button type="button" className="link" onClick={() => setToken(null)}>
            Hide token
          </button>
        </>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirmReset(true)}>
          Reset token
        </button>
      )}
      <Alert message={reset.error} />
      {confirmReset && (
        <Dialog title="Reset the bot's token?" onClose={() => setConfirmReset(false)}>
          <p>Your bot stops working until you give it the new token.</p>
          <div className="row">
            <button type="button" onClick={() => setConfirmReset(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="danger"
              disabled={reset.busy}
              onClick={() =>
                reset.run(async () => {
                  const r = await endpoints.resetBotToken(app.id);
                  setConfirmReset(false);
                  setToken(r.token);
                })
              }
            >
              Yes, reset it
            </button>
          </div>
        </Dialog>
      )}
      <h2>Authorization</h2>
      <label className="toggle">
        <input
          type="checkbox"
          checked={isPublic}
          disabled={flags.busy}
          onChange={(e) => {
            const on = e.target.checked;
            setPublic(on);
            flags
              .run(async () => onSaved(await endpoints.modifyApplication(app.id, { bot_public: on })))
              .then((ok) => ok || setPublic(!on));
          }}
        />{' '}
        Public bot (anyone with the invite link can add it; otherwise only you)
      </label>
      <label className="toggle">
        <input
          type="checkbox"
          checked={userInstall}
          disabled={flags.busy}
          onChange={(e) => {
            const on = e.target.checked;
            setUserInstall(on);
            const config = { ...app.integration_types_config };
            if (on) config['1'] = {};
            else delete config['1'];
            if (!config['0'] && !config['1']) config['0'] = {};
            flags
              .run(async () =>
                onSaved(await endpoints.modifyApplication(app.id, { integration_types_config: config })),
              )
              .then((ok) => ok || setUserInstall(!on));
          }}
        />{' '}
        User install (people may add it to their own account and use its commands with integration type 1
        anywhere)
      </label>
      <h2>Privileged gateway intents</h2>
      {intentFlags.map(([bit, label, help]) => (
        <label key={bit} className="toggle">
          <input
            type="checkbox"
            checked={(intents & bit) !== 0}
            disabled={flags.busy}
            onChange={(e) => setFlag(bit, e.target.checked)}
          />{' '}
          {label}
          <small>{help}</small>
        </label>
      ))}
      <Alert message={flags.error} />
    </>
  );
}

/** The integer of a set of permission names, as the invite link carries it. */
function permissionInteger(names: Iterable<keyof typeof Permission>): string {
  let bits = 0n;
  for (const n of names) bits |= Permission[n];
  return bits.toString();
}

function OAuth2Tab({ app }: { app: Application }) {
  const [commands, setCommands] = useState(true);
  const [chosen, setChosen] = useState<Set<keyof typeof Permission>>(
    () => new Set(['VIEW_CHANNEL', 'SEND_MESSAGES', 'READ_MESSAGE_HISTORY']),
  );
  const permissions = permissionInteger(chosen);
  const scope = commands ? 'bot applications.commands' : 'bot';
  const link = `${location.origin}/oauth2/authorize?${new URLSearchParams({
    client_id: app.id,
    scope,
    permissions,
  })}`;
  const accountLink = `${location.origin}/oauth2/authorize?${new URLSearchParams({
    client_id: app.id,
    scope: 'applications.commands',
    integration_type: '1',
  })}`;
  return (
    <>
      {app.integration_types_config?.['1'] && (
        <Copyable
          label="Install link for accounts (user install)"
          name="user-install-link"
          value={accountLink}
        />
      )}
      <fieldset>
        <legend>Scopes</legend>
        <label className="toggle">
          <input type="checkbox" checked disabled /> bot
        </label>
        <label className="toggle">
          <input type="checkbox" checked={commands} onChange={(e) => setCommands(e.target.checked)} />{' '}
          applications.commands
        </label>
      </fieldset>
      <fieldset className="permission-grid">
        <legend>Bot permissions</legend>
        {invitePermissions.map(([name, label]) => (
          <label key={name}>
            <input
              type="checkbox"
              checked={chosen.has(name)}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.target.checked) next.add(name);
                else next.delete(name);
                setChosen(next);
              }}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      <p>
        Permissions integer: <code data-testid="permissions-integer">{permissions}</code>
      </p>
      <Copyable label="Generated URL" name="invite-url" value={link} />
      <p>
        <a href={link}>Open the invite link</a>
      </p>
    </>
  );
}
