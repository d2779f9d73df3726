import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { once } from "node:events";
import { MoneyDecimal, type Money } from "@costgate/core";
import { Prisma, type Db, type SpendExport } from "@costgate/db";
import { spendExportHeader, spendExportLine, type SpendExportRow } from "@costgate/formats";

/** Rows fetched from the cursor at a time: the writer holds at most this many. */
const FETCH_ROWS = 2_000;
/** A year of a large team is minutes of work; the cursor's transaction may last this long. */
const EXPORT_TIMEOUT_MS = 60 * 60_000;

/**
 * Writes a spend export's file at `file`: one row per UTC day, version, hardware profile and tag
 * set (summed from usage_records in the export's team and [from, to)), from a server-side cursor
 * in one read-only (repeatable read) transaction, FETCH_ROWS at a time, straight into the file:
 * neither the database's answer nor the file is ever held in memory. Written to a temporary name
 * and renamed when complete, so a reader never sees half a file. Returns the rows and their cost.
 */
export async function writeSpendExport(
  db: Db,
  row: Pick<SpendExport, "format" | "teamId" | "fromAt" | "toAt">,
  file: string,
): Promise<{ rows: number; costUsd: Money }> {
  const partial = `${file}.${process.pid}.partial`;
  await mkdir(dirname(file), { recursive: true });
  const out = createWriteStream(partial);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  try {
    let rows = 0;
    let cost: Money = new MoneyDecimal(0);
    await write(spendExportHeader(row.format));
    const team = row.teamId ? Prisma.sql`u.team_id = ${row.teamId}` : Prisma.sql`TRUE`;
    await db.$transaction(
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
    return { rows, costUsd: cost };
  } catch (e) {
    out.destroy();
    await rm(partial, { force: true });
    throw e;
  }
}
