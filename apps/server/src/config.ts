import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { VOICE_VIDEO_SLOTS } from '@hearth/protocol';

export interface Config {
  host: string;
  port: number;
  /** Base URL clients reach this server at; used in mail links, media URLs and the gateway URL. */
  publicUrl: string;
  dataDir: string;
  /** PostgreSQL connection string; PGlite under dataDir when unset. */
  databaseUrl: string | null;
  /** Redis for scale-out; an in-process bus when unset. */
  redisUrl: string | null;
  /** 0–1023: the snowflake worker (high 5 bits) and process (low 5 bits). */
  workerId: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  smtpUrl: string | null;
  mailFrom: string;
  trustProxy: boolean;
  /** Secret for signing access tokens; stored in the database when unset. */
  secretKey: string | null;
  /** Per-IP budget of the auth routes, requests per minute. */
  authRateLimitPerMinute: number;
  /** Failed password checks on one account, from addresses it has no session from, before delays grow. */
  authAccountFailureLimit: number;
  /** Discord's per-route buckets and the global per-token limit (off: only the auth and gateway limits). */
  rateLimits: boolean;
  /** How long an application has to answer an interaction, milliseconds (Discord's 3 seconds; ADR 0039). */
  interactionDeadlineMs: number;
  /** How long a DM or group DM call rings someone who neither answers nor declines, milliseconds. */
  callRingMs: number;
  /** Days between two archives of one account's data (Mastodon's 7); 0 lets one ask at any time. */
  archiveIntervalDays: number;
  /** Days an account archive stays downloadable before it is swept. */
  archiveRetentionDays: number;
  /** Requests per second per user or bot token, across all routes. */
  rateLimitGlobalPerSecond: number;
  /** Messages per 5 seconds per channel per user or bot. */
  rateLimitMessagesPer5s: number;
  /** This process's own gateway URL (READY's resume_gateway_url); the ws form of publicUrl when unset. */
  gatewayResumeUrl: string;
  /** Gateway heartbeat interval sent in HELLO, milliseconds. */
  gatewayHeartbeatMs: number;
  /** How long a disconnected gateway session can still be resumed, seconds. */
  gatewaySessionTtlSeconds: number;
  /** IDENTIFYs per user per 5 seconds. */
  gatewayIdentifyLimit: number;
  /** A gateway session whose unsent outgoing bytes exceed this is disconnected. */
  gatewayOutgoingCapBytes: number;
  /** With Redis, a session's presence not refreshed for this long counts as gone (its process died), seconds. */
  presenceTtlSeconds: number;
  /** The voice region this process declares (GET /voice/regions, channels' `rtc_region`; ADR 0034). */
  voiceRegion: string;
  /** Host (and port) that reaches this process itself: VOICE_SERVER_UPDATE's `endpoint` for rooms held here. */
  voiceEndpoint: string;
  /** The region's display name in GET /voice/regions. */
  voiceRegionName: string;
  /** Seconds of silence before a member in voice is moved to the AFK channel, for every guild; the guild's own when null. */
  voiceAfkTimeoutSeconds: number | null;
  /** With Redis, how long a claim on a voice room outlives its holder's last renewal (a dead process's), seconds. */
  voiceRoomLeaseSeconds: number;
  /** Video streams (cameras and screens) one voice room carries at once; a camera or Go Live beyond it is refused. */
  voiceMaxVideo: number;
  /** Media in this S3-compatible bucket, shared by every process; on local disk under dataDir when unset. */
  s3Bucket: string | null;
  /** The object store's URL (MinIO, Garage, Ceph, …); AWS's own endpoint for the region when unset. */
  s3Endpoint: string | null;
  s3Region: string;
  /** Both or neither: the AWS SDK's default credential chain when neither is set. */
  s3AccessKeyId: string | null;
  s3SecretAccessKey: string | null;
  /** Bucket in the path (`endpoint/bucket/key`), as most self-hosted stores need; default: true with S3_ENDPOINT. */
  s3ForcePathStyle: boolean;
  /** Whether this process runs background jobs (it enqueues them either way). */
  jobsWorker: boolean;
  /** Milliseconds between a worker's claims when nothing in the process woke it. */
  jobsPollMs: number;
  /** Hosts that outgoing requests to user-chosen URLs (interactions endpoints) may reach on private addresses. */
  outboundAllowHosts: string[];
  /** Federation may fetch private, loopback and link-local addresses (tests on one machine only; ADR 0040). */
  federationAllowPrivateAddresses: boolean;
  /** WebFinger of other instances over plain http (tests on one machine only). */
  federationAllowHttp: boolean;
  /** Usernames of the local accounts that administer this instance (domain blocks; ADR 0040). */
  instanceAdmins: string[];
  /**
   * Seconds deliveries to an instance must keep failing (no success in between) before it is marked unavailable
   * and skipped until heard from again (ADR 0050).
   */
  federationUnavailableAfterS: number;
  /** Days a remote status's media file stays stored after it was fetched; 0 keeps them (ADR 0052). */
  remoteMediaCacheDays: number;
  /** Largest remote media file (video, audio) fetched; images are bounded by Limits.imageUploadBytes too. */
  remoteMediaMaxBytes: number;
  /** Remote media files fetched per minute from one instance (host); more wait for the next minute. */
  remoteMediaFetchesPerMinute: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

interface Field<T> {
  env: string;
  parse: (raw: string) => T;
  default: (partial: Partial<Config>) => T;
  allowed: string;
}

function integer(min: number, max: number) {
  return (raw: string) => {
    if (!/^-?\d+$/.test(raw)) throw new Error();
    const n = Number(raw);
    if (n < min || n > max) throw new Error();
    return n;
  };
}
function url(protocols: string[]) {
  return (raw: string) => {
    const u = new URL(raw);
    if (!protocols.includes(u.protocol)) throw new Error();
    return raw;
  };
}
function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string) => {
    if (!values.includes(raw as T)) throw new Error();
    return raw as T;
  };
}
const bool = (raw: string) => {
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new Error();
};

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every setting: its variable, how it is parsed, its default and what is allowed. README's table mirrors this. */
const configFields: { [K in keyof Config]: Field<Config[K]> } = {
  host: { env: 'HOST', parse: (s) => s, default: () => '0.0.0.0', allowed: 'an interface address' },
  port: { env: 'PORT', parse: integer(0, 65535), default: () => 8080, allowed: 'an integer from 0 to 65535' },
  publicUrl: {
    env: 'PUBLIC_URL',
    parse: (s) => url(['http:', 'https:'])(s).replace(/\/+$/, ''),
    default: (c) => `http://localhost:${c.port ?? 8080}`,
    allowed: 'an http:// or https:// URL',
  },
  dataDir: {
    env: 'DATA_DIR',
    parse: (s) => resolve(s),
    default: () => resolve('data'),
    allowed: 'a directory path',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    parse: url(['postgres:', 'postgresql:']),
    default: () => null,
    allowed: 'a postgres:// URL',
  },
  redisUrl: {
    env: 'REDIS_URL',
    parse: url(['redis:', 'rediss:']),
    default: () => null,
    allowed: 'a redis:// URL',
  },
  workerId: {
    env: 'WORKER_ID',
    parse: integer(0, 1023),
    default: () => 0,
    allowed: 'an integer from 0 to 1023',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    parse: oneOf(logLevels),
    default: () => 'info',
    allowed: logLevels.join(', '),
  },
  smtpUrl: {
    env: 'SMTP_URL',
    parse: url(['smtp:', 'smtps:']),
    default: () => null,
    allowed: 'an smtp:// or smtps:// URL',
  },
  mailFrom: {
    env: 'MAIL_FROM',
    parse: (s) => {
      if (!s.includes('@')) throw new Error();
      return s;
    },
    default: () => 'Hearth <hearth@localhost>',
    allowed: 'an email address, optionally with a name',
  },
  trustProxy: { env: 'TRUST_PROXY', parse: bool, default: () => false, allowed: 'true or false' },
  secretKey: {
    env: 'SECRET_KEY',
    parse: (s) => {
      if (s.length < 32) throw new Error();
      return s;
    },
    default: () => null,
    allowed: 'at least 32 characters',
  },
  authRateLimitPerMinute: {
    env: 'AUTH_RATE_LIMIT',
    parse: integer(1, 1_000_000),
    default: () => 30,
    allowed: 'an integer from 1 to 1000000',
  },
  authAccountFailureLimit: {
    env: 'AUTH_ACCOUNT_LIMIT',
    parse: integer(1, 1_000_000),
    default: () => 100,
    allowed: 'an integer from 1 to 1000000',
  },
  rateLimits: { env: 'RATE_LIMITS', parse: bool, default: () => true, allowed: 'true or false' },
  callRingMs: {
    env: 'CALL_RING_TIMEOUT_MS',
    parse: integer(1000, 300_000),
    default: () => 60_000,
    allowed: 'an integer from 1000 to 300000',
  },
  archiveIntervalDays: {
    env: 'ARCHIVE_INTERVAL_DAYS',
    parse: integer(0, 365),
    default: () => 7,
    allowed: 'an integer from 0 to 365',
  },
  archiveRetentionDays: {
    env: 'ARCHIVE_RETENTION_DAYS',
    parse: integer(1, 365),
    default: () => 7,
    allowed: 'an integer from 1 to 365',
  },
  interactionDeadlineMs: {
    env: 'INTERACTION_DEADLINE_MS',
    parse: integer(1000, 60_000),
    default: () => 3000,
    allowed: 'an integer from 1000 to 60000',
  },
  rateLimitGlobalPerSecond: {
    env: 'RATE_LIMIT_GLOBAL',
    parse: integer(1, 1_000_000),
    default: () => 50,
    allowed: 'an integer from 1 to 1000000',
  },
  rateLimitMessagesPer5s: {
    env: 'RATE_LIMIT_MESSAGES',
    parse: integer(1, 1_000_000),
    default: () => 5,
    allowed: 'an integer from 1 to 1000000',
  },
  gatewayResumeUrl: {
    env: 'GATEWAY_RESUME_URL',
    parse: (s) => url(['ws:', 'wss:'])(s).replace(/\/+$/, ''),
    default: (c) => `${(c.publicUrl ?? `http://localhost:${c.port ?? 8080}`).replace(/^http/, 'ws')}/gateway`,
    allowed: 'a ws:// or wss:// URL',
  },
  gatewayHeartbeatMs: {
    env: 'GATEWAY_HEARTBEAT_INTERVAL',
    parse: integer(100, 600_000),
    default: () => 41_250,
    allowed: 'milliseconds from 100 to 600000',
  },
  gatewaySessionTtlSeconds: {
    env: 'GATEWAY_SESSION_TTL',
    parse: integer(1, 86_400),
    default: () => 120,
    allowed: 'seconds from 1 to 86400',
  },
  gatewayIdentifyLimit: {
    env: 'GATEWAY_IDENTIFY_LIMIT',
    parse: integer(1, 1000),
    default: () => 5,
    allowed: 'an integer from 1 to 1000',
  },
  gatewayOutgoingCapBytes: {
    env: 'GATEWAY_OUTGOING_CAP',
    parse: integer(16_384, 1024 * 1024 * 1024),
    default: () => 8 * 1024 * 1024,
    allowed: 'bytes from 16384 to 1073741824',
  },
  presenceTtlSeconds: {
    env: 'PRESENCE_TTL',
    parse: integer(1, 86_400),
    default: () => 600,
    allowed: 'seconds from 1 to 86400',
  },
  voiceRegion: {
    env: 'VOICE_REGION',
    parse: (s) => {
      if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(s)) throw new Error();
      return s;
    },
    default: () => 'hearth',
    allowed: 'a region id: 1–32 lowercase letters, digits and hyphens, such as eu-west',
  },
  voiceEndpoint: {
    env: 'VOICE_ENDPOINT',
    parse: (s) => {
      if (new URL(`http://${s}`).host !== s.toLowerCase()) throw new Error();
      return s.toLowerCase();
    },
    default: (c) => new URL(c.publicUrl ?? 'http://localhost:8080').host,
    allowed: 'a host name with an optional port, such as voice-1.example.org:8443',
  },
  voiceRegionName: {
    env: 'VOICE_REGION_NAME',
    parse: (s) => {
      if (!s.trim() || s.length > 100) throw new Error();
      return s.trim();
    },
    default: (c) => (c.voiceRegion && c.voiceRegion !== 'hearth' ? c.voiceRegion : 'Hearth'),
    allowed: 'a name of 1–100 characters',
  },
  voiceAfkTimeoutSeconds: {
    env: 'VOICE_AFK_TIMEOUT',
    parse: integer(1, 86_400),
    default: () => null,
    allowed: 'seconds from 1 to 86400',
  },
  voiceRoomLeaseSeconds: {
    env: 'VOICE_ROOM_LEASE',
    parse: integer(3, 600),
    default: () => 15,
    allowed: 'seconds from 3 to 600',
  },
  voiceMaxVideo: {
    env: 'VOICE_MAX_VIDEO',
    parse: integer(0, VOICE_VIDEO_SLOTS),
    default: () => VOICE_VIDEO_SLOTS,
    allowed: `a count from 0 (no video) to ${VOICE_VIDEO_SLOTS}`,
  },
  s3Bucket: {
    env: 'S3_BUCKET',
    parse: (s) => {
      // S3's bucket naming rules: 3–63 lowercase letters, digits, dots and hyphens, a letter or digit at each end.
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s)) throw new Error();
      return s;
    },
    default: () => null,
    allowed: 'a bucket name (3–63 lowercase letters, digits, dots and hyphens)',
  },
  s3Endpoint: {
    env: 'S3_ENDPOINT',
    parse: (s) => url(['http:', 'https:'])(s).replace(/\/+$/, ''),
    default: () => null,
    allowed: 'an http:// or https:// URL',
  },
  s3Region: {
    env: 'S3_REGION',
    parse: (s) => {
      if (!/^[a-z0-9-]{1,32}$/.test(s)) throw new Error();
      return s;
    },
    default: () => 'us-east-1',
    allowed: 'a region name such as us-east-1',
  },
  s3AccessKeyId: { env: 'S3_ACCESS_KEY_ID', parse: (s) => s, default: () => null, allowed: 'a key id' },
  s3SecretAccessKey: {
    env: 'S3_SECRET_ACCESS_KEY',
    parse: (s) => s,
    default: () => null,
    allowed: 'a secret key',
  },
  s3ForcePathStyle: {
    env: 'S3_FORCE_PATH_STYLE',
    parse: bool,
    default: (c) => c.s3Endpoint != null,
    allowed: 'true or false',
  },
  jobsWorker: { env: 'JOBS_WORKER', parse: bool, default: () => true, allowed: 'true or false' },
  federationAllowPrivateAddresses: {
    env: 'FEDERATION_ALLOW_PRIVATE_ADDRESSES',
    parse: bool,
    default: () => false,
    allowed: 'true or false',
  },
  federationAllowHttp: {
    env: 'FEDERATION_ALLOW_HTTP',
    parse: bool,
    default: () => false,
    allowed: 'true or false',
  },
  jobsPollMs: {
    env: 'JOBS_POLL_INTERVAL',
    parse: integer(10, 60_000),
    default: () => 1000,
    allowed: 'milliseconds from 10 to 60000',
  },
  outboundAllowHosts: {
    env: 'OUTBOUND_ALLOW_HOSTS',
    parse: (raw) =>
      raw
        .split(',')
        .map((h) =>
          h
            .trim()
            .toLowerCase()
            .replace(/^\[|\]$/g, ''),
        )
        .filter(Boolean),
    default: () => [],
    allowed: 'a comma-separated list of host names or IP addresses',
  },
  federationUnavailableAfterS: {
    env: 'FEDERATION_UNAVAILABLE_AFTER',
    parse: integer(0, 365 * 86_400),
    default: () => 7 * 86_400,
    allowed: 'seconds from 0 to 31536000',
  },
  remoteMediaCacheDays: {
    env: 'REMOTE_MEDIA_CACHE_DAYS',
    parse: integer(0, 3650),
    default: () => 7,
    allowed: 'days from 0 (keep) to 3650',
  },
  remoteMediaMaxBytes: {
    env: 'REMOTE_MEDIA_MAX_BYTES',
    parse: integer(1024, 99 * 1024 * 1024),
    default: () => 40 * 1024 * 1024,
    allowed: 'bytes from 1024 to 103809024',
  },
  remoteMediaFetchesPerMinute: {
    env: 'REMOTE_MEDIA_FETCHES_PER_MINUTE',
    parse: integer(1, 10_000),
    default: () => 60,
    allowed: 'a number from 1 to 10000',
  },
  instanceAdmins: {
    env: 'INSTANCE_ADMINS',
    parse: (raw) =>
      raw
        .split(',')
        .map((u) => u.trim().toLowerCase())
        .filter(Boolean),
    default: () => [],
    allowed: 'a comma-separated list of usernames',
  },
};

/** Settings that only make sense together; one line naming what is missing. */
function checkTogether(c: Config): void {
  const s3Set = c.s3Endpoint || c.s3AccessKeyId || c.s3SecretAccessKey;
  if (s3Set && !c.s3Bucket)
    throw new ConfigError('S3_BUCKET must be set when S3_ENDPOINT or S3 keys are (media go to that bucket)');
  if (!c.s3AccessKeyId !== !c.s3SecretAccessKey)
    throw new ConfigError('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together');
}

/**
 * Reads configuration from the environment and, when CONFIG_FILE names one, a JSON file whose keys are the
 * same variable names (the environment wins). Throws ConfigError with one line naming the variable.
 */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  let file: Env = {};
  if (env.CONFIG_FILE) {
    try {
      const parsed = JSON.parse(readFileSync(env.CONFIG_FILE, 'utf8')) as Record<string, unknown>;
      file = Object.fromEntries(
        Object.entries(parsed).map(([k, v]) => [k, v == null ? undefined : String(v)]),
      );
    } catch (err) {
      throw new ConfigError(
        `CONFIG_FILE ${env.CONFIG_FILE} cannot be read as JSON: ${(err as Error).message}`,
      );
    }
  }
  const config: Partial<Config> = {};
  for (const key of Object.keys(configFields) as Array<keyof Config>) {
    if (key in overrides) {
      (config as Record<string, unknown>)[key] = overrides[key];
      continue;
    }
    const field = configFields[key] as Field<unknown>;
    const raw = env[field.env] ?? file[field.env];
    if (raw === undefined || raw === '') {
      (config as Record<string, unknown>)[key] = field.default(config);
      continue;
    }
    try {
      (config as Record<string, unknown>)[key] = field.parse(raw);
    } catch {
      throw new ConfigError(`${field.env} must be ${field.allowed} (got ${JSON.stringify(raw)})`);
    }
  }
  checkTogether(config as Config);
  return config as Config;
}
