import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import {
  BUDGET_CHECK_WINDOW_MS,
  QueueName,
  WEBHOOK_ATTEMPTS,
  WEBHOOK_BACKOFF_TYPE,
  defaultJobOptions,
  measurePayloadSchema,
  measureQueueName,
  payloadSchemas,
  type Payload,
} from "./queues.ts";

type EnqueueOptions = Pick<JobsOptions, "jobId" | "delay" | "deduplication" | "attempts" | "backoff">;

/**
 * Typed enqueue helpers for the API (which only enqueues; it never imports worker code).
 * Job ids are derived from the payload so that enqueueing the same work twice is a no-op.
 */
export class Producer {
  private readonly queues = new Map<string, Queue>();

  /**
   * `enqueueTimeoutMs` bounds each enqueue: BullMQ waits for Redis to come back without limit,
   * which would hold an API request open for as long as Redis is down.
   */
  constructor(
    private readonly connection: Redis,
    private readonly prefix = "costgate",
    private readonly opts: { enqueueTimeoutMs?: number; onError?: (err: Error) => void } = {},
  ) {}

  /** A queue by name: one of QueueName, or a per-profile measure queue (measureQueueName). */
  queue(name: QueueName | string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions });
      // Without a listener BullMQ prints every connection error to stderr.
      q.on("error", (err) => this.opts.onError?.(err));
      this.queues.set(name, q);
    }
    return q;
  }

  async enqueue<Q extends QueueName>(name: Q, payload: Payload<Q>, opts: EnqueueOptions = {}): Promise<string> {
    return this.add(name, payloadSchemas[name].parse(payload), opts);
  }

  private async add(name: string, data: unknown, opts: EnqueueOptions): Promise<string> {
    const timeoutMs = this.opts.enqueueTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not accept the ${name} job within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const job = await Promise.race([this.queue(name).add(name, data, { ...opts }), timeout]);
      return job.id!;
    } finally {
      clearTimeout(timer);
    }
  }

  optimizeJob(jobId: string): Promise<string> {
    return this.enqueue(QueueName.optimize, { jobId }, { jobId: `optimize-${jobId}` });
  }

  /** Removes a job that has not started (e.g. a cancelled optimization); false when it is running or gone. */
  async removeWaiting(name: QueueName, jobId: string): Promise<boolean> {
    const job = await this.queue(name).getJob(jobId);
    if (!job) return false;
    if (await job.isActive()) return false;
    await job.remove();
    return true;
  }

  evaluateVersion(versionId: string): Promise<string> {
    return this.enqueue(QueueName.evaluate, { versionId }, { jobId: `evaluate-${versionId}` });
  }

  /** Evaluates a version again; asking again while one is waiting or running adds nothing. */
  reevaluateVersion(versionId: string): Promise<string> {
    return this.enqueue(
      QueueName.evaluate,
      { versionId, reevaluate: true },
      { deduplication: { id: `reevaluate-${versionId}` } },
    );
  }

  /** Measures a version again on a worker of that hardware profile; deduplicated while one is waiting or running. */
  remeasureVersion(versionId: string, hardwareProfileId: string): Promise<string> {
    return this.add(measureQueueName(hardwareProfileId), measurePayloadSchema.parse({ versionId }), {
      deduplication: { id: `remeasure-${versionId}-${hardwareProfileId}` },
    });
  }

  /**
   * A budget check of one team soon after its usage changed, debounced: the first call in a
   * window enqueues a job delayed by the window; calls within it are absorbed (BullMQ
   * deduplication with ttl = delay), and since each call comes after its usage committed, the
   * job still sees that usage.
   */
  budgetCheck(teamId: string, windowMs = BUDGET_CHECK_WINDOW_MS): Promise<string> {
    return this.enqueue(
      QueueName.budgets,
      { reason: "ingestion", teamId },
      { delay: windowMs, deduplication: { id: `budgets-team-${teamId}`, ttl: windowMs } },
    );
  }

  /** One webhook delivery; retried by the worker with exponential backoff (WEBHOOK_ATTEMPTS in all). */
  webhookDelivery(deliveryId: string): Promise<string> {
    return this.enqueue(
      QueueName.webhooks,
      { deliveryId },
      { jobId: `webhook-${deliveryId}`, attempts: WEBHOOK_ATTEMPTS, backoff: { type: WEBHOOK_BACKOFF_TYPE } },
    );
  }

  /** An event e-mailed to the team's FINANCE and ADMIN users, once per eventKey (a BullMQ job id holds no ":"). */
  emailEvent(event: string, teamId: string, eventKey: string, data: unknown): Promise<string> {
    return this.enqueue(
      QueueName.notify,
      { kind: "event", event, teamId, eventKey, data },
      { jobId: `email-${eventKey.replaceAll(":", "_")}` },
    );
  }

  /** A team's weekly digest, once per team and week (weekStart: the Monday 00:00 UTC it covers from). */
  weeklyDigest(teamId: string, weekStart: Date): Promise<string> {
    const iso = weekStart.toISOString();
    return this.enqueue(
      QueueName.notify,
      { kind: "digest", teamId, weekStart: iso },
      { jobId: `digest-${teamId}-${iso.replaceAll(":", "_")}` },
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
