import { isSnowflake, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { refuseRestOfBody } from '../multipart';
import { servedAsFile } from '../security-headers';
import type { Api, RouteContext } from '../types';

const File = Type.String({ pattern: '^(a_)?[0-9a-f]{32}\\.(png|webp|gif|jpg|jpeg)$' });

/**
 * Discord-style CDN paths for images (`/avatars/:user_id/:hash.png`, `/icons/:guild_id/:hash.png`, …).
 * Hash-addressed, so cached forever; served with their stored type, never sniffed by the browser.
 */
export function mediaRoutes(app: Api, { services }: RouteContext): void {
  const routes: Array<{
    url: string;
    purpose: string;
    params: Record<string, typeof Snowflake>;
    folder: (p: Record<string, string>) => string;
  }> = [
    {
      url: '/avatars/:user_id/:file',
      purpose: 'avatar',
      params: { user_id: Snowflake },
      folder: (p) => `avatars/${p.user_id}`,
    },
    {
      url: '/banners/:user_id/:file',
      purpose: 'banner',
      params: { user_id: Snowflake },
      folder: (p) => `banners/${p.user_id}`,
    },
    {
      url: '/guild-events/:event_id/:file',
      purpose: 'guild_event_cover',
      params: { event_id: Snowflake },
      folder: (p) => `guild-events/${p.event_id}`,
    },
    {
      url: '/app-icons/:application_id/:file',
      purpose: 'app_icon',
      params: { application_id: Snowflake },
      folder: (p) => `app-icons/${p.application_id}`,
    },
    {
      url: '/icons/:guild_id/:file',
      purpose: 'guild_icon',
      params: { guild_id: Snowflake },
      folder: (p) => `icons/${p.guild_id}`,
    },
    {
      url: '/guilds/:guild_id/users/:user_id/avatars/:file',
      purpose: 'member_avatar',
      params: { guild_id: Snowflake, user_id: Snowflake },
      folder: (p) => `guilds/${p.guild_id}/users/${p.user_id}/avatars`,
    },
    {
      url: '/channel-icons/:channel_id/:file',
      purpose: 'group_icon',
      params: { channel_id: Snowflake },
      folder: (p) => `channel-icons/${p.channel_id}`,
    },
  ];
  // Attachments and their image previews (`proxy_url`), both behind signed, expiring URLs.
  for (const preview of [false, true]) {
    app.get(
      `/attachments/:channel_id/:attachment_id/${preview ? 'preview/' : ''}:filename`,
      {
        schema: {
          hide: true,
          params: Type.Object({
            channel_id: Snowflake,
            attachment_id: Snowflake,
            filename: Type.String({ maxLength: 255 }),
          }),
          querystring: Type.Object({
            ex: Type.Optional(Type.String({ maxLength: 16 })),
            hm: Type.Optional(Type.String({ maxLength: 64 })),
          }),
        },
      },
      async (req, reply) => {
        const { channel_id, attachment_id, filename } = req.params;
        const file = await services.messages.attachmentFile(
          { channelId: channel_id, id: attachment_id, filename },
          { preview, ex: req.query.ex, hm: req.query.hm },
        );
        if (!file) return reply.code(404).send({ message: '404: Not Found', code: 0 });
        servedAsFile(reply)
          .type(file.contentType)
          .header('content-length', file.size)
          .header('content-disposition', file.disposition)
          .header('cache-control', 'private, max-age=3600');
        return reply.send(file.body);
      },
    );
  }

  // Embeds' images (link previews' pictures, bots' embed images), fetched for the client through the outbound guard:
  // only URLs a message's wire form signed (ADR 0044).
  app.get(
    '/embed-images',
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          url: Type.String({ maxLength: 2048 }),
          hm: Type.Optional(Type.String({ maxLength: 64 })),
        }),
      },
    },
    async (req, reply) => {
      const image = await services.linkPreviews.image(req.query.url, req.query.hm);
      if (!image) return reply.code(404).send({ message: '404: Not Found', code: 0 });
      servedAsFile(reply)
        .type(image.contentType)
        .header('content-length', image.body.length)
        .header('content-disposition', 'inline')
        .header('cache-control', 'public, max-age=86400');
      return reply.send(image.body);
    },
  );

  // Media of social statuses (ADR 0033): plain URLs for public and unlisted statuses, signed ones otherwise.
  app.get(
    '/media_attachments/:user_id/:media_id/:file',
    {
      schema: {
        hide: true,
        params: Type.Object({
          user_id: Snowflake,
          media_id: Snowflake,
          file: Type.String({ pattern: '^(original|small)\\.[a-z0-9]{1,5}$' }),
        }),
        querystring: Type.Object({
          ex: Type.Optional(Type.String({ maxLength: 16 })),
          hm: Type.Optional(Type.String({ maxLength: 64 })),
        }),
      },
    },
    async (req, reply) => {
      const file = await services.social.media.file(
        { userId: req.params.user_id, id: req.params.media_id, file: req.params.file },
        req.query,
      );
      if (!file) return reply.code(404).send({ message: '404: Not Found', code: 0 });
      servedAsFile(reply)
        .type(file.contentType)
        .header('content-length', file.size)
        .header('content-disposition', file.disposition)
        .header('cache-control', file.cacheControl);
      return reply.send(file.body);
    },
  );

  // What Mastodon clients fetch for an account without an avatar or header (Account.avatar / header point here).
  for (const [url, kind] of [
    ['/avatars/original/missing.png', 'avatar'],
    ['/headers/original/missing.png', 'header'],
  ] as const) {
    app.get(url, { schema: { hide: true } }, async (_req, reply) => {
      const png = await services.social.media.defaultImage(kind);
      servedAsFile(reply).type('image/png').header('cache-control', 'public, max-age=86400');
      return reply.send(png);
    });
  }

  // Emojis and stickers are named by their id, whatever extension is asked for.
  for (const [kind, exts, find] of [
    ['emojis', 'png|webp|gif', (id: string) => services.emojis.image(id)],
    ['stickers', 'png|webp|gif|json', (id: string) => services.stickers.file(id)],
  ] as const) {
    app.get(
      `/${kind}/:file`,
      {
        schema: {
          hide: true,
          params: Type.Object({ file: Type.String({ pattern: `^[0-9]{1,19}\\.(${exts})$` }) }),
        },
      },
      async (req, reply) => {
        const id = req.params.file.split('.')[0];
        const file = isSnowflake(id) ? await find(id) : null;
        if (!file) return reply.code(404).send({ message: '404: Not Found', code: 0 });
        servedAsFile(reply)
          .type(file.contentType)
          .header('content-length', file.size)
          .header('cache-control', 'public, max-age=86400');
        return reply.send(file.body);
      },
    );
  }

  for (const route of routes) {
    app.get(
      route.url,
      { schema: { hide: true, params: Type.Object({ ...route.params, file: File }) } },
      async (req, reply) => {
        const params = req.params as Record<string, string>;
        const hash = params.file.slice(0, params.file.indexOf('.'));
        const file = await services.images.find(route.purpose, route.folder(params), hash);
        if (!file && route.purpose === 'avatar') {
          // A webhook message's avatar_url override, not fetched by Hearth: the client is sent to it (ADR 0018).
          const url = await services.webhookMessages.overrideAvatarUrl(params.user_id, hash);
          if (url) return reply.header('cache-control', 'public, max-age=86400').redirect(url, 302);
        }
        if (!file) return reply.code(404).send({ message: '404: Not Found', code: 0 });
        servedAsFile(reply)
          .type(file.contentType)
          .header('content-length', file.size)
          .header('cache-control', 'public, max-age=31536000, immutable');
        return reply.send(file.body);
      },
    );
  }
}

/**
 * Where a file of the cloud-upload flow is PUT (its `upload_url`): no login, the signature is the capability. The
 * body is any bytes, streamed to storage through the same path as a multipart file.
 */
export async function uploadRoutes(http: Api, { services }: RouteContext): Promise<void> {
  await http.register(async (plain) => {
    const scope = plain as Api;
    scope.removeAllContentTypeParsers();
    // The handler reads the request's own stream: nothing is parsed or buffered here.
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.put(
      '/uploads/:channel_id/:upload_id',
      {
        schema: {
          hide: true,
          params: Type.Object({ channel_id: Snowflake, upload_id: Snowflake }),
          querystring: Type.Object({
            ex: Type.Optional(Type.String({ maxLength: 16 })),
            hm: Type.Optional(Type.String({ maxLength: 64 })),
          }),
        },
      },
      async (req, reply) => {
        try {
          await services.messages.cloudUploads.receive(
            { channelId: req.params.channel_id, id: req.params.upload_id },
            req.query,
            req.raw as AsyncIterable<Buffer>,
          );
        } catch (err) {
          refuseRestOfBody(req, reply);
          throw err;
        }
        return reply.code(200).send({});
      },
    );
  });
}
