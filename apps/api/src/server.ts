import http from "node:http";
import type { AddressInfo } from "node:net";
import express, { type ErrorRequestHandler } from "express";
import { GraphQLError } from "graphql";
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { AppError, ErrorCode, isAppError } from "@costgate/core";
import { secretBoxKey } from "@costgate/secrets";
import { HttpDrain } from "@costgate/config";
import { createDb, type Db } from "@costgate/db";
import { Producer, createRedis } from "@costgate/queue";
import { createArtifactStore, type ArtifactStore } from "@costgate/artifacts";
import type { Redis } from "ioredis";
import type { ApiEnv } from "./env.ts";
import { createLogger, type Logger } from "./logger.ts";
import { SessionTokens } from "./auth/session-token.ts";
import { LoginThrottle } from "./auth/login-throttle.ts";
import { createAuthenticator } from "./auth/authenticate.ts";
import { AuthCache } from "./auth/auth-cache.ts";
import { Generations } from "./cache/generations.ts";
import { responseCachePlugin } from "./cache/response-cache-plugin.ts";
import { buildSchema } from "./graphql/schema.ts";
import { costLimitPlugin, operationLimits } from "./graphql/limits.ts";
import { inputTextPlugin } from "./graphql/input-text.ts";
import { createFormatError } from "./graphql/format-error.ts";
import type { Context } from "./graphql/context.ts";
import { createLoaders } from "./graphql/loaders.ts";
import { ApiMetrics } from "./http/metrics.ts";
import { clusterMetrics } from "./cluster/cluster-metrics.ts";
import { createHealthRouter } from "./http/health.ts";
import { createThumbnailsRouter } from "./images/thumbnails-route.ts";
import { createUploadsRouter } from "./uploads/uploads-route.ts";
import { createExportsRouter } from "./features/exports/exports-route.ts";
import { archiveLimits, resolveUploadLimits } from "./uploads/upload-limits.ts";

export interface ApiServer {
  app: express.Express;
  httpServer: http.Server;
  db: Db;
  redis: Redis;
  store: ArtifactStore;
  logger: Logger;
  /** Starts Apollo and listens; port 0 picks a free one. Returns the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Stops accepting, lets requests in progress finish (SHUTDOWN_GRACE_MS, then closes their
   * connections), closes the queues, Redis and the database.
   */
  close(): Promise<void>;
}

export interface ServerOverrides {
  db?: Db;
  redis?: Redis;
  logger?: Logger;
  /** Clock for budget periods, usage dates and the cost gate; tests set it, production never does. */
  now?: () => Date;
}

/** Builds the API (HTTP routes, GraphQL, auth, limits, metrics) without listening. */
export async function createServer(env: ApiEnv, overrides: ServerOverrides = {}): Promise<ApiServer> {
  const logger = overrides.logger ?? createLogger(env.LOG_LEVEL);
  const db = overrides.db ?? createDb(env.DATABASE_URL);
  // No offline queue: while Redis is unreachable, commands (the readiness ping, quit on shutdown)
  // fail at once instead of waiting forever for a reconnect. BullMQ waits for "ready" itself.
  const redis = overrides.redis ?? createRedis(env.REDIS_URL, { enableOfflineQueue: false });
  if (!overrides.redis) redis.on("error", (err: Error) => logger.warn({ err: err.message }, "redis connection error"));
  const producer = new Producer(redis, env.QUEUE_PREFIX, {
    onError: (err) => logger.warn({ err: err.message }, "queue error"),
  });
  const store = createArtifactStore(env);
  const sessions = new SessionTokens(env.COSTGATE_SESSION_SECRET, env.SESSION_TTL_SECONDS);
  const throttle = new LoginThrottle(db, {
    maxFailuresPerAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    maxFailuresPerAddress: env.LOGIN_MAX_FAILURES_PER_ADDRESS,
    windowSeconds: env.LOGIN_WINDOW_SECONDS,
  });
  // Revocations reach every API process through Redis; without its own Redis (a test's), no cache.
  const authCache = new AuthCache(redis, overrides.redis ? null : redis.duplicate(), {
    ttlMs: env.AUTH_CACHE_MS,
    channel: `${env.QUEUE_PREFIX}:auth:revoked`,
    onError: (err) =>
      logger.warn({ err: err.message }, "auth cache: Redis error (tokens are looked up every time meanwhile)"),
  });
  const authenticate = createAuthenticator(db, sessions, authCache);
  const metrics = new ApiMetrics();
  const now = overrides.now ?? (() => new Date());
  const secretKey = secretBoxKey(env.COSTGATE_SECRET_KEY);
  const uploadLimits = resolveUploadLimits({
    maxFiles: env.UPLOAD_MAX_FILES,
    maxFileBytes: env.UPLOAD_MAX_FILE_BYTES,
    maxTotalBytes: env.UPLOAD_MAX_TOTAL_BYTES,
    teamQuotaBytes: env.UPLOAD_TEAM_QUOTA_BYTES,
    maxArchiveFiles: env.UPLOAD_MAX_ARCHIVE_FILES,
    maxExpandedBytes: env.UPLOAD_MAX_EXPANDED_BYTES,
    maxImagePixels: env.UPLOAD_MAX_IMAGE_PIXELS,
  });

  const app = express();
  app.disable("x-powered-by");
  app.set(
    "trust proxy",
    env.TRUST_PROXY.trim() === "false"
      ? false
      : env.TRUST_PROXY.split(",")
          .map((s) => s.trim())
          .filter(Boolean),
  );
  const httpServer = http.createServer(app);
  const drain = new HttpDrain(httpServer);
  const schema = buildSchema();
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: env.GRAPHQL_INTROSPECTION ? env.GRAPHQL_INTROSPECTION === "true" : env.NODE_ENV !== "production",
    parseOptions: { maxTokens: env.GRAPHQL_MAX_TOKENS },
    validationRules: [
      operationLimits({
        maxDepth: env.GRAPHQL_MAX_DEPTH,
        maxFields: env.GRAPHQL_MAX_FIELDS,
        maxFragments: env.GRAPHQL_MAX_FRAGMENTS,
        maxAliases: env.GRAPHQL_MAX_ALIASES,
        maxRootFields: env.GRAPHQL_MAX_ROOT_FIELDS,
      }),
    ],
    formatError: createFormatError(logger),
    includeStacktraceInErrorResponses: false,
    // The process owns its signals (main.ts). Apollo's own handler would call stop() a second
    // time, and a second stop() while the first runs waits for ever (Apollo 5.5 resolves its
    // barrier only when stopping fails): the API logged "shutting down" and never exited.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No HTTP cache hints are served, and the plugin Apollo installs by default hooks every
      // resolved field: a 6,000-point spend breakdown paid about a fifth of its time for it.
      ApolloServerPluginCacheControlDisabled(),
      inputTextPlugin(),
      costLimitPlugin(schema, env.GRAPHQL_MAX_COST),
      metrics.plugin(schema),
      responseCachePlugin({
        ttlMs: env.RESPONSE_CACHE_SECONDS * 1000,
        spread: env.RESPONSE_CACHE_SPREAD,
        generations: new Generations(redis, env.QUEUE_PREFIX),
        onError: (err, what) =>
          logger.warn(
            { err: err.message },
            what === "read"
              ? "response cache: Redis error (queries are answered without the cache meanwhile)"
              : "response cache: Redis error, answers cached by other API processes may be stale for RESPONSE_CACHE_SECONDS",
          ),
      }),
    ],
  });

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      // By route pattern; a path no route matched is `unmatched` (raw paths would add series without bound).
      const route: string = req.route?.path ?? (req.baseUrl === "/graphql" ? "/graphql" : "unmatched");
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.labels(route, `${Math.floor(res.statusCode / 100)}xx`).observe(seconds);
      if (route !== "/graphql") metrics.httpRequests.labels(route, String(res.statusCode)).inc();
    });
    next();
  });
  app.use(createHealthRouter({ db, redis, store, logger }));
  // In a cluster, every API process's metrics added up (whichever process answers); else this one's.
  const metricsText = clusterMetrics(metrics.registry) ?? (() => metrics.registry.metrics());
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metricsText());
  });
  app.use(
    createUploadsRouter({
      db,
      store,
      logger,
      limits: uploadLimits,
      authenticate: async (req) => {
        const principal = await authenticate(req.headers.authorization);
        if (!principal)
          throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in first: send Authorization: Bearer <token or API key>");
        return principal;
      },
    }),
  );

  app.use(
    createThumbnailsRouter({
      db,
      store,
      logger,
      authenticate: async (req) => {
        const principal = await authenticate(req.headers.authorization);
        if (!principal)
          throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in first: send Authorization: Bearer <token or API key>");
        return principal;
      },
    }),
  );

  app.use(
    createExportsRouter({
      db,
      artifactDir: env.ARTIFACT_DIR,
      logger,
      authenticate: async (req) => {
        const principal = await authenticate(req.headers.authorization);
        if (!principal)
          throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in first: send Authorization: Bearer <token or API key>");
        return principal;
      },
    }),
  );

  let started = false;
  const mountGraphql = async () => {
    await apollo.start();
    app.use(
      "/graphql",
      express.json({ limit: env.GRAPHQL_BODY_LIMIT }),
      expressMiddleware(apollo, {
        context: async ({ req }): Promise<Context> => ({
          db,
          producer,
          sessions,
          throttle,
          authCache,
          logger,
          now,
          secretKey,
          webhookTargets: { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_TARGETS },
          store,
          imageLimits: archiveLimits(uploadLimits),
          teamQuotaBytes: uploadLimits.teamQuotaBytes,
          loaders: createLoaders(db, now),
          ip: req.ip ?? req.socket.remoteAddress ?? "unknown",
          principal: await authenticate(req.headers.authorization).catch((e: unknown) => {
            // Thrown here, outside any resolver, an AppError would reach the client as a 500
            // "Context creation failed"; keep its code and HTTP status (401 for a bad token).
            if (!isAppError(e)) throw e;
            throw new GraphQLError(e.message, {
              originalError: e,
              extensions: { code: e.code, ...e.details, http: { status: e.httpStatus } },
            });
          }),
        }),
      }),
    );
    app.use((_req, res) => {
      res.status(404).json({ error: { code: ErrorCode.NOT_FOUND, message: "No such route" } });
    });
    app.use(errorHandler(logger));
    started = true;
  };

  return {
    app,
    httpServer,
    db,
    redis,
    store,
    logger,
    async listen(port = env.API_PORT, host = env.API_HOST) {
      if (!started) await mountGraphql();
      await new Promise<void>((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(port, host, () => resolve());
      });
      const { port: actual } = httpServer.address() as AddressInfo;
      return `http://${host}:${actual}`;
    },
    async close() {
      const { cut } = await drain.close(env.SHUTDOWN_GRACE_MS);
      if (cut)
        logger.warn({ cut, graceMs: env.SHUTDOWN_GRACE_MS }, "requests still running at the grace deadline were cut");
      if (started) await apollo.stop();
      authCache.close();
      await producer.close();
      if (!overrides.redis) await redis.quit().catch(() => redis.disconnect());
      if (!overrides.db) await db.$disconnect();
    },
  };
}

/** Errors outside GraphQL (auth on /uploads, bodies too large, bad JSON) as `{ error: { code, message } }`. */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (isAppError(err)) {
      res.status(err.httpStatus).json({ error: { code: err.code, message: err.message } });
      return;
    }
    const status = typeof err?.status === "number" ? err.status : 500;
    if (err?.type === "entity.too.large") {
      res.status(413).json({
        error: { code: ErrorCode.PAYLOAD_TOO_LARGE, message: `Request body is over the limit of ${err.limit} bytes` },
      });
    } else if (status >= 400 && status < 500) {
      res.status(status).json({ error: { code: ErrorCode.BAD_USER_INPUT, message: err.message ?? "Bad request" } });
    } else {
      logger.error({ err }, "unhandled HTTP error");
      res.status(500).json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: "Internal server error" } });
    }
  };
}
