import { MoneyDecimal, composeRatios, costOfRequests, pricePairKey, type Money } from "@costgate/core";
import { Prisma, type CostMeasurement, type Db } from "@costgate/db";
import { latestCosts } from "../latest-costs.ts";

/** One optimized production version's saving over the days asked for. */
export interface ProductionSaving {
  versionId: string;
  modelId: string;
  sourceId: string;
  requests: number;
  /** Both $/1M as last measured on the default profile (6 decimals); null when never measured there. */
  price: string | null;
  sourcePrice: string | null;
  saved: Money | null;
  /** false: the paired measurements along the lineage show no change beyond the noise; null: not all steps were paired. */
  measurable: boolean | null;
}

/** Lineages are a few steps deep; this bounds the walk if one were ever cyclic. */
const MAX_LINEAGE_DEPTH = 1_000;

/**
 * What the optimized versions now in PRODUCTION (of a team, or every team for null) saved over the
 * UTC days firstDay..lastDay (inclusive, "YYYY-MM-DD"): for each, the requests it served there
 * times the difference between its source upload's $/1M and its own, both as last measured on
 * the hardware profile. The source is the first UPLOAD up its lineage (its furthest ancestor if
 * none is left). Versions never measured there, and lineages whose paired measurements show no
 * significant change, have a null saving and are left out of the total. Biggest saving first.
 * The one rule of "savings": the API's optimizationSavings and the worker's weekly digest use it.
 */
export async function productionSavings(
  db: Db,
  args: { teamId: string | null; firstDay: string; lastDay: string; profileId: string | null },
): Promise<{ total: Money; rows: ProductionSaving[] }> {
  const { teamId: scope, firstDay, lastDay, profileId } = args;
  // One statement for every version: the production versions, each one's source up its lineage
  // (from the parent, on while the version is not an UPLOAD and has a parent; the deepest row of
  // each walk) and the requests it served in the range; a second one for both current prices on
  // the profile (latestCosts).
  const found = await db.$queryRaw<
    { id: string; model_id: string; source_id: string; requests: string; step_ids: string[] | null }[]
  >`
    WITH RECURSIVE prod AS (
      SELECT v.id, v.model_id, v.parent_id FROM model_versions v JOIN models m ON m.id = v.model_id
      WHERE v.stage = 'PRODUCTION' AND v.source <> 'UPLOAD' AND v.parent_id IS NOT NULL
        AND ${scope ? Prisma.sql`m.team_id = ${scope}` : Prisma.sql`TRUE`}
    ), walk AS (
      SELECT p.id AS start_id, p.parent_id AS cur_id, 1 AS depth FROM prod p
      UNION ALL
      SELECT w.start_id, a.parent_id, w.depth + 1 FROM walk w JOIN model_versions a ON a.id = w.cur_id
      WHERE a.source <> 'UPLOAD' AND a.parent_id IS NOT NULL AND w.depth < ${MAX_LINEAGE_DEPTH}
    ), src AS (
      SELECT DISTINCT ON (start_id) start_id, cur_id AS source_id FROM walk ORDER BY start_id, depth DESC
    ), steps AS (
      -- the versions between the production version and its source, each compared with its parent
      SELECT w.start_id, array_agg(w.cur_id) AS ids FROM walk w JOIN src s ON s.start_id = w.start_id
      WHERE w.cur_id <> s.source_id GROUP BY w.start_id
    ), served AS (
      SELECT version_id, sum(requests) AS requests FROM daily_spend
      WHERE version_id IN (SELECT id FROM prod) AND day >= ${firstDay}::date AND day <= ${lastDay}::date
      GROUP BY version_id
    )
    SELECT p.id, p.model_id, s.source_id, coalesce(sv.requests, 0)::text AS requests, st.ids AS step_ids
    FROM prod p JOIN src s ON s.start_id = p.id LEFT JOIN served sv ON sv.version_id = p.id LEFT JOIN steps st ON st.start_id = p.id
    ORDER BY p.model_id`;
  const prices = profileId
    ? await latestCosts(
        db,
        found.flatMap((r) => [r.id, r.source_id].map((versionId) => ({ versionId, hardwareProfileId: profileId }))),
      )
    : new Map<string, CostMeasurement>();
  const priceOf = (versionId: string) =>
    profileId ? (prices.get(pricePairKey(versionId, profileId))?.costPerMillionUsd.toFixed(6) ?? null) : null;

  const measurable = await measurableSavings(
    db,
    profileId,
    found.map((r) => [r.id, ...(r.step_ids ?? [])]),
  );
  let total = new MoneyDecimal(0);
  const rows = found.map((r, i): ProductionSaving => {
    const price = priceOf(r.id);
    const sourcePrice = priceOf(r.source_id);
    let saved: Money | null = null;
    if (price !== null && sourcePrice !== null && measurable[i] !== false) {
      saved = costOfRequests(r.requests, new MoneyDecimal(sourcePrice).minus(price));
      total = total.plus(saved);
    }
    return {
      versionId: r.id,
      modelId: r.model_id,
      sourceId: r.source_id,
      requests: Number(r.requests),
      price,
      sourcePrice,
      saved,
      measurable: measurable[i] ?? null,
    };
  });
  // Biggest saving first; unknown savings last.
  rows.sort((a, b) =>
    a.saved === null ? (b.saved === null ? 0 : 1) : b.saved === null ? -1 : b.saved.comparedTo(a.saved),
  );
  return { total, rows };
}

/**
 * For each lineage (a production version and the steps between it and its source), whether its
 * paired comparisons on the profile compose to a significant change; null when a step has none.
 */
async function measurableSavings(db: Db, profileId: string | null, lineages: string[][]): Promise<(boolean | null)[]> {
  if (!profileId || lineages.length === 0) return lineages.map(() => null);
  const comparisons = await db.costComparison.findMany({
    where: { versionId: { in: lineages.flat() }, hardwareProfileId: profileId },
    orderBy: { measuredAt: "desc" },
  });
  const latest = new Map<string, (typeof comparisons)[number]>();
  for (const c of comparisons) if (!latest.has(c.versionId)) latest.set(c.versionId, c);
  return lineages.map((ids) => {
    const steps = ids.map((id) => latest.get(id));
    if (steps.some((s) => !s)) return null;
    return composeRatios(steps as NonNullable<(typeof steps)[number]>[]).significant;
  });
}
