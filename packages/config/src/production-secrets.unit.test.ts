import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  DEMO_ADMIN_PASSWORD,
  DEV_SECRET_KEY,
  adminPasswordProblem,
  parseEnv,
  productionSecrets,
  secretProblem,
  sharedEnv,
  withSecretKey,
} from "./index.ts";

const schema = z
  .object({ ...sharedEnv, COSTGATE_SESSION_SECRET: z.string().min(32) })
  .transform(withSecretKey)
  .superRefine(productionSecrets(["COSTGATE_SESSION_SECRET", "COSTGATE_SECRET_KEY"]));
const good = () => randomBytes(32).toString("hex");
const base = { DATABASE_URL: "postgresql://localhost/x", NODE_ENV: "production" };

describe("secrets in production", () => {
  it.each([
    ["the docker-compose default session secret", "local-compose-secret-change-me-0123456789abcdef", /known value/],
    ["the development secret key", DEV_SECRET_KEY, /known value/],
    ["a placeholder", "please-change-me-before-going-live-0123456789", /placeholder/],
    ["a low-entropy value", "k".repeat(64), /entropy/],
    ["a repeated short pattern", "abab".repeat(16), /entropy/],
  ])("refuses %s, naming the variable and how to make one", (_what, value, why) => {
    const run = () => parseEnv(schema, { ...base, COSTGATE_SESSION_SECRET: value, COSTGATE_SECRET_KEY: good() });
    expect(run).toThrow(/COSTGATE_SESSION_SECRET: /);
    expect(run).toThrow(why);
    expect(run).toThrow(/openssl rand -hex 32/);
  });

  it("accepts random secrets (openssl rand -hex 32, or -base64 32)", () => {
    expect(() =>
      parseEnv(schema, {
        ...base,
        COSTGATE_SESSION_SECRET: good(),
        COSTGATE_SECRET_KEY: randomBytes(32).toString("base64"),
      }),
    ).not.toThrow();
  });

  it("leaves development and test alone (the documented defaults work there)", () => {
    expect(() =>
      parseEnv(schema, {
        ...base,
        NODE_ENV: "development",
        COSTGATE_SESSION_SECRET: "local-compose-secret-change-me-0123456789abcdef",
      }),
    ).not.toThrow();
  });

  it("checks each named variable", () => {
    expect(() =>
      parseEnv(schema, {
        ...base,
        COSTGATE_SESSION_SECRET: good(),
        COSTGATE_SECRET_KEY: "local-compose-secret-key-change-me-0123456789abcdef",
      }),
    ).toThrow(/COSTGATE_SECRET_KEY: /);
    expect(secretProblem(good())).toBeNull();
  });
});

describe("the first admin's password in production", () => {
  it("refuses the demo password and names COSTGATE_ADMIN_PASSWORD", () => {
    expect(adminPasswordProblem(DEMO_ADMIN_PASSWORD, "production")).toMatch(/COSTGATE_ADMIN_PASSWORD.*demo password/);
    expect(adminPasswordProblem(DEMO_ADMIN_PASSWORD, "development")).toBeNull();
    expect(adminPasswordProblem("a-long-and-private-passphrase", "production")).toBeNull();
  });
});
