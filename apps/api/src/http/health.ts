import { Router } from "express";
import type { Db } from "@costgate/db";
import type { Redis } from "ioredis";

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

/** /healthz: the process is alive. /readyz: the database and Redis answer (503 with which one does not). */
export function createHealthRouter(db: Db, redis: Redis): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await withTimeout(fn(), 2_000);
        return "ok";
      } catch (e) {
        return `error: ${(e as Error).message}`;
      }
    };
    const [database, redisStatus] = await Promise.all([check(() => db.$queryRaw`SELECT 1`), check(() => redis.ping())]);
    const ready = database === "ok" && redisStatus === "ok";
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", checks: { database, redis: redisStatus } });
  });
  return router;
}
