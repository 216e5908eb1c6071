import { InteractionCallbackType, type InteractionMessageData, type Message } from '@hearth/protocol';
import type { Deps } from '../deps';
import type { UploadBatch } from '../messages/uploads';
import { answeringApp, unknownWebhook } from './interaction-common';
import { discardingOnFailure, interactionUpload } from './interaction-files';
import type { InteractionMessages } from './interaction-messages';
import { interactionOfWebhook } from './interaction-tokens';

/**
 * An interaction's webhook (`/webhooks/:application_id/:token`, ADR 0039): follow-ups, and `@original` or a message
 * id read, edited and deleted, by the interaction's own application while its token lives (else 10015).
 */
export class InteractionWebhook {
  constructor(
    private readonly deps: Deps,
    private readonly messages: InteractionMessages,
  ) {}

  /** GET /webhooks/:application_id/:token/messages/:id (or `@original`). */
  async getMessage(appId: string, token: string, messageId: string): Promise<Message> {
    const row = await interactionOfWebhook(this.deps.db, appId, token);
    const app = await answeringApp(this.deps.db, appId);
    return (await this.messages.find(row, app, messageId)).message;
  }

  /**
   * The files of a multipart follow-up or edit, authorized by the token before a byte of them is read; stored for
   * the interaction's channel as its application's bot's.
   */
  async startUpload(appId: string, token: string): Promise<UploadBatch> {
    const row = await interactionOfWebhook(this.deps.db, appId, token);
    const app = await answeringApp(this.deps.db, appId);
    return interactionUpload(this.deps, row.channelId, app.botUserId);
  }

  /** POST /webhooks/:application_id/:token: a follow-up, once the interaction was answered. */
  async followUp(
    appId: string,
    token: string,
    input: InteractionMessageData,
    upload?: UploadBatch,
  ): Promise<Message> {
    return discardingOnFailure(upload, async () => {
      const row = await interactionOfWebhook(this.deps.db, appId, token);
      if (row.state !== 'acknowledged') throw unknownWebhook();
      const app = await answeringApp(this.deps.db, appId);
      const prepared = this.messages.prepare(InteractionCallbackType.ChannelMessageWithSource, input, upload);
      return this.messages.send(row, app, prepared, { loading: false, followUp: true });
    });
  }

  /** PATCH /webhooks/:application_id/:token/messages/:id (or `@original`), with new files from `upload`. */
  async editMessage(
    appId: string,
    token: string,
    messageId: string,
    input: InteractionMessageData,
    upload?: UploadBatch,
  ): Promise<Message> {
    return discardingOnFailure(upload, async () => {
      const row = await interactionOfWebhook(this.deps.db, appId, token);
      const app = await answeringApp(this.deps.db, appId);
      const id = this.messages.resolveId(row, messageId);
      const prepared = this.messages.prepare(InteractionCallbackType.UpdateMessage, input, upload);
      return this.messages.edit(row, app, id, prepared);
    });
  }

  /** DELETE /webhooks/:application_id/:token/messages/:id (or `@original`). */
  async deleteMessage(appId: string, token: string, messageId: string): Promise<void> {
    const row = await interactionOfWebhook(this.deps.db, appId, token);
    const app = await answeringApp(this.deps.db, appId);
    await this.messages.remove(row, app, messageId);
  }
}
