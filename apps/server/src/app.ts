import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type HearthEvent, Limits, SnowflakeGenerator } from '@hearth/protocol';
import { eq } from 'drizzle-orm';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { type Logger, pino } from 'pino';
import type { Config } from './config';
import type { Deps } from './domain/deps';
import { ContextCache } from './domain/guilds/context-cache';
import { defineDomainJobs } from './domain/jobs';
import { AttachmentUrls } from './domain/messages/attachments';
import { createServices, type Services } from './domain/services';
import { voiceRechecks } from './domain/voice/voice-guard';
import { BUS_GAP, type Bus, createMemoryBus } from './events/bus';
import { EventPublisher } from './events/publisher';
import { createRedisBus } from './events/redis-bus';
import { defineFederationJobs, lazyFederation } from './federation/lazy';
import { mountFederation } from './federation/mount';
import { Gateway } from './gateway/gateway';
import { MastodonStreaming } from './gateway/mastodon/streaming';
import type { SessionSnapshot } from './gateway/session';
import { registerAuth } from './http/auth';
import { drain, trackConnections } from './http/drain';
import { registerErrorHandling, rejectNulCharacters } from './http/errors';
import { registerJsonBody } from './http/json-body';
import { requestLogSerializers } from './http/log-redaction';
import { registerMetrics } from './http/metrics';
import { QuietRequestLog } from './http/request-log';
import { registerRouteLimits } from './http/route-limits';
import { applicationsRoutes } from './http/routes/applications.routes';
import { authRoutes } from './http/routes/auth.routes';
import { channelsRoutes } from './http/routes/channels.routes';
import { commandsRoutes } from './http/routes/commands.routes';
import { dmsRoutes } from './http/routes/dms.routes';
import { emojisRoutes } from './http/routes/emojis.routes';
import { gatewayRoutes } from './http/routes/gateway.routes';
import { groupsRoutes } from './http/routes/groups.routes';
import { guildInfoRoutes } from './http/routes/guild-info.routes';
import { guildsRoutes } from './http/routes/guilds.routes';
import { interactionsRoutes } from './http/routes/interactions.routes';
import { invitesRoutes } from './http/routes/invites.routes';
import { mastodonRoutes } from './http/routes/mastodon';
import { mediaRoutes, uploadRoutes } from './http/routes/media.routes';
import { messagesRoutes } from './http/routes/messages.routes';
import { moderationRoutes } from './http/routes/moderation.routes';
import { oauth2Routes } from './http/routes/oauth2.routes';
import { pinsRoutes } from './http/routes/pins.routes';
import { reactionsRoutes } from './http/routes/reactions.routes';
import { relationshipsRoutes } from './http/routes/relationships.routes';
import { rolesRoutes } from './http/routes/roles.routes';
import { scheduledEventsRoutes } from './http/routes/scheduled-events.routes';
import { searchRoutes } from './http/routes/search.routes';
import { stickersRoutes } from './http/routes/stickers.routes';
import { systemRoutes } from './http/routes/system.routes';
import { threadsRoutes } from './http/routes/threads.routes';
import { usersRoutes } from './http/routes/users.routes';
import { voiceRoutes } from './http/routes/voice.routes';
import { webhooksRoutes } from './http/routes/webhooks.routes';
import { docsPolicy } from './http/security-headers';
import type { Api, RouteContext } from './http/types';
import { webAppRoutes } from './http/web-app';
import { decodeAtMe, registerWire } from './http/wire';
import type { JobPayloads } from './jobs/kinds';
import { JobQueue } from './jobs/queue';
import { JobWorker } from './jobs/worker';
import { createMailer } from './mail/mailer';
import { openMediaStorage } from './media/media-storage';
import { Sfu } from './media/sfu';
import { createMemoryPresenceStore, createRedisPresenceStore } from './state/presence-store';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from './state/rate-limiter';
import { SessionStore } from './state/session-store';
import { createLocalVoicePlacement, createRedisVoicePlacement } from './state/voice-placement';
import { claimWorkerId } from './state/worker-claim';
import { type Database, type Db, openDatabase } from './store/db';
import { instanceSettings } from './store/schema';

export interface HearthApp {
  config: Config;
  http: Api;
  services: Services;
  database: Database;
  bus: Bus;
  /** Rate limits; `limiter.isDegraded()` is true while Redis is unreachable and limits are per process. */
  limiter: RateLimiter;
  gateway: Gateway;
  /** Mastodon's streaming API (`/api/v1/streaming`). */
  streaming: MastodonStreaming;
  /** Durable background jobs (ADR 0025): enqueue, kinds and schedules; runs them unless JOBS_WORKER=false. */
  jobs: JobWorker<JobPayloads>;
  log: Logger;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, finishes in-flight requests, then closes the database and the bus. */
  close(): Promise<void>;
}

/** How often each process looks for members idle in its voice rooms (afk_timeout is at least a minute on Discord). */
const AFK_CHECK_MS = 5000;

/** How long a stopping process lets its running jobs finish before giving them back to the queue. */
const JOB_GRACE_MS = 5000;

/** The built web app (apps/web/dist), served at `/`. */
const defaultWebDir = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Builds the whole server from its configuration: store, bus, services, HTTP. */
export async function createApp(
  config: Config,
  opts: { logger?: Logger; webDir?: string } = {},
): Promise<HearthApp> {
  const log = opts.logger ?? pino({ level: config.logLevel });
  const cleanups: Array<() => Promise<void>> = [];
  try {
    if (config.redisUrl) {
      const claim = await claimWorkerId(config.redisUrl, config.workerId, {
        onLost: () =>
          log.error(
            { workerId: config.workerId },
            'another process took this WORKER_ID while Redis was unreachable',
          ),
      });
      cleanups.push(() => claim.release());
    }
    const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    cleanups.push(() => database.close());
    const bus = config.redisUrl
      ? await createRedisBus(config.redisUrl, {
          onListenerError: (err, e) => log.error({ err, t: e.t }, 'a bus listener failed'),
        })
      : createMemoryBus();
    cleanups.push(() => bus.close());
    const limiter: RateLimiter = config.redisUrl
      ? await createRedisRateLimiter(config.redisUrl, { log })
      : createMemoryRateLimiter();
    cleanups.push(() => limiter.close());
    const presence = config.redisUrl
      ? await createRedisPresenceStore(config.redisUrl, config.presenceTtlSeconds * 1000)
      : createMemoryPresenceStore();
    cleanups.push(() => presence.close());
    const sessionStore = config.redisUrl ? new SessionStore<SessionSnapshot>(config.redisUrl) : undefined;
    if (sessionStore) {
      await sessionStore.connect();
      cleanups.push(() => sessionStore.close());
    }
    const mailer = createMailer({
      smtpUrl: config.smtpUrl ?? undefined,
      from: config.mailFrom,
      outboxDir: join(config.dataDir, 'outbox'),
      logger: log,
    });
    cleanups.push(() => mailer.close());

    const storage = await openMediaStorage(config);
    cleanups.push(() => storage.close());
    const secret = config.secretKey ?? (await instanceSecret(database.db));
    const jobs = new JobWorker<JobPayloads>(new JobQueue(database.db), {
      log: log.child({ part: 'jobs' }),
      pollMs: config.jobsPollMs,
    });
    // Subscribed before anything else that reads the bus: a context is dropped before any session sees the event.
    const contexts = new ContextCache();
    // Set once the services exist: rechecks voice states after this process published a permission change.
    let voiceGuard: (e: HearthEvent) => void = () => {};
    const observeContexts = bus.subscribe((e) => contexts.observe(e));
    cleanups.push(async () => observeContexts());
    const sfu = new Sfu();
    cleanups.push(() => sfu.close());
    const placementOpts = {
      self: {
        id: config.workerId,
        endpoint: config.voiceEndpoint,
        region: config.voiceRegion,
        regionName: config.voiceRegionName,
      },
      rooms: () => sfu.roomIds(),
    };
    const voicePlacement = config.redisUrl
      ? await createRedisVoicePlacement(config.redisUrl, {
          ...placementOpts,
          leaseMs: config.voiceRoomLeaseSeconds * 1000,
          onError: (err) => log.warn({ err }, 'voice placement renewal failed'),
        })
      : createLocalVoicePlacement(placementOpts);
    cleanups.push(() => voicePlacement.close());
    const deps: Deps = {
      db: database.db,
      ids: new SnowflakeGenerator({ workerId: config.workerId >> 5, processId: config.workerId & 31 }),
      events: new EventPublisher(bus, (err, t) => log.error({ err, t }, 'could not publish event'), [
        (e) => contexts.observe(e),
        (e) => voiceGuard(e),
      ]),
      mailer,
      storage,
      limiter,
      config,
      log,
      secret,
      presence,
      attachmentUrls: new AttachmentUrls(secret, config.publicUrl),
      contexts,
      jobs,
      sfu,
      voicePlacement,
    };
    const services = createServices(deps);
    defineDomainJobs(jobs, services);
    // ActivityPub (ADR 0040): an adapter over the social services, mounted on the HTTP server below.
    const federation = lazyFederation({
      config,
      db: database.db,
      services,
      jobs,
      log: log.child({ part: 'federation' }),
    });
    defineFederationJobs(jobs, federation);
    services.social.profiles.setResolver(federation);
    services.social.posts.setResolver(federation);
    services.social.moves.setResolver(federation);
    services.social.search.setResolver(federation);
    voiceGuard = voiceRechecks(services.voice, log);
    // Sessions revoked on any process stop being trusted here at once.
    const forgetRevoked = bus.subscribe((e) => {
      if (e.t === 'SESSIONS_REVOKED' && e.topic.startsWith('user:'))
        services.auth.sessions.forget(e.topic.slice('user:'.length));
      if (e.t === BUS_GAP) services.auth.sessions.forgetAll();
    });
    cleanups.push(async () => forgetRevoked());
    // Every cache follows the bus one way: it subscribes here, and the transport never calls down to keep it fresh.
    // The bus calls its listeners in the order they subscribed, all of them for one event before the next: the
    // context cache, the revoked sessions, the guild snapshots (GUILD_CREATE's guild-wide part, ADR 0012), then the
    // gateway (gateway.attach, below). So a session never gets an event before the caches it reads have seen it.
    const followSnapshots = bus.subscribe((e) => services.sessionData.observe(e));
    cleanups.push(async () => followSnapshots());
    // This process's voice rooms follow voice states: who left, moved or was server-muted.
    const followVoice = bus.subscribe((e) => services.voice.observe(e));
    cleanups.push(async () => followVoice());
    // Members silent in this process's voice rooms for their guild's afk_timeout go to its AFK channel (ADR 0034).
    const afkTimer = setInterval(() => {
      services.voice.moveIdle().catch((err) => log.warn({ err }, 'voice AFK check failed'));
    }, AFK_CHECK_MS);
    afkTimer.unref();
    cleanups.push(async () => clearInterval(afkTimer));
    const lifecycle = { closing: false };
    // Built before the HTTP app (which serves its Server-Sent Events); it starts on attach, below.
    const streaming = new MastodonStreaming({
      services,
      bus,
      log: log.child({ part: 'streaming' }),
      outgoingCapBytes: config.gatewayOutgoingCapBytes,
    });
    const http = await buildHttp(
      config,
      log,
      { database, bus, jobs },
      lifecycle,
      opts.webDir ?? defaultWebDir,
      {
        services,
        limiter,
        config,
        eventStreams: streaming,
      },
      (api) =>
        mountFederation(api as unknown as FastifyInstance, federation, {
          publicUrl: config.publicUrl,
          limiter,
        }),
    );
    const gateway = new Gateway({
      services,
      bus,
      log,
      resumeUrl: config.gatewayResumeUrl,
      limiter,
      heartbeatIntervalMs: config.gatewayHeartbeatMs,
      sessionTtlMs: config.gatewaySessionTtlSeconds * 1000,
      identifyLimit: config.gatewayIdentifyLimit,
      outgoingCapBytes: config.gatewayOutgoingCapBytes,
      presenceRefreshMs: (config.presenceTtlSeconds * 1000) / 3,
      sessionStore,
    });
    gateway.attach(http.server);
    // Mastodon's streaming API (ADR 0035): its own upgrade path, fed by the same bus, after the caches too.
    streaming.attach(http.server);
    const connections = trackConnections(http.server);
    // Started last: a job may publish events and call any service. Stopped first on close (below).
    if (config.jobsWorker) jobs.start();

    let closing: Promise<void> | null = null;
    return {
      config,
      http,
      services,
      database,
      bus,
      limiter,
      gateway,
      streaming,
      jobs,
      log,
      async listen() {
        return http.listen({ host: config.host, port: config.port });
      },
      close() {
        closing ??= (async () => {
          lifecycle.closing = true;
          // No new claims; running jobs get a few seconds, then go back to the queue for another process or start.
          await Promise.all([jobs.stop(JOB_GRACE_MS), gateway.close(), streaming.close()]);
          await drain(http.server, connections);
          await http.close();
          await runCleanups(cleanups);
        })();
        return closing;
      },
    };
  } catch (err) {
    await runCleanups(cleanups);
    throw err;
  }
}

async function buildHttp(
  config: Config,
  log: Logger,
  { database, bus, jobs }: { database: Database; bus: Bus; jobs: JobWorker<JobPayloads> },
  lifecycle: { closing: boolean },
  webDir: string,
  ctx: RouteContext,
  mount: (api: Api) => void,
): Promise<Api> {
  const http = Fastify({
    loggerInstance: log.child({}, { serializers: requestLogSerializers }),
    bodyLimit: Limits.jsonBodyBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    logController: new QuietRequestLog(),
    rewriteUrl: (request) => decodeAtMe(request.url ?? '/'),
    // Malformed URLs and the like never reach the error handler: answer them Discord's way too.
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
      (reply as unknown as FastifyReply).code(status).send({ code: 0, message: `${status}: Bad Request` });
    },
    ajv: {
      customOptions: { allErrors: true, removeAdditional: true, coerceTypes: 'array', useDefaults: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as Api;

  registerErrorHandling(http);
  registerWire(http);
  registerJsonBody(http);
  // While shutting down, requests already in flight are answered, then their keep-alive connection closes,
  // so closing the server does not wait for clients to hang up.
  http.addHook('onSend', async (request, reply) => {
    if (lifecycle.closing) reply.header('connection', 'close');
    // What the request published is in the shared stream before the client hears it is done (ADR 0020): a
    // process killed right after answering loses none of it. At most the batch in flight; nothing without Redis.
    if (request.method !== 'GET' && request.method !== 'HEAD') await bus.written();
  });
  // Discord's clients send many bodies as optional (PUT /bans/:id, POST /roles): an absent body is an empty one.
  // No text field may hold U+0000 (PostgreSQL cannot store it): a 400 naming the field, before any route sees it.
  http.addHook('preValidation', async (request) => {
    if (request.body == null && request.method !== 'GET' && request.method !== 'HEAD') request.body = {};
    rejectNulCharacters(request.params);
    rejectNulCharacters(request.query);
    rejectNulCharacters(request.body);
  });
  mount(http);
  registerAuth(http, ctx.services.auth);
  registerRouteLimits(http, ctx.limiter, config);
  const metrics = registerMetrics(http, database, jobs);

  await http.register(multipart, {
    limits: {
      fileSize: Limits.maxUploadBytes,
      files: Limits.attachmentsPerMessage,
      fields: 10,
      fieldSize: 1024 * 1024,
      parts: 25,
    },
  });
  await http.register(swagger, {
    openapi: {
      info: {
        title: 'Hearth API',
        version: '10',
        description:
          "Hearth's REST API: wire-compatible with Discord's REST v10 for the routes it implements.",
      },
      servers: [{ url: `${config.publicUrl}/api/v10` }],
      components: {
        securitySchemes: {
          token: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: '`<token>`, `Bearer <token>` or `Bot <token>`',
          },
        },
      },
      security: [{ token: [] }],
    },
  });
  await http.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: docsPolicy(config.publicUrl) });

  await http.register(
    async (api) => {
      authRoutes(api, ctx);
      usersRoutes(api, ctx);
      applicationsRoutes(api, ctx);
      commandsRoutes(api, ctx);
      guildsRoutes(api, ctx);
      channelsRoutes(api, ctx);
      rolesRoutes(api, ctx);
      invitesRoutes(api, ctx);
      groupsRoutes(api, ctx);
      moderationRoutes(api, ctx);
      oauth2Routes(api, ctx);
      messagesRoutes(api, ctx);
      pinsRoutes(api, ctx);
      guildInfoRoutes(api, ctx);
      relationshipsRoutes(api, ctx);
      dmsRoutes(api, ctx);
      reactionsRoutes(api, ctx);
      searchRoutes(api, ctx);
      emojisRoutes(api, ctx);
      stickersRoutes(api, ctx);
      scheduledEventsRoutes(api, ctx);
      threadsRoutes(api, ctx);
      gatewayRoutes(api, ctx);
      webhooksRoutes(api, ctx);
      interactionsRoutes(api, ctx);
      voiceRoutes(api, ctx);
    },
    { prefix: '/api/v10' },
  );
  await mastodonRoutes(http, ctx);
  systemRoutes(http, { database, metrics, bus });
  mediaRoutes(http, ctx);
  await uploadRoutes(http, ctx);
  webAppRoutes(http, { dir: webDir, voiceEndpoints: () => ctx.services.guildInfo.voiceEndpoints() });
  await http.ready();
  return http;
}

/** The token-signing secret shared by every process on this database, created on first start. */
async function instanceSecret(db: Db): Promise<string> {
  await db
    .insert(instanceSettings)
    .values({ key: 'token_secret', value: randomBytes(48).toString('base64url') })
    .onConflictDoNothing();
  const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, 'token_secret'));
  return row.value;
}

async function runCleanups(cleanups: Array<() => Promise<void>>): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch(() => {});
  }
}
