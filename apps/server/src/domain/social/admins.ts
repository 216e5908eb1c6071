import { and, eq } from 'drizzle-orm';
import { users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { notAllowed } from './errors';

/**
 * Throws 403 unless `principal` is an instance admin: a local, active account named in INSTANCE_ADMINS (configuration,
 * not a column: no route can make an admin; ADR 0040). Domain blocks and reports ask it.
 */
export async function assertInstanceAdmin(
  deps: Pick<Deps, 'db' | 'config'>,
  principal: Principal,
): Promise<void> {
  const admins = deps.config.instanceAdmins;
  if (!admins.length || principal.bot) throw notAllowed();
  const [me] = await deps.db
    .select({ username: users.username })
    .from(users)
    .where(and(eq(users.id, principal.userId), eq(users.remote, false), eq(users.disabled, false)));
  if (!me || !admins.includes(me.username.toLowerCase())) throw notAllowed();
}
