// Notification settings of a server and of one of its channels: all messages, only mentions or nothing, and a
// mute for a time; saved on the server (PATCH /users/@me/guilds/:id/settings) so every device follows them.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { canAskForNotifications, mutedNow, useNotificationOffer } from '../../notify';
import { applyDispatch, useStore } from '../../store';
import type { Channel, Guild, MuteConfig } from '../../types';
import { Alert, Dialog } from '../../ui';

const muteChoices: Array<[string, number]> = [
  ['For 15 minutes', 900],
  ['For 1 hour', 3600],
  ['For 8 hours', 28_800],
  ['For 24 hours', 86_400],
  ['Until I turn it back on', -1],
];

function muteConfig(seconds: number): MuteConfig {
  return {
    end_time: seconds < 0 ? null : new Date(Date.now() + seconds * 1000).toISOString(),
    selected_time_window: seconds,
  };
}

function muteLabel(muted: boolean, config: MuteConfig | null): string {
  if (!mutedNow(muted, config)) return '';
  return config?.end_time
    ? `Muted until ${new Date(config.end_time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`
    : 'Muted';
}

/** Asks the browser for desktop notifications, from a click (browsers ask only after a gesture). */
function EnableDesktopNotifications({ onDone }: { onDone?: () => void }) {
  const [asked, setAsked] = useState(!canAskForNotifications());
  if (asked) return null;
  return (
    <button
      type="button"
      onClick={() =>
        Notification.requestPermission().finally(() => {
          setAsked(true);
          onDone?.();
        })
      }
    >
      Enable desktop notifications
    </button>
  );
}

export function NotificationSettings(props: { guild: Guild; channel: Channel; onClose: () => void }) {
  const { guild, channel } = props;
  const settings = useStore((s) => s.guildSettings[guild.id]);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const override = settings?.channel_overrides.find((o) => o.channel_id === channel.id);
  const guildLevel = settings?.message_notifications ?? 3;
  const channelLevel = override?.message_notifications ?? 3;
  const guildDefault = guild.default_message_notifications === 0 ? 'All messages' : 'Only @mentions';

  const save = (body: Parameters<typeof endpoints.modifyGuildSettings>[1]) => {
    setSaved(false);
    endpoints.modifyGuildSettings(guild.id, body).then(
      (next) => {
        // The gateway says so too; applying the answer shows it at once.
        applyDispatch('USER_GUILD_SETTINGS_UPDATE', next);
        setError(null);
        setSaved(true);
      },
      (err) => setError((err as Error).message),
    );
  };

  const levelChoice = (name: string, value: number, onChange: (v: number) => void, inherit: string) => (
    <fieldset className="radio-group">
      <legend>{name}</legend>
      {(
        [
          [3, inherit],
          [0, 'All messages'],
          [1, 'Only @mentions'],
          [2, 'Nothing'],
        ] as Array<[number, string]>
      ).map(([v, label]) => (
        <label key={v}>
          <input type="radio" name={name} checked={value === v} onChange={() => onChange(v)} /> {label}
        </label>
      ))}
    </fieldset>
  );

  const muteControl = (
    label: string,
    muted: boolean,
    config: MuteConfig | null,
    onChange: (seconds: number | null) => void,
  ) => {
    const now = mutedNow(muted, config);
    return (
      <div className="row">
        <label>
          {label}{' '}
          <select
            value=""
            onChange={(e) => e.target.value && onChange(Number(e.target.value))}
            aria-label={label}
          >
            <option value="">{now ? muteLabel(muted, config) : 'Not muted'}</option>
            {muteChoices.map(([text, seconds]) => (
              <option key={seconds} value={seconds}>
                {text}
              </option>
            ))}
          </select>
        </label>
        {now && (
          <button type="button" onClick={() => onChange(null)}>
            Unmute
          </button>
        )}
      </div>
    );
  };

  return (
    <Dialog title="Notification settings" onClose={props.onClose}>
      <Alert message={error} />
      <section aria-label={guild.name}>
        <h3>{guild.name}</h3>
        {muteControl(`Mute ${guild.name}`, settings?.muted ?? false, settings?.mute_config ?? null, (s) =>
          save(s === null ? { muted: false } : { muted: true, mute_config: muteConfig(s) }),
        )}
        {levelChoice(
          'Server notifications',
          guildLevel,
          (v) => save({ message_notifications: v }),
          `Server default (${guildDefault})`,
        )}
        <label>
          <input
            type="checkbox"
            checked={settings?.suppress_everyone ?? false}
            onChange={(e) => save({ suppress_everyone: e.target.checked })}
          />{' '}
          Suppress @everyone and @here
        </label>
      </section>
      <section aria-label={`#${channel.name}`}>
        <h3>#{channel.name}</h3>
        {muteControl(`Mute #${channel.name}`, override?.muted ?? false, override?.mute_config ?? null, (s) =>
          save({
            channel_overrides: {
              [channel.id]: s === null ? { muted: false } : { muted: true, mute_config: muteConfig(s) },
            },
          }),
        )}
        {levelChoice(
          'Channel notifications',
          channelLevel,
          (v) => save({ channel_overrides: { [channel.id]: { message_notifications: v } } }),
          'Use the server setting',
        )}
      </section>
      <div className="row end">
        <EnableDesktopNotifications />
        {saved && <span role="status">Saved</span>}
        <button type="button" onClick={props.onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}

/** The offer, after the first message that would have notified: turn desktop notifications on, or not now. */
export function NotificationsBanner() {
  const [shown, dismiss] = useNotificationOffer();
  if (!shown) return null;
  return (
    <div className="banner notice" role="status">
      Someone is trying to reach you. Turn on desktop notifications?{' '}
      <EnableDesktopNotifications onDone={dismiss} />{' '}
      <button type="button" className="link" onClick={dismiss}>
        Not now
      </button>
    </div>
  );
}
