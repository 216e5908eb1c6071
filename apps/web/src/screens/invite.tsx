// /invite/:code: what the invite leads to, and joining it.
import { useEffect, useState } from 'react';
import * as endpoints from '../endpoints';
import { navigate } from '../router';
import { type Invite, plural } from '../types';
import { Alert, useAction } from '../ui';

export function InviteScreen({ code }: { code: string }) {
  const [invite, setInvite] = useState<Invite | null>(null);
  const [missing, setMissing] = useState(false);
  const join = useAction();
  useEffect(() => {
    endpoints.getInvite(code).then(setInvite, () => setMissing(true));
  }, [code]);
  return (
    <main className="auth">
      <div className="card">
        {missing ? (
          <>
            <h1>Invite invalid</h1>
            <p>This invite may have expired, or you might not have permission to join.</p>
          </>
        ) : !invite ? (
          <p>Loading…</p>
        ) : (
          <>
            <p className="muted">You have been invited to join</p>
            <h1>{invite.guild?.name}</h1>
            {invite.approximate_member_count !== undefined && (
              <p className="muted">{plural(invite.approximate_member_count ?? 0, 'member')}</p>
            )}
            <button
              type="button"
              className="primary"
              autoFocus
              disabled={join.busy}
              onClick={() =>
                join.run(async () => {
                  const res = await endpoints.acceptInvite(code);
                  navigate(`/channels/${res.guild?.id ?? res.guild_id}/${res.channel?.id ?? ''}`, {
                    replace: true,
                  });
                })
              }
            >
              Accept invite
            </button>
            <Alert message={join.error} />
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
