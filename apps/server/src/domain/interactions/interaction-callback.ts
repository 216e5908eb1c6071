import {
  ErrorCode,
  type InteractionCallback,
  type InteractionCallbackResponse,
  InteractionCallbackType,
  InteractionMessageFlags,
  InteractionType,
  type Message,
} from '@hearth/protocol';
import { and, eq } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { interactions } from '../../store/schema';
import type { Deps } from '../deps';
import { ApiError, invalidField } from '../errors';
import type { UploadBatch } from '../messages/uploads';
import { answeringApp, type InteractionRow, unknownInteraction, unknownMessage } from './interaction-common';
import { discardingOnFailure, interactionUpload } from './interaction-files';
import type { InteractionMessages } from './interaction-messages';
import { createdWithin, interactionByToken } from './interaction-tokens';

/** The callback types each interaction type may answer with. */
const ANSWERS: Record<number, readonly number[]> = {
  [InteractionType.ApplicationCommand]: [
    InteractionCallbackType.ChannelMessageWithSource,
    InteractionCallbackType.DeferredChannelMessageWithSource,
    InteractionCallbackType.Modal,
  ],
  [InteractionType.MessageComponent]: [
    InteractionCallbackType.ChannelMessageWithSource,
    InteractionCallbackType.DeferredChannelMessageWithSource,
    InteractionCallbackType.DeferredUpdateMessage,
    InteractionCallbackType.UpdateMessage,
    InteractionCallbackType.Modal,
  ],
  [InteractionType.ApplicationCommandAutocomplete]: [
    InteractionCallbackType.ApplicationCommandAutocompleteResult,
  ],
  [InteractionType.ModalSubmit]: [
    InteractionCallbackType.ChannelMessageWithSource,
    InteractionCallbackType.DeferredChannelMessageWithSource,
    InteractionCallbackType.DeferredUpdateMessage,
    InteractionCallbackType.UpdateMessage,
  ],
};

/**
 * The one initial response to an interaction (ADR 0039), from the callback route or from the application's endpoint:
 * checked in full, then claimed by one conditional update on the database's clock, so exactly one answer wins and a
 * late one is refused on whichever process it reaches.
 */
export class InteractionCallbacks {
  constructor(
    private readonly deps: Deps,
    private readonly messages: InteractionMessages,
  ) {}

  /**
   * A multipart callback's files, authorized by the token before a byte of them is read: an interaction still
   * waiting for its answer; they are stored for its channel, as its application's bot's.
   */
  async startUpload(interactionId: string, token: string): Promise<UploadBatch> {
    const row = await this.unanswered(interactionId, token);
    const app = await answeringApp(this.deps.db, row.applicationId);
    return interactionUpload(this.deps, row.channelId, app.botUserId);
  }

  /** POST /interactions/:id/:token/callback: the one initial response, within the deadline. */
  async callback(
    interactionId: string,
    token: string,
    body: InteractionCallback,
    opts: { withResponse?: boolean; upload?: UploadBatch } = {},
  ): Promise<InteractionCallbackResponse | null> {
    // A refused or failed answer keeps none of its files.
    return discardingOnFailure(opts.upload, () => this.answer(interactionId, token, body, opts));
  }

  /** The interaction of the token while it waits for its answer: else 40060 (answered) or 10062. */
  private async unanswered(interactionId: string, token: string): Promise<InteractionRow> {
    const row = await interactionByToken(this.deps.db, interactionId, token);
    if (!row) throw unknownInteraction();
    if (row.state === 'acknowledged')
      throw new ApiError(
        400,
        ErrorCode.InteractionAlreadyAcknowledged,
        'Interaction has already been acknowledged.',
      );
    if (row.state === 'failed') throw unknownInteraction();
    return row;
  }

  private async answer(
    interactionId: string,
    token: string,
    body: InteractionCallback,
    opts: { withResponse?: boolean; upload?: UploadBatch },
  ): Promise<InteractionCallbackResponse | null> {
    const { db } = this.deps;
    const row = await this.unanswered(interactionId, token);
    if (!(ANSWERS[row.type] ?? []).includes(body.type))
      throw invalidField(
        ['type'],
        'INTERACTION_CALLBACK_TYPE_INVALID',
        'Not a valid response to this interaction.',
      );
    const onMessage =
      body.type === InteractionCallbackType.DeferredUpdateMessage ||
      body.type === InteractionCallbackType.UpdateMessage;
    if (onMessage && !row.messageId)
      throw invalidField(
        ['type'],
        'INTERACTION_CALLBACK_TYPE_INVALID',
        'This interaction has no message to update.',
      );
    const app = await answeringApp(db, row.applicationId);
    const data = body.data ?? {};
    // Everything is checked before the interaction is acknowledged: a refused answer may be sent again.
    const prepared = this.messages.prepare(body.type, data, opts.upload);
    const [claimed] = await db
      .update(interactions)
      .set({ state: 'acknowledged', responseType: body.type })
      .where(
        and(
          eq(interactions.channelId, row.channelId),
          eq(interactions.id, row.id),
          eq(interactions.state, 'pending'),
          createdWithin(this.deps.config.interactionDeadlineMs),
        ),
      )
      .returning();
    if (!claimed) {
      const [now] = await db
        .select({ state: interactions.state })
        .from(interactions)
        .where(and(eq(interactions.channelId, row.channelId), eq(interactions.id, row.id)));
      if (now?.state === 'acknowledged')
        throw new ApiError(
          400,
          ErrorCode.InteractionAlreadyAcknowledged,
          'Interaction has already been acknowledged.',
        );
      throw unknownInteraction();
    }
    const invoker = Topic.user(row.userId);
    let message: Message | null = null;
    let ephemeral = false;
    switch (body.type) {
      case InteractionCallbackType.ChannelMessageWithSource:
      case InteractionCallbackType.DeferredChannelMessageWithSource: {
        const deferred = body.type === InteractionCallbackType.DeferredChannelMessageWithSource;
        ephemeral = !!((prepared.flags ?? 0) & InteractionMessageFlags.Ephemeral);
        message = await this.messages.send(row, app, prepared, { loading: deferred });
        await this.messages.setOriginal(row, message.id, ephemeral);
        break;
      }
      case InteractionCallbackType.DeferredUpdateMessage:
        if (row.messageId) await this.messages.setOriginal(row, row.messageId, false);
        break;
      case InteractionCallbackType.UpdateMessage: {
        if (!row.messageId) throw unknownMessage();
        message = await this.messages.edit(row, app, row.messageId, prepared);
        ephemeral = !!(message.flags & InteractionMessageFlags.Ephemeral);
        await this.messages.setOriginal(row, row.messageId, ephemeral);
        break;
      }
      case InteractionCallbackType.ApplicationCommandAutocompleteResult:
        this.deps.events.publish('APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE', invoker, {
          nonce: row.nonce,
          choices: data.choices ?? [],
        });
        break;
      case InteractionCallbackType.Modal:
        await db
          .update(interactions)
          .set({ modalCustomId: data.custom_id })
          .where(and(eq(interactions.channelId, row.channelId), eq(interactions.id, row.id)));
        this.deps.events.publish('INTERACTION_MODAL_CREATE', invoker, {
          id: row.id,
          nonce: row.nonce,
          channel_id: row.channelId,
          custom_id: data.custom_id as string,
          title: data.title as string,
          components: prepared.modalComponents ?? [],
          application: { id: app.id, name: app.name, icon: app.icon, bot_id: app.botUserId },
        });
        break;
    }
    this.deps.events.publish('INTERACTION_SUCCESS', invoker, { id: row.id, nonce: row.nonce });
    if (!opts.withResponse) return null;
    return {
      interaction: {
        id: row.id,
        type: row.type,
        ...(message
          ? {
              response_message_id: message.id,
              response_message_loading: !!(message.flags & InteractionMessageFlags.Loading),
              response_message_ephemeral: ephemeral,
            }
          : {}),
      },
      resource: { type: body.type, ...(message ? { message } : {}) },
    };
  }
}
