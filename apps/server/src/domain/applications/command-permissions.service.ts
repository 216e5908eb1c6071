import { type CommandOverwrite, canUseCommand, Permission } from '@hearth/permissions';
import {
  type ApplicationCommandIndex,
  ApplicationIntegrationType,
  ChannelType,
  type CommandPermission,
  CommandPermissionType,
  ErrorCode,
  type GuildCommandPermissions,
  InteractionContextType,
  isDmType,
} from '@hearth/protocol';
import { and, eq, inArray, isNull, ne, or } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import {
  applicationCommandPermissions,
  applicationCommands,
  applications,
  channelRecipients,
  channels,
  members,
  roles,
  users,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { missingPermissions, notFound } from '../errors';
import { type GuildActor, loadGuildActor } from '../guilds/guild-access';
import { toPublicUser } from '../users/users.wire';
import { loadOwnedApplication } from './applications.service';
import { contextAllows, installableAs } from './command-reach';
import { FieldErrors } from './command-rules';
import { requireBotInGuild, unknownCommand } from './commands.service';
import { type CommandRow, toCommandWire } from './commands.wire';
import { installedApplicationIds } from './user-installs.service';

type AppRow = typeof applications.$inferSelect;
type UserRow = typeof users.$inferSelect;
type PermissionRow = typeof applicationCommandPermissions.$inferSelect;

const unknownPermissions = () =>
  notFound(ErrorCode.UnknownApplicationCommandPermissions, 'application command permissions');

function toWire(row: PermissionRow): GuildCommandPermissions {
  return {
    id: row.commandId,
    application_id: row.applicationId,
    guild_id: row.guildId,
    permissions: row.permissions,
  };
}

/** The id that stands for every channel of a guild in command overwrites: the guild's id minus one. */
function allChannelsId(guildId: string): string {
  return (BigInt(guildId) - 1n).toString();
}

/**
 * Who may use an application's commands in a guild (Discord's command permissions): overwrites per command, or for
 * the whole application (command id = application id), of roles, members and channels. The application reads them;
 * a member who manages the guild and its roles sets them. Also the command index a member's client lists.
 */
export class CommandPermissionsService {
  constructor(private readonly deps: Deps) {}

  /** GET …/guilds/:gid/commands/permissions: every overwrite list of the application in the guild. */
  async list(principal: Principal, appId: string, guildId: string): Promise<GuildCommandPermissions[]> {
    const app = await loadOwnedApplication(this.deps.db, principal, appId);
    await requireBotInGuild(this.deps.db, app.botUserId, guildId);
    const rows = await this.deps.db
      .select()
      .from(applicationCommandPermissions)
      .where(
        and(
          eq(applicationCommandPermissions.guildId, guildId),
          eq(applicationCommandPermissions.applicationId, appId),
        ),
      )
      .orderBy(applicationCommandPermissions.commandId);
    return rows.map(toWire);
  }

  /** GET …/commands/:cid/permissions: 404 (10066) when none are set. */
  async get(
    principal: Principal,
    appId: string,
    guildId: string,
    commandId: string,
  ): Promise<GuildCommandPermissions> {
    const app = await loadOwnedApplication(this.deps.db, principal, appId);
    await requireBotInGuild(this.deps.db, app.botUserId, guildId);
    await this.requireCommand(this.deps.db, app, guildId, commandId);
    const row = await this.row(this.deps.db, guildId, commandId);
    if (!row || row.applicationId !== appId) throw unknownPermissions();
    return toWire(row);
  }

  /**
   * PUT …/commands/:cid/permissions: replaces the overwrites. As on Discord, a person does it (bots cannot), with
   * MANAGE_GUILD and MANAGE_ROLES, who may use the command themself, naming roles, members and channels of the guild
   * (or @everyone, id guild_id, and all channels, id guild_id − 1). An empty list removes them.
   */
  async edit(
    principal: Principal,
    appId: string,
    guildId: string,
    commandId: string,
    permissions: CommandPermission[],
  ): Promise<GuildCommandPermissions> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    const [app] = await db.select().from(applications).where(eq(applications.id, appId));
    if (!app) throw notFound(ErrorCode.UnknownApplication, 'Application');
    await requireBotInGuild(db, app.botUserId, guildId);
    actor.require(Permission.MANAGE_GUILD | Permission.MANAGE_ROLES);
    const command = await this.requireCommand(db, app, guildId, commandId);
    const [own, appWide] = await Promise.all([
      command ? this.row(db, guildId, command.id) : null,
      this.row(db, guildId, app.id),
    ]);
    const mayUse = canUseCommand({
      ...this.who(actor),
      channelId: null,
      defaultMemberPermissions: command?.defaultMemberPermissions ?? null,
      command: own?.permissions ?? [],
      app: command ? (appWide?.permissions ?? []) : [],
    });
    if (!mayUse) throw missingPermissions();
    await this.checkTargets(db, guildId, permissions);
    const wire: GuildCommandPermissions = {
      id: commandId,
      application_id: appId,
      guild_id: guildId,
      permissions,
    };
    const key = and(
      eq(applicationCommandPermissions.guildId, guildId),
      eq(applicationCommandPermissions.commandId, commandId),
    );
    if (!permissions.length) await db.delete(applicationCommandPermissions).where(key);
    else
      await db
        .insert(applicationCommandPermissions)
        .values({ guildId, commandId, applicationId: appId, permissions })
        .onConflictDoUpdate({
          target: [applicationCommandPermissions.guildId, applicationCommandPermissions.commandId],
          set: { permissions },
        });
    this.deps.events.publish('APPLICATION_COMMAND_PERMISSIONS_UPDATE', Topic.user(app.botUserId), wire);
    return wire;
  }

  /**
   * GET /guilds/:id/application-command-index: the commands of the applications whose bots are in the guild that the
   * caller may use here (by default_member_permissions and the overwrites; channel overwrites are given with each
   * command for the client to apply per channel), with the applications' names and icons, as Discord's client gets
   * them: localized to `locale` (the request's), else to the caller's own setting.
   */
  async guildIndex(
    principal: Principal,
    guildId: string,
    locale: string | null,
  ): Promise<ApplicationCommandIndex> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    const [me] = locale
      ? [{ locale }]
      : await db.select({ locale: users.locale }).from(users).where(eq(users.id, principal.userId));
    const apps = await db
      .select({ app: applications, bot: users })
      .from(members)
      .innerJoin(applications, eq(applications.botUserId, members.userId))
      .innerJoin(users, eq(users.id, members.userId))
      .where(eq(members.guildId, guildId));
    const appIds = apps.map((a) => a.app.id);
    const [commands, overwrites, personal] = await Promise.all([
      appIds.length
        ? db
            .select()
            .from(applicationCommands)
            .where(
              and(
                inArray(applicationCommands.applicationId, appIds),
                or(
                  eq(applicationCommands.guildId, guildId),
                  and(
                    isNull(applicationCommands.guildId),
                    contextAllows(InteractionContextType.Guild),
                    installableAs(ApplicationIntegrationType.GuildInstall),
                  ),
                ),
              ),
            )
            .orderBy(applicationCommands.applicationId, applicationCommands.id)
        : [],
      db
        .select()
        .from(applicationCommandPermissions)
        .where(eq(applicationCommandPermissions.guildId, guildId)),
      this.userInstalled(principal.userId, InteractionContextType.Guild),
    ]);
    const byCommand = new Map(overwrites.map((o) => [o.commandId, o.permissions]));
    const who = this.who(actor);
    const usable = commands.filter((c) =>
      canUseCommand({
        ...who,
        channelId: null,
        defaultMemberPermissions: c.defaultMemberPermissions,
        command: byCommand.get(c.id) ?? [],
        app: byCommand.get(c.applicationId) ?? [],
      }),
    );
    // A person's own apps come along (Discord's user install), except a command the guild's installation reaches:
    // that one is the guild's to allow (listed above) or not.
    const inGuild = new Set(appIds);
    const own = personal.commands.filter(
      (c) => !(inGuild.has(c.applicationId) && c.integrationTypes.includes(0)),
    );
    const withCommands = new Set([...usable, ...own].map((c) => c.applicationId));
    const listed = new Map<string, { app: AppRow; bot: UserRow }>();
    for (const a of [...apps, ...personal.apps]) if (withCommands.has(a.app.id)) listed.set(a.app.id, a);
    const all = [...usable, ...own];
    return {
      applications: [...listed.values()].map(({ app, bot }) => ({
        ...indexApplication(app),
        bot: toPublicUser(bot),
        permissions: inGuild.has(app.id) ? relevant(byCommand.get(app.id), who) : undefined,
      })),
      application_commands: [
        ...usable.map((c) => ({
          ...toCommandWire(c, { locale: me?.locale ?? null, index: true }),
          permissions: relevant(byCommand.get(c.id), who),
        })),
        ...own.map((c) => toCommandWire(c, { locale: me?.locale ?? null, index: true })),
      ],
      version: indexVersion(all),
    };
  }

  /**
   * The global commands of the applications the person installed to their account that may be used in `context`
   * through that install (integration type 1), with those applications; `botAppId`'s commands (the DM with its bot)
   * with the BOT_DM context instead.
   */
  private async userInstalled(
    userId: string,
    context: 0 | 2,
    botAppId?: string,
  ): Promise<{ apps: Array<{ app: AppRow; bot: UserRow }>; commands: CommandRow[] }> {
    const { db } = this.deps;
    const ids = [...(await installedApplicationIds(db, userId))];
    if (!ids.length) return { apps: [], commands: [] };
    const [apps, commands] = await Promise.all([
      db
        .select({ app: applications, bot: users })
        .from(applications)
        .innerJoin(users, eq(users.id, applications.botUserId))
        .where(inArray(applications.id, ids))
        .orderBy(applications.id),
      db
        .select()
        .from(applicationCommands)
        .where(
          and(
            inArray(applicationCommands.applicationId, ids),
            isNull(applicationCommands.guildId),
            installableAs(ApplicationIntegrationType.UserInstall),
            botAppId
              ? or(
                  and(
                    eq(applicationCommands.applicationId, botAppId),
                    contextAllows(InteractionContextType.BotDm),
                  ),
                  and(ne(applicationCommands.applicationId, botAppId), contextAllows(context)),
                )
              : contextAllows(context),
          ),
        )
        .orderBy(applicationCommands.applicationId, applicationCommands.id),
    ]);
    return { apps, commands };
  }

  /**
   * GET /channels/:id/application-command-index for a DM or group DM: in the DM with a bot, its application's global
   * commands of the guild installation allowed there (BOT_DM); and everywhere, those of the applications the person
   * installed to their account that its contexts allow (BOT_DM in the DM with that app's bot, else PRIVATE_CHANNEL).
   */
  async channelIndex(principal: Principal, channelId: string): Promise<ApplicationCommandIndex> {
    const { db } = this.deps;
    const [channel] = await db.select().from(channels).where(eq(channels.id, channelId));
    const recipients = channel
      ? await db.select().from(channelRecipients).where(eq(channelRecipients.channelId, channelId))
      : [];
    if (!channel || !isDmType(channel.type) || !recipients.some((r) => r.userId === principal.userId))
      throw notFound(ErrorCode.UnknownChannel, 'Channel');
    const other = recipients.find((r) => r.userId !== principal.userId);
    const found =
      other && channel.type === ChannelType.DM && recipients.length === 2
        ? await db
            .select({ app: applications, bot: users })
            .from(applications)
            .innerJoin(users, eq(users.id, applications.botUserId))
            .where(eq(applications.botUserId, other.userId))
        : [];
    const [bot] = found;
    const [dmCommands, personal] = await Promise.all([
      bot
        ? db
            .select()
            .from(applicationCommands)
            .where(
              and(
                eq(applicationCommands.applicationId, bot.app.id),
                isNull(applicationCommands.guildId),
                contextAllows(InteractionContextType.BotDm),
                installableAs(ApplicationIntegrationType.GuildInstall),
              ),
            )
            .orderBy(applicationCommands.id)
        : [],
      this.userInstalled(principal.userId, InteractionContextType.PrivateChannel, bot?.app.id),
    ]);
    const seen = new Set(dmCommands.map((c) => c.id));
    const all = [...dmCommands, ...personal.commands.filter((c) => !seen.has(c.id))];
    const withCommands = new Set(all.map((c) => c.applicationId));
    const listed = new Map<string, { app: AppRow; bot: UserRow }>();
    for (const a of [...found, ...personal.apps]) if (withCommands.has(a.app.id)) listed.set(a.app.id, a);
    return {
      applications: [...listed.values()].map((a) => ({
        ...indexApplication(a.app),
        bot: toPublicUser(a.bot),
      })),
      application_commands: all.map((c) => toCommandWire(c)),
      version: indexVersion(all),
    };
  }

  private who(actor: GuildActor) {
    return {
      guildId: actor.guild.id,
      userId: actor.userId,
      roleIds: actor.roleIds,
      permissions: actor.permissions,
    };
  }

  /** The command of the application in this guild (a global one, or one of the guild), or null for the app id. */
  private async requireCommand(
    db: DbOrTx,
    app: AppRow,
    guildId: string,
    commandId: string,
  ): Promise<CommandRow | null> {
    if (commandId === app.id) return null;
    const [command] = await db
      .select()
      .from(applicationCommands)
      .where(
        and(
          eq(applicationCommands.applicationId, app.id),
          eq(applicationCommands.id, commandId),
          or(isNull(applicationCommands.guildId), eq(applicationCommands.guildId, guildId)),
        ),
      );
    if (!command) throw unknownCommand();
    return command;
  }

  private async row(db: DbOrTx, guildId: string, commandId: string): Promise<PermissionRow | undefined> {
    const [row] = await db
      .select()
      .from(applicationCommandPermissions)
      .where(
        and(
          eq(applicationCommandPermissions.guildId, guildId),
          eq(applicationCommandPermissions.commandId, commandId),
        ),
      );
    return row;
  }

  /** Each overwrite names a role, member or channel of this guild (or a sentinel), once. */
  private async checkTargets(db: DbOrTx, guildId: string, list: CommandPermission[]): Promise<void> {
    const errors = new FieldErrors();
    const ids = (type: number) => [...new Set(list.filter((p) => p.type === type).map((p) => p.id))];
    const [roleRows, memberRows, channelRows] = await Promise.all([
      lookup(ids(CommandPermissionType.Role), (xs) =>
        db
          .select({ id: roles.id })
          .from(roles)
          .where(and(eq(roles.guildId, guildId), inArray(roles.id, xs))),
      ),
      lookup(ids(CommandPermissionType.User), (xs) =>
        db
          .select({ id: members.userId })
          .from(members)
          .where(and(eq(members.guildId, guildId), inArray(members.userId, xs))),
      ),
      lookup(ids(CommandPermissionType.Channel), (xs) =>
        db
          .select({ id: channels.id })
          .from(channels)
          .where(and(eq(channels.guildId, guildId), inArray(channels.id, xs))),
      ),
    ]);
    const known = {
      [CommandPermissionType.Role]: new Set([guildId, ...roleRows]),
      [CommandPermissionType.User]: new Set(memberRows),
      [CommandPermissionType.Channel]: new Set([allChannelsId(guildId), ...channelRows]),
    } as Record<number, Set<string>>;
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (!known[p.type]?.has(p.id))
        errors.add(['permissions', i, 'id'], 'APPLICATION_COMMAND_PERMISSIONS_INVALID_ID', 'Unknown target.');
      if (seen.has(`${p.type}:${p.id}`))
        errors.add(
          ['permissions', i, 'id'],
          'APPLICATION_COMMAND_PERMISSIONS_DUPLICATE',
          'Duplicate overwrite.',
        );
      seen.add(`${p.type}:${p.id}`);
    });
    errors.throwIfAny();
  }
}

async function lookup(
  ids: string[],
  query: (ids: string[]) => Promise<Array<{ id: string }>>,
): Promise<string[]> {
  return ids.length ? (await query(ids)).map((r) => r.id) : [];
}

/** An application as a command index lists it. */
function indexApplication(app: AppRow) {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    icon: app.icon,
    bot_id: app.botUserId,
    flags: String(app.flags),
  };
}

/** The index's version: the newest of its commands'. */
function indexVersion(commands: CommandRow[]): string {
  return commands.reduce((max, c) => (BigInt(c.version) > BigInt(max) ? c.version : max), '0');
}

/**
 * What a member's client is told of a list of overwrites (Discord's index permissions): the one of this user, those
 * of the member's roles and @everyone, and every channel's, for it to decide per channel.
 */
function relevant(
  list: CommandOverwrite[] | undefined,
  who: { guildId: string; userId: string; roleIds: readonly string[] },
): Record<string, unknown> | undefined {
  if (!list?.length) return undefined;
  const mine = new Set([...who.roleIds, who.guildId]);
  const pick = (type: number, keep: (id: string) => boolean) => {
    const found = list.filter((o) => o.type === type && keep(o.id));
    return found.length ? Object.fromEntries(found.map((o) => [o.id, o.permission])) : undefined;
  };
  const user = list.find((o) => o.type === CommandPermissionType.User && o.id === who.userId);
  const out = {
    user: user?.permission,
    roles: pick(CommandPermissionType.Role, (id) => mine.has(id)),
    channels: pick(CommandPermissionType.Channel, () => true),
  };
  return out;
}
