// A message's embeds: bots' rich embeds (author, title, description, fields, image, footer) and the server's link
// previews (site, title, description, picture). Images load through the server's /embed-images proxy (`proxy_url`),
// the only place the CSP lets them come from; one without a proxy is not shown.
import type { MentionResolver } from '../../markdown';
import { Markdown } from '../../markdown';
import { mediaUrl } from '../../outbox';
import type { Embed } from '../../types';
import './embeds.css';

/** Discord's SUPPRESS_EMBEDS message flag. */
export const SUPPRESS_EMBEDS = 4;

const safeHref = (url: string | undefined) => (url && /^https?:\/\//i.test(url) ? url : undefined);
const hex = (colour: number) => `#${colour.toString(16).padStart(6, '0')}`;

export function Embeds(props: {
  embeds: Embed[];
  mentions: MentionResolver;
  /** Shown when the viewer may hide the message's embeds (its author, or a moderator). */
  onRemove?: () => void;
}) {
  if (!props.embeds.length) return null;
  return (
    <div className="embeds">
      {props.embeds.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: embeds have no id; an update replaces the list whole
        <EmbedView key={`${i}-${e.url ?? e.title ?? ''}`} embed={e} mentions={props.mentions} />
      ))}
      {props.onRemove && (
        <button type="button" className="link-button embeds-remove" onClick={props.onRemove}>
          Remove embeds
        </button>
      )}
    </div>
  );
}

function EmbedView({ embed: e, mentions }: { embed: Embed; mentions: MentionResolver }) {
  // A link that is itself an image shows as the image alone.
  if (e.type === 'image' && e.thumbnail?.proxy_url)
    return (
      <a className="embed-image-only" href={safeHref(e.url)} target="_blank" rel="noopener noreferrer">
        <img src={mediaUrl(e.thumbnail.proxy_url)} alt="" loading="lazy" />
      </a>
    );
  const href = safeHref(e.url);
  const label = e.title ?? e.provider?.name ?? e.url ?? 'Embed';
  return (
    <article
      className="embed"
      aria-label={label}
      style={e.color !== undefined ? { borderInlineStartColor: hex(e.color) } : undefined}
    >
      <div className="embed-text">
        {e.provider?.name && <div className="embed-provider">{e.provider.name}</div>}
        {e.author && (
          <div className="embed-author">
            {e.author.proxy_icon_url && <img src={mediaUrl(e.author.proxy_icon_url)} alt="" />}
            {safeHref(e.author.url) ? (
              <a href={safeHref(e.author.url)} target="_blank" rel="noopener noreferrer">
                {e.author.name}
              </a>
            ) : (
              e.author.name
            )}
          </div>
        )}
        {e.title && (
          <div className="embed-title">
            {href ? (
              <a href={href} target="_blank" rel="noopener noreferrer">
                {e.title}
              </a>
            ) : (
              e.title
            )}
          </div>
        )}
        {e.description && (
          <div className="embed-description">
            {e.type === undefined || e.type === 'rich' ? (
              <Markdown text={e.description} mentions={mentions} />
            ) : (
              e.description
            )}
          </div>
        )}
        {!!e.fields?.length && (
          <dl className="embed-fields">
            {e.fields.map((f, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: fields have no id and names may repeat
              <div key={`${i}-${f.name}`} className={f.inline ? 'inline' : undefined}>
                <dt>{f.name}</dt>
                <dd>
                  <Markdown text={f.value} mentions={mentions} />
                </dd>
              </div>
            ))}
          </dl>
        )}
        {e.image?.proxy_url && (
          <img className="embed-image" src={mediaUrl(e.image.proxy_url)} alt="" loading="lazy" />
        )}
        {(e.footer || e.timestamp) && (
          <div className="embed-footer">
            {e.footer?.proxy_icon_url && <img src={mediaUrl(e.footer.proxy_icon_url)} alt="" />}
            {e.footer?.text}
            {e.footer && e.timestamp && ' • '}
            {e.timestamp && <time dateTime={e.timestamp}>{new Date(e.timestamp).toLocaleString()}</time>}
          </div>
        )}
      </div>
      {e.thumbnail?.proxy_url && (
        <img className="embed-thumbnail" src={mediaUrl(e.thumbnail.proxy_url)} alt="" loading="lazy" />
      )}
    </article>
  );
}
