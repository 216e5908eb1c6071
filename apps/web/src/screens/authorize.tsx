// /oauth2/authorize?client_id=…&scope=bot…&permissions=…: the screen a bot's invite link opens (Discord's). It names
// the application, lets the person pick a server they manage and shows the permissions asked; Authorize adds the
// bot (POST /oauth2/authorize), which the server allows only with MANAGE_GUILD and permissions the person holds.
// With integration_type=1 (Discord's user install) it instead adds the application to the person's own account:
// its commands then follow them into servers, DMs and group DMs.
import { useEffect, useState } from 'react';
import * as endpoints from '../endpoints';
import { guildPermissions, has, Permission } from '../permissions';
import { navigate } from '../router';
import { useStore } from '../store';
import { Alert, useAction } from '../ui';

type Preview = Awaited<ReturnType<typeof endpoints.authorizePreview>>;

/** The names of the permissions in an integer, for the person to read before consenting. */
function permissionNames(bits: bigint): string[] {
  return Object.entries(Permission)
    .filter(([, bit]) => (bits & bit) === bit)
    .map(([name]) =>
      name
        .toLowerCase()
        .split('_')
        .map((w, i) => (i === 0 ? w[0].toUpperCase() + w.slice(1) : w))
        .join(' '),
    );
}

export function AuthorizeScreen() {
  const params = new URLSearchParams(location.search);
  const clientId = params.get('client_id') ?? '';
  const scope = params.get('scope') ?? '';
  const toAccount = params.get('integration_type') === '1';
  const permissions = /^\d{1,20}$/.test(params.get('permissions') ?? '') ? params.get('permissions')! : '0';
  const [preview, setPreview] = useState<Preview | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const [guildId, setGuildId] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const act = useAction();
  const me = useStore((s) => s.me?.id);
  const guildOrder = useStore((s) => s.guildOrder);
  const guildMap = useStore((s) => s.guilds);
  const guilds = guildOrder.map((id) => guildMap[id]).filter(Boolean);
  const members = useStore((s) => s.members);
  const manageable = me
    ? guilds.filter((g) => has(guildPermissions(g, me, members[g.id]?.[me]), Permission.MANAGE_GUILD))
    : [];
  const target = guildId || manageable[0]?.id || '';

  useEffect(() => {
    if (!/^\d{1,20}$/.test(clientId)) {
      setMissing('This link names no application.');
      return;
    }
    endpoints.authorizePreview(clientId).then(setPreview, (err) => setMissing(err.message));
  }, [clientId]);

  return (
    <main className="auth">
      <div className="card">
        {missing ? (
          <>
            <h1>Cannot add this application</h1>
            <p>{missing}</p>
          </>
        ) : !preview ? (
          <p>Loading…</p>
        ) : done ? (
          <>
            <h1>Authorized</h1>
            <p role="status">
              {preview.application.name} was added to {done}.
            </p>
            {toAccount && (
              <p>
                Its commands are offered to you wherever you type /. Settings → Authorized apps removes it.
              </p>
            )}
          </>
        ) : (
          <>
            <p className="muted">An external application wants to access your Hearth account</p>
            <h1>{preview.application.name}</h1>
            {preview.application.description && <p>{preview.application.description}</p>}
            {toAccount ? (
              !preview.application.integration_types_config['1'] ? (
                <Alert message="This application cannot be added to an account." />
              ) : (
                <form
                  aria-label="Add to my apps"
                  onSubmit={(e) => {
                    e.preventDefault();
                    act.run(async () => {
                      await endpoints.installToAccount(clientId);
                      setDone('your apps');
                    });
                  }}
                >
                  <p>
                    Add it to your account to use its commands in any server, DM or group DM. It does not join
                    them: it sees a command only when you use one.
                  </p>
                  <button type="submit" className="primary" disabled={act.busy}>
                    Add to my apps
                  </button>
                  <Alert message={act.error ?? Object.values(act.fields)[0]} />
                </form>
              )
            ) : !scope.split(/[\s+]/).includes('bot') ? (
              <Alert message="This link asks for no bot scope; Hearth supports adding bots." />
            ) : manageable.length === 0 ? (
              <p>You need the Manage Server permission in a server to add a bot.</p>
            ) : (
              <form
                aria-label="Authorize"
                onSubmit={(e) => {
                  e.preventDefault();
                  act.run(async () => {
                    await endpoints.authorizeBot({ clientId, scope, guildId: target, permissions });
                    setDone(guilds.find((g) => g.id === target)?.name ?? 'the server');
                  });
                }}
              >
                <div className="field">
                  <label htmlFor="authorize-guild">Add to server</label>
                  <select id="authorize-guild" value={target} onChange={(e) => setGuildId(e.target.value)}>
                    {manageable.map((g) => (
                      <option key={g.id} value={g.id}>
                        {g.name}
                      </option>
                    ))}
                  </select>
                </div>
                {permissions !== '0' && (
                  <>
                    <p>It asks for these permissions:</p>
                    <ul aria-label="Permissions asked">
                      {permissionNames(BigInt(permissions)).map((n) => (
                        <li key={n}>{n}</li>
                      ))}
                    </ul>
                  </>
                )}
                {scope.includes('applications.commands') && <p>It can add commands to the server.</p>}
                <button type="submit" className="primary" disabled={act.busy || !target}>
                  Authorize
                </button>
                <Alert message={act.error ?? Object.values(act.fields)[0]} />
              </form>
            )}
          </>
        )}
        <p>
          <a
            href="/channels/@me"
            onClick={(e) => {
              e.preventDefault();
              navigate('/channels/@me');
            }}
          >
            Back to Hearth
          </a>
        </p>
      </div>
    </main>
  );
}
