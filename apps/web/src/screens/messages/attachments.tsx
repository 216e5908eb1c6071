import { Icon } from '../../icons';
import { formatBytes, mediaUrl } from '../../outbox';
import type { Attachment } from '../../types';
import { Dialog } from '../../ui';

export function AttachmentView({ attachment: a, onOpen }: { attachment: Attachment; onOpen: () => void }) {
  const image = a.content_type?.startsWith('image/');
  if (image) {
    const scale = a.width && a.height ? Math.min(1, 400 / a.width, 300 / a.height) : 1;
    return (
      <button
        type="button"
        className="attachment image"
        onClick={onOpen}
        aria-label={`Open image ${a.filename}`}
      >
        <img
          src={mediaUrl(a.proxy_url ?? a.url)}
          alt={a.filename}
          width={a.width ? Math.round(a.width * scale) : undefined}
          height={a.height ? Math.round(a.height * scale) : undefined}
          loading="lazy"
        />
      </button>
    );
  }
  return (
    <a
      className="attachment file"
      href={mediaUrl(a.url)}
      target="_blank"
      rel="noopener noreferrer"
      download={a.filename}
    >
      <Icon name="file" size={18} /> {a.filename} <small>({formatBytes(a.size)})</small>
    </a>
  );
}

/** An image shown large, with a link to the original. */
export function Lightbox({ attachment, onClose }: { attachment: Attachment; onClose: () => void }) {
  return (
    <Dialog title={attachment.filename} onClose={onClose} wide>
      <img className="lightbox" src={mediaUrl(attachment.url)} alt={attachment.filename} />
      <p>
        <a href={mediaUrl(attachment.url)} target="_blank" rel="noopener noreferrer">
          Open original
        </a>
      </p>
    </Dialog>
  );
}
