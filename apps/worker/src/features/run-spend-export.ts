import { exportFilePath } from "@costgate/artifacts";
import { enqueueDeliveries, recordEvent, writeAudit, writeSpendExport } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";

type Deps = Pick<WorkerDeps, "db" | "producer" | "logger"> & { artifactDir: string };

/**
 * The `exports` job: writes a spend export's file (services' writeSpendExport: a server-side
 * cursor streamed into the file, never the whole result in memory), then marks the row SUCCEEDED
 * with its row count and cost, audited, and emits `export.finished` (also on failure, on the final attempt).
 */
export async function runSpendExport(
  deps: Deps,
  exportId: string,
  opts: { finalAttempt: boolean },
): Promise<{ rows: number }> {
  const row = await deps.db.spendExport.findUnique({ where: { id: exportId } });
  if (!row || row.status === "SUCCEEDED") return { rows: row?.rows ?? 0 };
  await deps.db.spendExport.update({ where: { id: exportId }, data: { status: "RUNNING", error: null } });
  try {
    const { rows, costUsd } = await writeSpendExport(deps.db, row, exportFilePath(deps.artifactDir, exportId));
    await finish(deps, exportId, { status: "SUCCEEDED", rows, costUsd: costUsd.toFixed(6), error: null });
    return { rows };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    deps.logger.warn({ exportId, err: e }, "spend export failed");
    if (opts.finalAttempt)
      await finish(deps, exportId, {
        status: "FAILED",
        rows: null,
        costUsd: null,
        error: `The export failed: ${message}`,
      });
    else await deps.db.spendExport.update({ where: { id: exportId }, data: { status: "QUEUED", error: message } });
    throw e;
  }
}

async function finish(
  deps: Deps,
  exportId: string,
  result: { status: "SUCCEEDED" | "FAILED"; rows: number | null; costUsd: string | null; error: string | null },
) {
  const deliveries = await deps.db.$transaction(async (tx) => {
    const done = await tx.spendExport.update({
      where: { id: exportId },
      data: { ...result, finishedAt: new Date() },
    });
    await writeAudit(tx, {
      actor: "system",
      action: `spendExport.${result.status === "SUCCEEDED" ? "succeed" : "fail"}`,
      entityType: "SpendExport",
      entityId: exportId,
      teamId: done.teamId,
      after: done,
    });
    if (!done.teamId) return [];
    return recordEvent(
      tx,
      done.teamId,
      "export.finished",
      {
        exportId,
        format: done.format,
        status: done.status,
        rows: done.rows,
        costUsd: done.costUsd?.toFixed(6) ?? null,
        teamId: done.teamId,
        from: done.fromAt.toISOString(),
        to: done.toAt.toISOString(),
        url: done.status === "SUCCEEDED" ? `/exports/${exportId}.csv` : null,
        error: done.error,
      },
      `export.finished:${exportId}`,
    );
  });
  const queued = await enqueueDeliveries(deps.producer, deliveries);
  if (queued.failed)
    deps.logger.warn(
      { exportId, err: queued.error },
      "export.finished deliveries not queued; the sweep will queue them",
    );
}

/**
 * Monthly chargeback exports: for every enabled schedule, once the month has turned, the previous
 * month is exported (one per team and month: unique schedule key, so the hourly job and its
 * retries create it once). Returns the exports it created.
 */
export async function scheduleMonthlyExports(
  deps: Pick<WorkerDeps, "db" | "producer">,
  now = new Date(),
): Promise<string[]> {
  const schedules = await deps.db.spendExportSchedule.findMany({ where: { enabled: true } });
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const month = from.toISOString().slice(0, 7);
  const created: string[] = [];
  for (const s of schedules) {
    const [row] = await deps.db.spendExport.createManyAndReturn({
      data: [
        {
          teamId: s.teamId,
          format: s.format,
          fromAt: from,
          toAt: to,
          createdBy: "schedule",
          scheduleKey: `monthly:${s.teamId}:${month}`,
        },
      ],
      skipDuplicates: true,
    });
    if (row) created.push(row.id);
  }
  // Enqueued after the rows exist; the job id makes a repeat a no-op.
  for (const id of created) await deps.producer.spendExport(id);
  return created;
}
