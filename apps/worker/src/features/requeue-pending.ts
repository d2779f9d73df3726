import type { WorkerDeps } from "../deps.ts";

/**
 * Versions left PENDING with no evaluation queued (the API could not reach Redis after
 * committing, or Redis lost its data) are queued again at start. Job ids are derived from
 * the version, so a version already queued is not queued twice.
 */
export async function requeuePendingVersions(deps: WorkerDeps): Promise<number> {
  const pending = await deps.db.modelVersion.findMany({
    where: { status: "PENDING", jobId: null },
    select: { id: true },
  });
  for (const v of pending) await deps.producer.evaluateVersion(v.id);
  if (pending.length) deps.logger.info({ count: pending.length }, "re-queued pending versions");
  return pending.length;
}
