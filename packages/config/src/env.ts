import { z } from "zod";

/**
 * Parses process.env (or another source) against an app's schema once, at boot. A missing
 * or malformed variable stops the process with every offending name, not an hour later.
 */
export function parseEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
  throw new Error(`Invalid environment:\n${lines.join("\n")}`);
}

/** Where artifacts are kept (packages/artifacts' createArtifactStore takes these). */
const artifactStoreEnv = {
  /** fs: published artifacts in ARTIFACT_DIR (a shared volume across machines); s3: in S3_BUCKET, ARTIFACT_DIR then holds only local staging and the read cache. */
  ARTIFACT_STORE: z.enum(["fs", "s3"]).default("fs"),
  ARTIFACT_DIR: z.string().min(1).default(".costgate/artifacts"),
  S3_BUCKET: z.string().min(3, "must be a bucket name").optional(),
  /** Key prefix of every object (deployments sharing one bucket use different prefixes). */
  S3_PREFIX: z
    .string()
    .regex(/^[\w./-]*$/, "letters, digits, _ . - / only")
    .default("costgate/"),
  /** An S3-compatible server (MinIO: http://minio:9000); unset: AWS S3 of S3_REGION. */
  S3_ENDPOINT: z.string().url("must be a URL").optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  /** true for MinIO and most self-hosted servers (endpoint/bucket/key URLs). */
  S3_FORCE_PATH_STYLE: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** Static credentials; unset: the AWS SDK's default chain (AWS_ACCESS_KEY_ID..., shared config, instance or task role). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Bytes of artifacts a process keeps in its local read cache (ARTIFACT_DIR/cache), least recently used evicted first. */
  S3_CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024 * 1024),
};

/** The artifact-store variables alone (for tools and tests that open the store an app uses). */
export const parseArtifactStoreEnv = (source: NodeJS.ProcessEnv | Record<string, string>) =>
  parseEnv(z.object(artifactStoreEnv).superRefine(artifactStoreRequirements), source);

/** Pieces shared by the app schemas, so each variable means the same thing everywhere. */
export const sharedEnv = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .default("redis://127.0.0.1:6379"),
  ...artifactStoreEnv,
  /** Redis key prefix of the queues; separate prefixes keep deployments (or test files) apart. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w.-]+$/, "letters, digits, _ . - only")
    .default("costgate"),
  /**
   * Encrypts secrets Costgate must use again (webhook signing secrets, AES-256-GCM with its
   * SHA-256 as key). Required in production; elsewhere DEV_SECRET_KEY when unset (see withSecretKey).
   */
  COSTGATE_SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  /**
   * true: webhooks may point at loopback, private, link-local and metadata addresses (local
   * development and tests). Otherwise the API refuses such URLs and the worker refuses to connect.
   */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** On SIGTERM/SIGINT: how long HTTP requests in progress may take to finish before their connections are closed. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(5_000),
  /** The whole stop must be over this long after the signal; past it the process logs what is still open and exits 1. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(8_000),
};

/** The documented development/test default of COSTGATE_SECRET_KEY. Never use it in production. */
export const DEV_SECRET_KEY = "costgate-development-secret-key-not-for-production";

/**
 * Applied to an app schema (`.transform(withSecretKey)`): COSTGATE_SECRET_KEY must be set in
 * production (the process stops at start naming it); in development and test it defaults to
 * DEV_SECRET_KEY, so every process of a local stack encrypts and decrypts alike.
 */
export function withSecretKey<E extends { NODE_ENV: string; COSTGATE_SECRET_KEY?: string | undefined }>(
  env: E,
  ctx: z.RefinementCtx,
): E & { COSTGATE_SECRET_KEY: string } {
  if (env.COSTGATE_SECRET_KEY) return env as E & { COSTGATE_SECRET_KEY: string };
  if (env.NODE_ENV === "production") {
    ctx.addIssue({
      code: "custom",
      path: ["COSTGATE_SECRET_KEY"],
      message: "required in production (at least 32 characters, e.g. openssl rand -hex 32)",
    });
    return z.NEVER;
  }
  return { ...env, COSTGATE_SECRET_KEY: DEV_SECRET_KEY };
}

/**
 * Applied to an app schema (`.superRefine(artifactStoreRequirements)`): with ARTIFACT_STORE=s3
 * the bucket must be named, and static credentials come as a pair.
 */
export function artifactStoreRequirements(
  env: {
    ARTIFACT_STORE: string;
    S3_BUCKET?: string | undefined;
    S3_ACCESS_KEY_ID?: string | undefined;
    S3_SECRET_ACCESS_KEY?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (env.ARTIFACT_STORE !== "s3") return;
  if (!env.S3_BUCKET) ctx.addIssue({ code: "custom", path: ["S3_BUCKET"], message: "required when ARTIFACT_STORE=s3" });
  if (!env.S3_ACCESS_KEY_ID !== !env.S3_SECRET_ACCESS_KEY) {
    ctx.addIssue({
      code: "custom",
      path: [env.S3_ACCESS_KEY_ID ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID"],
      message: "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together or not at all",
    });
  }
}

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
