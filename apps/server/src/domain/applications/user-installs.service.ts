import { ErrorCode } from '@hearth/protocol';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { applications, userApplicationInstalls, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound } from '../errors';
import { toPublicUser } from '../users/users.wire';

/** At most this many applications on one account (Discord has a limit of its own; a list must stay bounded). */
const USER_INSTALLS_MAX = 100;

/** An authorized application as the person's Settings → Authorized Apps lists it (Discord's `GET /oauth2/tokens`). */
interface AuthorizedApp {
  id: string;
  scopes: string[];
  integration_type: 1;
  application: {
    id: string;
    name: string;
    icon: string | null;
    description: string;
    bot?: ReturnType<typeof toPublicUser>;
  };
}

/** Which of `appIds` the person installed to their account (all of theirs when `appIds` is not given). */
export async function installedApplicationIds(
  db: DbOrTx,
  userId: string,
  appIds?: readonly string[],
): Promise<Set<string>> {
  if (appIds && !appIds.length) return new Set();
  const rows = await db
    .select({ id: userApplicationInstalls.applicationId })
    .from(userApplicationInstalls)
    .where(
      and(
        eq(userApplicationInstalls.userId, userId),
        appIds ? inArray(userApplicationInstalls.applicationId, [...appIds]) : undefined,
      ),
    );
  return new Set(rows.map((r) => r.id));
}

/**
 * Applications a person installs to their own account (Discord's user install, integration type 1): the authorize
 * screen's consent with `integration_type=1`, the list of them, and removing one. Only the person acts on their own.
 */
export class UserInstallsService {
  constructor(private readonly deps: Deps) {}

  /**
   * POST /oauth2/authorize with `integration_type=1`: installs the application to the caller's account. The scope
   * must be `applications.commands` (a bot cannot join a person); the application must offer user install; a
   * private one only to its owner (others: 404, as the preview). Installing again keeps the first install.
   */
  async install(
    principal: Principal,
    input: { clientId: string; scope: string },
  ): Promise<{ location: string }> {
    if (principal.bot)
      throw new ApiError(403, ErrorCode.BotsCannotUseEndpoint, 'Bots cannot use this endpoint');
    const scopes = [...new Set(input.scope.split(/[\s+]/).filter(Boolean))];
    if (!scopes.includes('applications.commands') || scopes.some((s) => s !== 'applications.commands'))
      throw invalidField(
        ['scope'],
        'SCOPE_INVALID',
        'Installing to an account takes the applications.commands scope only.',
      );
    const { db, ids } = this.deps;
    const [app] = await db.select().from(applications).where(eq(applications.id, input.clientId));
    if (!app || (!app.botPublic && app.ownerId !== principal.userId))
      throw notFound(ErrorCode.UnknownApplication, 'Application');
    if (!app.integrationTypesConfig['1'])
      throw invalidField(
        ['integration_type'],
        'INTEGRATION_TYPE_INVALID',
        'This application cannot be installed to an account.',
      );
    await db.transaction(async (tx) => {
      // One person's installs are counted under a lock on them, so two at once cannot pass the limit together.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`user-installs:${principal.userId}`}))`);
      const held = await tx
        .select({ id: userApplicationInstalls.applicationId })
        .from(userApplicationInstalls)
        .where(eq(userApplicationInstalls.userId, principal.userId));
      if (held.some((h) => h.id === app.id)) return;
      if (held.length >= USER_INSTALLS_MAX)
        throw new ApiError(
          400,
          ErrorCode.InvalidFormBody,
          `At most ${USER_INSTALLS_MAX} applications can be installed to an account`,
        );
      await tx
        .insert(userApplicationInstalls)
        .values({ userId: principal.userId, applicationId: app.id, id: ids.next(), scopes });
    });
    return { location: `${this.deps.config.publicUrl}/oauth2/authorized` };
  }

  /** GET /oauth2/tokens: the applications the caller installed to their account, newest first. */
  async list(principal: Principal): Promise<AuthorizedApp[]> {
    if (principal.bot)
      throw new ApiError(403, ErrorCode.BotsCannotUseEndpoint, 'Bots cannot use this endpoint');
    const rows = await this.deps.db
      .select({ install: userApplicationInstalls, app: applications, bot: users })
      .from(userApplicationInstalls)
      .innerJoin(applications, eq(applications.id, userApplicationInstalls.applicationId))
      .innerJoin(users, eq(users.id, applications.botUserId))
      .where(eq(userApplicationInstalls.userId, principal.userId))
      .orderBy(desc(userApplicationInstalls.id));
    return rows.map(({ install, app, bot }) => ({
      id: install.id,
      scopes: install.scopes,
      integration_type: 1,
      application: {
        id: app.id,
        name: app.name,
        icon: app.icon,
        description: app.description,
        bot: toPublicUser(bot),
      },
    }));
  }

  /** DELETE /oauth2/tokens/:id: removes one of the caller's installs; anyone else's, or none, is the same 404. */
  async remove(principal: Principal, id: string): Promise<void> {
    if (principal.bot)
      throw new ApiError(403, ErrorCode.BotsCannotUseEndpoint, 'Bots cannot use this endpoint');
    const removed = await this.deps.db
      .delete(userApplicationInstalls)
      .where(and(eq(userApplicationInstalls.userId, principal.userId), eq(userApplicationInstalls.id, id)))
      .returning({ id: userApplicationInstalls.id });
    if (!removed.length) throw notFound(ErrorCode.UnknownToken, 'Token');
  }
}
