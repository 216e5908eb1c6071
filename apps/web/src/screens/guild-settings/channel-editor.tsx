// A channel's name, topic and slowmode, and deleting it.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { type Channel, ChannelType } from '../../types';
import { Field, Form, useAction } from '../../ui';

const slowmodes: Array<[number, string]> = [
  [0, 'Off'],
  [5, '5 seconds'],
  [30, '30 seconds'],
  [60, '1 minute'],
  [300, '5 minutes'],
  [3600, '1 hour'],
];

/** A channel's name, topic and slowmode, and deleting it. */
export function ChannelEditor({ channel }: { channel: Channel }) {
  const [name, setName] = useState(channel.name ?? '');
  const [topic, setTopic] = useState(channel.topic ?? '');
  const [slowmode, setSlowmode] = useState(String(channel.rate_limit_per_user ?? 0));
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const save = useAction();
  const text = channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement;
  return (
    <Form
      label="Channel settings"
      error={save.error}
      onSubmit={() =>
        save.run(async () => {
          setSaved(false);
          await endpoints.modifyChannel(channel.id, {
            name,
            ...(text ? { topic: topic || null, rate_limit_per_user: Number(slowmode) } : {}),
          });
          setSaved(true);
        })
      }
    >
      <Field
        label="Channel name"
        name="channel-name"
        value={name}
        onChange={setName}
        required
        maxLength={100}
        error={save.fields.name}
      />
      {text && (
        <>
          <Field
            label="Topic"
            name="channel-topic"
            value={topic}
            onChange={setTopic}
            maxLength={1024}
            error={save.fields.topic}
          />
          <div className="field">
            <label htmlFor="channel-slowmode">Slowmode</label>
            <select id="channel-slowmode" value={slowmode} onChange={(e) => setSlowmode(e.target.value)}>
              {slowmodes.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={save.busy}>
          Save channel
        </button>
        {confirming ? (
          <>
            <span>Delete #{channel.name} and its messages?</span>
            <button
              type="button"
              className="danger"
              onClick={() => save.run(async () => void (await endpoints.deleteChannel(channel.id)))}
            >
              Delete
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete channel
          </button>
        )}
      </div>
      {saved && <p role="status">Saved.</p>}
    </Form>
  );
}
