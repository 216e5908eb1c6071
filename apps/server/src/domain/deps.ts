import type { SnowflakeGenerator } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { EventPublisher } from '../events/publisher';
import type { JobPayloads } from '../jobs/kinds';
import type { JobWorker } from '../jobs/worker';
import type { Mailer } from '../mail/mailer';
import type { Sfu } from '../media/sfu';
import type { MediaStorage } from '../media/storage';
import type { PresenceStore } from '../state/presence-store';
import type { RateLimiter } from '../state/rate-limiter';
import type { VoicePlacement } from '../state/voice-placement';
import type { Db } from '../store/db';
import type { ContextCache } from './guilds/context-cache';
import type { AttachmentUrls } from './messages/attachments';

/** What every domain service is built from; app.ts assembles it once. */
export interface Deps {
  db: Db;
  ids: SnowflakeGenerator;
  events: EventPublisher;
  mailer: Mailer;
  storage: MediaStorage;
  limiter: RateLimiter;
  config: Config;
  log: Logger;
  /** Signs access tokens; resolved at start from SECRET_KEY or the database. */
  secret: string;
  /** Users' presence per gateway session (in-process, or in Redis). */
  presence: PresenceStore;
  /** Signs and checks attachment URLs. */
  attachmentUrls: AttachmentUrls;
  /** Channel contexts of message create, kept fresh by every event published or received. */
  contexts: ContextCache;
  /** The voice channels' media rooms held by this process (ADR 0034). */
  sfu: Sfu;
  /** Which process holds each voice room, and the voice regions live processes declare (ADR 0034). */
  voicePlacement: VoicePlacement;
  /** Durable background jobs (ADR 0025): work that must happen later or again. */
  jobs: Pick<JobWorker<JobPayloads>, 'enqueue'>;
}
