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

/** Pieces shared by the app schemas, so each variable means the same thing everywhere. */
export const sharedEnv = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .default("redis://127.0.0.1:6379"),
  ARTIFACT_DIR: z.string().min(1).default(".costgate/artifacts"),
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

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
