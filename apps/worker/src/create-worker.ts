import { DelayedError, UnrecoverableError, Worker, type Job, type WorkerOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createDb } from "@costgate/db";
import { hostname } from "node:os";
import {
  BUDGET_SCHEDULER_ID,
  BUDGET_SCHEDULE_EVERY_MS,
  HOUSEKEEPING_SCHEDULER_ID,
  DIGEST_SCHEDULER_ID,
  HOUSEKEEPING_SCHEDULE_EVERY_MS,
  Producer,
  QueueName,
  createRedis,
  measurePayloadSchema,
  measureQueueName,
  payloadSchemas,
} from "@costgate/queue";
import { createTransport } from "nodemailer";
import { secretBoxKey } from "@costgate/secrets";
import { createArtifactStore } from "@costgate/artifacts";
import type { WorkerDeps } from "./deps.ts";
import { MachineLock } from "./machine-lock.ts";
import { TfHost } from "./tf/tf-host.ts";
import { TfLane } from "./tf/tf-lane.ts";
import type { WorkerEnv } from "./env.ts";
import { WorkerMetrics, type WorkerHealth } from "./metrics.ts";
import { evaluateVersion } from "./features/evaluate-version.ts";
import { HandBack, runOptimizationJob } from "./features/run-optimization-job.ts";
import { resolveHardwareProfile } from "./features/hardware-profile.ts";
import { requeuePendingVersions } from "./features/requeue-pending.ts";
import { collectOrphanedArtifacts } from "./features/collect-orphans.ts";
import { collectUnreferencedArtifacts } from "./features/collect-unreferenced.ts";
import { checkBudgets } from "./features/check-budgets.ts";
import { detectAnomalies } from "./features/detect-anomalies.ts";
import { runSpendExport, scheduleMonthlyExports } from "./features/run-spend-export.ts";
import { deliverWebhook, webhookBackoff } from "./features/deliver-webhook.ts";
import { emailEvent } from "./features/notify/email-event.ts";
import { enqueueWeeklyDigests, sendWeeklyDigest } from "./features/notify/weekly-digest.ts";
import { requeuePendingDeliveries } from "./features/requeue-pending-deliveries.ts";

export interface CostgateWorker {
  deps: WorkerDeps;
  metrics: WorkerMetrics;
  /** Whether the Redis connection of each queue this worker consumes is up. */
  health(): WorkerHealth;
  /**
   * Stops taking jobs; evaluations in progress finish, optimization jobs stop at the next
   * batch or step boundary and go back to the queue for the next worker (their finished
   * steps are kept); then closes Redis and the database.
   */
  close(): Promise<void>;
}

/**
 * Builds the BullMQ workers for the evaluate, optimize, budgets and webhooks queues. Processors are thin: parse
 * the payload, call one feature function. Each job has 3 attempts with exponential backoff
 * (packages/queue); an error a retry cannot fix (a corrupt artifact) is unrecoverable.
 */
export async function createWorker(env: WorkerEnv, logger: Logger): Promise<CostgateWorker> {
  const db = createDb(env.DATABASE_URL);
  const redis = createRedis(env.REDIS_URL);
  const metrics = new WorkerMetrics();
  // One lock per machine for every worker process on it (WORKER_HOST_ID names the machine when
  // containers on one host have hostnames of their own).
  const hostId = env.WORKER_HOST_ID ?? hostname();
  const machineLock = new MachineLock(redis, `${env.QUEUE_PREFIX}:machine:${hostId}`, {
    onWaited: (kind, seconds) => metrics.lockWait.labels(kind).observe(seconds),
    onMeasured: (from, to) =>
      logger.info(
        { host: hostId, from: new Date(from).toISOString(), to: new Date(to).toISOString(), ms: to - from },
        "measurement held the machine",
      ),
  });
  // A TensorFlow process per queue that computes, so an evaluation does not wait behind a training.
  const lane = (name: string) =>
    new TfLane(
      new TfHost({
        name,
        logger,
        backend: env.COSTGATE_TF_BACKEND,
        maxOldSpaceMb: env.WORKER_TF_MAX_OLD_SPACE_MB,
        recycleBytes: env.WORKER_TF_RECYCLE_MB * 1024 * 1024,
      }),
      machineLock,
    );
  const lanes = { evaluate: lane("evaluate"), optimize: lane("optimize") };
  const producer = new Producer(redis, env.QUEUE_PREFIX);
  const store = createArtifactStore(env);
  const profile = await resolveHardwareProfile(db, env.WORKER_HARDWARE_PROFILE);
  const shutdown = new AbortController();
  const deps: WorkerDeps = {
    db,
    store,
    producer,
    logger,
    profile,
    measure: {
      minRuns: env.MEASURE_MIN_RUNS,
      minTimeMs: env.MEASURE_MIN_TIME_MS,
      rounds: env.MEASURE_ROUNDS,
      maxOtherCores: env.MEASURE_MAX_OTHER_CORES,
    },
    hostId,
    tf: lanes.optimize,
    shutdown: shutdown.signal,
    webhooks: {
      secretKey: secretBoxKey(env.COSTGATE_SECRET_KEY),
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      backoffBaseMs: env.WEBHOOK_BACKOFF_BASE_MS,
      allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      dashboardUrl: env.DASHBOARD_URL ?? null,
    },
    mail: {
      transport: env.SMTP_URL ? createTransport(env.SMTP_URL) : null,
      from: env.SMTP_FROM,
      dashboardUrl: env.DASHBOARD_URL ?? null,
    },
  };
  logger.info(
    {
      backend: env.COSTGATE_TF_BACKEND ?? "best available",
      hardwareProfile: profile.name,
      host: hostId,
    },
    "worker starting",
  );

  // A worker killed mid-publish can leave an object no row points to; sweep before taking jobs.
  await collectOrphanedArtifacts(deps);

  const evaluateDeps: WorkerDeps = { ...deps, tf: lanes.evaluate };
  const connections: { queue: string; connection: Redis }[] = [];
  const schemaOf = (name: string) =>
    name in payloadSchemas ? payloadSchemas[name as QueueName] : measurePayloadSchema;
  const worker = <Q extends QueueName | string>(
    name: Q,
    concurrency: number,
    run: (
      data: Q extends QueueName
        ? ReturnType<(typeof payloadSchemas)[Q]["parse"]>
        : ReturnType<typeof measurePayloadSchema.parse>,
      job: Job,
      token?: string,
    ) => Promise<unknown>,
    extra: Partial<WorkerOptions> = {},
  ) => {
    const connection = createRedis(env.REDIS_URL);
    connections.push({ queue: name, connection });
    const w = new Worker(
      name,
      async (job: Job, token?: string) => {
        const stop = metrics.duration.startTimer({ queue: name });
        try {
          const parsed = schemaOf(name).safeParse(job.data);
          if (!parsed.success) throw new UnrecoverableError(`bad ${name} payload: ${parsed.error.message}`);
          const result = await run(parsed.data as never, job, token);
          stop({ outcome: "completed" });
          return result;
        } catch (e) {
          stop({ outcome: e instanceof DelayedError ? "handed_back" : "failed" });
          throw e;
        }
      },
      {
        connection,
        prefix: env.QUEUE_PREFIX,
        // Recorded on each job as processedBy: which machine and process ran it.
        name: `${hostId}:${process.pid}`,
        concurrency,
        lockDuration: env.WORKER_LOCK_DURATION_MS,
        stalledInterval: Math.max(1000, Math.floor(env.WORKER_LOCK_DURATION_MS / 2)),
        ...extra,
      },
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
    worker(QueueName.evaluate, env.WORKER_EVALUATE_CONCURRENCY, (data, job) =>
      evaluateVersion(evaluateDeps, data.versionId, { finalAttempt: isFinalAttempt(job), reevaluate: data.reevaluate }),
    ),
    // Re-measurements asked for this worker's hardware profile.
    worker(measureQueueName(profile.id), 1, (data, job) =>
      evaluateVersion(evaluateDeps, data.versionId, { finalAttempt: isFinalAttempt(job), remeasure: true }),
    ),
    worker(QueueName.optimize, env.WORKER_OPTIMIZE_CONCURRENCY, async (data, job, token) => {
      try {
        return await runOptimizationJob(deps, data.jobId, {
          attempt: Math.max(job.attemptsStarted, job.attemptsMade + 1),
          finalAttempt: isFinalAttempt(job),
        });
      } catch (e) {
        if (!(e instanceof HandBack)) throw e;
        // Back to the queue at once, without counting as a failed attempt.
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
    }),
    // Every minute (scheduled) and soon after ingestions (debounced per team): alerts and AUTO_OPTIMIZE.
    worker(QueueName.budgets, 1, async (data) => {
      const result = await checkBudgets(deps, { teamId: data.teamId });
      if (data.reason === "schedule") await requeuePendingDeliveries(deps);
      return result;
    }),
    // Every hour (scheduled): uploads left unregistered past the grace period, then objects no row names.
    worker(QueueName.housekeeping, 1, async () => {
      const artifacts = await collectUnreferencedArtifacts(deps, { graceMs: env.ARTIFACT_GRACE_HOURS * 3_600_000 });
      const objects = await collectOrphanedArtifacts(deps);
      // Spend anomalies of the last complete days (idempotent: once per model and day).
      const anomalies = await detectAnomalies(deps);
      // Monthly chargeback exports of the teams that asked for them (once per team and month).
      const exports = await scheduleMonthlyExports(deps);
      return { artifacts, objects, anomalies, exports };
    }),
    // E-mail (alerts as they are raised, weekly digests): nothing is sent without SMTP_URL.
    worker(QueueName.notify, 2, async (data) => {
      if (data.kind === "event") return emailEvent(deps, data);
      if (data.kind === "digest") return sendWeeklyDigest(deps, data.teamId, new Date(data.weekStart));
      return enqueueWeeklyDigests(deps);
    }),
    // Spend exports (createSpendExport, monthly schedules): the file, streamed from a cursor.
    worker(QueueName.exports, 1, (data, job) =>
      runSpendExport({ ...deps, artifactDir: env.ARTIFACT_DIR }, data.exportId, { finalAttempt: isFinalAttempt(job) }),
    ),
    // Retries back off exponentially from WEBHOOK_BACKOFF_BASE_MS (the jobs' backoff type is "webhook").
    worker(
      QueueName.webhooks,
      env.WORKER_WEBHOOK_CONCURRENCY,
      (data, job) =>
        deliverWebhook(deps, data.deliveryId, { attempt: job.attemptsMade + 1, finalAttempt: isFinalAttempt(job) }),
      {
        settings: { backoffStrategy: webhookBackoff(deps.webhooks.backoffBaseMs) },
      },
    ),
  ];
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  metrics.watchQueues(workers.map((w) => producer.queue(w.name)));
  await requeuePendingVersions(deps);
  await requeuePendingDeliveries(deps, 0);
  // Idempotent: every worker upserts the same scheduler id, so there is one schedule however many run.
  await producer
    .queue(QueueName.budgets)
    .upsertJobScheduler(
      BUDGET_SCHEDULER_ID,
      { every: BUDGET_SCHEDULE_EVERY_MS },
      { name: QueueName.budgets, data: { reason: "schedule" }, opts: { attempts: 1 } },
    );
  await producer
    .queue(QueueName.notify)
    .upsertJobScheduler(
      DIGEST_SCHEDULER_ID,
      { pattern: env.WORKER_DIGEST_CRON, tz: "UTC" },
      { name: QueueName.notify, data: { kind: "digests" }, opts: { attempts: 1 } },
    );
  await producer
    .queue(QueueName.housekeeping)
    .upsertJobScheduler(
      HOUSEKEEPING_SCHEDULER_ID,
      { every: HOUSEKEEPING_SCHEDULE_EVERY_MS },
      { name: QueueName.housekeeping, data: { reason: "schedule" }, opts: { attempts: 1 } },
    );

  return {
    deps,
    metrics,
    health() {
      const queues = Object.fromEntries(
        connections.map(({ queue, connection }) => [
          queue,
          connection.status === "ready" ? ("connected" as const) : ("disconnected" as const),
        ]),
      );
      return { status: Object.values(queues).every((q) => q === "connected") ? "ok" : "unavailable", queues };
    },
    async close() {
      shutdown.abort();
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(Object.values(lanes).map((l) => l.close()));
      await producer.close();
      deps.mail.transport?.close();
      await Promise.all(
        [redis, ...connections.map((c) => c.connection)].map((c) => c.quit().catch(() => c.disconnect())),
      );
      await db.$disconnect();
    },
  };
}

const isFinalAttempt = (job: Job): boolean => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
