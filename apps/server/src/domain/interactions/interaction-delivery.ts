import { type InteractionCallback as Answer, InteractionCallback } from '@hearth/protocol';
import { Value } from 'typebox/value';
import { Topic } from '../../events/publisher';
import { deliverInteractionOverHttp } from '../applications/interactions-endpoint';
import type { Deps } from '../deps';

/** An interaction as it is handed to its application. */
export interface InteractionForDelivery {
  applicationId: string;
  /** The application's bot user, whose gateway sessions get INTERACTION_CREATE. */
  botUserId: string;
  /** The application's interactions endpoint (ADR 0038), if it has one. */
  endpointUrl: string | null;
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

/** Gives an interaction's initial response to the interactions service, as the callback route does. */
export type AnswerInteraction = (interactionId: string, token: string, answer: Answer) => Promise<unknown>;

/**
 * Discord's rule: an application with an interactions endpoint gets its interactions there (a signed POST whose
 * answer is the initial response) and not over its gateway; one without gets them over the gateway. The POST runs in
 * the background: an endpoint that fails, answers late or answers something that is not a valid response leaves the
 * interaction to the deadline job, which tells the invoker it failed.
 */
export class EndpointOrGatewayDelivery implements InteractionDelivery {
  private answer: AnswerInteraction | null = null;

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'config' | 'log'>,
    private readonly gateway: InteractionDelivery,
  ) {}

  /** Set once the interactions service exists (it holds this delivery, so it cannot be passed to the constructor). */
  answerWith(answer: AnswerInteraction): void {
    this.answer = answer;
  }

  async deliver(interaction: InteractionForDelivery): Promise<void> {
    if (!interaction.endpointUrl) return this.gateway.deliver(interaction);
    void this.overHttp(interaction);
  }

  private async overHttp(interaction: InteractionForDelivery): Promise<void> {
    const { id, token } = interaction.payload as { id: string; token: string };
    try {
      const { body } = await deliverInteractionOverHttp(
        this.deps,
        interaction.applicationId,
        interaction.payload,
      );
      if (!Value.Check(InteractionCallback, body)) {
        this.deps.log.info({ interactionId: id }, 'interactions endpoint answered with no valid response');
        return;
      }
      await this.answer?.(id, token, body);
    } catch (err) {
      this.deps.log.info({ interactionId: id, err }, 'interaction over HTTP got no usable answer');
    }
  }
}
