import type { Principal } from "@costgate/core";
import { Prisma, type Artifact, type ArtifactKind, type Db } from "@costgate/db";
import { artifactLockKey, type ArtifactFile, type ArtifactStore } from "@costgate/artifacts";
import { writeAudit } from "../features/audit/write-audit.ts";

export interface SaveArtifactInput {
  kind: ArtifactKind;
  sha256: string;
  sizeBytes: number;
  files: ArtifactFile[];
  metadata: object;
  stagedDir: string;
}

type Logger = { error: Function };

/**
 * Every writer of artifacts (this route, and workers that make new versions) publishes an
 * object and writes its Artifact row while holding this transaction-scoped advisory lock, so
 * that "no row references this sha256" checked under the lock means nobody needs the object.
 */
const lockArtifact = (tx: Prisma.TransactionClient, sha256: string) =>
  tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${artifactLockKey(sha256)}, 0))`;

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

async function saveOnce(deps: { db: Db; store: ArtifactStore; logger?: Logger }, principal: Principal, input: SaveArtifactInput) {
  const { db, store } = deps;
  let publishedHere = false;
  try {
    return await db.$transaction(
      async (tx) => {
        await lockArtifact(tx, input.sha256);
        const existing = await tx.artifact.findFirst({ where: { kind: input.kind, sha256: input.sha256, teamId: principal.teamId } });
        const objectThere = await store.exists(input.sha256);
        // publish() keeps an existing object and drops the staged copy; it also heals a row whose object went missing.
        await store.publish(input.sha256, input.stagedDir);
        publishedHere = !objectThere;

        const artifact =
          existing ??
          (await tx.artifact.create({
            data: {
              kind: input.kind,
              sha256: input.sha256,
              sizeBytes: input.sizeBytes,
              files: input.files as unknown as Prisma.InputJsonValue,
              metadata: input.metadata as Prisma.InputJsonValue,
              teamId: principal.teamId,
              createdBy: principal.actor,
            },
          }));
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
            reused: existing !== null,
          },
        });
        return { artifact, created: existing === null };
      },
      // Publishing renames a folder whose files were flushed while they streamed in: quick, but not instant.
      { maxWait: 10_000, timeout: 60_000 },
    );
  } catch (e) {
    if (publishedHere) await removeIfUnreferenced(deps, input.sha256);
    throw e;
  }
}

/** Deletes an object no Artifact row references (under the lock, so no writer is mid-way with it). */
async function removeIfUnreferenced(deps: { db: Db; store: ArtifactStore; logger?: Logger }, sha256: string): Promise<void> {
  try {
    await deps.db.$transaction(async (tx) => {
      await lockArtifact(tx, sha256);
      const refs = await tx.artifact.count({ where: { sha256 } });
      if (refs === 0) await deps.store.delete(sha256);
    });
  } catch (e) {
    deps.logger?.error({ err: e, sha256 }, "could not remove an artifact object after a failed upload; it is orphaned");
  }
}
