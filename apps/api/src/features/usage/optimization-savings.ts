import { badInput, formatMoney, MoneyDecimal, teamScope, type Principal } from "@costgate/core";
import { Prisma, type Db, type ModelVersion } from "@costgate/db";
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
}

export interface SavingsReport {
  totalUsd: string;
  count: number;
  versions: VersionSavings[];
}

/** Most versions one report lists (its total covers them all). */
export const MAX_SAVINGS_LISTED = 100;

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
export async function optimizationSavings(db: Db, loaders: Loaders, principal: Principal, args: { teamId?: string | null; from: Date; to: Date; first?: number | null }): Promise<SavingsReport> {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > MAX_SAVINGS_LISTED) throw badInput(`first must be 0 to ${MAX_SAVINGS_LISTED} (got ${first})`, { field: "first" });
  const { firstDay, lastDay } = daysStartingIn(args.from, args.to);
  const scope = teamScope(principal, args.teamId);
  const production = await db.modelVersion.findMany({
    where: { stage: "PRODUCTION", source: { not: "UPLOAD" }, parentId: { not: null }, ...(scope ? { model: { teamId: scope } } : {}) },
    orderBy: { modelId: "asc" },
  });
  if (production.length === 0) return { totalUsd: "0.00", count: 0, versions: [] };

  const ids = Prisma.join(production.map((v) => v.id));
  const [sourceIds, served, profile] = await Promise.all([
    // Up each lineage in one statement: from the parent, on while the version is not an UPLOAD
    // and has a parent; the deepest row of each walk is the source.
    db.$queryRaw<{ start_id: string; source_id: string }[]>`
      WITH RECURSIVE walk AS (
        SELECT v.id AS start_id, v.parent_id AS cur_id, 1 AS depth FROM model_versions v WHERE v.id IN (${ids})
        UNION ALL
        SELECT w.start_id, p.parent_id, w.depth + 1
        FROM walk w JOIN model_versions p ON p.id = w.cur_id
        WHERE p.source <> 'UPLOAD' AND p.parent_id IS NOT NULL AND w.depth < ${MAX_LINEAGE_DEPTH}
      )
      SELECT DISTINCT ON (start_id) start_id, cur_id AS source_id FROM walk ORDER BY start_id, depth DESC`,
    db.$queryRaw<{ version_id: string; requests: string }[]>`
      SELECT version_id, sum(requests)::text AS requests FROM daily_spend
      WHERE version_id IN (${ids}) AND day >= ${firstDay}::date AND day <= ${lastDay}::date
      GROUP BY version_id`,
    loaders.defaultProfile(),
  ]);
  const requestsOf = new Map(served.map((r) => [r.version_id, Number(r.requests)]));
  const sourceIdOf = new Map(sourceIds.map((r) => [r.start_id, r.source_id]));
  const sources = await loaders.version.loadMany(production.map((v) => sourceIdOf.get(v.id) ?? v.id));
  const priceOf = async (v: ModelVersion) => (profile ? ((await loaders.cost.load({ versionId: v.id, profileId: profile.id }))?.costPerMillionUsd.toString() ?? null) : null);

  let total = new MoneyDecimal(0);
  const versions = await Promise.all(
    production.map(async (version, i): Promise<VersionSavings> => {
      const loaded = sources[i];
      const source = loaded && !(loaded instanceof Error) ? loaded : version;
      const [price, sourcePrice] = await Promise.all([priceOf(version), priceOf(source)]);
      const requests = requestsOf.get(version.id) ?? 0;
      let savedUsd: string | null = null;
      if (price !== null && sourcePrice !== null) {
        const saved = new MoneyDecimal(sourcePrice).minus(price).mul(requests).div(1_000_000).toDecimalPlaces(6);
        total = total.plus(saved);
        savedUsd = formatMoney(saved);
      }
      return { modelId: version.modelId, version, source, requests, costPerMillionUsd: price, sourceCostPerMillionUsd: sourcePrice, savedUsd };
    }),
  );
  // Biggest saving first; unmeasured last.
  versions.sort((a, b) => (a.savedUsd === null ? 1 : b.savedUsd === null ? -1 : new MoneyDecimal(b.savedUsd).comparedTo(a.savedUsd)));
  return { totalUsd: formatMoney(total), count: versions.length, versions: versions.slice(0, first) };
}
