import type { Logger } from 'pino';
import type { Services } from '../domain/services';
import type { Bus } from '../events/bus';
import type { RateLimiter } from '../state/rate-limiter';
import type { SessionStore } from '../state/session-store';
import type { SessionSnapshot } from './session';

/** How the composition root (app.ts) configures the gateway; every part reads what it needs from here. */
export interface GatewayOptions {
  services: Services;
  bus: Bus;
  log: Logger;
  /** This process's own gateway URL, given as READY's `resume_gateway_url`. */
  resumeUrl: string;
  /** IDENTIFY budget, shared across processes when the limiter is Redis. */
  limiter: RateLimiter;
  /** How long a disconnected session can be resumed. */
  sessionTtlMs: number;
  heartbeatIntervalMs: number;
  /** A session whose unsent outgoing bytes exceed this is disconnected. */
  outgoingCapBytes: number;
  /** IDENTIFYs per user per 5 seconds. */
  identifyLimit: number;
  /** How often the presences of this process's sessions are refreshed in the (expiring) shared store. */
  presenceRefreshMs: number;
  /** Where sessions' resume records are kept (Redis), so that they outlive this process (ADR 0020). */
  sessionStore?: SessionStore<SessionSnapshot>;
}
