// Discord's cloud-upload flow, as the composer uses it: each file is announced for its channel
// (POST /channels/:id/attachments), its bytes PUT to the signed upload_url it gets back (XMLHttpRequest, for upload
// progress), and the message then names it by upload_filename. Cancelling aborts the PUT and deletes the upload.
import { ApiError, api } from './api';
import { formatBytes } from './outbox';

interface AttachmentUploads {
  attachments: Array<{ id: string; upload_url: string; upload_filename: string }>;
}

/** An upload under way: `done` settles to its upload_filename; `cancel` aborts it and deletes what was sent. */
export interface CloudUpload {
  done: Promise<string>;
  cancel: () => void;
}

/** Thrown into `done` by `cancel`: not an error to show. */
export class UploadCancelled extends Error {
  constructor() {
    super('Cancelled');
  }
}

/** Why `file` cannot be uploaded at all (empty, or past the caller's limit), or null: said before any upload. */
export function refusal(file: File, limit: number | undefined): string | null {
  if (file.size === 0) return `${file.name} is empty.`;
  if (limit !== undefined && file.size > limit)
    return `${file.name} is too large (${formatBytes(file.size)}); files may be at most ${formatBytes(limit)}.`;
  return null;
}

/**
 * Deletes an upload not sent (Discord's DELETE /attachments/:upload_filename). Keepalive: a cancel made as the page
 * is left still reaches the server.
 */
const deleteUpload = (uploadFilename: string) =>
  api<void>('DELETE', `/attachments/${encodeURIComponent(uploadFilename)}`, undefined, { keepalive: true });

/** Starts uploading `file` for a message of `channelId`; progress from 0 to 1. */
export function cloudUpload(
  channelId: string,
  file: File,
  onProgress: (fraction: number) => void,
): CloudUpload {
  let cancelled = false;
  let xhr: XMLHttpRequest | null = null;
  let name: string | null = null;
  const done = (async () => {
    const { attachments } = await api<AttachmentUploads>('POST', `/channels/${channelId}/attachments`, {
      files: [{ id: '0', filename: file.name, file_size: file.size }],
    }).catch((err: unknown) => {
      // A refused announce (50035) says why in its field error ("At most 50 uploads may wait…"), not its message.
      const why = err instanceof ApiError ? Object.values(err.fields)[0] : undefined;
      throw why ? new ApiError((err as ApiError).status, (err as ApiError).code, why) : err;
    });
    const [slot] = attachments;
    name = slot.upload_filename;
    if (cancelled) {
      deleteUpload(slot.upload_filename).catch(() => {});
      throw new UploadCancelled();
    }
    // The URL names PUBLIC_URL, which need not be the address the app was opened at; the CSP allows 'self'.
    const url = new URL(slot.upload_url, location.href);
    await new Promise<void>((resolve, reject) => {
      const req = new XMLHttpRequest();
      xhr = req;
      req.open('PUT', url.pathname + url.search);
      req.setRequestHeader('content-type', 'application/octet-stream');
      req.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      req.onabort = () => reject(new UploadCancelled());
      req.onerror = () => reject(new ApiError(0, 0, 'Network error'));
      req.onload = () => {
        if (req.status < 300) return resolve();
        let message = `Upload failed (${req.status})`;
        try {
          message = (JSON.parse(req.responseText) as { message?: string }).message ?? message;
        } catch {}
        reject(new ApiError(req.status, 0, message));
      };
      req.send(file);
    });
    onProgress(1);
    return slot.upload_filename;
  })();
  return {
    done,
    cancel: () => {
      if (cancelled) return;
      cancelled = true;
      xhr?.abort();
      if (name) deleteUpload(name).catch(() => {});
    },
  };
}
