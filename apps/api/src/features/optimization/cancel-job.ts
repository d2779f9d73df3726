import { AppError, ErrorCode, assertVisible, type Principal } from "@costgate/core";
import type { Db, OptimizationJob, Prisma } from "@costgate/db";
import { QueueName, type Producer } from "@costgate/queue";
import { emitJobFinished, writeAudit } from "@costgate/services";

const CANCEL_REQUESTED_STAGE = "Cancellation requested; stopping at the next batch or step";
const CANCELLED_BEFORE_START_STAGE = "Cancelled before it started";

const bullJobId = (jobId: string) => `optimize-${jobId}`;

/**
 * Whether no worker can be running the job: its BullMQ job was removed while waiting, or is
 * not in Redis at all. False when a worker holds it (or Redis cannot say).
 */
async function takenOffQueue(producer: Producer, jobId: string): Promise<boolean> {
  try {
    if (await producer.removeWaiting(QueueName.optimize, bullJobId(jobId))) return true;
    return (await producer.queue(QueueName.optimize).getJob(bullJobId(jobId))) == null;
  } catch {
    return false;
  }
}

/**
 * QUEUED: CANCELLED at once and taken off the queue. RUNNING (or QUEUED but already taken by
 * a worker): cancelRequested is set and the worker stops at the next batch or step boundary,
 * keeping the versions it made, and sets CANCELLED itself. Finished jobs: CONFLICT.
 * Each transition is conditional on the status read, so a worker finishing meanwhile wins cleanly.
 */
export async function cancelOptimizationJob(
  deps: { db: Db; producer: Producer; logger?: { warn(obj: object, msg: string): void } },
  principal: Principal,
  id: string,
): Promise<OptimizationJob> {
  const { db } = deps;
  const job = await db.optimizationJob.findUnique({ where: { id }, include: { policy: { select: { teamId: true } } } });
  assertVisible(principal, job, (j) => j.policy.teamId, "Optimization job", id);
  const teamId = job.policy.teamId;

  const transition = (
    from: ("QUEUED" | "RUNNING")[],
    data: Prisma.OptimizationJobUpdateManyMutationInput,
    action: string,
  ) =>
    db.$transaction(async (tx) => {
      const { count } = await tx.optimizationJob.updateMany({ where: { id, status: { in: from } }, data });
      if (count === 0) return null;
      const after = await tx.optimizationJob.findUniqueOrThrow({ where: { id } });
      await writeAudit(tx, {
        actor: principal.actor,
        action,
        entityType: "OptimizationJob",
        entityId: id,
        teamId,
        before: { status: job.status, cancelRequested: job.cancelRequested },
        after: { status: after.status, cancelRequested: true },
      });
      return after;
    });

  if (job.status === "QUEUED" && (await takenOffQueue(deps.producer, id))) {
    // cancelRequested too: should a worker still pick it up from a stale copy, it stops at once.
    const cancelled = await transition(
      ["QUEUED"],
      { status: "CANCELLED", cancelRequested: true, finishedAt: new Date(), stage: CANCELLED_BEFORE_START_STAGE },
      "job.cancel",
    );
    if (cancelled) {
      // No worker will end this job, so job.finished is emitted here.
      await emitJobFinished(deps, id);
      return cancelled;
    }
  }
  const requested = await transition(
    ["QUEUED", "RUNNING"],
    { cancelRequested: true, stage: CANCEL_REQUESTED_STAGE },
    "job.cancel_request",
  );
  if (requested) return requested;
  const now = await db.optimizationJob.findUniqueOrThrow({ where: { id } });
  throw new AppError(
    ErrorCode.CONFLICT,
    `Job ${id} is already ${now.status}: only a QUEUED or RUNNING job can be cancelled`,
    { status: now.status },
  );
}
