// A status's media: up to four images in a grid (the alt text as `alt`; a click opens the image large), video and
// audio with the browser's controls. Media marked sensitive stays hidden behind "Show" with the content warning.
import { useState } from 'react';
import type { MediaAttachment, Status } from '../../endpoints';
import { Dialog } from '../../ui';

const MAX_IMAGES = 4;

export function MediaGrid({ status }: { status: Status }) {
  const [shown, setShown] = useState(!status.sensitive);
  const [open, setOpen] = useState<MediaAttachment | null>(null);
  const media = status.media_attachments.filter((m) => m.url);
  if (media.length === 0) return null;
  if (!shown)
    return (
      <div className="media-hidden">
        <span>{status.spoiler_text || 'Sensitive media'}</span>
        <button type="button" className="chip" onClick={() => setShown(true)}>
          Show
        </button>
      </div>
    );
  const images = media.filter((m) => m.type === 'image').slice(0, MAX_IMAGES);
  const players = media.filter((m) => m.type !== 'image');
  return (
    <div className="status-media">
      {images.length > 0 && (
        <div className={`media-grid n${images.length}`}>
          {images.map((m) => (
            <button
              type="button"
              key={m.id}
              className="media-tile"
              aria-label={m.description ? `Open image: ${m.description}` : 'Open image'}
              onClick={() => setOpen(m)}
            >
              <img src={m.preview_url ?? m.url ?? ''} alt={m.description ?? ''} loading="lazy" />
            </button>
          ))}
        </div>
      )}
      {players.map((m) =>
        m.type === 'audio' ? (
          // biome-ignore lint/a11y/useMediaCaption: people's own uploads come without captions
          <audio
            key={m.id}
            controls
            preload="metadata"
            src={m.url ?? ''}
            aria-label={m.description ?? 'Audio'}
          />
        ) : (
          // biome-ignore lint/a11y/useMediaCaption: people's own uploads come without captions
          <video
            key={m.id}
            controls
            preload="metadata"
            src={m.url ?? ''}
            poster={m.preview_url ?? undefined}
            aria-label={m.description ?? 'Video'}
            loop={m.type === 'gifv'}
          />
        ),
      )}
      {status.sensitive && (
        <button type="button" className="chip media-hide" onClick={() => setShown(false)}>
          Hide
        </button>
      )}
      {open && (
        <Dialog title={open.description || 'Image'} wide onClose={() => setOpen(null)}>
          <img className="media-large" src={open.url ?? ''} alt={open.description ?? ''} />
        </Dialog>
      )}
    </div>
  );
}
