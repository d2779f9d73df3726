import { z } from "zod";

/** Queue names and payload schemas: the one place API and workers agree on jobs. */
export const QueueName = {
  evaluate: "evaluate",
  optimize: "optimize",
  budgets: "budgets",
  webhooks: "webhooks",
  housekeeping: "housekeeping",
  notify: "notify",
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const payloadSchemas = {
  /** reevaluate: evaluate again on the model's current EVALUATION dataset although an evaluation exists. */
  evaluate: z.object({ versionId: z.string().min(1), reevaluate: z.boolean().optional() }),
  optimize: z.object({ jobId: z.string().min(1) }),
  budgets: z.object({ reason: z.enum(["schedule", "ingestion"]), teamId: z.string().optional() }),
  webhooks: z.object({ deliveryId: z.string().min(1) }),
  housekeeping: z.object({ reason: z.literal("schedule") }),
  /**
   * E-mail to the team's FINANCE and ADMIN users: an event (as webhooks get it), the weekly
   * digests of every team (scheduled), or the digest of one team for the week starting weekStart.
   */
  notify: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("event"),
      event: z.string().min(1),
      teamId: z.string().min(1),
      eventKey: z.string().min(1),
      data: z.unknown(),
    }),
    z.object({ kind: z.literal("digests") }),
    z.object({ kind: z.literal("digest"), teamId: z.string().min(1), weekStart: z.iso.datetime() }),
  ]),
} satisfies Record<QueueName, z.ZodType>;

export type Payload<Q extends QueueName> = z.infer<(typeof payloadSchemas)[Q]>;

/**
 * Re-measurements go to the workers of one hardware profile: each profile has its own queue,
 * consumed only by workers that run on that hardware (WORKER_HARDWARE_PROFILE).
 */
export const measureQueueName = (hardwareProfileId: string): string => `measure-${hardwareProfileId}`;
export const measurePayloadSchema = z.object({ versionId: z.string().min(1) });

/** Jobs default to 3 attempts with exponential backoff. */
export const defaultJobOptions = {
  attempts: 3,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/**
 * Ingestion-triggered budget checks: one per team per window. The job waits the window out
 * and later calls within it are absorbed, so the check sees everything committed meanwhile.
 */
export const BUDGET_CHECK_WINDOW_MS = 2_000;
/** The every-minute budget check (a BullMQ job scheduler; upserting it again is a no-op). */
export const BUDGET_SCHEDULER_ID = "budgets-every-minute";
export const BUDGET_SCHEDULE_EVERY_MS = 60_000;

/** The hourly sweep of artifacts nothing references (a BullMQ job scheduler, like the budget check). */
export const HOUSEKEEPING_SCHEDULER_ID = "housekeeping-every-hour";
export const HOUSEKEEPING_SCHEDULE_EVERY_MS = 3_600_000;

/** Webhook deliveries: attempts in all; the delay between them doubles (custom "webhook" backoff, set by the worker). */
export const WEBHOOK_ATTEMPTS = 8;
export const WEBHOOK_BACKOFF_TYPE = "webhook";

/** The weekly digests: every Monday 07:00 UTC by default (WORKER_DIGEST_CRON), one job scheduler. */
export const DIGEST_SCHEDULER_ID = "digests-weekly";
