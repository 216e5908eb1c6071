import { Limits } from '@hearth/protocol';
import { SUPPORTED_MEDIA_TYPES } from '../../../domain/social/media.service';
import type { Api, RouteContext } from '../../types';

/** The Mastodon version Hearth answers as (docs/mastodon-api.md): clients read features from it. */
const MASTODON_VERSION = '4.3.0 (compatible; Hearth 0.1.0)';

/** `GET /api/v1/instance` and `/api/v2/instance`: what clients read before they sign in. */
export function instanceRoutes(app: Api, { services, config, eventStreams }: RouteContext): void {
  const { profiles } = services.social;
  const domain = new URL(config.publicUrl).host;
  /** Where clients open the streaming API (they add /api/v1/streaming): this host, over ws or wss. */
  const streamingUrl = config.publicUrl.replace(/^http/, 'ws');
  const statuses = {
    max_characters: Limits.statusChars,
    max_media_attachments: Limits.statusMediaMax,
    characters_reserved_per_url: 23,
  };
  const configuration = {
    accounts: { max_featured_tags: 0, max_pinned_statuses: Limits.pinnedStatusesMax },
    statuses,
    // Uploads for statuses (ADR 0033): images within the pixel budget of ADR 0016, video and audio as uploaded.
    media_attachments: {
      supported_mime_types: SUPPORTED_MEDIA_TYPES,
      description_limit: Limits.mediaDescriptionChars,
      image_size_limit: Limits.imageUploadBytes,
      image_matrix_limit: Limits.imageMaxFramePixels,
      video_size_limit: Limits.mediaVideoBytes,
      video_frame_rate_limit: 120,
      video_matrix_limit: Limits.imageMaxFramePixels,
    },
    polls: {
      max_options: Limits.pollOptionsMax,
      max_characters_per_option: Limits.pollOptionChars,
      min_expiration: Limits.pollMinExpiresInSeconds,
      max_expiration: Limits.pollMaxExpiresInSeconds,
    },
  };
  const description = 'A Hearth community: chat and a social network on one account.';

  // The streaming API's health check (Mastodon answers it as plain text).
  app.get('/api/v1/streaming/health', async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send('OK'),
  );

  // The streaming API as Server-Sent Events (`/api/v1/streaming/user`, `/public/local`, `/hashtag?tag=`…): the
  // streaming gateway authenticates and answers the request itself, as it does a WebSocket upgrade.
  app.get('/api/v1/streaming/*', { schema: { hide: true } }, async (req, reply) => {
    if (!eventStreams) return reply.code(404).send({ error: 'Record not found' });
    reply.hijack();
    await eventStreams.serveEvents(req.raw, reply.raw);
  });

  app.get('/api/v2/instance', async () => ({
    domain,
    title: 'Hearth',
    version: MASTODON_VERSION,
    source_url: 'https://github.com/hearth',
    description,
    usage: { users: { active_month: (await profiles.instanceStats()).users } },
    thumbnail: { url: `${config.publicUrl}/favicon.ico`, blurhash: null, versions: {} },
    icon: [],
    languages: ['en'],
    configuration: {
      urls: {
        streaming: streamingUrl,
        status: null,
        about: `${config.publicUrl}/about`,
        privacy_policy: null,
        terms_of_service: null,
      },
      vapid: { public_key: null },
      ...configuration,
      translation: { enabled: false },
      timelines_access: {
        live_feeds: { local: 'public', remote: 'disabled' },
        hashtag_feeds: { local: 'disabled', remote: 'disabled' },
        trending_link_feeds: { local: 'disabled', remote: 'disabled' },
      },
      limited_federation: false,
    },
    registrations: {
      enabled: true,
      approval_required: false,
      message: null,
      url: `${config.publicUrl}/register`,
    },
    api_versions: { mastodon: 2 },
    contact: { email: '', account: null },
    rules: [],
  }));

  app.get('/api/v1/instance', async () => {
    const stats = await profiles.instanceStats();
    return {
      uri: domain,
      title: 'Hearth',
      short_description: description,
      description,
      email: '',
      version: MASTODON_VERSION,
      urls: { streaming_api: streamingUrl },
      stats: { user_count: stats.users, status_count: stats.statuses, domain_count: 0 },
      thumbnail: null,
      languages: ['en'],
      registrations: true,
      approval_required: false,
      invites_enabled: true,
      configuration,
      contact_account: null,
      rules: [],
    };
  });
}
