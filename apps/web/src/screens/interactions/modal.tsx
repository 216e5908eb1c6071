// The modal an application showed (callback 9): its text inputs (short or paragraph, required, min/max length,
// placeholder, prefilled value). Submitting sends a MODAL_SUBMIT interaction with each input's custom_id and value;
// Esc or Cancel closes it, sending nothing.
import { useState } from 'react';
import { closeModal, invoke } from '../../interactions';
import { useStore } from '../../store';
import { Dialog } from '../../ui';
import type { Component } from './component-types';

/** The modal, in the conversation of its channel. */
export function InteractionModal({ channelId }: { channelId: string }) {
  const modal = useStore((s) => s.modal);
  if (!modal || modal.channel_id !== channelId) return null;
  return <ModalForm key={modal.id} />;
}

function ModalForm() {
  const modal = useStore((s) => s.modal)!;
  const inputs = (modal.components as Component[]).flatMap((row) =>
    (row.components ?? []).filter((c) => c.type === 4 && !!c.custom_id),
  );
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(inputs.map((i) => [i.custom_id!, i.value ?? ''])),
  );
  const submit = () => {
    closeModal();
    invoke(
      {
        type: 5,
        application_id: modal.application.id,
        ...(modal.guild_id ? { guild_id: modal.guild_id } : {}),
        channel_id: modal.channel_id,
        data: {
          id: modal.id,
          custom_id: modal.custom_id,
          components: inputs.map((i) => ({
            type: 1,
            components: [{ type: 4, custom_id: i.custom_id, value: values[i.custom_id!] ?? '' }],
          })),
        },
      },
      { kind: 'modal', label: modal.title, application: modal.application.name },
    );
  };
  return (
    <Dialog title={modal.title} onClose={closeModal}>
      <form
        className="interaction-modal"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <p className="muted">{modal.application.name}</p>
        {inputs.map((i) => {
          const id = `modal-${i.custom_id}`;
          const common = {
            id,
            name: i.custom_id,
            value: values[i.custom_id!] ?? '',
            required: i.required !== false,
            minLength: i.min_length,
            maxLength: i.max_length ?? 4000,
            placeholder: i.placeholder,
            onChange: (e: { target: { value: string } }) =>
              setValues((all) => ({ ...all, [i.custom_id!]: e.target.value })),
          };
          return (
            <div className="field" key={i.custom_id}>
              <label htmlFor={id}>
                {i.label}
                {common.required ? ' *' : ''}
              </label>
              {i.style === 2 ? <textarea rows={4} {...common} /> : <input type="text" {...common} />}
            </div>
          );
        })}
        <div className="row end">
          <button type="button" onClick={closeModal}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Submit
          </button>
        </div>
      </form>
    </Dialog>
  );
}
