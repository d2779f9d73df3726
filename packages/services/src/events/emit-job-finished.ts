import type { Db } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import { emitEvent } from "./emit-event.ts";

/**
 * Emits `job.finished` for an optimization job whose end (SUCCEEDED, FAILED or CANCELLED) has
 * committed: from the worker when it ends a job, from the API when a job is cancelled before a
 * worker took it. Once per job (eventKey job.finished:<id>). Never throws: the job's end is
 * already recorded; a failure to reach the webhooks is logged.
 */
export async function emitJobFinished(
  deps: { db: Db; producer: Producer; logger?: { warn(obj: object, msg: string): void } },
  jobId: string,
): Promise<void> {
  try {
    const job = await deps.db.optimizationJob.findUniqueOrThrow({
      where: { id: jobId },
      include: { policy: { select: { teamId: true, name: true } }, sourceVersion: { select: { modelId: true } } },
    });
    await emitEvent(
      deps,
      job.policy.teamId,
      "job.finished",
      {
        jobId: job.id,
        status: job.status,
        policyId: job.policyId,
        policyName: job.policy.name,
        modelId: job.sourceVersion.modelId,
        sourceVersionId: job.sourceVersionId,
        bestVersionId: job.bestVersionId,
        triggeredBy: job.triggeredBy,
        error: job.error,
        finishedAt: job.finishedAt,
      },
      `job.finished:${job.id}`,
    );
  } catch (err) {
    deps.logger?.warn({ jobId, err: (err as Error).message }, "could not emit job.finished to webhooks");
  }
}
