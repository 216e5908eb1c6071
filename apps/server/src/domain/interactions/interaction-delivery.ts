import { Topic } from '../../events/publisher';
import type { Deps } from '../deps';

/** An interaction as it is handed to its application. */
export interface InteractionForDelivery {
  applicationId: string;
  /** The application's bot user, whose gateway sessions get INTERACTION_CREATE. */
  botUserId: string;
  /** Discord's full interaction payload, its token included. */
  payload: Record<string, unknown> & { id: string };
}

/**
 * How an interaction reaches its application (ADR 0039): over the bot's gateway (this module), or as a signed HTTP
 * POST to the application's interactions endpoint. Resolves once handed off; the application answers later through
 * the callback route, and an application that never answers is what the deadline job is for.
 */
export interface InteractionDelivery {
  deliver(interaction: InteractionForDelivery): Promise<void>;
}

/** INTERACTION_CREATE to the bot's gateway sessions only (its `user:` topic), on every process. */
export class GatewayInteractionDelivery implements InteractionDelivery {
  constructor(private readonly deps: Pick<Deps, 'events'>) {}

  async deliver(interaction: InteractionForDelivery): Promise<void> {
    this.deps.events.publish('INTERACTION_CREATE', Topic.user(interaction.botUserId), interaction.payload);
  }
}
