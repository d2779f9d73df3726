import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@costgate/db";
import { freePort, until } from "@costgate/testkit";
import { loadApiEnv } from "../../env.ts";
import { createServer, type ApiServer } from "../../server.ts";

/**
 * /readyz as a load balancer or an operator reads it, one dependency taken away at a time: the
 * real PostgreSQL and Redis, or a closed port in their place; a real folder, or none.
 * (Redis unreachable: http.test.ts.)
 */
let database: TestDatabase;
const folders: string[] = [];
const running: ApiServer[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const s of running) await s.close();
  await database?.drop();
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

async function startApi(overrides: Record<string, string>): Promise<string> {
  const artifactDir = mkdtempSync(join(tmpdir(), "costgate-readyz-"));
  folders.push(artifactDir);
  const server = await createServer(
    loadApiEnv({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      DATABASE_URL: database.url,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      QUEUE_PREFIX: `costgate-test-${randomBytes(4).toString("hex")}`,
      ARTIFACT_DIR: artifactDir,
      COSTGATE_SESSION_SECRET: randomBytes(32).toString("hex"),
      SHUTDOWN_GRACE_MS: "1000",
      ...overrides,
    }),
  );
  running.push(server);
  const url = await server.listen(0, "127.0.0.1");
  // Just started, Redis is still connecting (and so not ready): the tests are about what comes after.
  await until("the API's Redis connection", async () => server.redis.status === "ready", 10_000, 20);
  return url;
}

const readyz = async (url: string) => {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
};

describe("/readyz", () => {
  it("answers 200 when PostgreSQL, Redis and the artifact folder are usable", async () => {
    const r = await readyz(await startApi({}));
    expect(r).toEqual({
      status: 200,
      body: { status: "ready", checks: { database: "ok", redis: "ok", artifacts: "ok" } },
    });
  });

  it("answers 503 naming the database when PostgreSQL does not answer, and names nothing else", async () => {
    const closed = await freePort();
    const url = await startApi({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${closed}/costgate` });
    const r = await readyz(url);
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ status: "not ready", checks: { database: "unavailable", redis: "ok", artifacts: "ok" } });
    // Alive all the same.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it("answers 503 naming the artifact store when its folder is missing (a shared volume not mounted)", async () => {
    const missing = join(tmpdir(), `costgate-no-such-folder-${randomBytes(4).toString("hex")}`);
    const r = await readyz(await startApi({ ARTIFACT_DIR: missing }));
    expect(r.status).toBe(503);
    expect(r.body.checks).toEqual({ database: "ok", redis: "ok", artifacts: "unavailable" });
  });

  it("answers 503 naming the artifact store when its path is a file, not a folder", async () => {
    const parent = mkdtempSync(join(tmpdir(), "costgate-readyz-file-"));
    folders.push(parent);
    const file = join(parent, "artifacts");
    writeFileSync(file, "not a folder");
    const r = await readyz(await startApi({ ARTIFACT_DIR: file }));
    expect(r.status).toBe(503);
    expect(r.body.checks.artifacts).toBe("unavailable");
  });
});
