// Editing one's own social profile: display name with its prefix and suffix, bio, up to four fields, whether
// followers need approval and whether the profile is listed; avatar and banner (a multipart update).
import { useState } from 'react';
import type { Account, CredentialAccount } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { Alert, Dialog, Field, useAction } from '../../ui';
import { useLoad } from './paged';

const FIELDS_MAX = 4;

export function ProfileEditor(props: { onClose: () => void; onSaved: (a: Account) => void }) {
  const loaded = useLoad(endpoints.verifyCredentials, 'me');
  return (
    <Dialog title="Edit profile" onClose={props.onClose} wide>
      {loaded.data ? (
        <EditorForm account={loaded.data} {...props} />
      ) : (
        <>
          <Alert message={loaded.error} />
          {!loaded.error && <p className="muted">Loading…</p>}
        </>
      )}
    </Dialog>
  );
}

function EditorForm(props: {
  account: CredentialAccount;
  onClose: () => void;
  onSaved: (a: Account) => void;
}) {
  const a = props.account;
  const [name, setName] = useState(a.display_name);
  const [prefix, setPrefix] = useState(a.hearth?.name_prefix ?? '');
  const [suffix, setSuffix] = useState(a.hearth?.name_suffix ?? '');
  const [note, setNote] = useState(a.source.note ?? '');
  const [fields, setFields] = useState(() => {
    const list = a.source.fields.map((f) => ({ ...f }));
    while (list.length < FIELDS_MAX) list.push({ name: '', value: '' });
    return list;
  });
  const [locked, setLocked] = useState(a.locked);
  const [discoverable, setDiscoverable] = useState(!!a.source.discoverable);
  const [avatar, setAvatar] = useState<File | null>(null);
  const [header, setHeader] = useState<File | null>(null);
  const action = useAction();

  const save = () =>
    action.run(async () => {
      const filled = fields.filter((f) => f.name.trim() || f.value.trim());
      const body = {
        display_name: name,
        name_prefix: prefix,
        name_suffix: suffix,
        note,
        locked,
        discoverable,
        fields_attributes: filled,
      };
      let saved: CredentialAccount;
      if (avatar || header) {
        // Files go as a multipart form, with every other field as a form field (Rails-style nesting).
        const form = new FormData();
        for (const [k, v] of Object.entries(body)) if (k !== 'fields_attributes') form.append(k, String(v));
        filled.forEach((f, i) => {
          form.append(`fields_attributes[${i}][name]`, f.name);
          form.append(`fields_attributes[${i}][value]`, f.value);
        });
        if (avatar) form.append('avatar', avatar);
        if (header) form.append('header', header);
        saved = await endpoints.updateCredentials(form);
      } else saved = await endpoints.updateCredentials(body);
      props.onSaved(saved);
      props.onClose();
    });

  const setField = (i: number, key: 'name' | 'value', v: string) =>
    setFields((old) => old.map((f, j) => (j === i ? { ...f, [key]: v } : f)));

  return (
    <form
      className="profile-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <div className="row">
        <Field
          label="Name prefix"
          name="name_prefix"
          value={prefix}
          onChange={setPrefix}
          maxLength={32}
          hint="e.g. Dr."
        />
        <Field label="Display name" name="display_name" value={name} onChange={setName} maxLength={32} />
        <Field
          label="Name suffix"
          name="name_suffix"
          value={suffix}
          onChange={setSuffix}
          maxLength={32}
          hint="e.g. PhD"
        />
      </div>
      <div className="field">
        <label htmlFor="f-note">Bio</label>
        <textarea
          id="f-note"
          value={note}
          maxLength={190}
          rows={3}
          onChange={(e) => setNote(e.target.value)}
        />
        <small>Links, @mentions and #hashtags are linked.</small>
      </div>
      <fieldset className="profile-fields-edit">
        <legend>Profile fields</legend>
        {fields.map((f, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed set of four rows
          <div className="row" key={i}>
            <input
              aria-label={`Field ${i + 1} label`}
              placeholder="Label"
              value={f.name}
              maxLength={255}
              onChange={(e) => setField(i, 'name', e.target.value)}
            />
            <input
              aria-label={`Field ${i + 1} content`}
              placeholder="Content"
              value={f.value}
              maxLength={255}
              onChange={(e) => setField(i, 'value', e.target.value)}
            />
          </div>
        ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={locked} onChange={(e) => setLocked(e.target.checked)} /> Approve
        followers by hand
      </label>
      <label className="check">
        <input type="checkbox" checked={discoverable} onChange={(e) => setDiscoverable(e.target.checked)} />{' '}
        List my profile in the directory and search
      </label>
      <div className="row">
        <div className="field">
          <label htmlFor="f-avatar">Avatar</label>
          <input
            id="f-avatar"
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            onChange={(e) => setAvatar(e.target.files?.[0] ?? null)}
          />
        </div>
        <div className="field">
          <label htmlFor="f-header">Banner</label>
          <input
            id="f-header"
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            onChange={(e) => setHeader(e.target.files?.[0] ?? null)}
          />
        </div>
      </div>
      <Alert message={action.error ?? Object.values(action.fields)[0]} />
      <div className="row end">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={action.busy}>
          Save
        </button>
      </div>
    </form>
  );
}
