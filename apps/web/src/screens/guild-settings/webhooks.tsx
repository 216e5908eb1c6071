// Server settings → Webhooks: members with MANAGE_WEBHOOKS create a channel's webhooks, copy their URLs,
// rename and delete them. The server decides; this tab only appears with the permission.
import { useCallback, useEffect, useState } from 'react';
import type { WebhookRow } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { useStore } from '../../store';
import { ChannelType, compareIds, type Guild } from '../../types';
import { Alert, Field, Form, useAction } from '../../ui';

export function Webhooks({ guild }: { guild: Guild }) {
  const channels = useStore((s) => s.channels);
  const text = Object.values(channels)
    .filter((c) => c.guild_id === guild.id && (c.type === ChannelType.GuildText || c.type === 5))
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || compareIds(a.id, b.id));
  const [list, setList] = useState<WebhookRow[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const load = useCallback(
    () => endpoints.listGuildWebhooks(guild.id).then(setList, (err) => setLoadError(err.message)),
    [guild.id],
  );
  useEffect(() => {
    load();
  }, [load]);
  const [name, setName] = useState('');
  const [channelId, setChannelId] = useState('');
  const create = useAction();
  const target = channelId || text[0]?.id || '';

  return (
    <>
      <Alert message={loadError} />
      <Form
        label="New webhook"
        className="inline-form"
        error={create.error}
        onSubmit={() =>
          create.run(async () => {
            await endpoints.createWebhook(target, name);
            setName('');
            await load();
          })
        }
      >
        <Field label="Name" name="webhook-name" value={name} onChange={setName} required maxLength={80} />
        <div className="field">
          <label htmlFor="webhook-channel">Channel</label>
          <select id="webhook-channel" value={target} onChange={(e) => setChannelId(e.target.value)}>
            {text.map((c) => (
              <option key={c.id} value={c.id}>
                #{c.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={create.busy || !target}>
          Create webhook
        </button>
      </Form>
      {list?.length === 0 && <p>No webhooks.</p>}
      <table aria-label="Webhooks">
        <tbody>
          {list?.map((w) => (
            <WebhookItem
              key={w.id}
              webhook={w}
              channelName={channels[w.channel_id]?.name ?? undefined}
              onChange={load}
            />
          ))}
        </tbody>
      </table>
    </>
  );
}

function WebhookItem(props: { webhook: WebhookRow; channelName?: string; onChange: () => Promise<void> }) {
  const w = props.webhook;
  const [name, setName] = useState(w.name);
  const [copied, setCopied] = useState(false);
  const act = useAction();
  const copy = async () => {
    if (!w.url) return;
    await navigator.clipboard?.writeText(w.url).catch(() => {});
    setCopied(true);
  };
  return (
    <tr data-webhook={w.id}>
      <td>
        <input
          aria-label={`Name of ${w.name}`}
          value={name}
          maxLength={80}
          onChange={(e) => setName(e.target.value)}
        />
      </td>
      <td>#{props.channelName ?? w.channel_id}</td>
      <td>{w.user ? `by ${w.user.global_name || w.user.username}` : ''}</td>
      <td>
        <input
          aria-label={`URL of ${w.name}`}
          readOnly
          value={w.url ?? ''}
          onFocus={(e) => e.target.select()}
        />
        <button type="button" onClick={copy}>
          {copied ? 'Copied' : 'Copy URL'}
        </button>
      </td>
      <td>
        <button
          type="button"
          disabled={act.busy || name === w.name || !name.trim()}
          onClick={() =>
            act.run(async () => {
              await endpoints.modifyWebhook(w.id, { name });
              await props.onChange();
            })
          }
        >
          Rename
        </button>
        <button
          type="button"
          className="danger"
          disabled={act.busy}
          onClick={() =>
            act.run(async () => {
              await endpoints.deleteWebhook(w.id);
              await props.onChange();
            })
          }
        >
          Delete
        </button>
        <Alert message={act.error} />
      </td>
    </tr>
  );
}
