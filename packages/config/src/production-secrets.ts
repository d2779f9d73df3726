import type { z } from "zod";
import { DEV_SECRET_KEY } from "./env.ts";

/** The first admin's password in docker-compose.yml, .env.example and `npm start`: a demo value, public. */
export const DEMO_ADMIN_PASSWORD = "costgate-demo-password";

/** Secrets that appear in this repository (docker-compose.yml defaults, docs, the development key): public. */
const KNOWN_SECRETS = new Set([
  DEV_SECRET_KEY,
  "local-compose-secret-change-me-0123456789abcdef",
  "local-compose-secret-key-change-me-0123456789abcdef",
]);
const PLACEHOLDER = /change-?me|replace-?me|example|placeholder|not-for-production|default|secret-?key|password/i;
/** Estimated bits (length × empirical entropy per character) below which a secret is guessable. */
const MIN_BITS = 100;
const HOW = "set it to a random value, e.g. `openssl rand -hex 32`";

function estimatedBits(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / value.length) * Math.log2(n / value.length);
  return perChar * value.length;
}

/** Why a secret must not be used in production, or null when it may. */
export function secretProblem(value: string): string | null {
  if (KNOWN_SECRETS.has(value)) return `is a known value published in the Costgate repository; ${HOW}`;
  if (PLACEHOLDER.test(value)) return `looks like a placeholder; ${HOW}`;
  if (/^(.{1,16}?)\1+$/s.test(value) || estimatedBits(value) < MIN_BITS)
    return `has too little entropy to be secret; ${HOW}`;
  return null;
}

/**
 * Refinement for an app's env schema (`.superRefine(productionSecrets([...]))`): with
 * NODE_ENV=production, each named secret must not be a known, placeholder or low-entropy value;
 * the process stops at start naming the variable. Development and test keep their defaults.
 */
export function productionSecrets(names: readonly string[]) {
  return (env: { NODE_ENV: string } & Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (env.NODE_ENV !== "production") return;
    for (const name of names) {
      const value = env[name];
      if (typeof value !== "string") continue;
      const problem = secretProblem(value);
      if (problem) ctx.addIssue({ code: "custom", path: [name], message: `in production this ${problem}` });
    }
  };
}

/** Why the first admin's password must not be seeded, or null. */
export function adminPasswordProblem(password: string, nodeEnv: string | undefined): string | null {
  if (nodeEnv === "production" && password === DEMO_ADMIN_PASSWORD) {
    return "COSTGATE_ADMIN_PASSWORD is the public demo password; set your own (at least 12 characters) before seeding a production database";
  }
  return null;
}
