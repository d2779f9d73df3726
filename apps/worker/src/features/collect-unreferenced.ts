import { lockArtifact, removeIfUnreferenced, writeAudit } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";

/** Rows looked at per sweep; the next sweep takes the rest. */
const BATCH = 500;

/**
 * Removes artifacts that no version or dataset references and that nobody uploaded again or
 * registered within the grace period (uploads that were never registered), with an audit event
 * for the team that owned each; then the stored object, once no row of any team needs it. Each
 * row is deleted under the artifact lock that registrations take (claimArtifact), so an artifact
 * being registered at that moment is kept.
 */
export async function collectUnreferencedArtifacts(
  deps: Pick<WorkerDeps, "db" | "store" | "logger">,
  opts: { graceMs: number; now?: Date },
): Promise<number> {
  const { db, store, logger } = deps;
  const cutoff = new Date((opts.now ?? new Date()).getTime() - opts.graceMs);
  const candidates = await db.artifact.findMany({
    where: {
      lastUsedAt: { lt: cutoff },
      versions: { none: {} },
      datasets: { none: {} },
      decodedDatasets: { none: {} },
    },
    select: { id: true, kind: true, sha256: true, sizeBytes: true, teamId: true, createdBy: true, createdAt: true },
    orderBy: { lastUsedAt: "asc" },
    take: BATCH,
  });
  let removed = 0;
  for (const artifact of candidates) {
    const gone = await db.$transaction(async (tx) => {
      await lockArtifact(tx, artifact.sha256);
      // Checked again under the lock: a registration or an upload may have come in meanwhile.
      const deleted = await tx.$executeRaw`
        DELETE FROM artifacts a
         WHERE a.id = ${artifact.id} AND a.last_used_at < ${cutoff}
           AND NOT EXISTS (SELECT 1 FROM model_versions v WHERE v.artifact_id = a.id)
           AND NOT EXISTS (SELECT 1 FROM datasets d WHERE d.artifact_id = a.id OR d.decoded_artifact_id = a.id)`;
      if (deleted === 0) return false;
      await writeAudit(tx, {
        actor: "system",
        action: "artifact.collect",
        entityType: "Artifact",
        entityId: artifact.id,
        teamId: artifact.teamId,
        before: artifact,
      });
      return true;
    });
    if (!gone) continue;
    removed++;
    // A crash here leaves an object without a row: collectOrphanedArtifacts takes it later.
    await removeIfUnreferenced(db, store, artifact.sha256);
  }
  if (removed) logger.info({ removed, graceMs: opts.graceMs }, "removed artifacts no version or dataset referenced");
  return removed;
}
