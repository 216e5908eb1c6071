import { canUseCommand, hasPermission, Permission } from '@hearth/permissions';
import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  ComponentType,
  type CreateInteraction,
  ErrorCode,
  InteractionCallbackType,
  InteractionContextType,
  InteractionType,
  isDmType,
  isThreadType,
  Limits,
  type Message,
} from '@hearth/protocol';
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import {
  applicationCommandPermissions,
  applicationCommands,
  applications,
  attachments,
  channelRecipients,
  ephemeralMessages,
  guilds,
  interactions,
  members,
  messages,
  users,
} from '../../store/schema';
import { contextAllows, installableAs } from '../applications/command-reach';
import { FieldErrors } from '../applications/command-rules';
import type { CommandRow } from '../applications/commands.wire';
import { installedApplicationIds } from '../applications/user-installs.service';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { toDmWire } from '../dms/dms.wire';
import { ApiError, invalidField, missingPermissions, notFound } from '../errors';
import { loadChannelContext } from '../guilds/channel-context';
import {
  type ChannelForActor,
  type ChannelRow,
  channelForActor,
  loadChannelForActor,
} from '../guilds/guild-access';
import { toChannelWire, toMemberWire } from '../guilds/guilds.wire';
import { hydrateMessages, messageColumns } from '../messages/messages.wire';
import type { UploadBatch } from '../messages/uploads';
import { toPublicUser } from '../users/users.wire';
import { checkOptions, findComponent, modalValues, Resolved } from './command-options';
import { type Json, unknownInteraction, unknownMessage } from './interaction-common';
import { scheduleDeadline } from './interaction-deadline';
import type { InteractionDelivery } from './interaction-delivery';
import { discardingOnFailure, InvocationFiles, interactionUpload } from './interaction-files';
import { resolveNamed } from './interaction-resolved';
import { createdWithin, hashToken, INTERACTION_TOKEN_MS, mintInteractionToken } from './interaction-tokens';

type UserRow = typeof users.$inferSelect;

/** What an application's bot may do in its DM with the invoker, as Discord tells it in `app_permissions`. */
const BOT_DM_APP_PERMISSIONS =
  Permission.ATTACH_FILES |
  Permission.EMBED_LINKS |
  Permission.MENTION_EVERYONE |
  Permission.USE_EXTERNAL_EMOJIS;

/**
 * What an application may do in a DM or group DM that is not the DM with its bot, where only a person's install
 * brought it (Discord's PRIVATE_CHANNEL context).
 */
const PRIVATE_CHANNEL_APP_PERMISSIONS =
  Permission.ATTACH_FILES | Permission.EMBED_LINKS | Permission.MENTION_EVERYONE;

/**
 * Invoking (ADR 0039): a person runs an application's command, uses a component on its bot's message or submits its
 * modal. What they name is checked, Discord's payload is built, the interaction is stored with its deadline and
 * handed to its application.
 */
export class InteractionInvoker {
  constructor(
    private readonly deps: Deps,
    private readonly delivery: InteractionDelivery,
  ) {}

  /**
   * POST /interactions: a person invokes. Decided in order, each failure telling nothing of what lies behind it: the
   * channel must be one they can see (404): a guild channel, or their DM with the application's bot; the application's
   * bot a member of its guild, or the other person of that DM (404 Unknown Application); the command one of the
   * application there (404) that they may use here (403), the component one on the bot's message, the modal one
   * shown to them.
   */
  async create(
    principal: Principal,
    input: CreateInteraction,
    opts: { upload?: UploadBatch } = {},
  ): Promise<void> {
    // Nothing half-kept: the files go with a refused interaction.
    await discardingOnFailure(opts.upload, () => this.createInteraction(principal, input, opts.upload));
  }

  /**
   * Authorizes the files of a multipart invocation before a byte of them is read: the place must be one the person
   * may invoke in (as `create` decides), and in a guild they must be allowed to attach files there.
   */
  async startUpload(principal: Principal, input: CreateInteraction): Promise<UploadBatch> {
    if (principal.bot)
      throw new ApiError(403, ErrorCode.BotsCannotUseEndpoint, 'Bots cannot use this endpoint');
    if (input.type !== InteractionType.ApplicationCommand)
      throw invalidField(
        ['files'],
        'ATTACHMENT_NOT_NAMED',
        "Only a command's attachment options take files.",
      );
    const place = await this.placeOf(this.deps.db, principal.userId, input);
    if (place.where && !hasPermission(place.where.permissions, Permission.ATTACH_FILES))
      throw missingPermissions();
    return interactionUpload(this.deps, place.channel.id, principal.userId);
  }

  private async createInteraction(
    principal: Principal,
    input: CreateInteraction,
    upload: UploadBatch | undefined,
  ): Promise<void> {
    const { db, ids } = this.deps;
    if (principal.bot)
      throw new ApiError(403, ErrorCode.BotsCannotUseEndpoint, 'Bots cannot use this endpoint');
    const place = await this.placeOf(db, principal.userId, input);
    const { app, bot, channel } = place;
    const id = ids.next();
    // The files were received for the place startUpload authorized; never let them land elsewhere.
    if (upload && upload.grant.channelId !== channel.id) throw notFound(ErrorCode.UnknownChannel, 'Channel');
    const files = upload?.files.length
      ? new InvocationFiles(upload.files, input.data.attachments, {
          channelId: channel.id,
          interactionId: id,
          uploaderId: principal.userId,
        })
      : null;
    const data = await this.checkData(db, principal, input, place, files);
    const token = mintInteractionToken(id);
    const [me] = await db.select().from(users).where(eq(users.id, principal.userId));
    const where = place.where;
    const common = {
      id,
      application_id: app.id,
      type: input.type,
      data: data.data,
      channel_id: channel.id,
      token,
      version: 1,
      locale: me?.locale ?? 'en-US',
      entitlements: [],
      attachment_size_limit: Limits.defaultUploadLimitBytes,
    };
    let payload: Json & { id: string };
    if (where) {
      const guildId = place.guildId!;
      const [guild] = await db.select().from(guilds).where(eq(guilds.id, guildId));
      // The bot's own permissions where it is a member; through the invoker's install alone, @everyone's.
      const botWhere = place.guildInstall
        ? await loadChannelForActor(db, channel.id, bot.id).catch(() => null)
        : null;
      const appPermissions = place.guildInstall
        ? (botWhere?.permissions ?? 0n)
        : where.actor.everyoneChannelPermissions(where.overwrites, { isThread: isThreadType(channel.type) });
      payload = {
        ...common,
        guild: { id: guildId, locale: guild?.preferredLocale ?? 'en-US', features: [] },
        guild_id: guildId,
        channel: { ...toChannelWire(channel, where.overwrites), permissions: where.permissions.toString() },
        member: {
          ...toMemberWire(where.actor.member, where.actor.roleIds, me),
          permissions: where.permissions.toString(),
        },
        app_permissions: appPermissions.toString(),
        guild_locale: guild?.preferredLocale ?? 'en-US',
        authorizing_integration_owners: data.owners,
        context: InteractionContextType.Guild,
        ...(data.message ? { message: data.message } : {}),
      };
    } else {
      // In a DM or group DM, as Discord: the invoker as `user` (no member, no guild), the channel as `channel`.
      const botDm = place.context === InteractionContextType.BotDm;
      payload = {
        ...common,
        channel: toDmWire(channel, place.people, botDm ? bot.id : principal.userId),
        user: toPublicUser(me),
        app_permissions: (botDm ? BOT_DM_APP_PERMISSIONS : PRIVATE_CHANNEL_APP_PERMISSIONS).toString(),
        authorizing_integration_owners: data.owners,
        context: place.context,
        ...(data.message ? { message: data.message } : {}),
      };
    }
    const { token: _token, ...stored } = payload;
    const row = {
      channelId: channel.id,
      id,
      guildId: place.guildId,
      applicationId: app.id,
      userId: principal.userId,
      type: input.type,
      tokenHash: hashToken(token),
      messageId: data.messageId,
      nonce: input.nonce ?? null,
      payload: stored,
    };
    if (files)
      await db.transaction(async (tx) => {
        await tx.insert(interactions).values(row);
        await tx.insert(attachments).values(files.rows);
      });
    else await db.insert(interactions).values(row);
    upload?.keep();
    await scheduleDeadline(this.deps, channel.id, id);
    // The invoker's own echo first, as Discord's client matches its pending interaction by nonce.
    this.deps.events.publish('INTERACTION_CREATE', Topic.user(principal.userId), {
      id,
      nonce: input.nonce ?? null,
      type: input.type,
    });
    await this.delivery.deliver({
      applicationId: app.id,
      botUserId: bot.id,
      endpointUrl: app.interactionsEndpointUrl,
      payload,
    });
  }

  /**
   * Where the interaction happens and for which application: a guild channel the invoker can see, or a DM or group
   * DM of theirs; the application reaches it through its guild installation (its bot a member of the guild, or the
   * DM being the one with its bot) or through the invoker's own install of it (Discord's user install). A component
   * or modal may also come from someone without either, on a message of the application there (checked with `data`).
   */
  private async placeOf(db: DbOrTx, userId: string, input: CreateInteraction): Promise<Place> {
    const unknownChannel = () => notFound(ErrorCode.UnknownChannel, 'Channel');
    const unknownApp = () => notFound(ErrorCode.UnknownApplication, 'Application');
    const command =
      input.type === InteractionType.ApplicationCommand ||
      input.type === InteractionType.ApplicationCommandAutocomplete;
    const ctx = await loadChannelContext(db, input.channel_id, userId);
    const found = async () => {
      const [row] = await db
        .select({ app: applications, bot: users })
        .from(applications)
        .innerJoin(users, eq(users.id, applications.botUserId))
        .where(eq(applications.id, input.application_id));
      return row;
    };
    if (ctx && isDmType(ctx.channel.type)) {
      if (!ctx.recipient || input.guild_id) throw unknownChannel();
      const people = await db
        .select({ user: users })
        .from(channelRecipients)
        .innerJoin(users, eq(users.id, channelRecipients.userId))
        .where(eq(channelRecipients.channelId, ctx.channel.id));
      const row = await found();
      if (!row) throw unknownApp();
      const botDm =
        ctx.channel.type === ChannelType.DM && people.some((p) => p.user.id === row.app.botUserId);
      const userInstall = (await installedApplicationIds(db, userId, [row.app.id])).has(row.app.id);
      if (!botDm && !userInstall && command) throw unknownApp();
      return {
        channel: ctx.channel,
        guildId: null,
        where: null,
        people: people.map((p) => p.user),
        app: row.app,
        bot: row.bot,
        context: botDm ? InteractionContextType.BotDm : InteractionContextType.PrivateChannel,
        guildInstall: botDm,
        userInstall,
      };
    }
    let where: ChannelForActor;
    try {
      where = channelForActor(ctx);
    } catch {
      throw unknownChannel();
    }
    const guildId = where.channel.guildId!;
    if (input.guild_id && input.guild_id !== guildId) throw unknownChannel();
    if (!hasPermission(where.permissions, Permission.VIEW_CHANNEL)) throw unknownChannel();
    const row = await found();
    if (!row) throw unknownApp();
    const [inGuild] = await db
      .select({ userId: members.userId })
      .from(members)
      .where(and(eq(members.guildId, guildId), eq(members.userId, row.app.botUserId)));
    const userInstall = (await installedApplicationIds(db, userId, [row.app.id])).has(row.app.id);
    if (!inGuild && !userInstall && command) throw unknownApp();
    return {
      channel: where.channel,
      guildId,
      where,
      people: [],
      app: row.app,
      bot: row.bot,
      context: InteractionContextType.Guild,
      guildInstall: !!inGuild,
      userInstall,
    };
  }

  /** Checks `data` against what the interaction names and builds Discord's `data` (with `resolved`). */
  private async checkData(
    db: DbOrTx,
    principal: Principal,
    input: CreateInteraction,
    place: Place,
    files: InvocationFiles | null,
  ): Promise<{ data: Json; message?: Message; messageId: string | null; owners: Record<string, string> }> {
    if (files && input.type !== InteractionType.ApplicationCommand)
      throw invalidField(
        ['files'],
        'ATTACHMENT_NOT_NAMED',
        "Only a command's attachment options take files.",
      );
    const { where, channel } = place;
    const appId = place.app.id;
    const botUserId = place.bot.id;
    const d = input.data;
    if (
      input.type === InteractionType.ApplicationCommand ||
      input.type === InteractionType.ApplicationCommandAutocomplete
    ) {
      if (where && !hasPermission(where.permissions, Permission.USE_APPLICATION_COMMANDS))
        throw missingPermissions();
      if (!d.id) throw invalidField(['data', 'id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      const [command] = await db
        .select()
        .from(applicationCommands)
        .where(
          and(
            eq(applicationCommands.applicationId, appId),
            eq(applicationCommands.id, d.id),
            reachableCommand(place),
          ),
        );
      if (!command) throw notFound(ErrorCode.UnknownApplicationCommand, 'application command');
      const owners = commandOwners(place, command, principal.userId);
      // Through the guild installation the guild's rules decide (not in the DM with the bot, as on Discord); a
      // person's own install is theirs to use wherever the command's contexts allow.
      if (where && owners['0']) await this.requireUse(db, where, command);
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
            attachment: files?.attachment,
          },
        );
        errors.throwIfAny();
        files?.requireAllNamed();
        if (options.length) data.options = options;
      } else {
        if (!d.target_id)
          throw invalidField(['data', 'target_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
        data.target_id = d.target_id;
        if (command.type === ApplicationCommandType.User) resolved.users.add(d.target_id);
        else resolved.messages.add(d.target_id);
      }
      const built = await resolveNamed(db, this.deps.attachmentUrls, place, resolved);
      const named = [...resolved.users, ...resolved.roles, ...resolved.channels, ...resolved.mentionables];
      if (named.some((v) => !built.found(v)))
        throw invalidField(
          ['data', 'options'],
          'APPLICATION_COMMAND_OPTION_VALUE_INVALID',
          'Unknown user, role or channel.',
        );
      if (command.type !== ApplicationCommandType.ChatInput && !built.found(d.target_id!))
        throw invalidField(['data', 'target_id'], 'INTERACTION_TARGET_INVALID', 'Unknown target.');
      const withFiles = files
        ? { ...built.resolved, attachments: files.resolved(this.deps.attachmentUrls) }
        : built.resolved;
      if (built.any || files) data.resolved = withFiles;
      if (files && command.type !== ApplicationCommandType.ChatInput) files.requireAllNamed();
      return { data, messageId: null, owners };
    }
    if (input.type === InteractionType.MessageComponent) {
      if (!input.message_id)
        throw invalidField(['message_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      const found = await this.componentMessage(
        db,
        principal.userId,
        channel.id,
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
          const built = await resolveNamed(db, this.deps.attachmentUrls, place, resolved);
          if (values.some((v) => !built.found(v)))
            throw invalidField(['data', 'values'], 'SELECT_VALUE_INVALID', 'Unknown user, role or channel.');
          data.resolved = built.resolved;
        }
        data.values = values;
      }
      const owners =
        originalOwners(found.message.interaction_metadata, place) ?? placeOwners(place, principal.userId);
      if (!owners) throw notFound(ErrorCode.UnknownApplication, 'Application');
      return { data, message: found.message, messageId: input.message_id, owners };
    }
    // A modal submit answers a modal this application showed this person, here, within its token's life.
    if (!d.id || !d.custom_id)
      throw invalidField(['data', 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
    const [shown] = await db
      .select()
      .from(interactions)
      .where(
        and(
          eq(interactions.channelId, channel.id),
          eq(interactions.id, d.id),
          eq(interactions.userId, principal.userId),
          eq(interactions.applicationId, appId),
          eq(interactions.responseType, InteractionCallbackType.Modal),
          eq(interactions.modalCustomId, d.custom_id),
          createdWithin(INTERACTION_TOKEN_MS),
        ),
      );
    if (!shown) throw unknownInteraction();
    const components = modalValues(d.components ?? []);
    let message: Message | undefined;
    if (shown.messageId) {
      message = (await this.componentMessage(db, principal.userId, channel.id, shown.messageId, botUserId)
        .then((m) => m.message)
        .catch(() => undefined)) as Message | undefined;
    }
    const owners = (shown.payload.authorizing_integration_owners as Record<string, string> | undefined) ?? {};
    return {
      data: { custom_id: d.custom_id, components },
      ...(message ? { message } : {}),
      messageId: message ? shown.messageId : null,
      owners,
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
}

/** Where an interaction is invoked: a guild channel (with the invoker's standing there), or their DM with the bot. */
interface Place {
  channel: ChannelRow;
  guildId: string | null;
  /** The invoker in the guild channel; null in the DM. */
  where: ChannelForActor | null;
  /** The DM's recipients (the invoker and the bot); empty in a guild. */
  people: UserRow[];
  app: typeof applications.$inferSelect;
  bot: UserRow;
  /** Discord's interaction context: a guild, the DM with the bot, another DM or a group DM. */
  context: 0 | 1 | 2;
  /** The application's guild installation reaches here: its bot is in the guild, or this is the DM with it. */
  guildInstall: boolean;
  /** The invoker installed the application to their account. */
  userInstall: boolean;
}

/**
 * The commands of the application that this place reaches: the guild's own commands where its bot is a member, and
 * global commands allowed in this context through an installation that reaches here.
 */
function reachableCommand(place: Place) {
  const through = [
    ...(place.guildInstall ? [installableAs(ApplicationIntegrationType.GuildInstall)] : []),
    ...(place.userInstall ? [installableAs(ApplicationIntegrationType.UserInstall)] : []),
  ];
  const global = through.length
    ? and(isNull(applicationCommands.guildId), contextAllows(place.context), or(...through))
    : sql`false`;
  return place.guildInstall && place.guildId
    ? or(eq(applicationCommands.guildId, place.guildId), global)
    : global;
}

/**
 * Discord's `authorizing_integration_owners` for a command: "0" (the guild's id, "0" in the DM with the bot) when
 * the guild installation brings it here, "1" (the invoker) when their own install does.
 */
function commandOwners(place: Place, command: CommandRow, userId: string): Record<string, string> {
  const owners: Record<string, string> = {};
  if (command.guildId || (place.guildInstall && command.integrationTypes.includes(0)))
    owners['0'] = place.guildId ?? '0';
  if (!command.guildId && place.userInstall && command.integrationTypes.includes(1)) owners['1'] = userId;
  return owners;
}

/** The owners a place gives the application without a command (a component on a message it did not answer). */
function placeOwners(place: Place, userId: string): Record<string, string> | null {
  if (place.guildInstall) return { '0': place.guildId ?? '0' };
  if (place.userInstall) return { '1': userId };
  return null;
}

/**
 * A message's interaction's owners: a component on it is authorized as the command that made it was (a person's
 * install, by whoever clicks; the guild's, while the bot is still there).
 */
function originalOwners(metadata: unknown, place: Place): Record<string, string> | null {
  const owners = (metadata as { authorizing_integration_owners?: Record<string, string> } | null | undefined)
    ?.authorizing_integration_owners;
  if (!owners) return null;
  const kept = Object.fromEntries(Object.entries(owners).filter(([k]) => k === '1' || place.guildInstall));
  return Object.keys(kept).length ? kept : null;
}
