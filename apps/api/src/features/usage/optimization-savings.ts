import {
  MoneyDecimal,
  badInput,
  composeRatios,
  costOfRequests,
  formatMoney,
  pricePairKey,
  teamScope,
  type Money,
  type Principal,
} from "@costgate/core";
import { Prisma, type CostMeasurement, type Db, type ModelVersion } from "@costgate/db";
import { latestCosts } from "@costgate/services";
import type { Loaders } from "../../graphql/loaders.ts";
import { daysStartingIn } from "./spend-series.ts";

export interface VersionSavings {
  modelId: string;
  version: ModelVersion;
  source: ModelVersion;
  requests: number;
  costPerMillionUsd: string | null;
  sourceCostPerMillionUsd: string | null;
  savedUsd: string | null;
  /** false: the paired measurements along the lineage show no change beyond the noise; null: not all steps were paired. */
  measurable: boolean | null;
}

export interface SavingsReport {
  totalUsd: string;
  count: number;
  versions: VersionSavings[];
}

/** Most versions one report lists (its total covers them all). */
const MAX_SAVINGS_LISTED = 100;

/** Lineages are a few steps deep; this bounds the walk if one were ever cyclic. */
const MAX_LINEAGE_DEPTH = 1_000;

/**
 * What the optimized versions now in PRODUCTION saved over the UTC days starting in [from, to):
 * for each, the requests it served there times the difference between its source upload's $/1M
 * and its own, both as last measured on the default hardware profile. The source is the first
 * UPLOAD up its lineage (its furthest ancestor if none is left). Versions never measured there
 * have a null saving and are left out of the total. Lists the `first` biggest savings; the
 * total and the count cover every version.
 */
export async function optimizationSavings(
  db: Db,
  loaders: Loaders,
  principal: Principal,
  args: { teamId?: string | null; from: Date; to: Date; first?: number | null },
): Promise<SavingsReport> {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > MAX_SAVINGS_LISTED)
    throw badInput(`first must be 0 to ${MAX_SAVINGS_LISTED} (got ${first})`, { field: "first" });
  const { firstDay, lastDay } = daysStartingIn(args.from, args.to);
  const scope = teamScope(principal, args.teamId);
  const profile = await loaders.defaultProfile();
  // One statement for every version: the production versions, each one's source up its lineage
  // (from the parent, on while the version is not an UPLOAD and has a parent; the deepest row of
  // each walk) and the requests it served in the range; a second one for both current prices on
  // the default profile (services' latestCosts).
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
  const prices = profile
    ? await latestCosts(
        db,
        found.flatMap((r) => [r.id, r.source_id].map((versionId) => ({ versionId, hardwareProfileId: profile.id }))),
      )
    : new Map<string, CostMeasurement>();
  const priceOf = (versionId: string) =>
    profile ? (prices.get(pricePairKey(versionId, profile.id))?.costPerMillionUsd.toFixed(6) ?? null) : null;
  const rows = found.map((r) => ({ ...r, price: priceOf(r.id), source_price: priceOf(r.source_id) }));

  const measurable = await measurableSavings(
    db,
    profile?.id ?? null,
    rows.map((r) => [r.id, ...(r.step_ids ?? [])]),
  );
  let total = new MoneyDecimal(0);
  const priced = rows.map((r, i) => {
    let saved: Money | null = null;
    if (r.price !== null && r.source_price !== null && measurable[i] !== false) {
      saved = costOfRequests(r.requests, new MoneyDecimal(r.source_price).minus(r.price));
      total = total.plus(saved);
    }
    return { row: r, saved, measurable: measurable[i] ?? null };
  });
  // Biggest saving first; unknown savings last.
  priced.sort((a, b) =>
    a.saved === null ? (b.saved === null ? 0 : 1) : b.saved === null ? -1 : b.saved.comparedTo(a.saved),
  );
  const listed = priced.slice(0, first);
  const versions = await loaders.version.loadMany(listed.flatMap(({ row }) => [row.id, row.source_id]));
  return {
    totalUsd: formatMoney(total),
    count: rows.length,
    versions: listed.map(({ row, saved, measurable }, i): VersionSavings => ({
      modelId: row.model_id,
      version: loadedRow(versions[2 * i], row.id),
      source: loadedRow(versions[2 * i + 1], row.source_id),
      requests: Number(row.requests),
      costPerMillionUsd: row.price,
      sourceCostPerMillionUsd: row.source_price,
      savedUsd: saved === null ? null : formatMoney(saved),
      measurable,
    })),
  };
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

function loadedRow(v: ModelVersion | Error | null | undefined, id: string): ModelVersion {
  if (!v || v instanceof Error) throw new Error(`model version ${id} vanished while the savings report was read`);
  return v;
}
