import {
  CreateInteraction,
  InteractionCallback,
  InteractionCallbackQuery,
  InteractionCallbackResponse,
  Snowflake,
} from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { UploadBatch } from '../../domain/messages/uploads';
import { caller } from '../auth';
import { formCheck, readMessageForm, readPayloadFirstForm, refuseRestOfBody } from '../multipart';
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
const checkCallback = formCheck(InteractionCallback);

/**
 * The files a multipart request brought, received in preValidation (the form is read there so that its payload_json
 * meets the route's schema as a JSON body would) and handed to the domain call by the handler.
 */
const received = new WeakMap<FastifyRequest, UploadBatch>();

/**
 * Once answered, files the domain did not keep are removed: a request refused after its form was read (by the
 * route's own validation, before the handler) would otherwise leave them stored. Kept files are left alone.
 */
const dropUnkept = async (req: FastifyRequest) => {
  await received.get(req)?.discard();
};

export function interactionsRoutes(app: Api, { services }: RouteContext): void {
  const { interactions } = services;

  app.post(
    '/interactions',
    {
      config: { auth: 'any' },
      onResponse: dropUnkept,
      // Discord's client sends a form: payload_json first, then the files of attachment options (`files[n]`),
      // authorized by the payload's place before a byte of them is read.
      preValidation: async (req, reply) => {
        if (!req.isMultipart()) return;
        try {
          const form = await readPayloadFirstForm(req, checkCreate, (payload) =>
            interactions.startUpload(caller(req), payload),
          );
          req.body = form.payload;
          if (form.upload) received.set(req, form.upload);
        } catch (err) {
          refuseRestOfBody(req, reply);
          throw err;
        }
      },
      schema: {
        tags,
        summary: 'A person invokes a command, uses a component, asks for autocomplete or submits a modal',
        description:
          "JSON, or multipart/form-data: `payload_json` first, then `files[n]` for attachment options (an option's value is n; `data.attachments` may rename the files).",
        body: CreateInteraction,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await interactions.create(caller(req), req.body, { upload: received.get(req) });
      return noContent(reply);
    },
  );

  // No Authorization: the interaction's token is the credential, as on Discord.
  app.post(
    '/interactions/:interaction_id/:interaction_token/callback',
    {
      onResponse: dropUnkept,
      // As a form: payload_json and `files[n]`, the token deciding before a byte of the files is read.
      preValidation: async (req, reply) => {
        if (!req.isMultipart()) return;
        const { interaction_id: id, interaction_token: token } = req.params as Record<string, string>;
        try {
          const upload = await interactions.startCallbackUpload(id, token);
          req.body = await readMessageForm(req, upload, checkCallback);
          received.set(req, upload);
        } catch (err) {
          refuseRestOfBody(req, reply);
          throw err;
        }
      },
      schema: {
        tags,
        summary: "The application's one initial response to an interaction, within its deadline",
        description:
          'JSON, or multipart/form-data with `payload_json` and `files[n]` (message responses 4 and 7 only).',
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
        { withResponse: req.query.with_response === true, upload: received.get(req) },
      );
      if (!answer) return noContent(reply);
      return answer;
    },
  );
}
