import {
  CreateInteraction,
  InteractionCallback,
  InteractionCallbackQuery,
  InteractionCallbackResponse,
  Snowflake,
} from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../domain/errors';
import { caller } from '../auth';
import { invalidFormBody } from '../errors';
import { formCheck } from '../multipart';
import { noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['interactions'];
const errors = errorResponses(400, 401, 403, 404);
const CallbackParams = Type.Object({
  interaction_id: Snowflake,
  interaction_token: Type.String({ minLength: 1, maxLength: 256 }),
});
const checkCreate = formCheck(CreateInteraction);

/** Discord's client sends an interaction as a multipart form: its `payload_json` field (files are not taken yet). */
async function readInteractionForm(req: FastifyRequest): Promise<CreateInteraction> {
  let payload: unknown = null;
  for await (const part of req.parts({ limits: { files: 0, fieldSize: 64 * 1024, fields: 4 } })) {
    if (part.type === 'field' && part.fieldname === 'payload_json') {
      try {
        payload = JSON.parse(String(part.value));
      } catch {
        throw new ApiError(400, 50109, 'The request body contains invalid JSON.');
      }
    }
  }
  if (!checkCreate.Check(payload)) throw invalidFormBody(checkCreate.Errors(payload) as never);
  return payload;
}

export function interactionsRoutes(app: Api, { services }: RouteContext): void {
  const { interactions } = services;

  app.post(
    '/interactions',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: 'A person invokes a command, uses a component, asks for autocomplete or submits a modal',
        body: CreateInteraction,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      const input = req.isMultipart() ? await readInteractionForm(req) : req.body;
      await interactions.create(caller(req), input);
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
