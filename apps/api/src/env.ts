import { availableParallelism } from "node:os";
import { z } from "zod";
import { DEFAULT_ARCHIVE_LIMITS } from "@costgate/formats";
import {
  artifactStoreRequirements,
  parseEnv,
  port,
  positiveInt,
  productionSecrets,
  sharedEnv,
  withSecretKey,
} from "@costgate/config";

const apiEnvSchema = z
  .object({
    ...sharedEnv,
    API_PORT: port(4000),
    API_HOST: z.string().default("127.0.0.1"),
    /** Signs session tokens (HS256). At least 32 characters; `npm start` generates one. */
    COSTGATE_SESSION_SECRET: z.string().min(32, "must be at least 32 characters"),
    SESSION_TTL_SECONDS: positiveInt(12 * 3600),
    /**
     * How long a verified session token or API key is trusted without reading it again (ms; 0:
     * never). Logout and revocations reach every API process at once through Redis.
     */
    AUTH_CACHE_MS: z.coerce.number().int().min(0).default(5_000),
    /**
     * How long a query's answer is kept for the same caller (session or API key) and the same
     * document and variables (seconds; 0: never). Any mutation through the API drops the answers it
     * may change, in every API process (src/cache/). Changes made elsewhere (the worker, SQL by
     * hand) show after at most this long.
     */
    RESPONSE_CACHE_SECONDS: z.coerce.number().min(0).max(60).default(2),
    /**
     * The share of RESPONSE_CACHE_SECONDS by which an answer may expire earlier, at random (0 to
     * 0.5): answers cached together then do not all run again in the same instant (src/cache/
     * response-store.ts, cacheDeadline). 0: every answer lives the whole time.
     */
    RESPONSE_CACHE_SPREAD: z.coerce.number().min(0).max(0.5).default(0.5),
    /** API processes serving API_PORT together (node:cluster); 1 runs the server in this process. */
    API_PROCESSES: positiveInt(availableParallelism()),
    UPLOAD_MAX_FILES: positiveInt(64),
    UPLOAD_MAX_FILE_BYTES: positiveInt(512 * 1024 * 1024),
    UPLOAD_MAX_TOTAL_BYTES: positiveInt(1024 * 1024 * 1024),
    /** Bytes of artifacts (uploads and the versions jobs make) one team may hold before new uploads are refused. */
    UPLOAD_TEAM_QUOTA_BYTES: positiveInt(20 * 1024 * 1024 * 1024),
    /** Image dataset archives: files, bytes they expand to, and pixels an image (checked before it is decoded). */
    UPLOAD_MAX_ARCHIVE_FILES: positiveInt(DEFAULT_ARCHIVE_LIMITS.maxFiles),
    UPLOAD_MAX_EXPANDED_BYTES: positiveInt(DEFAULT_ARCHIVE_LIMITS.maxExpandedBytes),
    UPLOAD_MAX_IMAGE_PIXELS: positiveInt(DEFAULT_ARCHIVE_LIMITS.maxImagePixels),
    /** Largest JSON body /graphql accepts (recordUsage takes up to 10,000 records). */
    GRAPHQL_BODY_LIMIT: z.string().default("8mb"),
    GRAPHQL_MAX_DEPTH: positiveInt(10),
    GRAPHQL_MAX_COST: positiveInt(20_000),
    /** Fields of one operation once fragments are expanded, fragments per document, aliases and root fields per operation. */
    GRAPHQL_MAX_FIELDS: positiveInt(2_000),
    GRAPHQL_MAX_FRAGMENTS: positiveInt(50),
    GRAPHQL_MAX_ALIASES: positiveInt(30),
    GRAPHQL_MAX_ROOT_FIELDS: positiveInt(20),
    /** Tokens in one GraphQL document; the parser stops there (a syntax error), before any validation. */
    GRAPHQL_MAX_TOKENS: positiveInt(10_000),
    /** Failed logins allowed per account / per address in LOGIN_WINDOW_SECONDS before RATE_LIMITED. */
    LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(5),
    LOGIN_MAX_FAILURES_PER_ADDRESS: positiveInt(20),
    LOGIN_WINDOW_SECONDS: positiveInt(15 * 60),
    /**
     * Peers whose X-Forwarded-For names the client (Express "trust proxy": loopback, linklocal,
     * uniquelocal, addresses or CIDRs, comma-separated; "false" for none). The dashboard runs in
     * front of the API and forwards the browser's address, so login throttling counts browsers,
     * not the dashboard. Never list addresses the public can connect from.
     */
    TRUST_PROXY: z.string().default("loopback"),
    /** Serve Apollo's landing page and introspection (off in production unless set). */
    GRAPHQL_INTROSPECTION: z.enum(["true", "false"]).optional(),
    /**
     * Tests only: the API's clock for budget periods, usage dates and the cost gate stands still at
     * this instant (ISO 8601), so screenshots of money charts are the same every day. Refused in
     * production.
     */
    COSTGATE_FROZEN_NOW: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((env) => !(env.NODE_ENV === "production" && env.COSTGATE_FROZEN_NOW), {
    message: "COSTGATE_FROZEN_NOW is for tests: it must not be set when NODE_ENV=production",
    path: ["COSTGATE_FROZEN_NOW"],
  })
  .superRefine(artifactStoreRequirements)
  .transform(withSecretKey)
  // In production a published, placeholder or guessable secret stops the process, naming it.
  .superRefine(productionSecrets(["COSTGATE_SESSION_SECRET", "COSTGATE_SECRET_KEY"]));

export type ApiEnv = z.infer<typeof apiEnvSchema>;

export const loadApiEnv = (source: NodeJS.ProcessEnv = process.env): ApiEnv => parseEnv(apiEnvSchema, source);
