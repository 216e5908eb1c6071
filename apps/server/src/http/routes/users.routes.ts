import {
  ApiError as ApiErrorSchema,
  Email,
  ModifyCurrentUser,
  ModifyUserGuildSettings,
  ModifyUserSettings,
  Password,
  PrivateUser,
  Snowflake,
  User,
  UserGuildSettings,
  UserProfile,
  UserProfileQuery,
  UserSettings,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { caller, clientMeta } from '../auth';
import { noContent } from '../reply';
import type { Api, RouteContext } from '../types';

const tags = ['users'];

// Discord's PATCH /users/@me also changes email and password when the current password is given.
const ModifyMe = Type.Object(
  {
    ...ModifyCurrentUser.properties,
    email: Type.Optional(Email),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    new_password: Type.Optional(Password),
  },
  { additionalProperties: false },
);

// Discord's client asks for the password before disabling or deleting an account.
const ConfirmPassword = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export function usersRoutes(app: Api, { services }: RouteContext): void {
  const { users, lifecycle } = services;

  app.post(
    '/users/@me/disable',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Deactivate the account: hidden until its owner signs in again',
        body: ConfirmPassword,
        response: { 204: Type.Null(), 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema },
      },
    },
    async (req, reply) => {
      await lifecycle.deactivate(caller(req), req.body.password, clientMeta(req).ip);
      return noContent(reply);
    },
  );

  app.post(
    '/users/@me/delete',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Delete the account: hidden at once, its social content removed by a background job',
        body: ConfirmPassword,
        response: { 204: Type.Null(), 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema },
      },
    },
    async (req, reply) => {
      await lifecycle.delete(caller(req), req.body.password, clientMeta(req).ip);
      return noContent(reply);
    },
  );

  app.get(
    '/users/@me',
    { config: { auth: 'any' }, schema: { tags, response: { 200: PrivateUser, 401: ApiErrorSchema } } },
    async (req) => users.getMe(caller(req).userId),
  );

  app.patch(
    '/users/@me',
    {
      config: { auth: 'any' },
      schema: { tags, body: ModifyMe, response: { 200: PrivateUser, 400: ApiErrorSchema } },
    },
    async (req) => users.modifyMe(caller(req), req.body, clientMeta(req)),
  );

  app.get(
    '/users/@me/settings',
    { config: { auth: 'user' }, schema: { tags, response: { 200: UserSettings } } },
    async (req) => users.getSettings(caller(req).userId),
  );

  app.patch(
    '/users/@me/settings',
    {
      config: { auth: 'user' },
      schema: { tags, body: ModifyUserSettings, response: { 200: UserSettings, 409: ApiErrorSchema } },
    },
    async (req) =>
      users.patchSettings(caller(req).userId, req.body.version, req.body.settings as Record<string, unknown>),
  );

  app.patch(
    '/users/@me/guilds/:guild_id/settings',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: "Change how the caller is notified in a guild (Discord's user guild settings)",
        params: Type.Object({ guild_id: Snowflake }),
        body: ModifyUserGuildSettings,
        response: { 200: UserGuildSettings, 400: ApiErrorSchema, 404: ApiErrorSchema },
      },
    },
    async (req) => services.guildSettings.modify(caller(req).userId, req.params.guild_id, req.body),
  );

  app.get(
    '/users/:user_id/profile',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary:
          "A person's profile with the servers and friends the caller shares with them (Discord's); 403 to a caller who shares nothing with them",
        params: Type.Object({ user_id: Snowflake }),
        querystring: UserProfileQuery,
        response: { 200: UserProfile, 403: ApiErrorSchema, 404: ApiErrorSchema },
      },
    },
    async (req) => users.getProfile(caller(req).userId, req.params.user_id, req.query),
  );

  app.get(
    '/users/:user_id',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ user_id: Snowflake }),
        response: { 200: User, 404: ApiErrorSchema },
      },
    },
    async (req) => users.getUser(req.params.user_id),
  );
}
