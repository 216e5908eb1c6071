import { ErrorCode } from '@hearth/protocol';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { applications, type interactions } from '../../store/schema';
import { notFound } from '../errors';

/** What the interaction modules share: the row, the application it answers for, and their 404s. */
export type InteractionRow = typeof interactions.$inferSelect;
export type Json = Record<string, unknown>;

export const unknownInteraction = () => notFound(ErrorCode.UnknownInteraction, 'interaction');
export const unknownWebhook = () => notFound(ErrorCode.UnknownWebhook, 'Webhook');
export const unknownMessage = () => notFound(ErrorCode.UnknownMessage, 'Message');
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The application an interaction's answer is sent as. */
export interface AppSummary {
  id: string;
  name: string;
  icon: string | null;
  botUserId: string;
}

/** The application answering an interaction; 10015 when it no longer exists. */
export async function answeringApp(db: DbOrTx, appId: string): Promise<AppSummary> {
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
