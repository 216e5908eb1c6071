import { Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { REPORT_COMMENT_CHARS, REPORT_STATUSES_MAX } from '../../../domain/social/account-reports.service';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';

const ReportBody = Type.Object({
  account_id: Snowflake,
  status_ids: Type.Optional(Type.Array(Snowflake, { maxItems: REPORT_STATUSES_MAX })),
  comment: Type.Optional(Type.String({ maxLength: REPORT_COMMENT_CHARS })),
  forward: Type.Optional(Type.Boolean()),
  category: Type.Optional(Type.String({ maxLength: 16 })),
  rule_ids: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 20 })),
});

/**
 * Reports of accounts (ADR 0050): Mastodon's `POST /api/v1/reports` (with `forward`, a Flag goes to a remote account's
 * instance) and its admin list `GET /api/v1/admin/reports` (instance admins only, 403 for anyone else).
 */
export function reportsRoutes(app: Api, { services }: RouteContext): void {
  const reports = services.social.accountReports;
  app.post('/api/v1/reports', { config: { auth: 'user' }, schema: { body: ReportBody } }, async (req) =>
    reports.create(caller(req), req.body),
  );
  app.get('/api/v1/admin/reports', { config: { auth: 'user' } }, async (req) => reports.list(caller(req)));
}
