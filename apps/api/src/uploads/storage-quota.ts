import { AppError, ErrorCode } from "@costgate/core";
import type { ArtifactKind, Prisma } from "@costgate/db";
import { formatBytes } from "./upload-limits.ts";

type Tx = Prisma.TransactionClient;

/** Bytes of artifacts a team holds: its uploads and the versions its optimization jobs made. */
async function teamStorageBytes(tx: Tx, teamId: string): Promise<number> {
  const [row] = await tx.$queryRaw<{ used: bigint }[]>`
    SELECT COALESCE(SUM(size_bytes), 0)::bigint AS used FROM artifacts WHERE team_id = ${teamId}`;
  return Number(row?.used ?? 0n);
}

/**
 * Inside the upload's transaction, before anything is published: refuses a new artifact that
 * would take the team over its storage quota. Content the team uploaded before is reused and
 * takes no space. A team-wide advisory lock makes check and insert one step, so parallel
 * uploads cannot pass the check together.
 */
export async function assertWithinStorageQuota(
  tx: Tx,
  input: { teamId: string; kind: ArtifactKind; sha256: string; sizeBytes: number; quotaBytes: number },
): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`team-storage:${input.teamId}`}, 0))`;
  const existing = await tx.artifact.findFirst({
    where: { kind: input.kind, sha256: input.sha256, teamId: input.teamId },
    select: { id: true },
  });
  if (existing) return;
  const used = await teamStorageBytes(tx, input.teamId);
  if (used + input.sizeBytes <= input.quotaBytes) return;
  throw new AppError(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `this upload (${formatBytes(input.sizeBytes)}) would take your team over its storage quota: ` +
      `${formatBytes(used)} of ${formatBytes(input.quotaBytes)} is used. Uploads never registered as a ` +
      `version or dataset are removed after a grace period; an administrator can raise UPLOAD_TEAM_QUOTA_BYTES`,
    { usedBytes: used, quotaBytes: input.quotaBytes, sizeBytes: input.sizeBytes },
  );
}
