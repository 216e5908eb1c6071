import { Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import type { Api, RouteContext } from '../types';

const File = Type.String({ pattern: '^(a_)?[0-9a-f]{32}\\.(png|webp|gif|jpg|jpeg)$' });

/** Discord-style CDN paths for user images: `/avatars/:user_id/:hash.png`. Hash-addressed, so cached forever. */
export function mediaRoutes(app: Api, { services }: RouteContext): void {
  for (const kind of ['avatar', 'banner'] as const) {
    app.get(
      `/${kind}s/:user_id/:file`,
      { schema: { hide: true, params: Type.Object({ user_id: Snowflake, file: File }) } },
      async (req, reply) => {
        const hash = req.params.file.slice(0, req.params.file.indexOf('.'));
        const file = await services.users.imageFile(kind, req.params.user_id, hash);
        if (!file) return reply.code(404).send({ message: '404: Not Found', code: 0 });
        reply
          .type(file.contentType)
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'public, max-age=31536000, immutable');
        return file.data;
      },
    );
  }
}
