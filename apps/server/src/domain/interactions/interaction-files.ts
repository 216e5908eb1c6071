import { Limits } from '@hearth/protocol';
import { FieldErrors } from '../applications/command-rules';
import type { Deps } from '../deps';
import {
  type AttachmentRow,
  type AttachmentUrls,
  attachmentRows,
  type StagedFile,
  toAttachmentWire,
} from '../messages/attachments';
import { UploadBatch } from '../messages/uploads';
import { isObject, type Json } from './interaction-common';

/** The `files[n]` index of a staged file (its order when the field has none), as `data.attachments` ids name it. */
const indexOf = (file: StagedFile, i: number) => Number(/\[(\d+)\]/.exec(file.field)?.[1] ?? i);

/** `attachments` entries (`{id, filename?, description?}`) by the file index their id names (`files[id]`). */
export function described(
  entries: unknown[] | undefined,
): Map<number, { filename?: string; description?: string }> {
  const out = new Map<number, { filename?: string; description?: string }>();
  for (const e of entries ?? []) {
    // An entry naming a cloud upload describes that upload, not a `files[n]` part.
    if (!isObject(e) || e.uploaded_filename !== undefined || !/^\d{1,2}$/.test(String(e.id))) continue;
    out.set(Number(e.id), {
      ...(typeof e.filename === 'string' ? { filename: e.filename } : {}),
      ...(typeof e.description === 'string' ? { description: e.description } : {}),
    });
  }
  return out;
}

/**
 * The files a person sends with a command (attachment options, ADR 0039): each `files[n]` part is named by an
 * attachment option whose value is n (the `id` of its `data.attachments` entry, as Discord's client sends it). The
 * files become attachment rows of the interaction (`message_id` is the interaction's id, `ephemeral`), so the
 * signed attachment URLs serve them and the sweep deletes them with the interaction.
 */
export class InvocationFiles {
  readonly rows: AttachmentRow[];
  private readonly byRef = new Map<string, AttachmentRow>();
  private readonly named = new Set<string>();

  constructor(
    private readonly files: StagedFile[],
    entries: unknown[] | undefined,
    at: { channelId: string; interactionId: string; uploaderId: string },
  ) {
    this.rows = attachmentRows(files, {
      channelId: at.channelId,
      messageId: at.interactionId,
      uploaderId: at.uploaderId,
      descriptions: described(entries),
    }).map((r) => ({ ...r, ephemeral: true }));
    files.forEach((f, i) => {
      this.byRef.set(String(indexOf(f, i)), this.rows[i]);
    });
  }

  /** The attachment id an option's value names, or undefined (then the value is refused). */
  attachment = (ref: unknown): string | undefined => {
    if (typeof ref !== 'number' && typeof ref !== 'string') return undefined;
    const row = this.byRef.get(String(ref));
    if (row) this.named.add(row.id);
    return row?.id;
  };

  /** 50035 for every file no option named: nothing is kept that the application would never be told of. */
  requireAllNamed(): void {
    const errors = new FieldErrors();
    this.files.forEach((f, i) => {
      if (!this.named.has(this.rows[i].id))
        errors.add([f.field], 'ATTACHMENT_NOT_NAMED', 'No attachment option names this file.');
    });
    errors.throwIfAny();
  }

  /** Discord's `resolved.attachments`: each file by its id, with its signed `url` and `proxy_url`. */
  resolved(urls: AttachmentUrls): Json {
    return Object.fromEntries(this.rows.map((r) => [r.id, toAttachmentWire(r, urls)]));
  }
}

/** A batch for the files of an invocation or an answer, already authorized, within the default upload limit. */
export function interactionUpload(deps: Deps, channelId: string, uploaderId: string): UploadBatch {
  return new UploadBatch(deps, { channelId, uploaderId, limitBytes: Limits.defaultUploadLimitBytes });
}

/** Runs `write`; when it fails, the files of `upload` are removed with it (nothing half-kept). */
export async function discardingOnFailure<T>(
  upload: UploadBatch | undefined,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    await upload?.discard();
    throw err;
  }
}
