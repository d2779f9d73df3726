import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createDb, type Db, type HardwareProfile } from "@costgate/db";
import { Producer, QueueName, createRedis, payloadSchemas } from "@costgate/queue";
import { createFsArtifactStore, type ArtifactStore } from "@costgate/artifacts";
import { initBackend } from "@costgate/ml";
import type { WorkerEnv } from "./env.ts";
import { WorkerMetrics } from "./metrics.ts";
import { evaluateVersion } from "./features/evaluate-version.ts";
import { HandBack, runOptimizationJob } from "./features/run-optimization-job.ts";
import { resolveHardwareProfile } from "./features/hardware-profile.ts";
import { requeuePendingVersions } from "./features/requeue-pending.ts";
import { collectOrphanedArtifacts } from "./features/collect-orphans.ts";

/** What the feature functions need: the database, the store, the queues, and where cost is measured. */
export interface WorkerDeps {
  db: Db;
  store: ArtifactStore;
  producer: Producer;
  logger: Logger;
  profile: HardwareProfile;
  backend: string;
  measure: { minRuns: number; minTimeMs: number; rounds: number };
  /** Aborts when the worker stops: running optimization jobs stop at the next batch or step and are handed back. */
  shutdown: AbortSignal;
}

export interface CostgateWorker {
  deps: WorkerDeps;
  metrics: WorkerMetrics;
  /**
   * Stops taking jobs; evaluations in progress finish, optimization jobs stop at the next
   * batch or step boundary and go back to the queue for the next worker (their finished
   * steps are kept); then closes Redis and the database.
   */
  close(): Promise<void>;
}

/**
 * Builds the BullMQ workers for the evaluate and optimize queues. Processors are thin: parse
 * the payload, call one feature function. Each job has 3 attempts with exponential backoff
 * (packages/queue); an error a retry cannot fix (a corrupt artifact) is unrecoverable.
 */
export async function createWorker(env: WorkerEnv, logger: Logger): Promise<CostgateWorker> {
  const backend = await initBackend(env.COSTGATE_TF_BACKEND ? { force: env.COSTGATE_TF_BACKEND } : {});
  const db = createDb(env.DATABASE_URL);
  const redis = createRedis(env.REDIS_URL);
  const producer = new Producer(redis, env.QUEUE_PREFIX);
  const store = createFsArtifactStore(env.ARTIFACT_DIR);
  const profile = await resolveHardwareProfile(db, env.WORKER_HARDWARE_PROFILE);
  const shutdown = new AbortController();
  const deps: WorkerDeps = {
    db,
    store,
    producer,
    logger,
    profile,
    backend,
    measure: { minRuns: env.MEASURE_MIN_RUNS, minTimeMs: env.MEASURE_MIN_TIME_MS, rounds: env.MEASURE_ROUNDS },
    shutdown: shutdown.signal,
  };
  const metrics = new WorkerMetrics();
  logger.info({ backend, hardwareProfile: profile.name }, "worker starting");

  // A worker killed mid-publish can leave an object no row points to; sweep before taking jobs.
  await collectOrphanedArtifacts(deps);

  const connections: Redis[] = [];
  const worker = <Q extends "evaluate" | "optimize">(name: Q, concurrency: number, run: (data: ReturnType<(typeof payloadSchemas)[Q]["parse"]>, job: Job, token?: string) => Promise<unknown>) => {
    const connection = createRedis(env.REDIS_URL);
    connections.push(connection);
    const w = new Worker(
      name,
      async (job: Job, token?: string) => {
        const parsed = payloadSchemas[name].safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`bad ${name} payload: ${parsed.error.message}`);
        const stop = metrics.duration.labels(name).startTimer();
        try {
          return await run(parsed.data as never, job, token);
        } finally {
          stop();
        }
      },
      { connection, prefix: env.QUEUE_PREFIX, concurrency, lockDuration: env.WORKER_LOCK_DURATION_MS, stalledInterval: Math.max(1000, Math.floor(env.WORKER_LOCK_DURATION_MS / 2)) },
    );
    w.on("completed", () => metrics.jobs.labels(name, "completed").inc());
    w.on("failed", (job, err) => {
      metrics.jobs.labels(name, "failed").inc();
      logger.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, err }, `${name} job failed`);
    });
    w.on("error", (err) => logger.error({ queue: name, err }, `${name} worker error`));
    return w;
  };

  const workers = [
    worker(QueueName.evaluate, env.WORKER_EVALUATE_CONCURRENCY, (data, job) => evaluateVersion(deps, data.versionId, { finalAttempt: isFinalAttempt(job) })),
    worker(QueueName.optimize, env.WORKER_OPTIMIZE_CONCURRENCY, async (data, job, token) => {
      try {
        return await runOptimizationJob(deps, data.jobId, { attempt: Math.max(job.attemptsStarted, job.attemptsMade + 1), finalAttempt: isFinalAttempt(job) });
      } catch (e) {
        if (!(e instanceof HandBack)) throw e;
        // Back to the queue at once, without counting as a failed attempt.
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
    }),
  ];
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  await requeuePendingVersions(deps);

  return {
    deps,
    metrics,
    async close() {
      shutdown.abort();
      await Promise.all(workers.map((w) => w.close()));
      await producer.close();
      await Promise.all([redis, ...connections].map((c) => c.quit().catch(() => c.disconnect())));
      await db.$disconnect();
    },
  };
}

const isFinalAttempt = (job: Job): boolean => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
