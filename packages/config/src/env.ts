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
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL").default("redis://127.0.0.1:6379"),
  ARTIFACT_DIR: z.string().min(1).default(".costgate/artifacts"),
  /** Redis key prefix of the queues; separate prefixes keep deployments (or test files) apart. */
  QUEUE_PREFIX: z.string().regex(/^[\w.-]+$/, "letters, digits, _ . - only").default("costgate"),
};

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
