import { artifactLockKey, type ArtifactFile, type ArtifactStore } from "@costgate/artifacts";
import type { Artifact, ArtifactKind, Prisma } from "@costgate/db";

type Tx = Prisma.TransactionClient;

/**
 * Every writer of artifacts (uploads, and workers making new versions) publishes an object
 * and writes its Artifact row while holding this transaction-scoped advisory lock, so that
 * "no row references this sha256", checked under the lock, means nobody needs the object.
 */
export const lockArtifact = (tx: Tx, sha256: string) =>
  tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${artifactLockKey(sha256)}, 0))`;

export interface PublishArtifactInput {
  kind: ArtifactKind;
  sha256: string;
  sizeBytes: number;
  files: ArtifactFile[];
  metadata: object;
  stagedDir: string;
  teamId: string | null;
  actor: string;
}

/**
 * Inside the caller's transaction: takes the artifact lock, publishes the staged folder under
 * its sha256 (an existing object is kept and the staged copy dropped) and finds or creates the
 * team's Artifact row. `publishedHere` says whether this call created the object, so a caller
 * whose transaction then fails can remove it again (see removeIfUnreferenced).
 */
export async function publishArtifact(
  tx: Tx,
  store: ArtifactStore,
  input: PublishArtifactInput,
): Promise<{ artifact: Artifact; created: boolean; publishedHere: boolean }> {
  await lockArtifact(tx, input.sha256);
  const existing = await tx.artifact.findFirst({
    where: { kind: input.kind, sha256: input.sha256, teamId: input.teamId },
  });
  const objectThere = await store.exists(input.sha256);
  // publish() keeps an existing object; it also heals a row whose object went missing.
  await store.publish(input.sha256, input.stagedDir);
  const artifact = existing
    ? // Uploaded again: the grace period before an unreferenced artifact is collected starts over.
      await tx.artifact.update({ where: { id: existing.id }, data: { lastUsedAt: new Date() } })
    : await tx.artifact.create({
        data: {
          kind: input.kind,
          sha256: input.sha256,
          sizeBytes: input.sizeBytes,
          files: input.files as unknown as Prisma.InputJsonValue,
          metadata: input.metadata as Prisma.InputJsonValue,
          teamId: input.teamId,
          createdBy: input.actor,
        },
      });
  return { artifact, created: existing === null, publishedHere: !objectThere };
}

/** Deletes an object no Artifact row references, under the lock (so no writer is mid-way with it). Returns whether it did. */
export async function removeIfUnreferenced(
  db: { $transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> },
  store: ArtifactStore,
  sha256: string,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await lockArtifact(tx, sha256);
    if ((await tx.artifact.count({ where: { sha256 } })) > 0) return false;
    await store.delete(sha256);
    return true;
  });
}

/**
 * Inside a transaction that is about to reference the artifact (a version or a dataset): takes
 * the artifact lock, so the collection of unreferenced artifacts cannot remove it meanwhile, and
 * says whether the row is still there. Returns false when it was collected since it was read.
 */
export async function claimArtifact(tx: Tx, artifact: { id: string; sha256: string }): Promise<boolean> {
  await lockArtifact(tx, artifact.sha256);
  const updated = await tx.artifact.updateMany({ where: { id: artifact.id }, data: { lastUsedAt: new Date() } });
  return updated.count === 1;
}
