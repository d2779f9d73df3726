import { badInput, formatMoney, teamScope, type Principal } from "@costgate/core";
import type { Db, ModelVersion } from "@costgate/db";
import { productionSavings } from "@costgate/services";
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
  const { total, rows } = await productionSavings(db, {
    teamId: scope ?? null,
    firstDay,
    lastDay,
    profileId: profile?.id ?? null,
  });
  const listed = rows.slice(0, first);
  const versions = await loaders.version.loadMany(listed.flatMap((row) => [row.versionId, row.sourceId]));
  return {
    totalUsd: formatMoney(total),
    count: rows.length,
    versions: listed.map((row, i): VersionSavings => ({
      modelId: row.modelId,
      version: loadedRow(versions[2 * i], row.versionId),
      source: loadedRow(versions[2 * i + 1], row.sourceId),
      requests: row.requests,
      costPerMillionUsd: row.price,
      sourceCostPerMillionUsd: row.sourcePrice,
      savedUsd: row.saved === null ? null : formatMoney(row.saved),
      measurable: row.measurable,
    })),
  };
}

function loadedRow(v: ModelVersion | Error | null | undefined, id: string): ModelVersion {
  if (!v || v instanceof Error) throw new Error(`model version ${id} vanished while the savings report was read`);
  return v;
}
