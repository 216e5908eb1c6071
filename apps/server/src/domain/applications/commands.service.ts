import {
  type ApplicationCommand,
  type CreateApplicationCommand,
  ErrorCode,
  Limits,
  type ModifyApplicationCommand,
} from '@hearth/protocol';
import { and, eq, inArray, isNull, notInArray, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import {
  applicationCommandPermissions,
  applicationCommands,
  applications,
  members,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, notFound } from '../errors';
import { loadOwnedApplication } from './applications.service';
import { type CommandSpec, commandLimit, commandSpec, FieldErrors } from './command-rules';
import {
  type CommandRow,
  commandInput,
  type LocalizationMode,
  sameSpec,
  specColumns,
  toCommandWire,
} from './commands.wire';

/** The commands a route acts on: an application's global ones (guildId null) or those of one guild. */
export interface CommandScope {
  appId: string;
  guildId: string | null;
}

export const unknownCommand = () => notFound(ErrorCode.UnknownApplicationCommand, 'application command');

const DAY_MS = 24 * 60 * 60_000;
const tooMany = (limit: number) =>
  new ApiError(
    400,
    ErrorCode.MaximumApplicationCommands,
    `Maximum number of application commands reached (${limit})`,
  );

/** The rows of one scope. */
function inScope(scope: CommandScope): SQL {
  return and(
    eq(applicationCommands.applicationId, scope.appId),
    scope.guildId === null
      ? isNull(applicationCommands.guildId)
      : eq(applicationCommands.guildId, scope.guildId),
  ) as SQL;
}

/**
 * Whether the application's bot is in the guild: an application's guild commands (and their permissions) exist
 * only there, as on Discord, which refuses them with 403 Missing Access elsewhere.
 */
export async function requireBotInGuild(db: DbOrTx, botUserId: string, guildId: string): Promise<void> {
  const [member] = await db
    .select({ userId: members.userId })
    .from(members)
    .where(and(eq(members.guildId, guildId), eq(members.userId, botUserId)));
  if (!member) throw new ApiError(403, ErrorCode.MissingAccess, 'Missing Access');
}

/**
 * A bot left or was removed from a guild: its application's commands of that guild, and every overwrite of its
 * commands there, go with it (in the caller's transaction).
 */
export async function removeApplicationFromGuild(
  tx: DbOrTx,
  guildId: string,
  botUserId: string,
): Promise<void> {
  const [app] = await tx
    .select({ id: applications.id })
    .from(applications)
    .where(eq(applications.botUserId, botUserId));
  if (!app) return;
  await tx
    .delete(applicationCommands)
    .where(and(eq(applicationCommands.applicationId, app.id), eq(applicationCommands.guildId, guildId)));
  await tx
    .delete(applicationCommandPermissions)
    .where(
      and(
        eq(applicationCommandPermissions.guildId, guildId),
        eq(applicationCommandPermissions.applicationId, app.id),
      ),
    );
}

/** Deletes the overwrites of commands (in every guild): Discord drops them when a command is deleted or renamed. */
async function dropPermissions(tx: DbOrTx, appId: string, commandIds: string[]): Promise<void> {
  if (!commandIds.length) return;
  await tx
    .delete(applicationCommandPermissions)
    .where(
      and(
        eq(applicationCommandPermissions.applicationId, appId),
        inArray(applicationCommandPermissions.commandId, commandIds),
      ),
    );
}

/**
 * Application commands (Discord's slash, user and message commands), global or of one guild: registered by the
 * application's bot, or by its owner, as Discord takes a bot token or the application's own credentials.
 */
export class CommandsService {
  constructor(private readonly deps: Deps) {}

  /** The scope, after deciding the caller may act on it: 404 for another's application, 403 off the bot's guilds. */
  private async scope(principal: Principal, appId: string, guildId: string | null): Promise<CommandScope> {
    const app = await loadOwnedApplication(this.deps.db, principal, appId);
    if (guildId !== null) await requireBotInGuild(this.deps.db, app.botUserId, guildId);
    return { appId, guildId };
  }

  async list(
    principal: Principal,
    appId: string,
    guildId: string | null,
    opts: { withLocalizations: boolean; locale: string | null },
  ): Promise<ApplicationCommand[]> {
    const scope = await this.scope(principal, appId, guildId);
    const rows = await this.deps.db
      .select()
      .from(applicationCommands)
      .where(inScope(scope))
      .orderBy(applicationCommands.id);
    const mode: LocalizationMode = opts.withLocalizations ? 'full' : { locale: opts.locale };
    return rows.map((r) => toCommandWire(r, mode));
  }

  async get(
    principal: Principal,
    appId: string,
    guildId: string | null,
    commandId: string,
  ): Promise<ApplicationCommand> {
    const scope = await this.scope(principal, appId, guildId);
    return toCommandWire(await this.find(this.deps.db, scope, commandId));
  }

  /**
   * POST: an upsert by name, as on Discord: a command of the same type and name in the scope is replaced (its id and
   * overwrites kept; a new version only if something changed) and answered 200; a new one is answered 201.
   */
  async create(
    principal: Principal,
    appId: string,
    guildId: string | null,
    input: CreateApplicationCommand,
  ): Promise<{ command: ApplicationCommand; created: boolean }> {
    const scope = await this.scope(principal, appId, guildId);
    const errors = new FieldErrors();
    const spec = commandSpec(input, { global: guildId === null }, errors);
    errors.throwIfAny();
    return this.deps.db.transaction(async (tx) => {
      await lockScope(tx, scope);
      const existing = await named(tx, scope, spec);
      if (existing) {
        const row = sameSpec(existing, spec) ? existing : await this.update(tx, scope, existing.id, spec);
        return { command: toCommandWire(row), created: false };
      }
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(applicationCommands)
        .where(and(inScope(scope), eq(applicationCommands.type, spec.type)));
      if (n >= commandLimit(spec.type)) throw tooMany(commandLimit(spec.type));
      await this.countCreates(scope, 1);
      return { command: toCommandWire(await this.insert(tx, scope, spec)), created: true };
    });
  }

  /** PATCH: the fields given replace the stored ones; the type cannot change. A rename drops the overwrites. */
  async modify(
    principal: Principal,
    appId: string,
    guildId: string | null,
    commandId: string,
    input: ModifyApplicationCommand,
  ): Promise<ApplicationCommand> {
    const scope = await this.scope(principal, appId, guildId);
    return this.deps.db.transaction(async (tx) => {
      await lockScope(tx, scope);
      const current = await this.find(tx, scope, commandId);
      const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      const merged = { ...commandInput(current), ...given, type: current.type } as CreateApplicationCommand;
      const errors = new FieldErrors();
      const spec = commandSpec(merged, { global: guildId === null }, errors);
      if (spec.name !== current.name && (await named(tx, scope, spec))) duplicateName(errors, ['name']);
      errors.throwIfAny();
      if (sameSpec(current, spec)) return toCommandWire(current);
      if (spec.name !== current.name) await dropPermissions(tx, appId, [commandId]);
      return toCommandWire(await this.update(tx, scope, commandId, spec));
    });
  }

  async delete(
    principal: Principal,
    appId: string,
    guildId: string | null,
    commandId: string,
  ): Promise<void> {
    const scope = await this.scope(principal, appId, guildId);
    await this.deps.db.transaction(async (tx) => {
      const gone = await tx
        .delete(applicationCommands)
        .where(and(inScope(scope), eq(applicationCommands.id, commandId)))
        .returning({ id: applicationCommands.id });
      if (!gone.length) throw unknownCommand();
      await dropPermissions(tx, appId, [commandId]);
    });
  }

  /**
   * PUT: the scope's commands become exactly the list. A command named by `id`, or else by its type and name, keeps
   * its id (and a new version only if it changed); the others are created; those left out are deleted.
   */
  async overwrite(
    principal: Principal,
    appId: string,
    guildId: string | null,
    inputs: CreateApplicationCommand[],
  ): Promise<ApplicationCommand[]> {
    const scope = await this.scope(principal, appId, guildId);
    const errors = new FieldErrors();
    const specs = inputs.map((input, i) => commandSpec(input, { global: guildId === null }, errors, [i]));
    const seen = new Set<string>();
    const counts = new Map<number, number>();
    specs.forEach((spec, i) => {
      const key = `${spec.type}:${spec.name}`;
      if (seen.has(key)) duplicateName(errors, [i, 'name']);
      seen.add(key);
      counts.set(spec.type, (counts.get(spec.type) ?? 0) + 1);
    });
    errors.throwIfAny();
    for (const [type, n] of counts) if (n > commandLimit(type)) throw tooMany(commandLimit(type));
    return this.deps.db.transaction(async (tx) => {
      await lockScope(tx, scope);
      const existing = await tx.select().from(applicationCommands).where(inScope(scope));
      const byId = new Map(existing.map((r) => [r.id, r]));
      const byName = new Map(existing.map((r) => [`${r.type}:${r.name}`, r]));
      const matched = specs.map((spec, i) => {
        const named = inputs[i].id ? byId.get(inputs[i].id as string) : undefined;
        const row = named && named.type === spec.type ? named : byName.get(`${spec.type}:${spec.name}`);
        return row ?? null;
      });
      // One row per input at most: a later input naming a row already taken makes a new command.
      const taken = new Set<string>();
      const rows = matched.map((row) => {
        if (!row || taken.has(row.id)) return null;
        taken.add(row.id);
        return row;
      });
      const kept = [...taken];
      await tx
        .delete(applicationCommands)
        .where(kept.length ? and(inScope(scope), notInArray(applicationCommands.id, kept)) : inScope(scope));
      await dropPermissions(
        tx,
        appId,
        existing.filter((r) => !taken.has(r.id)).map((r) => r.id),
      );
      // Renamed commands step aside first, so that names swapped between them never collide.
      const renamed = rows.flatMap((row, i) => (row && row.name !== specs[i].name ? [row] : []));
      for (const row of renamed)
        await tx
          .update(applicationCommands)
          .set({ name: `\uFFFF${row.id}` })
          .where(and(inScope(scope), eq(applicationCommands.id, row.id)));
      await dropPermissions(
        tx,
        appId,
        renamed.map((r) => r.id),
      );
      await this.countCreates(scope, rows.filter((row) => !row).length);
      const out: CommandRow[] = [];
      for (const [i, spec] of specs.entries()) {
        const row = rows[i];
        if (!row) out.push(await this.insert(tx, scope, spec));
        else if (sameSpec(row, spec)) out.push(row);
        else out.push(await this.update(tx, scope, row.id, spec));
      }
      return out.map((r) => toCommandWire(r));
    });
  }

  /**
   * Counts `n` new commands against the scope's daily creates (Discord's 200 a day, in the rate limiter's shared
   * counters); 30034 beyond, before anything is written. Upserts and updates of existing commands are not creates.
   */
  private async countCreates(scope: CommandScope, n: number): Promise<void> {
    const key = `commands.creates:${scope.appId}:${scope.guildId ?? 'global'}`;
    for (let i = 0; i < n; i++) {
      const hit = await this.deps.limiter.hit(key, Limits.commandCreatesPerDay, DAY_MS);
      if (!hit.allowed)
        throw new ApiError(
          400,
          ErrorCode.MaximumDailyApplicationCommandCreates,
          `Max number of daily application command creates has been reached (${Limits.commandCreatesPerDay})`,
        );
    }
  }

  private async find(db: DbOrTx, scope: CommandScope, commandId: string): Promise<CommandRow> {
    const [row] = await db
      .select()
      .from(applicationCommands)
      .where(and(inScope(scope), eq(applicationCommands.id, commandId)));
    if (!row) throw unknownCommand();
    return row;
  }

  private async insert(tx: DbOrTx, scope: CommandScope, spec: CommandSpec): Promise<CommandRow> {
    const { ids } = this.deps;
    const [row] = await tx
      .insert(applicationCommands)
      .values({
        applicationId: scope.appId,
        id: ids.next(),
        guildId: scope.guildId,
        version: ids.next(),
        ...specColumns(spec),
      })
      .returning();
    return row;
  }

  private async update(tx: DbOrTx, scope: CommandScope, id: string, spec: CommandSpec): Promise<CommandRow> {
    const [row] = await tx
      .update(applicationCommands)
      .set({ ...specColumns(spec), version: this.deps.ids.next() })
      .where(and(inScope(scope), eq(applicationCommands.id, id)))
      .returning();
    return row;
  }
}

/** The scope's command of the spec's type and name, if there is one. */
async function named(tx: DbOrTx, scope: CommandScope, spec: CommandSpec): Promise<CommandRow | undefined> {
  const [row] = await tx
    .select()
    .from(applicationCommands)
    .where(
      and(inScope(scope), eq(applicationCommands.type, spec.type), eq(applicationCommands.name, spec.name)),
    );
  return row;
}

function duplicateName(errors: FieldErrors, path: Array<string | number>): void {
  errors.add(path, 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
}

/** Serializes the writes of one scope: the limits and the name rule are checked against what is committed. */
async function lockScope(tx: DbOrTx, scope: CommandScope): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtext(${`application-commands:${scope.appId}:${scope.guildId ?? 'global'}`}))`,
  );
}
