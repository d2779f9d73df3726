import { describe, expect, it } from "vitest";
import { loadWorkerEnv } from "./env.ts";

const base = { DATABASE_URL: "postgresql://localhost/x", ARTIFACT_DIR: "/tmp/costgate-artifacts" };

describe("worker environment: measurement rounds", () => {
  it("refuses fewer than 6 rounds, saying why: a paired comparison has no 95% interval below that", () => {
    expect(() => loadWorkerEnv({ ...base, MEASURE_ROUNDS: "3" })).toThrow(/MEASURE_ROUNDS.*at least 6 .*95% interval/);
  });
  it("takes 6 and more, 10 by default", () => {
    expect(loadWorkerEnv({ ...base, MEASURE_ROUNDS: "6" }).MEASURE_ROUNDS).toBe(6);
    expect(loadWorkerEnv(base).MEASURE_ROUNDS).toBe(10);
  });
});
