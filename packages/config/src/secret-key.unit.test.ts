import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DEV_SECRET_KEY, parseEnv, sharedEnv, withSecretKey } from "./env.ts";

const schema = z.object(sharedEnv).transform(withSecretKey);
const base = { DATABASE_URL: "postgresql://localhost/x" };

describe("COSTGATE_SECRET_KEY", () => {
  it("is required in production, and the process stops naming it", () => {
    expect(() => parseEnv(schema, { ...base, NODE_ENV: "production" })).toThrow(
      /COSTGATE_SECRET_KEY: required in production/,
    );
  });

  it("defaults to the documented development key outside production", () => {
    expect(parseEnv(schema, { ...base, NODE_ENV: "development" }).COSTGATE_SECRET_KEY).toBe(DEV_SECRET_KEY);
    expect(parseEnv(schema, { ...base, NODE_ENV: "test" }).COSTGATE_SECRET_KEY).toBe(DEV_SECRET_KEY);
  });

  it("takes a configured key of at least 32 characters", () => {
    const key = "k".repeat(32);
    expect(parseEnv(schema, { ...base, NODE_ENV: "production", COSTGATE_SECRET_KEY: key }).COSTGATE_SECRET_KEY).toBe(
      key,
    );
    expect(() => parseEnv(schema, { ...base, COSTGATE_SECRET_KEY: "short" })).toThrow(
      /COSTGATE_SECRET_KEY: must be at least 32 characters/,
    );
  });
});
