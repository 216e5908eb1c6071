import {
  CreateInteraction,
  ErrorCode,
  InteractionCallback,
  InteractionCallbackQuery,
  InteractionCallbackResponse,
  Snowflake,
} from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../domain/errors';
import { caller } from '../auth';
import { parseClientJson } from '../json-body';
import { noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['interactions'];
const errors = errorResponses(400, 401, 403, 404);
const CallbackParams = Type.Object({
  interaction_id: Snowflake,
  interaction_token: Type.String({ minLength: 1, maxLength: 256 }),
});

/**
 * Discord's client sends an interaction as a multipart form: its `payload_json` field (files are not taken yet). Read
 * before validation, so the route's schema checks it as it checks a JSON body.
 */
async function readInteractionForm(req: FastifyRequest): Promise<unknown> {
  let payload: unknown = null;
  try {
    for await (const part of req.parts({ limits: { files: 0, fieldSize: 64 * 1024, fields: 4 } }))
      if (part.type === 'field' && part.fieldname === 'payload_json')
        payload = parseClientJson(String(part.value));
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(
      400,
      ErrorCode.General,
      'Malformed multipart body (interactions take payload_json only)',
    );
  }
  return payload;
}

export function interactionsRoutes(app: Api, { services }: RouteContext): void {
  const { interactions } = services;

  app.post(
    '/interactions',
    {
      config: { auth: 'any' },
      preValidation: async (req) => {
        if (req.isMultipart()) req.body = (await readInteractionForm(req)) as CreateInteraction;
      },
      schema: {
        tags,
        summary: 'A person invokes a command, uses a component, asks for autocomplete or submits a modal',
        body: CreateInteraction,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await interactions.create(caller(req), req.body);
      return noContent(reply);
    },
  );

  // No Authorization: the interaction's token is the credential, as on Discord.
  app.post(
    '/interactions/:interaction_id/:interaction_token/callback',
    {
      schema: {
        tags,
        summary: "The application's one initial response to an interaction, within its deadline",
        params: CallbackParams,
        querystring: InteractionCallbackQuery,
        body: InteractionCallback,
        response: { 200: InteractionCallbackResponse, 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      const answer = await interactions.callback(
        req.params.interaction_id,
        req.params.interaction_token,
        req.body,
        { withResponse: req.query.with_response === true },
      );
      if (!answer) return noContent(reply);
      return answer;
    },
  );
}
