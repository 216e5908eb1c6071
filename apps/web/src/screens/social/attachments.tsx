// The composer's attachments: up to four images or one video or audio file, each uploaded at once (with its
// progress) to `POST /api/v2/media`, an alt text field per image (saved with `PUT /api/v1/media/:id` when it
// changed after the upload), removable until the post is sent.
import { useEffect, useRef, useState } from 'react';
import type { MediaAttachment } from '../../endpoints';
import * as endpoints from '../../endpoints';

const MAX_IMAGES = 4;
/** Limits.mediaDescriptionChars of @hearth/protocol (copied: the web bundle does not import the protocol package). */
const MAX_DESCRIPTION = 1500;

interface Attachment {
  key: number;
  name: string;
  kind: 'image' | 'video' | 'audio';
  /** A local preview (an object URL) while and after it uploads. */
  preview: string;
  progress: number;
  media: MediaAttachment | null;
  description: string;
  error: string | null;
}

const kindOf = (f: File): Attachment['kind'] | null =>
  f.type.startsWith('image/')
    ? 'image'
    : f.type.startsWith('video/')
      ? 'video'
      : f.type.startsWith('audio/')
        ? 'audio'
        : null;

let nextKey = 0;

export function useAttachments() {
  const [items, setItems] = useState<Attachment[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const itemsRef = useRef(items);
  itemsRef.current = items;
  // The local previews go when the composer does.
  useEffect(
    () => () => {
      for (const a of itemsRef.current) URL.revokeObjectURL(a.preview);
    },
    [],
  );

  const patch = (key: number, change: Partial<Attachment>) =>
    setItems((old) => old.map((a) => (a.key === key ? { ...a, ...change } : a)));

  const add = (files: File[]) => {
    setProblem(null);
    const current = itemsRef.current;
    const kinds = files.map(kindOf);
    if (kinds.some((k) => k === null)) return setProblem('Only images, video and audio can be attached.');
    const all = [...current.map((a) => a.kind), ...kinds];
    const players = all.filter((k) => k !== 'image').length;
    if (players > 1 || (players === 1 && all.length > 1))
      return setProblem('A video or audio file goes alone, without other attachments.');
    if (all.length > MAX_IMAGES) return setProblem(`At most ${MAX_IMAGES} images.`);
    const added = files.map(
      (file, i): Attachment => ({
        key: nextKey++,
        name: file.name,
        kind: kinds[i] as Attachment['kind'],
        preview: URL.createObjectURL(file),
        progress: 0,
        media: null,
        description: '',
        error: null,
      }),
    );
    setItems((old) => [...old, ...added]);
    added.forEach((a, i) => {
      const form = new FormData();
      form.append('file', files[i]);
      endpoints
        .uploadMedia(form, (progress) => patch(a.key, { progress }))
        .then(
          (media) => patch(a.key, { media, progress: 1 }),
          (e: Error) => patch(a.key, { error: e.message }),
        );
    });
  };

  const remove = (key: number) => {
    const a = itemsRef.current.find((x) => x.key === key);
    if (!a) return;
    URL.revokeObjectURL(a.preview);
    if (a.media) endpoints.deleteMedia(a.media.id).catch(() => {});
    setItems((old) => old.filter((x) => x.key !== key));
  };

  /** The uploaded media's ids, after saving alt text written since the upload. */
  const finish = async (): Promise<string[]> => {
    const ready = itemsRef.current.filter((a) => a.media);
    await Promise.all(
      ready.map((a) =>
        a.media && a.description !== (a.media.description ?? '')
          ? endpoints.describeMedia(a.media.id, a.description)
          : null,
      ),
    );
    return ready.map((a) => a.media?.id as string);
  };

  const clear = () => {
    for (const a of itemsRef.current) URL.revokeObjectURL(a.preview);
    setItems([]);
  };

  return {
    items,
    problem,
    add,
    remove,
    finish,
    clear,
    describe: (key: number, description: string) => patch(key, { description }),
    uploading: items.some((a) => !a.media && !a.error),
    failed: items.some((a) => a.error),
    full: items.length >= MAX_IMAGES || items.some((a) => a.kind !== 'image'),
  };
}

export type Attachments = ReturnType<typeof useAttachments>;

export function AttachmentList({ attachments }: { attachments: Attachments }) {
  if (attachments.items.length === 0) return null;
  return (
    <ul className="composer-attachments">
      {attachments.items.map((a) => (
        <li key={a.key}>
          {a.kind === 'image' ? (
            <img src={a.preview} alt="" />
          ) : (
            <span className="attachment-file">{a.name}</span>
          )}
          <div className="attachment-info">
            {a.error ? (
              <span className="error">{a.error}</span>
            ) : !a.media ? (
              <progress aria-label={`Uploading ${a.name}`} value={a.progress} max={1} />
            ) : null}
            <input
              aria-label={`Alt text for ${a.name}`}
              placeholder="Describe it for people who cannot see it"
              maxLength={MAX_DESCRIPTION}
              value={a.description}
              onChange={(e) => attachments.describe(a.key, e.target.value)}
            />
          </div>
          <button
            type="button"
            className="icon"
            aria-label={`Remove ${a.name}`}
            onClick={() => attachments.remove(a.key)}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
