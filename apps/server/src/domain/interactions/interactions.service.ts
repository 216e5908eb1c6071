import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { canUseCommand, computeChannelPermissions, hasPermission, Permission } from '@hearth/permissions';
import {
  ApplicationCommandType,
  ChannelType,
  CommandOptionType,
  ComponentType,
  type CreateInteraction,
  ErrorCode,
  type InteractionCallback,
  type InteractionCallbackResponse,
  InteractionCallbackType,
  InteractionContextType,
  type InteractionMessageData,
  InteractionMessageFlags,
  InteractionType,
  isThreadType,
  Limits,
  type Message,
  MessageFlags,
  MessageType,
  snowflakeIsoTimestamp,
} from '@hearth/protocol';
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import {
  applicationCommandPermissions,
  applicationCommands,
  applications,
  channels,
  ephemeralMessages,
  guilds,
  interactions,
  memberRoles,
  members,
  messages,
  permissionOverwrites,
  roles,
  users,
} from '../../store/schema';
import { FieldErrors } from '../applications/command-rules';
import type { CommandRow } from '../applications/commands.wire';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, missingPermissions, notFound } from '../errors';
import { type ChannelForActor, loadChannelForActor, toOverwriteData } from '../guilds/guild-access';
import { toChannelWire, toMemberWire, toRoleWire } from '../guilds/guilds.wire';
import { deleteMessages } from '../messages/channel-content';
import { checkComponents } from '../messages/component-rules';
import { parseMentions } from '../messages/mentions';
import { insertMessages } from '../messages/message-writer';
import { checkEmbedsTotal, recordMentions } from '../messages/messages.service';
import { hydrateMessages, type MessageRow, messageColumns } from '../messages/messages.wire';
import { toPublicUser } from '../users/users.wire';
import type { InteractionDelivery } from './interaction-delivery';

type InteractionRow = typeof interactions.$inferSelect;
type Json = Record<string, unknown>;

/** An interaction's token (and its webhook) lives this long, as on Discord. */
const INTERACTION_TOKEN_MS = 15 * 60_000;
/** Discord's tokens start with base64("interaction:"); Hearth's do too, which tells them from webhook tokens. */
const INTERACTION_TOKEN_PREFIX = 'aW50ZXJhY3Rpb246';

/** Whether a webhook route's token is an interaction's (Discord serves both on /webhooks/:id/:token). */
export function isInteractionToken(token: string): boolean {
  return token.startsWith(INTERACTION_TOKEN_PREFIX);
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const unknownInteraction = () => notFound(ErrorCode.UnknownInteraction, 'interaction');
const unknownWebhook = () => notFound(ErrorCode.UnknownWebhook, 'Webhook');
const unknownMessage = () => notFound(ErrorCode.UnknownMessage, 'Message');
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

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

/** The flags an interaction's message may be sent with. */
const SENDABLE_FLAGS =
  MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | InteractionMessageFlags.Ephemeral;

/**
 * Interactions (ADR 0039): a person invokes an application's command, uses a component on its bot's message or
 * submits its modal; the application gets Discord's payload (through an InteractionDelivery) and answers once through
 * the callback within the deadline, then through the interaction's webhook for 15 minutes. Ephemeral answers are
 * kept apart from messages (ephemeral_messages) and told to the invoker's own sessions only.
 */
export class InteractionsService {
  constructor(
    private readonly deps: Deps,
    private readonly delivery: InteractionDelivery,
  ) {}

  /** How long an application has for its initial response (Discord's 3 seconds unless configured). */
  private get deadlineMs(): number {
    return this.deps.config.interactionDeadlineMs;
  }

  /**
   * POST /interactions: a person invokes. Decided in order, each failure telling nothing of what lies behind it: the
   * channel must be one they can see (404), the application's bot a member of its guild (404 Unknown Application),
   * the command one of the application there (404) that they may use here (403), the component one on the bot's
   * message, the modal one shown to them.
   */
  async create(principal: Principal, input: CreateInteraction): Promise<void> {
    const { db, ids } = this.deps;
    if (principal.bot)
      throw new ApiError(403, ErrorCode.BotsCannotUseEndpoint, 'Bots cannot use this endpoint');
    const where = await loadChannelForActor(db, input.channel_id, principal.userId).catch(() => {
      throw notFound(ErrorCode.UnknownChannel, 'Channel');
    });
    const guildId = where.channel.guildId!;
    if (input.guild_id && input.guild_id !== guildId) throw notFound(ErrorCode.UnknownChannel, 'Channel');
    if (!hasPermission(where.permissions, Permission.VIEW_CHANNEL))
      throw notFound(ErrorCode.UnknownChannel, 'Channel');
    const [app] = await db
      .select({ app: applications, bot: users })
      .from(applications)
      .innerJoin(members, and(eq(members.userId, applications.botUserId), eq(members.guildId, guildId)))
      .innerJoin(users, eq(users.id, applications.botUserId))
      .where(eq(applications.id, input.application_id));
    if (!app) throw notFound(ErrorCode.UnknownApplication, 'Application');
    const id = ids.next();
    const data = await this.checkData(db, principal, input, where, app.app.id, app.bot.id);
    const token = `${INTERACTION_TOKEN_PREFIX}${Buffer.from(`${id}:${randomBytes(32).toString('base64url')}`).toString('base64url')}`;
    const [guild] = await db.select().from(guilds).where(eq(guilds.id, guildId));
    const [me] = await db.select().from(users).where(eq(users.id, principal.userId));
    const botWhere = await loadChannelForActor(db, where.channel.id, app.bot.id).catch(() => null);
    const channel = toChannelWire(where.channel, where.overwrites);
    const payload: Json & { id: string } = {
      id,
      application_id: app.app.id,
      type: input.type,
      data: data.data,
      guild: { id: guildId, locale: guild?.preferredLocale ?? 'en-US', features: [] },
      guild_id: guildId,
      channel: { ...channel, permissions: where.permissions.toString() },
      channel_id: where.channel.id,
      member: {
        ...toMemberWire(where.actor.member, where.actor.roleIds, me),
        permissions: where.permissions.toString(),
      },
      token,
      version: 1,
      app_permissions: (botWhere?.permissions ?? 0n).toString(),
      locale: me?.locale ?? 'en-US',
      guild_locale: guild?.preferredLocale ?? 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: InteractionContextType.Guild,
      attachment_size_limit: Limits.defaultUploadLimitBytes,
      ...(data.message ? { message: data.message } : {}),
    };
    const { token: _token, ...stored } = payload;
    await db.insert(interactions).values({
      channelId: where.channel.id,
      id,
      guildId,
      applicationId: app.app.id,
      userId: principal.userId,
      type: input.type,
      tokenHash: hashToken(token),
      messageId: data.messageId,
      nonce: input.nonce ?? null,
      payload: stored,
    });
    await this.deps.jobs.enqueue(
      'interactions.deadline',
      { channelId: where.channel.id, interactionId: id },
      { delayMs: this.deadlineMs },
    );
    // The invoker's own echo first, as Discord's client matches its pending interaction by nonce.
    this.deps.events.publish('INTERACTION_CREATE', Topic.user(principal.userId), {
      id,
      nonce: input.nonce ?? null,
      type: input.type,
    });
    await this.delivery.deliver({
      applicationId: app.app.id,
      botUserId: app.bot.id,
      endpointUrl: app.app.interactionsEndpointUrl,
      payload,
    });
  }

  /**
   * The interaction's deadline passed (the `interactions.deadline` job, on whichever process claims it): unanswered,
   * it fails, and its invoker is told so, once.
   */
  async expire(channelId: string, interactionId: string): Promise<void> {
    const [failed] = await this.deps.db
      .update(interactions)
      .set({ state: 'failed' })
      .where(
        and(
          eq(interactions.channelId, channelId),
          eq(interactions.id, interactionId),
          eq(interactions.state, 'pending'),
        ),
      )
      .returning();
    if (failed)
      this.deps.events.publish('INTERACTION_FAILURE', Topic.user(failed.userId), {
        id: failed.id,
        nonce: failed.nonce,
      });
  }

  /** Deletes interactions whose tokens have ended, with their ephemeral messages (the recurring sweep). */
  async sweep(): Promise<void> {
    const before = new Date(Date.now() - INTERACTION_TOKEN_MS);
    await this.deps.db.delete(ephemeralMessages).where(lt(ephemeralMessages.createdAt, before));
    await this.deps.db.delete(interactions).where(lt(interactions.createdAt, before));
  }

  /** POST /interactions/:id/:token/callback: the one initial response, within the deadline. */
  async callback(
    interactionId: string,
    token: string,
    body: InteractionCallback,
    opts: { withResponse?: boolean } = {},
  ): Promise<InteractionCallbackResponse | null> {
    const { db } = this.deps;
    const row = await this.byToken(interactionId, token);
    if (!row) throw unknownInteraction();
    if (row.state === 'acknowledged')
      throw new ApiError(
        400,
        ErrorCode.InteractionAlreadyAcknowledged,
        'Interaction has already been acknowledged.',
      );
    if (row.state === 'failed') throw unknownInteraction();
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
    const app = await this.appOf(db, row.applicationId);
    const data = body.data ?? {};
    // Everything is checked before the interaction is acknowledged: a refused answer may be sent again.
    const prepared = this.prepare(body.type, data);
    const [claimed] = await db
      .update(interactions)
      .set({ state: 'acknowledged', responseType: body.type })
      .where(
        and(
          eq(interactions.channelId, row.channelId),
          eq(interactions.id, row.id),
          eq(interactions.state, 'pending'),
          sql`${interactions.createdAt} > now() - (${this.deadlineMs}::bigint * interval '1 millisecond')`,
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
        message = await this.send(row, app, prepared, { loading: deferred });
        await this.setOriginal(row, message.id, ephemeral);
        break;
      }
      case InteractionCallbackType.DeferredUpdateMessage:
        if (row.messageId) await this.setOriginal(row, row.messageId, false);
        break;
      case InteractionCallbackType.UpdateMessage: {
        if (!row.messageId) throw unknownMessage();
        message = await this.editMessage(row, app, row.messageId, prepared);
        ephemeral = !!(message.flags & InteractionMessageFlags.Ephemeral);
        await this.setOriginal(row, row.messageId, ephemeral);
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

  /** GET /webhooks/:application_id/:token/messages/:id (or `@original`). */
  async getMessage(appId: string, token: string, messageId: string): Promise<Message> {
    const row = await this.webhookOf(appId, token);
    const app = await this.appOf(this.deps.db, appId);
    return (await this.findMessage(row, app, messageId)).message;
  }

  /** POST /webhooks/:application_id/:token: a follow-up, once the interaction was answered. */
  async followUp(appId: string, token: string, input: InteractionMessageData): Promise<Message> {
    const row = await this.webhookOf(appId, token);
    if (row.state !== 'acknowledged') throw unknownWebhook();
    const app = await this.appOf(this.deps.db, appId);
    const prepared = this.prepare(InteractionCallbackType.ChannelMessageWithSource, input);
    return this.send(row, app, prepared, { loading: false, followUp: true });
  }

  /** PATCH /webhooks/:application_id/:token/messages/:id (or `@original`). */
  async editWebhookMessage(
    appId: string,
    token: string,
    messageId: string,
    input: InteractionMessageData,
  ): Promise<Message> {
    const row = await this.webhookOf(appId, token);
    const app = await this.appOf(this.deps.db, appId);
    const id = this.resolveId(row, messageId);
    const prepared = this.prepare(InteractionCallbackType.UpdateMessage, input);
    return this.editMessage(row, app, id, prepared);
  }

  /** DELETE /webhooks/:application_id/:token/messages/:id (or `@original`). */
  async deleteWebhookMessage(appId: string, token: string, messageId: string): Promise<void> {
    const { db } = this.deps;
    const row = await this.webhookOf(appId, token);
    const app = await this.appOf(db, appId);
    const found = await this.findMessage(row, app, messageId);
    if (found.ephemeral) {
      await db
        .delete(ephemeralMessages)
        .where(
          and(eq(ephemeralMessages.channelId, row.channelId), eq(ephemeralMessages.id, found.message.id)),
        );
      this.deps.events.publish('MESSAGE_DELETE', Topic.user(row.userId), {
        id: found.message.id,
        channel_id: row.channelId,
        ...(row.guildId ? { guild_id: row.guildId } : {}),
      });
      return;
    }
    const deleted = await db.transaction((tx) => deleteMessages(tx, row.channelId, [found.message.id]));
    if (!deleted.ids.length) throw unknownMessage();
    this.deps.events.publish('MESSAGE_DELETE', Topic.channel(row.channelId), {
      id: found.message.id,
      channel_id: row.channelId,
      ...(row.guildId ? { guild_id: row.guildId } : {}),
    });
  }

  // --- the invoking side ---

  /** Checks `data` against what the interaction names and builds Discord's `data` (with `resolved`). */
  private async checkData(
    db: DbOrTx,
    principal: Principal,
    input: CreateInteraction,
    where: ChannelForActor,
    appId: string,
    botUserId: string,
  ): Promise<{ data: Json; message?: Message; messageId: string | null }> {
    const guildId = where.channel.guildId!;
    const d = input.data;
    if (
      input.type === InteractionType.ApplicationCommand ||
      input.type === InteractionType.ApplicationCommandAutocomplete
    ) {
      if (!hasPermission(where.permissions, Permission.USE_APPLICATION_COMMANDS)) throw missingPermissions();
      if (!d.id) throw invalidField(['data', 'id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      const [command] = await db
        .select()
        .from(applicationCommands)
        .where(
          and(
            eq(applicationCommands.applicationId, appId),
            eq(applicationCommands.id, d.id),
            or(
              eq(applicationCommands.guildId, guildId),
              and(
                isNull(applicationCommands.guildId),
                sql`(${applicationCommands.contexts} is null or ${applicationCommands.contexts} @> ${JSON.stringify([InteractionContextType.Guild])}::jsonb)`,
                sql`${applicationCommands.integrationTypes} @> '[0]'::jsonb`,
              ),
            ),
          ),
        );
      if (!command) throw notFound(ErrorCode.UnknownApplicationCommand, 'application command');
      await this.requireUse(db, where, command);
      if (
        input.type === InteractionType.ApplicationCommandAutocomplete &&
        command.type !== ApplicationCommandType.ChatInput
      )
        throw invalidField(['type'], 'INTERACTION_TYPE_INVALID', 'Only chat input commands autocomplete.');
      const resolved = new Resolved();
      const data: Json = {
        id: command.id,
        name: command.name,
        type: command.type,
        ...(command.guildId ? { guild_id: command.guildId } : {}),
      };
      if (command.type === ApplicationCommandType.ChatInput) {
        const errors = new FieldErrors();
        const options = checkOptions(
          d.options ?? [],
          command.options ?? [],
          ['data', 'options'],
          errors,
          resolved,
          {
            autocomplete: input.type === InteractionType.ApplicationCommandAutocomplete,
          },
        );
        errors.throwIfAny();
        if (options.length) data.options = options;
      } else {
        if (!d.target_id)
          throw invalidField(['data', 'target_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
        data.target_id = d.target_id;
        if (command.type === ApplicationCommandType.User) resolved.users.add(d.target_id);
        else resolved.messages.add(d.target_id);
      }
      const built = await this.resolve(db, where, resolved);
      const named = [...resolved.users, ...resolved.roles, ...resolved.channels, ...resolved.mentionables];
      if (named.some((v) => !built.found(v)))
        throw invalidField(
          ['data', 'options'],
          'APPLICATION_COMMAND_OPTION_VALUE_INVALID',
          'Unknown user, role or channel.',
        );
      if (command.type !== ApplicationCommandType.ChatInput && !built.found(d.target_id!))
        throw invalidField(['data', 'target_id'], 'INTERACTION_TARGET_INVALID', 'Unknown target.');
      if (built.any) data.resolved = built.resolved;
      return { data, messageId: null };
    }
    if (input.type === InteractionType.MessageComponent) {
      if (!input.message_id)
        throw invalidField(['message_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      const found = await this.componentMessage(
        db,
        principal.userId,
        where.channel.id,
        input.message_id,
        botUserId,
      );
      const component = findComponent(found.message.components as unknown[], d.custom_id ?? '');
      if (!component || component.type !== d.component_type || component.disabled === true)
        throw invalidField(['data', 'custom_id'], 'COMPONENT_INVALID', 'No such component on this message.');
      const data: Json = { custom_id: d.custom_id, component_type: d.component_type };
      if (component.type !== ComponentType.Button) {
        const values = d.values ?? [];
        const min = typeof component.min_values === 'number' ? component.min_values : 1;
        const max = typeof component.max_values === 'number' ? component.max_values : 1;
        if (values.length < min || values.length > max || new Set(values).size !== values.length)
          throw invalidField(
            ['data', 'values'],
            'BASE_TYPE_BAD_LENGTH',
            `Choose from ${min} to ${max} values.`,
          );
        const resolved = new Resolved();
        if (component.type === ComponentType.StringSelect) {
          const allowed = new Set(((component.options as Json[]) ?? []).map((o) => o.value));
          if (values.some((v) => !allowed.has(v)))
            throw invalidField(['data', 'values'], 'SELECT_VALUE_INVALID', 'Not one of the options.');
        } else {
          for (const v of values) {
            if (!/^\d{1,20}$/.test(v))
              throw invalidField(['data', 'values'], 'SNOWFLAKE_TYPE', 'Not a snowflake.');
            if (component.type === ComponentType.UserSelect) resolved.users.add(v);
            else if (component.type === ComponentType.RoleSelect) resolved.roles.add(v);
            else if (component.type === ComponentType.ChannelSelect) resolved.channels.add(v);
            else resolved.mentionables.add(v);
          }
          const built = await this.resolve(db, where, resolved);
          if (values.some((v) => !built.found(v)))
            throw invalidField(['data', 'values'], 'SELECT_VALUE_INVALID', 'Unknown user, role or channel.');
          data.resolved = built.resolved;
        }
        data.values = values;
      }
      return { data, message: found.message, messageId: input.message_id };
    }
    // A modal submit answers a modal this application showed this person, here, within its token's life.
    if (!d.id || !d.custom_id)
      throw invalidField(['data', 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
    const [shown] = await db
      .select()
      .from(interactions)
      .where(
        and(
          eq(interactions.channelId, where.channel.id),
          eq(interactions.id, d.id),
          eq(interactions.userId, principal.userId),
          eq(interactions.applicationId, appId),
          eq(interactions.responseType, InteractionCallbackType.Modal),
          eq(interactions.modalCustomId, d.custom_id),
          sql`${interactions.createdAt} > now() - (${INTERACTION_TOKEN_MS}::bigint * interval '1 millisecond')`,
        ),
      );
    if (!shown) throw unknownInteraction();
    const components = modalValues(d.components ?? []);
    let message: Message | undefined;
    if (shown.messageId) {
      message = (await this.componentMessage(
        db,
        principal.userId,
        where.channel.id,
        shown.messageId,
        botUserId,
      )
        .then((m) => m.message)
        .catch(() => undefined)) as Message | undefined;
    }
    return {
      data: { custom_id: d.custom_id, components },
      ...(message ? { message } : {}),
      messageId: message ? shown.messageId : null,
    };
  }

  /** 403 unless the member may use the command in this channel (a thread: its parent), by canUseCommand. */
  private async requireUse(db: DbOrTx, where: ChannelForActor, command: CommandRow): Promise<void> {
    const guildId = where.channel.guildId!;
    const overwrites = await db
      .select()
      .from(applicationCommandPermissions)
      .where(
        and(
          eq(applicationCommandPermissions.guildId, guildId),
          inArray(applicationCommandPermissions.commandId, [command.id, command.applicationId]),
        ),
      );
    const of = (id: string) => overwrites.find((o) => o.commandId === id)?.permissions ?? [];
    const channelId = isThreadType(where.channel.type) ? where.channel.parentId : where.channel.id;
    const may = canUseCommand({
      guildId,
      userId: where.actor.userId,
      roleIds: where.actor.roleIds,
      permissions: where.actor.permissions,
      channelId: channelId ?? where.channel.id,
      defaultMemberPermissions: command.defaultMemberPermissions,
      command: of(command.id),
      app: of(command.applicationId),
    });
    if (!may) throw missingPermissions();
  }

  /** A message of the application's bot in the channel that the person can see: one in history, or their ephemeral. */
  private async componentMessage(
    db: DbOrTx,
    userId: string,
    channelId: string,
    messageId: string,
    botUserId: string,
  ): Promise<{ message: Message; ephemeral: boolean }> {
    const [row] = await db
      .select(messageColumns)
      .from(messages)
      .where(
        and(eq(messages.channelId, channelId), eq(messages.id, messageId), eq(messages.authorId, botUserId)),
      );
    if (row)
      return { message: (await hydrateMessages(db, this.deps.attachmentUrls, [row]))[0], ephemeral: false };
    const [eph] = await db
      .select()
      .from(ephemeralMessages)
      .where(
        and(
          eq(ephemeralMessages.channelId, channelId),
          eq(ephemeralMessages.id, messageId),
          eq(ephemeralMessages.userId, userId),
        ),
      );
    if (eph && (eph.message.author as Json | undefined)?.id === botUserId)
      return { message: eph.message as unknown as Message, ephemeral: true };
    throw unknownMessage();
  }

  /** Discord's `resolved`: the users (with members), roles, channels and messages an interaction names. */
  private async resolve(db: DbOrTx, where: ChannelForActor, want: Resolved) {
    const guildId = where.channel.guildId!;
    const channelId = where.channel.id;
    const userIds = [...new Set([...want.users, ...want.mentionables])];
    const roleIds = [...new Set([...want.roles, ...want.mentionables])];
    const [userRows, memberRows, roleRows, channelRows, messageRows] = await Promise.all([
      userIds.length ? db.select().from(users).where(inArray(users.id, userIds)) : [],
      userIds.length
        ? db
            .select()
            .from(members)
            .where(and(eq(members.guildId, guildId), inArray(members.userId, userIds)))
        : [],
      roleIds.length
        ? db
            .select()
            .from(roles)
            .where(and(eq(roles.guildId, guildId), inArray(roles.id, roleIds)))
        : [],
      want.channels.size
        ? db
            .select()
            .from(channels)
            .where(and(eq(channels.guildId, guildId), inArray(channels.id, [...want.channels])))
        : [],
      want.messages.size
        ? db
            .select(messageColumns)
            .from(messages)
            .where(and(eq(messages.channelId, channelId), inArray(messages.id, [...want.messages])))
        : [],
    ]);
    const memberRoleRows = memberRows.length
      ? await db
          .select()
          .from(memberRoles)
          .where(
            and(
              eq(memberRoles.guildId, guildId),
              inArray(
                memberRoles.userId,
                memberRows.map((m) => m.userId),
              ),
            ),
          )
      : [];
    const overwriteRows = channelRows.length
      ? await db
          .select()
          .from(permissionOverwrites)
          .where(
            inArray(
              permissionOverwrites.channelId,
              channelRows.map((c) => c.id),
            ),
          )
      : [];
    const resolved: Json = {};
    const found = new Set<string>();
    if (userRows.length) {
      resolved.users = Object.fromEntries(userRows.map((u) => [u.id, toPublicUser(u)]));
      for (const u of userRows) found.add(u.id);
    }
    if (memberRows.length)
      resolved.members = Object.fromEntries(
        memberRows.map((m) => {
          const roleIdsOf = memberRoleRows.filter((r) => r.userId === m.userId).map((r) => r.roleId);
          const { user: _user, ...member } = toMemberWire(m, roleIdsOf);
          // Their permissions in the interaction's channel, as Discord resolves members.
          const permissions = computeChannelPermissions(
            where.actor.data,
            {
              userId: m.userId,
              roleIds: roleIdsOf,
              communicationDisabledUntil: m.communicationDisabledUntil,
            },
            where.overwrites.map(toOverwriteData),
            { isThread: isThreadType(where.channel.type) },
          );
          return [m.userId, { ...member, permissions: permissions.toString() }];
        }),
      );
    if (roleRows.length) {
      resolved.roles = Object.fromEntries(roleRows.map((r) => [r.id, toRoleWire(r)]));
      for (const r of roleRows) found.add(r.id);
    }
    // Only channels the invoker can see are named (any other is as unknown as a channel elsewhere).
    const visible = channelRows.flatMap((c) => {
      const permissions = where.actor.channelPermissions(
        overwriteRows.filter((o) => o.channelId === c.id),
        { isThread: isThreadType(c.type) },
      );
      const privateThread =
        c.type === ChannelType.PrivateThread && !hasPermission(permissions, Permission.MANAGE_THREADS);
      return hasPermission(permissions, Permission.VIEW_CHANNEL) && !privateThread
        ? [{ c, permissions }]
        : [];
    });
    if (visible.length) {
      resolved.channels = Object.fromEntries(
        visible.map(({ c, permissions }) => [
          c.id,
          {
            id: c.id,
            name: c.name,
            type: c.type,
            parent_id: c.parentId ?? null,
            // The invoker's permissions there, as Discord resolves channels.
            permissions: permissions.toString(),
          },
        ]),
      );
      for (const { c } of visible) found.add(c.id);
    }
    if (messageRows.length) {
      const hydrated = await hydrateMessages(db, this.deps.attachmentUrls, messageRows as MessageRow[]);
      resolved.messages = Object.fromEntries(hydrated.map((m) => [m.id, m]));
      for (const m of messageRows) found.add(m.id);
    }
    return { resolved, any: Object.keys(resolved).length > 0, found: (id: string) => found.has(id) };
  }

  // --- the answering side ---

  /** The interaction a token opens, while it lives; null when none (or the token is another's). */
  private async byToken(interactionId: string | null, token: string): Promise<InteractionRow | null> {
    const named = tokenInteractionId(token);
    if (!named || (interactionId !== null && named !== interactionId)) return null;
    const [row] = await this.deps.db
      .select()
      .from(interactions)
      .where(
        and(
          eq(interactions.id, named),
          sql`${interactions.createdAt} > now() - (${INTERACTION_TOKEN_MS}::bigint * interval '1 millisecond')`,
        ),
      );
    if (!row) return null;
    const a = Buffer.from(row.tokenHash, 'hex');
    const b = Buffer.from(hashToken(token), 'hex');
    return a.length === b.length && timingSafeEqual(a, b) ? row : null;
  }

  /** The interaction an interaction webhook names: its application's, while its token lives; else 10015. */
  private async webhookOf(appId: string, token: string): Promise<InteractionRow> {
    const row = await this.byToken(null, token);
    if (!row || row.applicationId !== appId) throw unknownWebhook();
    return row;
  }

  private async appOf(db: DbOrTx, appId: string) {
    const [app] = await db
      .select({
        id: applications.id,
        name: applications.name,
        icon: applications.icon,
        botUserId: applications.botUserId,
      })
      .from(applications)
      .where(eq(applications.id, appId));
    if (!app) throw unknownWebhook();
    return app;
  }

  /** A response's message checked as Discord checks it (before anything is acknowledged). */
  private prepare(type: number, data: Json): Prepared {
    if (type === InteractionCallbackType.ApplicationCommandAutocompleteResult) return {};
    if (type === InteractionCallbackType.DeferredUpdateMessage) return {};
    if (type === InteractionCallbackType.Modal) {
      const errors = new FieldErrors();
      if (typeof data.custom_id !== 'string')
        errors.add(['data', 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      if (typeof data.title !== 'string')
        errors.add(['data', 'title'], 'BASE_TYPE_REQUIRED', 'This field is required');
      errors.throwIfAny();
      return { modalComponents: checkComponents(data.components, 'modal', ['data', 'components']) };
    }
    const m = data as InteractionMessageData;
    const prepared: Prepared = {
      content: m.content === undefined ? undefined : (m.content ?? ''),
      embeds: m.embeds === undefined ? undefined : (m.embeds ?? []),
      components:
        m.components === undefined
          ? undefined
          : checkComponents(m.components, 'message', ['data', 'components']),
      flags: m.flags === undefined || m.flags === null ? undefined : m.flags & SENDABLE_FLAGS,
      allowedMentions: m.allowed_mentions ?? null,
    };
    if (prepared.embeds) checkEmbedsTotal(prepared.embeds);
    const sending = type === InteractionCallbackType.ChannelMessageWithSource;
    if (sending && !prepared.content?.trim() && !prepared.embeds?.length && !prepared.components?.length)
      throw new ApiError(400, ErrorCode.CannotSendEmptyMessage, 'Cannot send an empty message');
    return prepared;
  }

  /** Sends a response or follow-up: into the channel, or (flag 64) to the invoker alone. */
  private async send(
    row: InteractionRow,
    app: AppSummary,
    p: Prepared,
    opts: { loading: boolean; followUp?: boolean },
  ): Promise<Message> {
    const { db, ids } = this.deps;
    const id = ids.next();
    const ephemeral = !!((p.flags ?? 0) & InteractionMessageFlags.Ephemeral);
    const flags = (p.flags ?? 0) | (opts.loading ? InteractionMessageFlags.Loading : 0);
    const type = this.messageType(row, opts.followUp);
    const content = opts.loading ? '' : (p.content ?? '');
    const embeds = opts.loading ? [] : (p.embeds ?? []);
    const components = opts.loading ? [] : (p.components ?? []);
    const mentioned = ephemeral ? [] : await this.mentionedUsers(db, content, p.allowedMentions);
    if (ephemeral) {
      const [bot] = await db.select().from(users).where(eq(users.id, app.botUserId));
      const message = {
        ...this.bare(row, app, id, type, flags),
        author: toPublicUser(bot),
        content,
        embeds,
        components,
      } as Message;
      await db.insert(ephemeralMessages).values({
        channelId: row.channelId,
        id,
        interactionId: row.id,
        userId: row.userId,
        message: message as unknown as Json,
      });
      this.deps.events.publish('MESSAGE_CREATE', Topic.user(row.userId), {
        ...message,
        ...(row.guildId ? { guild_id: row.guildId } : {}),
      } as never);
      return message;
    }
    const stored = await db.transaction(async (tx) => {
      const [inserted] = await insertMessages(tx, [
        {
          channelId: row.channelId,
          id,
          guildId: row.guildId,
          authorId: app.botUserId,
          type,
          content,
          tts: false,
          mentionEveryone: false,
          mentionUserIds: mentioned,
          mentionRoleIds: [],
          mentionChannelIds: parseMentions(content).channelIds,
          flags,
          nonce: null,
          embeds,
          components,
          stickerItems: [],
          referenceChannelId: null,
          referenceMessageId: null,
          referenceGuildId: null,
        },
      ]);
      await recordMentions(tx, mentioned, {
        channelId: row.channelId,
        messageId: id,
        guildId: row.guildId,
        authorId: app.botUserId,
      });
      return inserted;
    });
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [stored]);
    const wire = this.decorate(row, app, message);
    const [channel] = await db
      .select({ type: channels.type })
      .from(channels)
      .where(eq(channels.id, row.channelId));
    this.deps.events.publish('MESSAGE_CREATE', Topic.channel(row.channelId), {
      ...wire,
      ...(row.guildId ? { guild_id: row.guildId } : {}),
      channel_type: channel?.type ?? 0,
    });
    return wire;
  }

  /** Edits a message of the interaction (its response, a follow-up, or a component's message). */
  private async editMessage(
    row: InteractionRow,
    app: AppSummary,
    messageId: string,
    p: Prepared,
  ): Promise<Message> {
    const { db } = this.deps;
    const found = await this.findMessage(row, app, messageId);
    const before = found.message;
    const flags = (before.flags & ~InteractionMessageFlags.Loading) | 0;
    const content = p.content ?? before.content;
    const embeds = p.embeds ?? before.embeds;
    const components = p.components ?? before.components;
    if (!content.trim() && !embeds.length && !components.length && !before.attachments.length)
      throw new ApiError(400, ErrorCode.CannotSendEmptyMessage, 'Cannot send an empty message');
    const wasLoading = !!(before.flags & InteractionMessageFlags.Loading);
    const editedAt = wasLoading ? null : new Date();
    if (found.ephemeral) {
      const message = {
        ...before,
        content,
        embeds,
        components,
        flags,
        edited_timestamp: editedAt?.toISOString() ?? null,
      } as Message;
      await db
        .update(ephemeralMessages)
        .set({ message: message as unknown as Json })
        .where(and(eq(ephemeralMessages.channelId, row.channelId), eq(ephemeralMessages.id, messageId)));
      this.deps.events.publish('MESSAGE_UPDATE', Topic.user(row.userId), {
        ...message,
        ...(row.guildId ? { guild_id: row.guildId } : {}),
      });
      return message;
    }
    const mentioned = await this.mentionedUsers(db, content, p.allowedMentions);
    const [updated] = await db
      .update(messages)
      .set({ content, embeds, components, flags, mentionUserIds: mentioned, editedAt })
      .where(and(eq(messages.channelId, row.channelId), eq(messages.id, messageId)))
      .returning(messageColumns);
    if (!updated) throw unknownMessage();
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [updated]);
    const wire = this.decorate(row, app, message);
    this.deps.events.publish('MESSAGE_UPDATE', Topic.channel(row.channelId), {
      ...wire,
      ...(row.guildId ? { guild_id: row.guildId } : {}),
    });
    return wire;
  }

  /** `@original` or a message id of the interaction's channel sent by the application's bot. */
  private resolveId(row: InteractionRow, messageId: string): string {
    if (messageId !== '@original') return messageId;
    if (!row.originalMessageId) throw unknownMessage();
    return row.originalMessageId;
  }

  private async findMessage(
    row: InteractionRow,
    app: AppSummary,
    messageId: string,
  ): Promise<{ message: Message; ephemeral: boolean }> {
    const id = this.resolveId(row, messageId);
    const { db } = this.deps;
    const [eph] = await db
      .select()
      .from(ephemeralMessages)
      .where(
        and(
          eq(ephemeralMessages.channelId, row.channelId),
          eq(ephemeralMessages.id, id),
          eq(ephemeralMessages.userId, row.userId),
        ),
      );
    if (eph) return { message: eph.message as unknown as Message, ephemeral: true };
    const [stored] = await db
      .select(messageColumns)
      .from(messages)
      .where(
        and(eq(messages.channelId, row.channelId), eq(messages.id, id), eq(messages.authorId, app.botUserId)),
      );
    if (!stored) throw unknownMessage();
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [stored]);
    return { message: this.decorate(row, app, message), ephemeral: false };
  }

  private async setOriginal(row: InteractionRow, messageId: string, ephemeral: boolean): Promise<void> {
    row.originalMessageId = messageId;
    row.originalEphemeral = ephemeral;
    await this.deps.db
      .update(interactions)
      .set({ originalMessageId: messageId, originalEphemeral: ephemeral })
      .where(and(eq(interactions.channelId, row.channelId), eq(interactions.id, row.id)));
  }

  /** Discord's message type for an interaction's message: a command's response, or a plain one. */
  private messageType(row: InteractionRow, followUp?: boolean): number {
    if (row.type !== InteractionType.ApplicationCommand || followUp) return MessageType.Default;
    const commandType = (row.payload.data as Json | undefined)?.type;
    return commandType === ApplicationCommandType.ChatInput ? CHAT_INPUT_COMMAND : CONTEXT_MENU_COMMAND;
  }

  /** What an interaction's message carries beyond a stored message: its application and interaction. */
  private decorate(row: InteractionRow, app: AppSummary, message: Message): Message {
    return {
      ...message,
      application_id: app.id,
      webhook_id: app.id,
      interaction_metadata: this.metadata(row),
    } as Message;
  }

  private metadata(row: InteractionRow) {
    const data = row.payload.data as Json | undefined;
    const member = row.payload.member as Json | undefined;
    return {
      id: row.id,
      type: row.type,
      user: member?.user,
      authorizing_integration_owners: { '0': row.guildId },
      ...(data?.name ? { name: data.name, command_type: data.type } : {}),
      ...(row.messageId ? { interacted_message_id: row.messageId } : {}),
    };
  }

  /** A message object's plain fields (an ephemeral one is built here, never read back from history). */
  private bare(row: InteractionRow, app: AppSummary, id: string, type: number, flags: number) {
    return {
      id,
      channel_id: row.channelId,
      timestamp: snowflakeIsoTimestamp(id),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      pinned: false,
      type,
      flags,
      application_id: app.id,
      webhook_id: app.id,
      interaction_metadata: this.metadata(row),
    };
  }

  /** The people a response mentions (existing users, within allowed_mentions); no roles or everyone. */
  private async mentionedUsers(
    db: DbOrTx,
    content: string,
    allowed: Prepared['allowedMentions'],
  ): Promise<string[]> {
    const parsed = parseMentions(content).userIds;
    const parse = new Set(allowed ? (allowed.parse ?? []) : ['users']);
    const wanted = parsed.filter((id) => parse.has('users') || allowed?.users?.includes(id)).slice(0, 100);
    if (!wanted.length) return [];
    return (await db.select({ id: users.id }).from(users).where(inArray(users.id, wanted))).map((u) => u.id);
  }
}

/** Discord's message types of a command's response. */
const CHAT_INPUT_COMMAND = 20;
const CONTEXT_MENU_COMMAND = 23;

interface AppSummary {
  id: string;
  name: string;
  icon: string | null;
  botUserId: string;
}

interface Prepared {
  content?: string;
  embeds?: unknown[];
  components?: Json[];
  flags?: number;
  allowedMentions?: InteractionMessageData['allowed_mentions'];
  modalComponents?: Json[];
}

/** The interaction id a token names (Hearth's tokens carry it, as Discord's do), or null for no such token. */
function tokenInteractionId(token: string): string | null {
  if (!isInteractionToken(token) || token.length > 200) return null;
  const inner = Buffer.from(token.slice(INTERACTION_TOKEN_PREFIX.length), 'base64url').toString('utf8');
  const id = inner.split(':')[0];
  return /^\d{1,20}$/.test(id) ? id : null;
}

/** The ids an interaction names, to resolve. */
class Resolved {
  users = new Set<string>();
  roles = new Set<string>();
  channels = new Set<string>();
  mentionables = new Set<string>();
  messages = new Set<string>();
}

/** A component by custom_id among a message's action rows. */
function findComponent(rows: unknown[], customId: string): Json | undefined {
  for (const row of rows ?? [])
    if (isObject(row) && Array.isArray(row.components))
      for (const c of row.components) if (isObject(c) && c.custom_id === customId) return c;
  return undefined;
}

/** A modal submit's values: action rows of text inputs, `{type: 4, custom_id, value}`. */
function modalValues(rows: unknown[]): Json[] {
  const errors = new FieldErrors();
  const out = rows.slice(0, 5).map((row, i) => {
    const children = isObject(row) && Array.isArray(row.components) ? row.components : [];
    return {
      type: ComponentType.ActionRow,
      components: children.slice(0, 5).map((c, j) => {
        const path = ['data', 'components', i, 'components', j];
        if (
          !isObject(c) ||
          typeof c.custom_id !== 'string' ||
          c.custom_id.length > 100 ||
          typeof c.value !== 'string' ||
          c.value.length > 4000
        ) {
          errors.add(path, 'MODEL_TYPE_CONVERT', 'A text input value is {type: 4, custom_id, value}.');
          return {};
        }
        return { type: ComponentType.TextInput, custom_id: c.custom_id, value: c.value };
      }),
    };
  });
  errors.throwIfAny();
  return out;
}

/**
 * A chat-input command's options as invoked, checked against the command's own: subcommands and groups by name,
 * value options by name and type, values of that type (ids collected for `resolved`), one `focused` when
 * autocompleting. Discord's wire shape comes back.
 */
function checkOptions(
  given: unknown[],
  spec: unknown[],
  path: Array<string | number>,
  errors: FieldErrors,
  resolved: Resolved,
  opts: { autocomplete: boolean },
): Json[] {
  const specs = (spec as Json[]).filter(isObject);
  const out: Json[] = [];
  const seen = new Set<string>();
  given.forEach((g, i) => {
    const at = [...path, i];
    if (!isObject(g) || typeof g.name !== 'string') {
      errors.add(at, 'MODEL_TYPE_CONVERT', 'An option is {name, type, value}.');
      return;
    }
    const s = specs.find((x) => x.name === g.name);
    if (!s || s.type !== g.type || seen.has(g.name)) {
      errors.add([...at, 'name'], 'APPLICATION_COMMAND_OPTION_INVALID', 'Not an option of this command.');
      return;
    }
    seen.add(g.name);
    const type = s.type as number;
    if (type === CommandOptionType.SubCommand || type === CommandOptionType.SubCommandGroup) {
      const inner = checkOptions(
        Array.isArray(g.options) ? g.options : [],
        Array.isArray(s.options) ? s.options : [],
        [...at, 'options'],
        errors,
        resolved,
        opts,
      );
      out.push({ name: g.name, type, options: inner });
      return;
    }
    const focused = opts.autocomplete && g.focused === true;
    const v = g.value;
    const ok = focused
      ? typeof v === 'string' || typeof v === 'number'
      : type === CommandOptionType.String
        ? typeof v === 'string' && v.length <= 6000
        : type === CommandOptionType.Integer
          ? typeof v === 'number' && Number.isSafeInteger(v)
          : type === CommandOptionType.Number
            ? typeof v === 'number' && Number.isFinite(v)
            : type === CommandOptionType.Boolean
              ? typeof v === 'boolean'
              : type === CommandOptionType.Attachment
                ? false
                : typeof v === 'string' && /^\d{1,20}$/.test(v);
    if (!ok) {
      errors.add([...at, 'value'], 'APPLICATION_COMMAND_OPTION_VALUE_INVALID', 'Not a value of this option.');
      return;
    }
    if (!focused) {
      if (type === CommandOptionType.User) resolved.users.add(v as string);
      if (type === CommandOptionType.Role) resolved.roles.add(v as string);
      if (type === CommandOptionType.Channel) resolved.channels.add(v as string);
      if (type === CommandOptionType.Mentionable) resolved.mentionables.add(v as string);
    }
    out.push({ name: g.name, type, value: v, ...(focused ? { focused: true } : {}) });
  });
  for (const s of specs)
    if (s.required === true && !seen.has(s.name as string) && !opts.autocomplete)
      errors.add(path, 'APPLICATION_COMMAND_OPTION_REQUIRED', `Option "${String(s.name)}" is required.`);
  return out;
}
