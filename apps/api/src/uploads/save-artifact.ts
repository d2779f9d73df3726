import type { Principal } from "@costgate/core";
import { Prisma, type Artifact, type ArtifactKind, type Db } from "@costgate/db";
import type { ArtifactFile, ArtifactStore } from "@costgate/artifacts";
import { publishArtifact, removeIfUnreferenced, writeAudit } from "@costgate/services";
import { assertWithinStorageQuota } from "./storage-quota.ts";

export interface SaveArtifactInput {
  kind: ArtifactKind;
  sha256: string;
  sizeBytes: number;
  files: ArtifactFile[];
  metadata: object;
  stagedDir: string;
  /** The team's storage quota: new content beyond it is refused before it is published. */
  teamQuotaBytes: number;
}

type Logger = { error: (...args: unknown[]) => void };

/**
 * Publishes the staged folder under its sha256 and creates the Artifact row and its audit
 * event in one transaction, or reuses the row when the same kind and content exist already
 * (the audit event is written either way, so the log says who uploaded what). If anything
 * fails after the object was published by this call, the object is removed again unless a
 * row references it. The staged folder is consumed on success; on failure the caller discards it.
 */
export async function saveArtifact(
  deps: { db: Db; store: ArtifactStore; logger?: Logger },
  principal: Principal,
  input: SaveArtifactInput,
): Promise<{ artifact: Artifact; created: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await saveOnce(deps, principal, input);
    } catch (e) {
      // A writer that does not take the lock inserted the same (kind, sha256, team) first: use its row.
      const duplicate = e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";
      if (!duplicate || attempt > 1) throw e;
    }
  }
}

async function saveOnce(
  deps: { db: Db; store: ArtifactStore; logger?: Logger },
  principal: Principal,
  input: SaveArtifactInput,
) {
  const { db, store } = deps;
  let publishedHere = false;
  // The slow part (S3: the upload) before the transaction; publishing under the lock is then quick.
  await store.prepare(input.sha256, input.stagedDir);
  try {
    return await db.$transaction(
      async (tx) => {
        if (principal.teamId) {
          await assertWithinStorageQuota(tx, {
            teamId: principal.teamId,
            kind: input.kind,
            sha256: input.sha256,
            sizeBytes: input.sizeBytes,
            quotaBytes: input.teamQuotaBytes,
          });
        }
        const published = await publishArtifact(tx, store, {
          ...input,
          teamId: principal.teamId,
          actor: principal.actor,
        });
        publishedHere = published.publishedHere;
        const { artifact, created } = published;
        await writeAudit(tx, {
          actor: principal.actor,
          action: "artifact.upload",
          entityType: "Artifact",
          entityId: artifact.id,
          teamId: principal.teamId,
          after: {
            id: artifact.id,
            kind: artifact.kind,
            sha256: artifact.sha256,
            sizeBytes: artifact.sizeBytes,
            files: input.files.map((f) => f.path),
            reused: !created,
          },
        });
        return { artifact, created };
      },
      // Publishing renames a folder whose files were flushed while they streamed in: quick, but not instant.
      { maxWait: 10_000, timeout: 60_000 },
    );
  } catch (e) {
    if (publishedHere) await removeAfterFailure(deps, input.sha256);
    throw e;
  }
}

async function removeAfterFailure(
  deps: { db: Db; store: ArtifactStore; logger?: Logger },
  sha256: string,
): Promise<void> {
  try {
    await removeIfUnreferenced(deps.db, deps.store, sha256);
  } catch (e) {
    deps.logger?.error({ err: e, sha256 }, "could not remove an artifact object after a failed upload; it is orphaned");
  }
}
