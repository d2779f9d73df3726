import type { Principal } from "@costgate/core";
import type { Db, SpendAnomaly } from "@costgate/db";
import { daysStartingIn, spendScopeWhere } from "./spend-series.ts";

/**
 * The anomalies the worker found on the UTC days starting in [from, to), newest day first, for
 * a model or a team (spend's rule: spendScopeWhere on the anomaly's model_id / team_id).
 */
export async function spendAnomalies(
  db: Db,
  principal: Principal,
  args: { teamId?: string | null; modelId?: string | null; from: Date; to: Date },
): Promise<SpendAnomaly[]> {
  const { firstDay, lastDay } = daysStartingIn(args.from, args.to);
  const where = await spendScopeWhere(db, principal, args);
  const ids = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM spend_anomalies
    WHERE ${where} AND day >= ${firstDay}::date AND day <= ${lastDay}::date
    ORDER BY day DESC, model_id LIMIT 1000`;
  const rows = await db.spendAnomaly.findMany({ where: { id: { in: ids.map((r) => r.id) } } });
  const order = new Map(ids.map((r, i) => [r.id, i]));
  return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}
