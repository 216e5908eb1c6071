import {
  ApiError as ApiErrorSchema,
  Application,
  CreateApplication,
  ModifyApplication,
  Snowflake,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { noContent } from '../reply';
import type { Api, RouteContext } from '../types';

const tags = ['applications'];
const AppParams = Type.Object({ application_id: Snowflake });

export function applicationsRoutes(app: Api, { services }: RouteContext): void {
  const { applications } = services;

  app.post(
    '/applications',
    {
      config: { auth: 'user' },
      schema: { tags, body: CreateApplication, response: { 201: Application, 400: ApiErrorSchema } },
    },
    async (req, reply) => {
      reply.code(201);
      return applications.create(caller(req), req.body);
    },
  );

  app.get(
    '/applications',
    { config: { auth: 'user' }, schema: { tags, response: { 200: Type.Array(Application) } } },
    async (req) => applications.listMine(caller(req)),
  );

  app.get(
    '/applications/@me',
    { config: { auth: 'bot' }, schema: { tags, response: { 200: Application, 403: ApiErrorSchema } } },
    async (req) => applications.current(caller(req)),
  );

  app.patch(
    '/applications/@me',
    {
      config: { auth: 'bot' },
      schema: {
        tags,
        body: ModifyApplication,
        response: { 200: Application, 400: ApiErrorSchema, 403: ApiErrorSchema },
      },
    },
    async (req) => applications.modifyCurrent(caller(req), req.body),
  );

  app.get(
    '/applications/:application_id',
    {
      config: { auth: 'user' },
      schema: { tags, params: AppParams, response: { 200: Application, 404: ApiErrorSchema } },
    },
    async (req) => applications.get(caller(req), req.params.application_id),
  );

  app.patch(
    '/applications/:application_id',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        params: AppParams,
        body: ModifyApplication,
        response: { 200: Application, 400: ApiErrorSchema, 404: ApiErrorSchema },
      },
    },
    async (req) => applications.modify(caller(req), req.params.application_id, req.body),
  );

  app.delete(
    '/applications/:application_id',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        params: AppParams,
        response: { 204: Type.Null(), 403: ApiErrorSchema, 404: ApiErrorSchema },
      },
    },
    async (req, reply) => {
      await applications.delete(caller(req), req.params.application_id);
      return noContent(reply);
    },
  );

  app.post(
    '/applications/:application_id/bot/reset',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        params: AppParams,
        response: { 200: Type.Object({ token: Type.String() }), 404: ApiErrorSchema },
      },
    },
    async (req) => applications.resetBotToken(caller(req), req.params.application_id),
  );
}
