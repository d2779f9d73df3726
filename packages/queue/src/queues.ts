import { z } from "zod";

/** Queue names and payload schemas: the one place API and workers agree on jobs. */
export const QueueName = {
  evaluate: "evaluate",
  optimize: "optimize",
  budgets: "budgets",
  webhooks: "webhooks",
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const payloadSchemas = {
  evaluate: z.object({ versionId: z.string().min(1) }),
  optimize: z.object({ jobId: z.string().min(1) }),
  budgets: z.object({ reason: z.enum(["schedule", "ingestion"]), teamId: z.string().optional() }),
  webhooks: z.object({ deliveryId: z.string().min(1) }),
} satisfies Record<QueueName, z.ZodType>;

export type Payload<Q extends QueueName> = z.infer<(typeof payloadSchemas)[Q]>;

/** Jobs default to 3 attempts with exponential backoff. */
export const defaultJobOptions = {
  attempts: 3,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
