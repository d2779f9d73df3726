import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { once } from "node:events";
import { exportFilePath } from "@costgate/artifacts";
import { MoneyDecimal, type Money } from "@costgate/core";
import { Prisma } from "@costgate/db";
import { spendExportHeader, spendExportLine, type SpendExportRow } from "@costgate/formats";
import { enqueueDeliveries, recordEvent, writeAudit } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";

/** Rows fetched from the cursor at a time: the worker holds at most this many. */
const FETCH_ROWS = 2_000;
/** A year of a large team is minutes of work; the cursor's transaction may last this long. */
const EXPORT_TIMEOUT_MS = 60 * 60_000;

type Deps = Pick<WorkerDeps, "db" | "producer" | "logger"> & { artifactDir: string };

/**
 * The `exports` job: writes a spend export's file. The rows (per UTC day, version, hardware
 * profile and tag set, summed from usage_records) come from a server-side cursor in one
 * read-only transaction, FETCH_ROWS at a time, straight into the file: neither the database's
 * answer nor the file is ever held in memory. Written to a temporary name and renamed when
 * complete, so a download never sees half a file; then the row is SUCCEEDED with its row count
 * and cost, audited, and `export.finished` is emitted (also on failure, on the final attempt).
 */
export async function runSpendExport(
  deps: Deps,
  exportId: string,
  opts: { finalAttempt: boolean },
): Promise<{ rows: number }> {
  const row = await deps.db.spendExport.findUnique({ where: { id: exportId } });
  if (!row || row.status === "SUCCEEDED") return { rows: row?.rows ?? 0 };
  await deps.db.spendExport.update({ where: { id: exportId }, data: { status: "RUNNING", error: null } });
  const file = exportFilePath(deps.artifactDir, exportId);
  const partial = `${file}.${process.pid}.partial`;
  try {
    await mkdir(dirname(file), { recursive: true });
    const out = createWriteStream(partial);
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, "drain");
    };
    let rows = 0;
    let cost: Money = new MoneyDecimal(0);
    await write(spendExportHeader(row.format));
    const team = row.teamId ? Prisma.sql`u.team_id = ${row.teamId}` : Prisma.sql`TRUE`;
    await deps.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`
          DECLARE spend_export NO SCROLL CURSOR FOR
          SELECT to_char(g.day, 'YYYY-MM-DD') AS day, g.team_id AS "teamId", t.name AS "teamName", g.model_id AS "modelId", m.name AS "modelName",
                 g.version_id AS "versionId", v.number AS "versionNumber", g.hardware_profile_id AS "hardwareProfileId", h.name AS "hardwareProfileName",
                 g.requests::text AS requests, g.cost_usd::text AS "costUsd",
                 CASE WHEN g.requests > 0 THEN round(g.cost_usd * 1000000 / g.requests, 6)::text ELSE '' END AS "costPerMillionUsd",
                 g.tags::text AS tags
          FROM (
            SELECT (u.occurred_at AT TIME ZONE 'UTC')::date AS day, u.version_id, u.hardware_profile_id, u.tags,
                   min(u.team_id) AS team_id, min(u.model_id) AS model_id, sum(u.requests) AS requests, sum(u.cost_usd) AS cost_usd
            FROM usage_records u
            WHERE ${team} AND u.occurred_at >= ${row.fromAt} AND u.occurred_at < ${row.toAt}
            GROUP BY 1, 2, 3, 4
          ) g
          JOIN teams t ON t.id = g.team_id JOIN models m ON m.id = g.model_id
          JOIN model_versions v ON v.id = g.version_id JOIN hardware_profiles h ON h.id = g.hardware_profile_id
          ORDER BY g.day, t.name, m.name, v.number, h.name, g.tags::text`;
        for (;;) {
          const batch = await tx.$queryRaw<SpendExportRow[]>`FETCH ${Prisma.raw(String(FETCH_ROWS))} FROM spend_export`;
          for (const r of batch) {
            await write(spendExportLine(row.format, r));
            cost = cost.add(r.costUsd);
          }
          rows += batch.length;
          if (batch.length < FETCH_ROWS) break;
        }
        await tx.$executeRaw`CLOSE spend_export`;
      },
      { timeout: EXPORT_TIMEOUT_MS, maxWait: 30_000, isolationLevel: "RepeatableRead" },
    );
    out.end();
    await once(out, "finish");
    await rename(partial, file);
    await finish(deps, exportId, { status: "SUCCEEDED", rows, costUsd: cost.toFixed(6), error: null });
    return { rows };
  } catch (e) {
    await rm(partial, { force: true });
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
