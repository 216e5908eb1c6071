// What the composer has not sent yet, per channel: its text and its files. Each file uploads from the moment it is
// added (Discord's cloud-upload flow, ./uploads), and is up, still uploading, or refused with why. Kept here rather
// than in the composer, so that switching channels keeps each channel's files and text as Discord's client does (an
// upload started in one channel finishes while another is open). Leaving the page, or signing out, cancels every
// upload not sent: each one's PUT is aborted and its upload DELETEd (keepalive, so it goes as the page closes); one
// the page could not delete is removed by the server's sweep an hour after it was announced.
import { useSyncExternalStore } from 'react';
import { type CloudUpload, cloudUpload, refusal, UploadCancelled } from './uploads';

/** A file of a channel's next message. */
export interface Draft {
  key: number;
  file: File;
  preview: string | null;
  progress: number;
  state: 'uploading' | 'uploaded' | 'failed';
  error?: string;
  uploadFilename?: string;
}

export interface ChannelFiles {
  files: Draft[];
  /** Why some files were not added (more than a message may carry); null when nothing was left out. */
  notice: string | null;
}

/** Discord's limit of files in one message. */
export const maxFiles = 10;

const none: ChannelFiles = { files: [], notice: null };
let channels: Record<string, ChannelFiles> = {};
const texts = new Map<string, string>();
const uploads = new Map<number, CloudUpload>();
const listeners = new Set<() => void>();
let keys = 0;

function update(channelId: string, change: (c: ChannelFiles) => ChannelFiles): void {
  channels = { ...channels, [channelId]: change(channels[channelId] ?? none) };
  for (const l of listeners) l();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** The files (and notice) waiting in `channelId`'s composer. */
export function useChannelFiles(channelId: string): ChannelFiles {
  return useSyncExternalStore(subscribe, () => channels[channelId] ?? none);
}

/** The text typed in `channelId`'s composer and not sent. */
export const draftText = (channelId: string): string => texts.get(channelId) ?? '';
export function keepDraftText(channelId: string, text: string): void {
  if (text) texts.set(channelId, text);
  else texts.delete(channelId);
}

const patch = (channelId: string, key: number, change: Partial<Draft>) =>
  update(channelId, (c) => ({ ...c, files: c.files.map((d) => (d.key === key ? { ...d, ...change } : d)) }));

/** "a.txt", "a.txt and b.txt", "a.txt, b.txt and 3 more". */
function names(files: File[]): string {
  if (files.length === 1) return files[0].name;
  if (files.length === 2) return `${files[0].name} and ${files[1].name}`;
  return `${files[0].name}, ${files[1].name} and ${files.length - 2} more`;
}

/**
 * Adds files to `channelId`'s next message and starts uploading each one the server would take (refused ones are
 * kept with why). Past `maxFiles` in all, the first ones are kept and the notice names those left out.
 */
export function addFiles(channelId: string, added: File[], limit: number | undefined): void {
  if (!added.length) return;
  const room = Math.max(0, maxFiles - (channels[channelId]?.files.length ?? 0));
  const left = added.slice(room);
  const fresh = added.slice(0, room).map((file): Draft => {
    const why = refusal(file, limit);
    return {
      key: ++keys,
      file,
      preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null,
      progress: 0,
      state: why ? 'failed' : 'uploading',
      error: why ?? undefined,
    };
  });
  const notice = left.length
    ? `A message can carry at most ${maxFiles} files: ${names(left)} ${left.length === 1 ? 'was' : 'were'} not added. Send these first, then add the rest to another message.`
    : null;
  update(channelId, (c) => ({ files: [...c.files, ...fresh], notice }));
  for (const d of fresh) {
    if (d.state !== 'uploading') continue;
    const up = cloudUpload(channelId, d.file, (progress) => patch(channelId, d.key, { progress }));
    uploads.set(d.key, up);
    up.done.then(
      (uploadFilename) => patch(channelId, d.key, { state: 'uploaded', uploadFilename, progress: 1 }),
      (err) => {
        uploads.delete(d.key);
        if (!(err instanceof UploadCancelled))
          patch(channelId, d.key, { state: 'failed', error: (err as Error).message });
      },
    );
  }
}

/** Takes a file out: its upload is aborted, or deleted on the server when it was up. */
export function removeFile(channelId: string, key: number): void {
  uploads.get(key)?.cancel();
  uploads.delete(key);
  update(channelId, (c) => {
    const d = c.files.find((f) => f.key === key);
    if (d?.preview) URL.revokeObjectURL(d.preview);
    return { ...c, files: c.files.filter((f) => f.key !== key) };
  });
}

export const dismissNotice = (channelId: string) => update(channelId, (c) => ({ ...c, notice: null }));

/** The files a sent message took: gone from the composer, their uploads now the message's (nothing deleted). */
export function filesSent(channelId: string, sent: Draft[]): void {
  for (const d of sent) {
    uploads.delete(d.key);
    if (d.preview) URL.revokeObjectURL(d.preview);
  }
  update(channelId, (c) => ({ files: c.files.filter((d) => !sent.includes(d)), notice: null }));
}

/** Cancels every upload not sent, in every channel, and forgets the texts: the page is left or the person signs out. */
export function discardDrafts(): void {
  for (const up of uploads.values()) up.cancel();
  uploads.clear();
  for (const c of Object.values(channels))
    for (const d of c.files) if (d.preview) URL.revokeObjectURL(d.preview);
  channels = {};
  texts.clear();
  for (const l of listeners) l();
}

// `pagehide` rather than `beforeunload`: it also fires when a phone's browser discards the page.
if (typeof window !== 'undefined') window.addEventListener('pagehide', discardDrafts);
