import { latestMeasurementByPair, pricePairKey } from "@costgate/core";
import type { CostMeasurement, Db, Prisma } from "@costgate/db";

type Reader = Db | Prisma.TransactionClient;

/**
 * The current price of each (version, hardware profile) pair: its latest CostMeasurement by
 * measuredAt (core's latestMeasurementByPair), in one statement whatever the number of pairs.
 * Keyed by pricePairKey(versionId, hardwareProfileId); a pair never measured is absent.
 */
export async function latestCosts(
  db: Reader,
  pairs: readonly { versionId: string; hardwareProfileId: string }[],
): Promise<Map<string, CostMeasurement>> {
  if (pairs.length === 0) return new Map();
  const wanted = new Set(pairs.map((p) => pricePairKey(p.versionId, p.hardwareProfileId)));
  const rows = await db.costMeasurement.findMany({
    where: {
      versionId: { in: [...new Set(pairs.map((p) => p.versionId))] },
      hardwareProfileId: { in: [...new Set(pairs.map((p) => p.hardwareProfileId))] },
    },
  });
  const latest = latestMeasurementByPair(rows);
  for (const key of latest.keys()) if (!wanted.has(key)) latest.delete(key);
  return latest;
}
