import { Router } from "express";
import type { Db } from "@costgate/db";
import type { Redis } from "ioredis";
import type { ArtifactStore } from "@costgate/artifacts";
import type { Logger } from "../logger.ts";

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);

/** What /readyz checks. */
export interface ReadinessDeps {
  db: Db;
  redis: Redis;
  store: Pick<ArtifactStore, "check">;
  logger: Pick<Logger, "warn">;
}

/**
 * /healthz: the process is alive. /readyz: the database and Redis answer and the artifact folder
 * is there, readable and writable (checked without writing); 503 naming what is not, as
 * `unavailable` (the error itself, which can hold addresses and paths, is logged, not shown).
 */
export function createHealthRouter({ db, redis, store, logger }: ReadinessDeps): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const check = async (name: string, fn: () => Promise<unknown>) => {
      try {
        await withTimeout(fn(), 2_000);
        return "ok" as const;
      } catch (e) {
        logger.warn({ check: name, err: (e as Error).message }, "readiness check failed");
        return "unavailable" as const;
      }
    };
    const [database, redisStatus, artifacts] = await Promise.all([
      check("database", () => db.$queryRaw`SELECT 1`),
      check("redis", () => redis.ping()),
      check("artifacts", () => store.check()),
    ]);
    const checks = { database, redis: redisStatus, artifacts };
    const ready = Object.values(checks).every((c) => c === "ok");
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", checks });
  });
  return router;
}
