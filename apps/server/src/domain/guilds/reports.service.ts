import { hasPermission, Permission } from '@hearth/permissions';
import { ErrorCode, type MessageReport } from '@hearth/protocol';
import { and, desc, eq, lt } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { messageReports, messages, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, missingPermissions, notFound } from '../errors';
import { loadMessageChannel } from '../messages/message-channel';
import { toPublicUser } from '../users/users.wire';
import { loadGuildActor } from './guild-access';

type ReportRow = typeof messageReports.$inferSelect;
/** Who sees and handles reports: moderators of messages or of members. */
const MODERATORS = Permission.MANAGE_MESSAGES | Permission.KICK_MEMBERS;

/**
 * Reports (issue 22): a member who can read a message in a guild (a group's post or comment) reports it to the
 * guild's moderators, who list them and mark them resolved or dismissed; removing the message is the moderator's
 * ordinary delete, which the audit log records with its reason.
 */
export class ReportsService {
  constructor(private readonly deps: Deps) {}

  /** POST /channels/:id/messages/:mid/reports: one report per reporter and message (a second is 400). */
  async create(
    principal: Principal,
    channelId: string,
    messageId: string,
    reason: string,
  ): Promise<MessageReport> {
    const { db, ids } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    if (!ctx.guildId)
      throw new ApiError(400, ErrorCode.CannotExecuteOnChannelType, 'Only guild messages can be reported');
    if (!hasPermission(ctx.permissions, Permission.READ_MESSAGE_HISTORY)) throw missingPermissions();
    const [message] = await db
      .select({ authorId: messages.authorId, content: messages.content })
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.id, messageId)));
    if (!message) throw notFound(ErrorCode.UnknownMessage, 'Message');
    if (message.authorId === principal.userId)
      throw new ApiError(400, ErrorCode.Conflict, 'You cannot report your own message');
    const [row] = await db
      .insert(messageReports)
      .values({
        guildId: ctx.guildId,
        id: ids.next(),
        channelId,
        messageId,
        authorId: message.authorId,
        reporterId: principal.userId,
        reason,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new ApiError(400, ErrorCode.Conflict, 'You have already reported this message');
    const [reporter] = await db.select().from(users).where(eq(users.id, principal.userId));
    const wire = toReportWire(row, message.content, reporter);
    this.deps.events.publish('GUILD_MESSAGE_REPORT_CREATE', Topic.guild(ctx.guildId), wire);
    return wire;
  }

  /** GET /guilds/:id/reports: a guild's reports of one status, newest first (MANAGE_MESSAGES or KICK_MEMBERS). */
  async list(
    principal: Principal,
    guildId: string,
    opts: { status: ReportRow['status']; limit: number; before?: string },
  ): Promise<MessageReport[]> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    if (!actor.hasAny(MODERATORS) && !actor.hasAny(Permission.ADMINISTRATOR)) throw missingPermissions();
    const rows = await db
      .select({ report: messageReports, content: messages.content, reporter: users })
      .from(messageReports)
      .leftJoin(
        messages,
        and(eq(messages.channelId, messageReports.channelId), eq(messages.id, messageReports.messageId)),
      )
      .innerJoin(users, eq(users.id, messageReports.reporterId))
      .where(
        and(
          eq(messageReports.guildId, guildId),
          eq(messageReports.status, opts.status),
          opts.before ? lt(messageReports.id, opts.before) : undefined,
        ),
      )
      .orderBy(desc(messageReports.id))
      .limit(opts.limit);
    return rows.map((r) => toReportWire(r.report, r.content, r.reporter));
  }

  /** PATCH /guilds/:id/reports/:report_id: marks a report resolved or dismissed (MANAGE_MESSAGES or KICK_MEMBERS). */
  async update(
    principal: Principal,
    guildId: string,
    reportId: string,
    status: 'resolved' | 'dismissed',
  ): Promise<MessageReport> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    if (!actor.hasAny(MODERATORS) && !actor.hasAny(Permission.ADMINISTRATOR)) throw missingPermissions();
    const [row] = await db
      .update(messageReports)
      .set({ status, resolvedBy: principal.userId, resolvedAt: new Date() })
      .where(and(eq(messageReports.guildId, guildId), eq(messageReports.id, reportId)))
      .returning();
    if (!row) throw notFound(ErrorCode.UnknownMessageReport, 'Report');
    const wire = await this.withMessage(db, row);
    this.deps.events.publish('GUILD_MESSAGE_REPORT_UPDATE', Topic.guild(guildId), wire);
    return wire;
  }

  private async withMessage(db: DbOrTx, row: ReportRow): Promise<MessageReport> {
    const [[message], [reporter]] = await Promise.all([
      db
        .select({ content: messages.content })
        .from(messages)
        .where(and(eq(messages.channelId, row.channelId), eq(messages.id, row.messageId))),
      db.select().from(users).where(eq(users.id, row.reporterId)),
    ]);
    return toReportWire(row, message?.content ?? null, reporter);
  }
}

function toReportWire(
  row: ReportRow,
  content: string | null,
  reporter?: typeof users.$inferSelect,
): MessageReport {
  return {
    id: row.id,
    guild_id: row.guildId,
    channel_id: row.channelId,
    message_id: row.messageId,
    author_id: row.authorId,
    ...(reporter ? { reporter: toPublicUser(reporter) } : {}),
    reason: row.reason,
    status: row.status,
    content,
    created_at: row.createdAt.toISOString(),
    resolved_by: row.resolvedBy,
    resolved_at: row.resolvedAt?.toISOString() ?? null,
  };
}
