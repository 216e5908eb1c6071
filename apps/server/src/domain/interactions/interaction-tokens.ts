import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { interactions } from '../../store/schema';
import { type InteractionRow, unknownWebhook } from './interaction-common';

/** An interaction's token (and its webhook) lives this long, as on Discord. */
export const INTERACTION_TOKEN_MS = 15 * 60_000;
/** Discord's tokens start with base64("interaction:"); Hearth's do too, which tells them from webhook tokens. */
const INTERACTION_TOKEN_PREFIX = 'aW50ZXJhY3Rpb246';

/** Whether a webhook route's token is an interaction's (Discord serves both on /webhooks/:id/:token). */
export function isInteractionToken(token: string): boolean {
  return token.startsWith(INTERACTION_TOKEN_PREFIX);
}

/** SQL: the interaction was created within the last `ms` milliseconds, by the database's clock. */
export const createdWithin = (ms: number) =>
  sql`${interactions.createdAt} > now() - (${ms}::bigint * interval '1 millisecond')`;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new interaction's token: the prefix, then the interaction id and 32 random bytes (only its hash is stored). */
export function mintInteractionToken(id: string): string {
  return `${INTERACTION_TOKEN_PREFIX}${Buffer.from(`${id}:${randomBytes(32).toString('base64url')}`).toString('base64url')}`;
}

/** The interaction id a token names (Hearth's tokens carry it, as Discord's do), or null for no such token. */
function tokenInteractionId(token: string): string | null {
  if (!isInteractionToken(token) || token.length > 200) return null;
  const inner = Buffer.from(token.slice(INTERACTION_TOKEN_PREFIX.length), 'base64url').toString('utf8');
  const id = inner.split(':')[0];
  return /^\d{1,20}$/.test(id) ? id : null;
}

/** The interaction a token opens, while it lives; null when none (or the token is another's). */
export async function interactionByToken(
  db: DbOrTx,
  interactionId: string | null,
  token: string,
): Promise<InteractionRow | null> {
  const named = tokenInteractionId(token);
  if (!named || (interactionId !== null && named !== interactionId)) return null;
  const [row] = await db
    .select()
    .from(interactions)
    .where(and(eq(interactions.id, named), createdWithin(INTERACTION_TOKEN_MS)));
  if (!row) return null;
  const a = Buffer.from(row.tokenHash, 'hex');
  const b = Buffer.from(hashToken(token), 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? row : null;
}

/** The interaction an interaction webhook names: its application's, while its token lives; else 10015. */
export async function interactionOfWebhook(
  db: DbOrTx,
  appId: string,
  token: string,
): Promise<InteractionRow> {
  const row = await interactionByToken(db, null, token);
  if (!row || row.applicationId !== appId) throw unknownWebhook();
  return row;
}
