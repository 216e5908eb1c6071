import {
  type Application,
  ApplicationFlags,
  ErrorCode,
  type IntegrationTypesConfig,
  type ModifyApplication,
} from '@hearth/protocol';
import { desc, eq, inArray } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { OutboundError, parseOutboundUrl } from '../../net/outbound';
import { type DbOrTx, isUniqueViolation } from '../../store/db';
import {
  applicationCommandPermissions,
  applicationCommands,
  applicationEmojis,
  applications,
  members,
  userApplicationInstalls,
  users,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import { newSecretToken } from '../auth/tokens';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound } from '../errors';
import { storeImage } from '../images';
import { PendingEvents } from '../pending-events';
import { toPublicUser } from '../users/users.wire';
import { FieldErrors } from './command-rules';
import { applicationKeys, newApplicationKeys, verifyInteractionsEndpoint } from './interactions-endpoint';

type AppRow = typeof applications.$inferSelect;

/** An application its owner or its own bot is acting on; any other is 404 Unknown Application. */
export async function loadOwnedApplication(db: DbOrTx, principal: Principal, appId: string): Promise<AppRow> {
  const [app] = await db.select().from(applications).where(eq(applications.id, appId));
  const mine = app && (app.ownerId === principal.userId || app.id === principal.applicationId);
  if (!mine) throw notFound(ErrorCode.UnknownApplication, 'Application');
  return app;
}

/** Applications own bot users; a bot authenticates with `Authorization: Bot <token>`. */
export class ApplicationsService {
  constructor(
    private readonly deps: Deps,
    /** MembersService's (not imported: members.service reaches this file through commands.service). */
    private readonly members: {
      removeMember(tx: DbOrTx, pending: PendingEvents, guildId: string, userId: string): Promise<boolean>;
    },
  ) {}

  /** Creates an application owned by the caller, with its bot user. The token comes from resetBotToken. */
  async create(principal: Principal, input: { name: string; description?: string }): Promise<Application> {
    if (principal.bot)
      throw new ApiError(403, ErrorCode.BotsCannotUseEndpoint, 'Bots cannot use this endpoint');
    const { db, ids } = this.deps;
    const appId = ids.next();
    const botUserId = ids.next();
    const base = botUsername(input.name);
    for (let attempt = 0; ; attempt++) {
      const username =
        attempt === 0 ? base : `${base.slice(0, 27)}_${Math.floor(1000 + Math.random() * 9000)}`;
      try {
        await db.transaction(async (tx) => {
          await tx.insert(users).values({ id: botUserId, username, globalName: input.name, bot: true });
          await tx.insert(applications).values({
            id: appId,
            ownerId: principal.userId,
            name: input.name,
            description: input.description ?? '',
            botUserId,
            ...newApplicationKeys(),
          });
        });
        break;
      } catch (err) {
        if (!isUniqueViolation(err, 'users_username_key') || attempt >= 5) throw err;
      }
    }
    return this.get(principal, appId);
  }

  async listMine(principal: Principal): Promise<Application[]> {
    const rows = await this.deps.db
      .select()
      .from(applications)
      .where(eq(applications.ownerId, principal.userId))
      .orderBy(desc(applications.id));
    return Promise.all(rows.map((a) => this.toWire(a)));
  }

  /** The caller's own application; others' are hidden (404). */
  async get(principal: Principal, appId: string): Promise<Application> {
    const app = await this.findOwned(principal, appId);
    return this.toWire(app);
  }

  /** The application of the calling bot. */
  async current(principal: Principal): Promise<Application> {
    if (!principal.applicationId)
      throw new ApiError(403, ErrorCode.OnlyBotsCanUseEndpoint, 'Only bots can use this endpoint');
    const [app] = await this.deps.db
      .select()
      .from(applications)
      .where(eq(applications.id, principal.applicationId));
    if (!app) throw notFound(ErrorCode.UnknownApplication, 'Application');
    return this.toWire(app);
  }

  /**
   * GET /oauth2/@me with a bot token: its application, its bot user, and the scopes a bot holds. Bot tokens do not
   * expire, so `expires` is null (Discord's bearer tokens give a date).
   */
  async currentAuthorization(
    principal: Principal,
  ): Promise<{ application: Application; scopes: string[]; expires: null; user: Application['owner'] }> {
    const application = await this.current(principal);
    return { application, scopes: ['bot', 'applications.commands'], expires: null, user: application.bot! };
  }

  /**
   * PATCH /applications/:id and /applications/@me. A new interactions endpoint is saved only after it answered a
   * signed PING and refused a badly signed one (ADR 0038); null or "" removes it.
   */
  async modify(principal: Principal, appId: string, input: ModifyApplication): Promise<Application> {
    const app = await this.findOwned(principal, appId);
    const changes: Partial<AppRow> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    if (input.flags !== undefined) {
      if (input.flags & ~editableFlags)
        throw invalidField(['flags'], 'BASE_TYPE_CHOICES', 'Only the privileged intent flags can be set');
      changes.flags = (app.flags & ~editableFlags) | input.flags;
    }
    if (input.bot_public !== undefined) changes.botPublic = input.bot_public;
    if (input.integration_types_config !== undefined)
      changes.integrationTypesConfig = checkIntegrationTypesConfig(input.integration_types_config);
    const url = input.interactions_endpoint_url;
    if (url === null || url === '') changes.interactionsEndpointUrl = null;
    else if (url !== undefined && url !== app.interactionsEndpointUrl) {
      try {
        parseOutboundUrl(url);
      } catch (err) {
        if (err instanceof OutboundError)
          throw invalidField(['interactions_endpoint_url'], 'URL_TYPE_INVALID_URL', err.message);
        throw err;
      }
      const keys = await applicationKeys(this.deps.db, app);
      await verifyInteractionsEndpoint(this.deps, { id: app.id, signingKey: keys.signingKey }, url);
      changes.interactionsEndpointUrl = url;
    }
    if (input.icon !== undefined)
      changes.icon = await storeImage(
        this.deps,
        {
          purpose: 'app_icon',
          folder: `app-icons/${app.id}`,
          ownerId: app.id,
          width: 1024,
          height: 1024,
          field: 'icon',
        },
        input.icon,
      );
    if (Object.keys(changes).length)
      await this.deps.db.update(applications).set(changes).where(eq(applications.id, app.id));
    return this.toWire({ ...app, ...changes });
  }

  /** PATCH /applications/@me: the calling bot's own application. */
  async modifyCurrent(principal: Principal, input: ModifyApplication): Promise<Application> {
    if (!principal.applicationId)
      throw new ApiError(403, ErrorCode.OnlyBotsCanUseEndpoint, 'Only bots can use this endpoint');
    return this.modify(principal, principal.applicationId, input);
  }

  /**
   * Deletes an application (its owner only, never its bot): the bot leaves every guild, its token stops working,
   * its commands, their permissions and its emojis go. The bot user stays, so its old messages keep an author.
   */
  async delete(principal: Principal, appId: string): Promise<void> {
    if (principal.bot)
      throw new ApiError(403, ErrorCode.BotsCannotUseEndpoint, 'Bots cannot use this endpoint');
    const app = await this.findOwned(principal, appId);
    const { db } = this.deps;
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      const guilds = await tx
        .select({ guildId: members.guildId })
        .from(members)
        .where(eq(members.userId, app.botUserId));
      for (const { guildId } of guilds) await this.members.removeMember(tx, pending, guildId, app.botUserId);
      await tx
        .delete(applicationCommandPermissions)
        .where(eq(applicationCommandPermissions.applicationId, app.id));
      await tx.delete(applicationCommands).where(eq(applicationCommands.applicationId, app.id));
      await tx.delete(applicationEmojis).where(eq(applicationEmojis.applicationId, app.id));
      await tx.delete(userApplicationInstalls).where(eq(userApplicationInstalls.applicationId, app.id));
      await tx.delete(applications).where(eq(applications.id, app.id));
    });
    pending.publish(this.deps.events);
    this.deps.events.publish('SESSIONS_REVOKED', Topic.user(app.botUserId), { all: true });
  }

  /** Issues a new bot token, shown once; only its hash is kept, and the previous token stops working. */
  async resetBotToken(principal: Principal, appId: string): Promise<{ token: string }> {
    const app = await this.findOwned(principal, appId);
    const { token, hash } = newSecretToken(app.botUserId);
    await this.deps.db.update(applications).set({ botTokenHash: hash }).where(eq(applications.id, app.id));
    this.deps.events.publish('SESSIONS_REVOKED', Topic.user(app.botUserId), { all: true });
    return { token };
  }

  private findOwned(principal: Principal, appId: string): Promise<AppRow> {
    return loadOwnedApplication(this.deps.db, principal, appId);
  }

  private async toWire(app: AppRow): Promise<Application> {
    const keys = await applicationKeys(this.deps.db, app);
    const people = await this.deps.db
      .select()
      .from(users)
      .where(inArray(users.id, [app.ownerId, app.botUserId]));
    const byId = new Map(people.map((u) => [u.id, u]));
    const owner = byId.get(app.ownerId);
    const bot = byId.get(app.botUserId);
    if (!owner || !bot) throw notFound(ErrorCode.UnknownApplication, 'Application');
    return {
      id: app.id,
      name: app.name,
      description: app.description,
      icon: app.icon,
      bot_public: app.botPublic,
      bot_require_code_grant: false,
      flags: app.flags,
      owner: toPublicUser(owner),
      bot: toPublicUser(bot),
      verify_key: keys.verifyKey,
      interactions_endpoint_url: app.interactionsEndpointUrl,
      integration_types_config: app.integrationTypesConfig,
    };
  }
}

/** The scopes each installation context's install link may ask for: a person's account takes commands only. */
const installScopes: Record<'0' | '1', readonly string[]> = {
  '0': ['applications.commands', 'bot'],
  '1': ['applications.commands'],
};

/**
 * Checks an `integration_types_config` as Discord's portal does: at least one context; each install link's scopes
 * those its context takes, once; permissions only with the bot scope (a person's account holds no permissions).
 */
function checkIntegrationTypesConfig(config: IntegrationTypesConfig): IntegrationTypesConfig {
  const errors = new FieldErrors();
  const out: IntegrationTypesConfig = {};
  const path = 'integration_types_config';
  if (!config['0'] && !config['1'])
    errors.add([path], 'BASE_TYPE_BAD_LENGTH', 'Choose at least one installation context.');
  for (const key of ['0', '1'] as const) {
    const entry = config[key];
    if (!entry) continue;
    const params = entry.oauth2_install_params;
    if (!params) {
      out[key] = {};
      continue;
    }
    const at = [path, key, 'oauth2_install_params'];
    const scopes = [...new Set(params.scopes)];
    scopes.forEach((scope, i) => {
      if (!installScopes[key].includes(scope))
        errors.add([...at, 'scopes', i], 'SCOPE_INVALID', `Not a scope this installation context takes.`);
    });
    if (params.permissions !== '0' && !scopes.includes('bot'))
      errors.add([...at, 'permissions'], 'PERMISSIONS_INVALID', 'Permissions need the bot scope.');
    if (BigInt(params.permissions) >= 1n << 64n)
      errors.add([...at, 'permissions'], 'PERMISSIONS_INVALID', 'Not a permission set.');
    out[key] = { oauth2_install_params: { scopes, permissions: params.permissions } };
  }
  errors.throwIfAny();
  return out;
}

/** The flags an owner may set: the privileged intents (Discord's portal toggles); the rest are Hearth's to give. */
const editableFlags =
  ApplicationFlags.GatewayPresence |
  ApplicationFlags.GatewayGuildMembers |
  ApplicationFlags.GatewayMessageContent;

/** A bot's username from its application's name: what fits Discord's rules, lowercased for uniqueness. */
function botUsername(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return (cleaned.length >= 2 ? cleaned : `bot_${cleaned}`).slice(0, 32);
}
