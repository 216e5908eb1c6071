// Overview: the server's name, icon and system messages channel, and its group settings (ADR 0031).
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { ImagePicker } from '../../image-crop';
import { useStore } from '../../store';
import { ChannelType, type Guild } from '../../types';
import { Field, Form, useAction } from '../../ui';

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
        crop={{ title: 'Crop the server icon', width: 1024, height: 1024, round: true }}
      />
      {guild.banner && (
        <img className="banner-preview" src={`/banners/${guild.id}/${guild.banner}.png`} alt="Group banner" />
      )}
      <ImagePicker
        id="guild-banner"
        label="Banner, shown on the group's page and directory card"
        save={(banner) => endpoints.modifyGuild(guild.id, { banner })}
        present={!!guild.banner}
        crop={{ title: 'Crop the banner', width: 960, height: 540 }}
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
      <GroupSettings guild={guild} />
    </>
  );
}

type JoinMode = 'public' | 'approval' | 'private';

/**
 * Making the server a group: its description, join mode, handle (its Mastodon account), rules, topics and whether
 * the directory lists it.
 */
function GroupSettings({ guild }: { guild: Guild }) {
  const group = guild.hearth_group ?? null;
  const [isGroup, setIsGroup] = useState(!!group);
  const [mode, setMode] = useState<JoinMode>(group?.join_mode ?? 'approval');
  const [description, setDescription] = useState(guild.description ?? '');
  const [rules, setRules] = useState(group?.rules ?? '');
  const [tags, setTags] = useState((group?.tags ?? []).join(', '));
  const [handle, setHandle] = useState(group?.handle ?? '');
  const [listed, setListed] = useState(guild.features?.includes('DISCOVERABLE') ?? false);
  const [saved, setSaved] = useState(false);
  const save = useAction();
  return (
    <Form
      label="Group"
      error={save.error}
      onSubmit={() =>
        save.run(async () => {
          setSaved(false);
          const others = (guild.features ?? []).filter((f) => f !== 'DISCOVERABLE' && f !== 'COMMUNITY');
          const topics = tags
            .split(',')
            .map((t) => t.trim().toLowerCase())
            .filter(Boolean);
          await endpoints.modifyGuild(guild.id, {
            description: description || null,
            features: isGroup
              ? [...others, 'COMMUNITY', ...(listed && mode !== 'private' ? ['DISCOVERABLE'] : [])]
              : others,
            hearth_group: isGroup
              ? {
                  join_mode: mode,
                  rules: rules || null,
                  tags: [...new Set(topics)],
                  handle: handle.trim().replace(/^@/, '').toLowerCase() || null,
                }
              : null,
          });
          setSaved(true);
        })
      }
    >
      <h3>Group</h3>
      <label className="checkbox">
        <input type="checkbox" checked={isGroup} onChange={(e) => setIsGroup(e.target.checked)} /> Make this
        server a group
      </label>
      {isGroup && (
        <>
          <div className="field">
            <label htmlFor="group-join-mode">Who can join</label>
            <select id="group-join-mode" value={mode} onChange={(e) => setMode(e.target.value as JoinMode)}>
              <option value="public">Anyone (public)</option>
              <option value="approval">Anyone who is approved</option>
              <option value="private">Only with an invite (private)</option>
            </select>
          </div>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={listed && mode !== 'private'}
              disabled={mode === 'private'}
              onChange={(e) => setListed(e.target.checked)}
            />{' '}
            List in the group directory
          </label>
          <Field
            label="Description"
            name="group-description"
            value={description}
            onChange={setDescription}
            maxLength={120}
            error={save.fields.description}
          />
          <Field
            label="Handle (the group's @name in Mastodon apps)"
            name="group-handle"
            value={handle}
            onChange={setHandle}
            minLength={2}
            maxLength={32}
            hint="Lowercase letters, digits, _ and . — people follow and mention the group by it. Empty: no account."
            error={save.fields['hearth_group.handle']}
          />
          <div className="field">
            <label htmlFor="group-rules">Rules</label>
            <textarea
              id="group-rules"
              value={rules}
              maxLength={2000}
              rows={4}
              onChange={(e) => setRules(e.target.value)}
            />
          </div>
          <Field
            label="Topics (comma-separated: letters, digits, - and _)"
            name="group-tags"
            value={tags}
            onChange={setTags}
            error={save.fields.hearth_group}
          />
        </>
      )}
      <button type="submit" className="primary" disabled={save.busy}>
        Save group settings
      </button>
      {saved && <p role="status">Group settings saved.</p>}
    </Form>
  );
}
