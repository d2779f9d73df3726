import { assertVisible, badInput, notFound, type Principal } from "@costgate/core";
import type { Artifact, ArtifactKind, Db, Prisma } from "@costgate/db";
import { claimArtifact } from "@costgate/services";

/** The artifact, checked to be of the expected kind and usable by the model's team. */
export async function loadArtifactFor(
  db: Db,
  principal: Principal,
  artifactId: string,
  kind: ArtifactKind,
  teamId: string,
): Promise<Artifact> {
  const artifact = await db.artifact.findUnique({ where: { id: artifactId } });
  // A team registers only what it uploaded itself (the same bytes uploaded by another team
  // make a row of their own): an artifact of another team than the model's is "not found" to a
  // non-admin. Admins may register any artifact into any team.
  assertVisible(principal, artifact, (a) => (a.teamId === teamId ? teamId : null), "Artifact", artifactId);
  if (artifact.kind !== kind) {
    throw badInput(
      `artifactId: artifact ${artifactId} is a ${artifact.kind}, expected a ${kind} (upload it with kind=${kind === "DATASET" ? "dataset" : "model"})`,
      { field: "artifactId" },
    );
  }
  return artifact;
}

/**
 * In the transaction that registers a version or dataset on the artifact: holds it against
 * collection (an upload left unregistered past its grace period is removed) and answers
 * NOT_FOUND when it was collected after loadArtifactFor read it.
 */
export async function useArtifact(tx: Prisma.TransactionClient, artifact: Artifact): Promise<void> {
  if (!(await claimArtifact(tx, artifact))) throw notFound("Artifact", artifact.id);
}
