// Overview: the server's name, icon and system messages channel.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { useStore } from '../../store';
import { ChannelType, type Guild } from '../../types';
import { Field, Form, ImagePicker, useAction } from '../../ui';

export function Overview({ guild }: { guild: Guild }) {
  const channels = useStore((s) => s.channels);
  const [name, setName] = useState(guild.name);
  const [system, setSystem] = useState(guild.system_channel_id ?? '');
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const text = Object.values(channels).filter(
    (c) => c.guild_id === guild.id && c.type === ChannelType.GuildText,
  );
  return (
    <>
      <ImagePicker
        id="guild-icon"
        label="Server icon (PNG, JPEG, GIF or WebP)"
        save={(icon) => endpoints.modifyGuild(guild.id, { icon })}
        present={!!guild.icon}
      />
      <Form
        label="Overview"
        error={save.error}
        onSubmit={() =>
          save.run(async () => {
            setSaved(false);
            await endpoints.modifyGuild(guild.id, { name, system_channel_id: system || null });
            setSaved(true);
          })
        }
      >
        <Field
          label="Server name"
          name="guild-name"
          value={name}
          onChange={setName}
          required
          maxLength={100}
          error={save.fields.name}
        />
        <div className="field">
          <label htmlFor="system-channel">System messages channel</label>
          <select id="system-channel" value={system} onChange={(e) => setSystem(e.target.value)}>
            <option value="">None</option>
            {text.map((c) => (
              <option key={c.id} value={c.id}>
                #{c.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary" disabled={save.busy}>
          Save
        </button>
        {saved && <p role="status">Saved.</p>}
      </Form>
    </>
  );
}
