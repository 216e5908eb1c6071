import {
  ApplicationCommand,
  ApplicationCommandIndex,
  BulkApplicationCommands,
  CreateApplicationCommand,
  EditCommandPermissions,
  GuildCommandPermissions,
  ModifyApplicationCommand,
  Snowflake,
} from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { caller } from '../auth';
import { noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['application commands'];
const errors = errorResponses(400, 401, 403, 404);
const ListQuery = Type.Object({ with_localizations: Type.Optional(Type.Boolean()) });

/** The two scopes of Discord's command routes: the application's global commands, and those of one guild. */
const scopes = [
  { prefix: '/applications/:application_id/commands', params: { application_id: Snowflake } },
  {
    prefix: '/applications/:application_id/guilds/:guild_id/commands',
    params: { application_id: Snowflake, guild_id: Snowflake },
  },
] as const;

interface ScopeParams {
  application_id: string;
  guild_id?: string;
  command_id?: string;
}

/** The locale a list localizes to: Discord reads X-Discord-Locale, then Accept-Language. */
function requestLocale(req: FastifyRequest): string | null {
  const header = req.headers['x-discord-locale'] ?? req.headers['accept-language'];
  const first = typeof header === 'string' ? header.split(',')[0]?.split(';')[0]?.trim() : '';
  return first || null;
}

export function commandsRoutes(app: Api, { services }: RouteContext): void {
  const { commands, commandPermissions } = services;

  for (const scope of scopes) {
    const Params = Type.Object(scope.params);
    const CommandParams = Type.Object({ ...scope.params, command_id: Snowflake });
    const where = (req: FastifyRequest) => {
      const p = req.params as ScopeParams;
      return [p.application_id, p.guild_id ?? null] as const;
    };
    const commandId = (req: FastifyRequest) => (req.params as ScopeParams).command_id as string;

    app.get(
      scope.prefix,
      {
        config: { auth: 'any' },
        schema: {
          tags,
          params: Params,
          querystring: ListQuery,
          response: { 200: Type.Array(ApplicationCommand), ...errors },
        },
      },
      async (req) =>
        commands.list(caller(req), ...where(req), {
          withLocalizations: req.query.with_localizations === true,
          locale: requestLocale(req),
        }),
    );
    app.post(
      scope.prefix,
      {
        config: { auth: 'any' },
        schema: {
          tags,
          params: Params,
          body: CreateApplicationCommand,
          response: { 200: ApplicationCommand, 201: ApplicationCommand, ...errors },
        },
      },
      async (req, reply) => {
        const { command, created } = await commands.create(caller(req), ...where(req), req.body);
        reply.code(created ? 201 : 200);
        return command;
      },
    );
    app.put(
      scope.prefix,
      {
        config: { auth: 'any' },
        schema: {
          tags,
          params: Params,
          body: BulkApplicationCommands,
          response: { 200: Type.Array(ApplicationCommand), ...errors },
        },
      },
      async (req) => commands.overwrite(caller(req), ...where(req), req.body),
    );
    app.get(
      `${scope.prefix}/:command_id`,
      {
        config: { auth: 'any' },
        schema: { tags, params: CommandParams, response: { 200: ApplicationCommand, ...errors } },
      },
      async (req) => commands.get(caller(req), ...where(req), commandId(req)),
    );
    app.patch(
      `${scope.prefix}/:command_id`,
      {
        config: { auth: 'any' },
        schema: {
          tags,
          params: CommandParams,
          body: ModifyApplicationCommand,
          response: { 200: ApplicationCommand, ...errors },
        },
      },
      async (req) => commands.modify(caller(req), ...where(req), commandId(req), req.body),
    );
    app.delete(
      `${scope.prefix}/:command_id`,
      { config: { auth: 'any' }, schema: { tags, params: CommandParams, response: errors } },
      async (req, reply) => {
        await commands.delete(caller(req), ...where(req), commandId(req));
        return noContent(reply);
      },
    );
  }

  const GuildParams = Type.Object({ application_id: Snowflake, guild_id: Snowflake });
  const CommandParams = Type.Object({
    application_id: Snowflake,
    guild_id: Snowflake,
    command_id: Snowflake,
  });
  app.get(
    '/applications/:application_id/guilds/:guild_id/commands/permissions',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        response: { 200: Type.Array(GuildCommandPermissions), ...errors },
      },
    },
    async (req) => commandPermissions.list(caller(req), req.params.application_id, req.params.guild_id),
  );
  app.get(
    '/applications/:application_id/guilds/:guild_id/commands/:command_id/permissions',
    {
      config: { auth: 'any' },
      schema: { tags, params: CommandParams, response: { 200: GuildCommandPermissions, ...errors } },
    },
    async (req) =>
      commandPermissions.get(
        caller(req),
        req.params.application_id,
        req.params.guild_id,
        req.params.command_id,
      ),
  );
  app.put(
    '/applications/:application_id/guilds/:guild_id/commands/:command_id/permissions',
    {
      // As on Discord, a person (their own token: Hearth has no OAuth2 scopes) sets them; a bot token is refused.
      config: { auth: 'user' },
      schema: {
        tags,
        params: CommandParams,
        body: EditCommandPermissions,
        response: { 200: GuildCommandPermissions, ...errors },
      },
    },
    async (req) =>
      commandPermissions.edit(
        caller(req),
        req.params.application_id,
        req.params.guild_id,
        req.params.command_id,
        req.body.permissions,
      ),
  );

  app.get(
    '/guilds/:guild_id/application-command-index',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ guild_id: Snowflake }),
        response: { 200: ApplicationCommandIndex, ...errors },
      },
    },
    async (req) => commandPermissions.guildIndex(caller(req), req.params.guild_id, requestLocale(req)),
  );
  app.get(
    '/channels/:channel_id/application-command-index',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ channel_id: Snowflake }),
        response: { 200: ApplicationCommandIndex, ...errors },
      },
    },
    async (req) => commandPermissions.channelIndex(caller(req), req.params.channel_id),
  );
}
