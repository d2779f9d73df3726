import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QueueName, defaultJobOptions, payloadSchemas, type Payload } from "./queues.ts";

/**
 * Typed enqueue helpers for the API (which only enqueues; it never imports worker code).
 * Job ids are derived from the payload so that enqueueing the same work twice is a no-op.
 */
export class Producer {
  private readonly queues = new Map<QueueName, Queue>();

  /**
   * `enqueueTimeoutMs` bounds each enqueue: BullMQ waits for Redis to come back without limit,
   * which would hold an API request open for as long as Redis is down.
   */
  constructor(
    private readonly connection: Redis,
    private readonly prefix = "costgate",
    private readonly opts: { enqueueTimeoutMs?: number; onError?: (err: Error) => void } = {},
  ) {}

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions });
      // Without a listener BullMQ prints every connection error to stderr.
      q.on("error", (err) => this.opts.onError?.(err));
      this.queues.set(name, q);
    }
    return q;
  }

  async enqueue<Q extends QueueName>(name: Q, payload: Payload<Q>, opts: { jobId?: string; delay?: number } = {}): Promise<string> {
    const data = payloadSchemas[name].parse(payload);
    const timeoutMs = this.opts.enqueueTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not accept the ${name} job within ${timeoutMs} ms`)), timeoutMs);
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

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
