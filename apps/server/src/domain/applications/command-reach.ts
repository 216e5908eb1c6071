import type { ApplicationIntegrationType } from '@hearth/protocol';
import { sql } from 'drizzle-orm';
import { applicationCommands } from '../../store/schema';

/** `contexts` allows `context` (0 guild, 1 the DM with the bot, 2 another DM or a group DM; none given: all). */
export function contextAllows(context: number) {
  return sql`(${applicationCommands.contexts} is null or ${applicationCommands.contexts} @> ${JSON.stringify([context])}::jsonb)`;
}

type IntegrationType = (typeof ApplicationIntegrationType)[keyof typeof ApplicationIntegrationType];

/** `integration_types` includes `type` (ApplicationIntegrationType: 0 guild install, 1 user install). */
export function installableAs(type: IntegrationType) {
  return sql`${applicationCommands.integrationTypes} @> ${JSON.stringify([type])}::jsonb`;
}
