import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QueueName, defaultJobOptions, payloadSchemas, type Payload } from "./queues.ts";

/**
 * Typed enqueue helpers for the API (which only enqueues; it never imports worker code).
 * Job ids are derived from the payload so that enqueueing the same work twice is a no-op.
 */
export class Producer {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly connection: Redis, private readonly prefix = "costgate") {}

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions });
      this.queues.set(name, q);
    }
    return q;
  }

  async enqueue<Q extends QueueName>(name: Q, payload: Payload<Q>, opts: { jobId?: string; delay?: number } = {}): Promise<string> {
    const data = payloadSchemas[name].parse(payload);
    const job = await this.queue(name).add(name, data, { ...opts });
    return job.id!;
  }

  evaluateVersion(versionId: string): Promise<string> {
    return this.enqueue(QueueName.evaluate, { versionId }, { jobId: `evaluate-${versionId}` });
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
