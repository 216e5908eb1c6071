import type {
  CreateInteraction,
  InteractionCallback,
  InteractionCallbackResponse,
  InteractionMessageData,
  Message,
} from '@hearth/protocol';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import type { UploadBatch } from '../messages/uploads';
import { InteractionCallbacks } from './interaction-callback';
import { expireInteraction, sweepInteractions } from './interaction-deadline';
import type { InteractionDelivery } from './interaction-delivery';
import { InteractionInvoker } from './interaction-invoke';
import { InteractionMessages } from './interaction-messages';
import { InteractionWebhook } from './interaction-webhook';

/**
 * Interactions (ADR 0039): a person invokes an application's command, uses a component on its bot's message or
 * submits its modal; the application gets Discord's payload (through an InteractionDelivery) and answers once through
 * the callback within the deadline, then through the interaction's webhook for 15 minutes. Ephemeral answers are
 * kept apart from messages (ephemeral_messages) and told to the invoker's own sessions only.
 *
 * This is the feature's one entry point; its parts are: interaction-invoke (checks and payload), interaction-callback
 * (the initial response), interaction-webhook (follow-ups and @original), interaction-messages (the messages both
 * write) and interaction-deadline (the deadline job and the sweep).
 */
export class InteractionsService {
  private readonly invoker: InteractionInvoker;
  private readonly callbacks: InteractionCallbacks;
  private readonly webhook: InteractionWebhook;

  constructor(
    private readonly deps: Deps,
    delivery: InteractionDelivery,
  ) {
    const messages = new InteractionMessages(deps);
    this.invoker = new InteractionInvoker(deps, delivery);
    this.callbacks = new InteractionCallbacks(deps, messages);
    this.webhook = new InteractionWebhook(deps, messages);
  }

  /** POST /interactions: a person invokes (see InteractionInvoker.create), with the files `upload` received. */
  create(principal: Principal, input: CreateInteraction, opts: { upload?: UploadBatch } = {}): Promise<void> {
    return this.invoker.create(principal, input, opts);
  }

  /** A multipart invocation's files, authorized before any is read (see InteractionInvoker.startUpload). */
  startUpload(principal: Principal, input: CreateInteraction): Promise<UploadBatch> {
    return this.invoker.startUpload(principal, input);
  }

  /** The `interactions.deadline` job: an unanswered interaction fails, once. */
  expire(channelId: string, interactionId: string): Promise<void> {
    return expireInteraction(this.deps, channelId, interactionId);
  }

  /** The recurring sweep of interactions whose tokens have ended. */
  sweep(): Promise<void> {
    return sweepInteractions(this.deps);
  }

  /** POST /interactions/:id/:token/callback: the one initial response, within the deadline. */
  callback(
    interactionId: string,
    token: string,
    body: InteractionCallback,
    opts: { withResponse?: boolean; upload?: UploadBatch } = {},
  ): Promise<InteractionCallbackResponse | null> {
    return this.callbacks.callback(interactionId, token, body, opts);
  }

  /** A multipart callback's files, authorized by the token before any is read. */
  startCallbackUpload(interactionId: string, token: string): Promise<UploadBatch> {
    return this.callbacks.startUpload(interactionId, token);
  }

  /** A multipart follow-up's or edit's files, authorized by the interaction's webhook token before any is read. */
  startWebhookUpload(appId: string, token: string): Promise<UploadBatch> {
    return this.webhook.startUpload(appId, token);
  }

  /** GET /webhooks/:application_id/:token/messages/:id (or `@original`). */
  getMessage(appId: string, token: string, messageId: string): Promise<Message> {
    return this.webhook.getMessage(appId, token, messageId);
  }

  /** POST /webhooks/:application_id/:token: a follow-up, once the interaction was answered. */
  followUp(
    appId: string,
    token: string,
    input: InteractionMessageData,
    upload?: UploadBatch,
  ): Promise<Message> {
    return this.webhook.followUp(appId, token, input, upload);
  }

  /** PATCH /webhooks/:application_id/:token/messages/:id (or `@original`). */
  editWebhookMessage(
    appId: string,
    token: string,
    messageId: string,
    input: InteractionMessageData,
    upload?: UploadBatch,
  ): Promise<Message> {
    return this.webhook.editMessage(appId, token, messageId, input, upload);
  }

  /** DELETE /webhooks/:application_id/:token/messages/:id (or `@original`). */
  deleteWebhookMessage(appId: string, token: string, messageId: string): Promise<void> {
    return this.webhook.deleteMessage(appId, token, messageId);
  }
}
