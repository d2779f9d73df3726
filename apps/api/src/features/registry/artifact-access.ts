import { AppError, ErrorCode, badInput, notFound, type Principal } from "@costgate/core";
import type { Artifact, ArtifactKind, Db } from "@costgate/db";

/** The artifact, checked to be of the expected kind and usable by the model's team. */
export async function loadArtifactFor(db: Db, principal: Principal, artifactId: string, kind: ArtifactKind, teamId: string): Promise<Artifact> {
  const artifact = await db.artifact.findUnique({ where: { id: artifactId } });
  if (!artifact) throw notFound("Artifact", artifactId);
  if (artifact.kind !== kind) {
    throw badInput(`artifactId: artifact ${artifactId} is a ${artifact.kind}, expected a ${kind} (upload it with kind=${kind === "DATASET" ? "dataset" : "model"})`, { field: "artifactId" });
  }
  // An artifact uploaded by one team is not another team's to register (admins excepted).
  if (principal.role !== "ADMIN" && artifact.teamId && artifact.teamId !== teamId) {
    throw new AppError(ErrorCode.FORBIDDEN, "That artifact was uploaded by another team");
  }
  return artifact;
}
