import { missingForGrant, Permission, parsePermissions } from '@hearth/permissions';
import { AuditLogEvent, ErrorCode, type IntegrationTypesConfig } from '@hearth/protocol';
import { and, eq, gte, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { applications, roles, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, missingPermissions, notFound } from '../errors';
import { PendingEvents } from '../pending-events';
import type { PresenceService } from '../presence/presence.service';
import { toPublicUser } from '../users/users.wire';
import { writeAudit } from './audit';
import { admitToGuild, loadGuildActor } from './guild-access';
import type { GuildsService } from './guilds.service';
import { toRoleWire } from './guilds.wire';
import type { MembersService } from './members.service';

/** Adds a bot to a guild the way Discord's authorize screen does: a member with MANAGE_GUILD consents for the guild. */
export class BotAuthorizationService {
  constructor(
    private readonly deps: Deps,
    private readonly guilds: GuildsService,
    private readonly members: MembersService,
    private readonly presence: PresenceService,
  ) {}

  /**
   * GET /oauth2/authorize (what Discord's authorize screen loads): the application a link names, with its bot, for
   * the person about to add it; 404 for an unknown one, or a private one they do not own.
   */
  async preview(
    principal: Principal,
    clientId: string,
  ): Promise<{
    application: {
      id: string;
      name: string;
      icon: string | null;
      description: string;
      bot_public: boolean;
      integration_types_config: IntegrationTypesConfig;
    };
    bot: ReturnType<typeof toPublicUser>;
  }> {
    const [app] = await this.deps.db.select().from(applications).where(eq(applications.id, clientId));
    if (!app || (!app.botPublic && app.ownerId !== principal.userId))
      throw notFound(ErrorCode.UnknownApplication, 'Application');
    const [bot] = await this.deps.db.select().from(users).where(eq(users.id, app.botUserId));
    if (!bot) throw notFound(ErrorCode.UnknownApplication, 'Application');
    return {
      application: {
        id: app.id,
        name: app.name,
        icon: app.icon,
        description: app.description,
        bot_public: app.botPublic,
        integration_types_config: app.integrationTypesConfig,
      },
      bot: toPublicUser(bot),
    };
  }

  async authorize(
    principal: Principal,
    input: {
      clientId: string;
      scope: string;
      guildId: string | undefined;
      permissions: string;
      reason?: string | null;
    },
  ): Promise<{ location: string }> {
    const { db, ids } = this.deps;
    const guildId = input.guildId;
    if (!guildId) throw invalidField(['guild_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
    if (!input.scope.split(/[\s+]/).includes('bot'))
      throw invalidField(['scope'], 'SCOPE_INVALID', 'Only the bot scope is supported.');
    const [app] = await db.select().from(applications).where(eq(applications.id, input.clientId));
    if (!app || (!app.botPublic && app.ownerId !== principal.userId))
      throw notFound(ErrorCode.UnknownApplication, 'Application');
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_GUILD);
    const permissions = parsePermissions(input.permissions);
    if (permissions === null)
      throw invalidField(['permissions'], 'PERMISSIONS_INVALID', 'Not a permission set.');
    if (missingForGrant(actor.permissions, permissions) !== 0n) throw missingPermissions();
    const [bot] = await db.select().from(users).where(eq(users.id, app.botUserId));
    const pending = new PendingEvents();
    const joined = await db.transaction(async (tx) => {
      await admitToGuild(tx, guildId, app.botUserId);
      const roleIds: string[] = [];
      if (permissions !== 0n) {
        await tx
          .update(roles)
          .set({ position: sql`${roles.position} + 1` })
          .where(and(eq(roles.guildId, guildId), gte(roles.position, 1)));
        const [role] = await tx
          .insert(roles)
          .values({
            guildId: guildId,
            id: ids.next(),
            name: bot.globalName ?? bot.username,
            permissions,
            position: 1,
            managed: true,
            botId: bot.id,
          })
          .returning();
        roleIds.push(role.id);
        pending.add('GUILD_ROLE_CREATE', Topic.guild(guildId), {
          guild_id: guildId,
          role: toRoleWire(role),
        });
      }
      const added = await this.members.addMember(tx, pending, guildId, bot.id, { roleIds });
      if (!added) throw new ApiError(400, ErrorCode.InvalidFormBody, 'The bot is already in this guild');
      await writeAudit(tx, ids, pending, {
        guildId: guildId,
        userId: principal.userId,
        targetId: bot.id,
        actionType: AuditLogEvent.BotAdd,
        reason: input.reason,
      });
      return added;
    });
    if (joined) pending.add('GUILD_CREATE', Topic.user(bot.id), await this.guilds.fullGuild(db, guildId));
    pending.publish(this.deps.events);
    if (joined) await this.presence.announce(bot.id, guildId);
    return { location: `${this.deps.config.publicUrl}/oauth2/authorized` };
  }
}
