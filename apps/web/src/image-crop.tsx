// The crop dialog of an image field (avatar, banner, server icon): the picked image is panned and zoomed inside a
// frame of the slot's shape (pointer drag, one-finger pan, pinch, wheel, a zoom slider, arrows and +/-), a preview
// shows what will be stored, and Apply hands back the cropped image as the data URL the upload takes.
import { type KeyboardEvent, type PointerEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Alert, Dialog, useAction } from './ui';

/** The slot an image is cropped for: its aspect (width / height) and the largest size the server stores. */
export interface CropShape {
  /** The width of the stored image in pixels (the server's slot), and its height. */
  width: number;
  height: number;
  /** Drawn as a circle in the frame (an avatar); the stored image stays a rectangle. */
  round?: boolean;
}

/** Zoom goes from 1 (the largest crop of the shape that fits in the image) to this. */
const MAX_ZOOM = 8;
/** A key press moves the crop by this share of its width (Shift: four times as far). */
const STEP = 0.05;
const ZOOM_STEP = 1.15;
/**
 * What the upload may weigh, decoded: Limits.imageUploadBytes of @hearth/protocol (10 MiB; copied, the web bundle
 * does not import the protocol package) less a margin.
 */
const MAX_BYTES = 10 * 1024 * 1024 - 1024;

/** The crop: its centre in the image's pixels and its zoom. */
interface Crop {
  cx: number;
  cy: number;
  zoom: number;
}

/** The crop rectangle in the image's pixels for `crop` of an image `w` × `h`, kept inside the image. */
function cropRect(
  w: number,
  h: number,
  aspect: number,
  crop: Crop,
): { sx: number; sy: number; sw: number; sh: number } {
  const fullW = Math.min(w, h * aspect);
  const sw = fullW / crop.zoom;
  const sh = sw / aspect;
  const sx = Math.min(Math.max(crop.cx - sw / 2, 0), w - sw);
  const sy = Math.min(Math.max(crop.cy - sh / 2, 0), h - sh);
  return { sx, sy, sw, sh };
}

/** `crop` with its zoom bounded and its centre moved back so the rectangle stays inside the image. */
function clamp(w: number, h: number, aspect: number, crop: Crop): Crop {
  const zoom = Math.min(Math.max(crop.zoom, 1), MAX_ZOOM);
  const { sx, sy, sw, sh } = cropRect(w, h, aspect, { ...crop, zoom });
  return { cx: sx + sw / 2, cy: sy + sh / 2, zoom };
}

/** Draws the crop of `img` to a canvas of the stored size (never larger than the cropped pixels). */
function drawCrop(
  img: HTMLImageElement,
  shape: CropShape,
  crop: Crop,
  canvas: HTMLCanvasElement,
  maxWidth: number,
) {
  const aspect = shape.width / shape.height;
  const { sx, sy, sw, sh } = cropRect(img.naturalWidth, img.naturalHeight, aspect, crop);
  const outW = Math.max(1, Math.round(Math.min(maxWidth, sw)));
  const outH = Math.max(1, Math.round(outW / aspect));
  canvas.width = outW;
  canvas.height = outH;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(img, sx, sy, sw, sh, 0, 0, outW, outH);
}

const decodedBytes = (dataUrl: string) => Math.floor(((dataUrl.length - dataUrl.indexOf(',') - 1) * 3) / 4);

/**
 * The cropped image as a data URL under the server's limit: PNG when the source may have transparency (PNG, WebP),
 * JPEG for photos; a PNG over the limit becomes a JPEG, then smaller, until it fits.
 */
function encodeCrop(img: HTMLImageElement, type: string, shape: CropShape, crop: Crop): string | null {
  const canvas = document.createElement('canvas');
  let width = shape.width;
  for (let i = 0; i < 6; i++) {
    drawCrop(img, shape, crop, canvas, width);
    const tries: Array<[string, number?]> =
      type === 'image/jpeg' ? [['image/jpeg', 0.92]] : [['image/png'], ['image/jpeg', 0.92]];
    for (const [mime, quality] of tries) {
      const url = canvas.toDataURL(mime, quality);
      if (url.startsWith(`data:${mime}`) && decodedBytes(url) <= MAX_BYTES) return url;
    }
    width = Math.round(width * 0.7);
  }
  return null;
}

/**
 * The dialog: `file` is the picked image (not a GIF: those keep their animation and skip it). `onApply` gets the
 * cropped data URL and closes it on success; Cancel, Esc or Close leave everything as it was.
 */
function CropDialog(props: {
  file: File;
  shape: CropShape;
  title: string;
  busy: boolean;
  error?: string | null;
  onApply: (dataUrl: string) => void;
  onClose: () => void;
}) {
  const { file, shape } = props;
  const aspect = shape.width / shape.height;
  const [img, setImg] = useState<HTMLImageElement | null>(null);
  const [failed, setFailed] = useState(false);
  const [crop, setCrop] = useState<Crop>({ cx: 0, cy: 0, zoom: 1 });
  const [frameWidth, setFrameWidth] = useState(0);
  const frame = useRef<HTMLDivElement>(null);
  const preview = useRef<HTMLCanvasElement>(null);
  const [encodeError, setEncodeError] = useState<string | null>(null);

  useEffect(() => {
    const url = URL.createObjectURL(file);
    const image = new Image();
    image.onload = () => {
      setImg(image);
      setCrop({ cx: image.naturalWidth / 2, cy: image.naturalHeight / 2, zoom: 1 });
    };
    image.onerror = () => setFailed(true);
    image.src = url;
    return () => URL.revokeObjectURL(url);
  }, [file]);

  // The frame's width on screen (it follows the dialog's width: a phone's is narrower).
  useLayoutEffect(() => {
    const f = frame.current;
    if (!f) return;
    const measure = () => setFrameWidth(f.clientWidth);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(f);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    if (img && preview.current) drawCrop(img, shape, crop, preview.current, 160);
  }, [img, shape, crop]);

  const update = (next: (c: Crop) => Crop) => {
    if (!img) return;
    setCrop((c) => clamp(img.naturalWidth, img.naturalHeight, aspect, next(c)));
  };
  /** The image's pixels per screen pixel in the frame. */
  const rect = img ? cropRect(img.naturalWidth, img.naturalHeight, aspect, crop) : null;
  const scale = rect && frameWidth ? frameWidth / rect.sw : 1;
  /** Moves the crop by a drag of dx, dy screen pixels (the image follows the finger). */
  const pan = (dx: number, dy: number) =>
    update((c) => ({ ...c, cx: c.cx - dx / scale, cy: c.cy - dy / scale }));
  const zoomBy = (factor: number) => update((c) => ({ ...c, zoom: c.zoom * factor }));

  // Pointers down in the frame: one pans, two pinch.
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const all = pointers.current;
    const was = all.get(e.pointerId);
    if (!was) return;
    const now = { x: e.clientX, y: e.clientY };
    if (all.size === 1) pan(now.x - was.x, now.y - was.y);
    else if (all.size === 2) {
      const other = [...all.entries()].find(([id]) => id !== e.pointerId)?.[1];
      if (other) {
        const before = Math.hypot(was.x - other.x, was.y - other.y);
        const after = Math.hypot(now.x - other.x, now.y - other.y);
        if (before > 0) zoomBy(after / before);
      }
    }
    all.set(e.pointerId, now);
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    pointers.current.delete(e.pointerId);
  };
  // The wheel zooms (a trackpad's pinch arrives as a wheel with Ctrl); not passive, so the page does not scroll.
  useEffect(() => {
    const f = frame.current;
    if (!f) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const factor = Math.exp(-e.deltaY / 300);
      if (img)
        setCrop((c) => clamp(img.naturalWidth, img.naturalHeight, aspect, { ...c, zoom: c.zoom * factor }));
    };
    f.addEventListener('wheel', onWheel, { passive: false });
    return () => f.removeEventListener('wheel', onWheel);
  }, [img, aspect]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!rect) return;
    const step = rect.sw * STEP * (e.shiftKey ? 4 : 1);
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const move = moves[e.key];
    if (move) update((c) => ({ ...c, cx: c.cx + move[0], cy: c.cy + move[1] }));
    else if (e.key === '+' || e.key === '=') zoomBy(ZOOM_STEP);
    else if (e.key === '-' || e.key === '_') zoomBy(1 / ZOOM_STEP);
    else return;
    e.preventDefault();
  };

  const apply = () => {
    if (!img) return;
    const url = encodeCrop(img, file.type, shape, crop);
    if (!url) setEncodeError('This image could not be made small enough to upload. Try a smaller one.');
    else {
      setEncodeError(null);
      props.onApply(url);
    }
  };

  const shown = rect && {
    left: -rect.sx * scale,
    top: -rect.sy * scale,
    width: (img?.naturalWidth ?? 0) * scale,
  };
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <div className="crop">
        {/* A widget of its own (arrows and +/- move the crop while it has the focus), so an application. */}
        <div
          ref={frame}
          className={shape.round ? 'crop-frame round' : 'crop-frame'}
          style={{ aspectRatio: `${shape.width} / ${shape.height}` }}
          role="application"
          aria-roledescription="crop area"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: arrows and +/- move the crop while it has the focus
          tabIndex={0}
          aria-label="Crop area"
          aria-describedby="crop-help"
          onKeyDown={onKeyDown}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
        >
          {img && shown && (
            <img
              src={img.src}
              alt=""
              draggable={false}
              style={{ left: shown.left, top: shown.top, width: shown.width }}
            />
          )}
        </div>
        <p id="crop-help" className="hint">
          Drag to move, pinch or scroll to zoom; with the keyboard, arrows move and + or − zoom.
        </p>
        {failed && <Alert message="This file could not be read as an image." />}
        <div className="crop-controls">
          <label htmlFor="crop-zoom">Zoom</label>
          <input
            id="crop-zoom"
            type="range"
            min={1}
            max={MAX_ZOOM}
            step={0.01}
            value={crop.zoom}
            aria-valuetext={`${Math.round(crop.zoom * 100)}%`}
            onChange={(e) => {
              const zoom = Number(e.target.value);
              update((c) => ({ ...c, zoom }));
            }}
          />
          <figure className="crop-preview">
            <canvas ref={preview} role="img" aria-label="Preview of the cropped image" />
            <figcaption>Preview</figcaption>
          </figure>
        </div>
        <Alert message={encodeError ?? props.error} />
        <div className="row end">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={!img || props.busy} onClick={apply}>
            Apply
          </button>
        </div>
      </div>
    </Dialog>
  );
}

/** Reads a picked file as the data URL Discord's image fields take. */
function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

/**
 * An image field (avatar, banner, icon): picking a file calls `save` with it as a data URL (the endpoint that
 * PATCHes the field), and Remove with null. With `crop`, a picked image first goes through the crop dialog; a GIF
 * skips it and is uploaded as it is, so its animation is kept (the server centres it in the slot).
 */
export function ImagePicker(props: {
  id: string;
  label: string;
  save: (dataUrl: string | null) => Promise<unknown>;
  present: boolean;
  crop?: CropShape & { title: string };
}) {
  const action = useAction();
  const [cropping, setCropping] = useState<File | null>(null);
  const set = (value: string | null) => action.run(async () => void (await props.save(value)));
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="file"
        accept="image/png,image/jpeg,image/gif,image/webp"
        aria-describedby={props.crop ? `${props.id}-hint` : undefined}
        onChange={async (e) => {
          const f = e.target.files?.[0];
          // Emptied, so picking the same file again (after Cancel) opens the dialog again.
          e.target.value = '';
          if (!f) return;
          if (props.crop && f.type !== 'image/gif') {
            action.setError(null);
            setCropping(f);
          } else set(await readAsDataUrl(f));
        }}
      />
      {props.crop && (
        <small id={`${props.id}-hint`}>
          You can crop a picked image first. GIFs are not cropped: they keep their animation and are centred.
        </small>
      )}
      {props.present && (
        <button type="button" className="link" onClick={() => set(null)}>
          Remove
        </button>
      )}
      {cropping && props.crop ? (
        <CropDialog
          file={cropping}
          shape={props.crop}
          title={props.crop.title}
          busy={action.busy}
          error={action.error ?? Object.values(action.fields)[0]}
          onApply={async (url) => {
            if (await set(url)) setCropping(null);
          }}
          onClose={() => setCropping(null)}
        />
      ) : (
        <Alert message={action.error ?? Object.values(action.fields)[0]} />
      )}
    </div>
  );
}
