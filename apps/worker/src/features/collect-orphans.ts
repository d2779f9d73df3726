import { lockArtifact } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";

/** Staging folders older than this belong to no live writer. */
const STALE_STAGING_MS = 60 * 60 * 1000;

/**
 * Removes stored objects that no Artifact row references: what a writer killed between
 * publishing and committing leaves behind. Each object is checked under the artifact lock
 * every writer holds from publish to commit, so an object a live writer is about to
 * reference is never taken.
 */
export async function collectOrphanedArtifacts(deps: Pick<WorkerDeps, "db" | "store" | "logger">): Promise<number> {
  const { db, store } = deps;
  let removed = 0;
  for await (const sha256 of store.list()) {
    const gone = await db.$transaction(async (tx) => {
      await lockArtifact(tx, sha256);
      if ((await tx.artifact.count({ where: { sha256 } })) > 0) return false;
      await store.delete(sha256);
      return true;
    });
    if (gone) removed++;
  }
  await store.sweepStaging(STALE_STAGING_MS);
  if (removed) deps.logger.info({ removed }, "removed artifact objects no row referenced");
  return removed;
}
