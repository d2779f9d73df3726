import { Router } from "express";
import type { Db } from "@costgate/db";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.ts";

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);

/**
 * /healthz: the process is alive. /readyz: the database and Redis answer (503 naming which one
 * does not, as `unavailable`; the error itself, which can hold addresses, is logged, not shown).
 */
export function createHealthRouter(db: Db, redis: Redis, logger: Pick<Logger, "warn">): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const check = async (name: string, fn: () => Promise<unknown>) => {
      try {
        await withTimeout(fn(), 2_000);
        return "ok";
      } catch (e) {
        logger.warn({ check: name, err: (e as Error).message }, "readiness check failed");
        return "unavailable";
      }
    };
    const [database, redisStatus] = await Promise.all([
      check("database", () => db.$queryRaw`SELECT 1`),
      check("redis", () => redis.ping()),
    ]);
    const ready = database === "ok" && redisStatus === "ok";
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? "ready" : "not ready", checks: { database, redis: redisStatus } });
  });
  return router;
}
