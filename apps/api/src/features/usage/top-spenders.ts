import { badInput, teamScope, type Principal } from "@costgate/core";
import { Prisma, type Db } from "@costgate/db";
import { daysStartingIn } from "./spend-series.ts";

/** Most models one topSpenders query answers. */
const MAX_TOP_SPENDERS = 100;

export interface ModelSpendRow {
  modelId: string;
  costUsd: string;
  requests: number;
}

/**
 * The models that spent most over the UTC days starting in [from, to), biggest first (ties by
 * model id, so pages are stable): a team's (a non-admin's own; every team for an admin without
 * teamId). One aggregate over the daily rollups, never the raw usage rows.
 */
export async function topSpenders(
  db: Db,
  principal: Principal,
  args: { teamId?: string | null; from: Date; to: Date; first?: number | null },
): Promise<ModelSpendRow[]> {
  const first = args.first ?? 10;
  if (!Number.isInteger(first) || first < 1 || first > MAX_TOP_SPENDERS)
    throw badInput(`first must be 1 to ${MAX_TOP_SPENDERS} (got ${first})`, { field: "first" });
  const { firstDay, lastDay } = daysStartingIn(args.from, args.to);
  const scope = teamScope(principal, args.teamId);
  const rows = await db.$queryRaw<{ model_id: string; cost: string; requests: string }[]>`
    SELECT model_id, sum(cost_usd)::text AS cost, sum(requests)::text AS requests
    FROM daily_spend
    WHERE ${scope ? Prisma.sql`team_id = ${scope}` : Prisma.sql`TRUE`} AND day >= ${firstDay}::date AND day <= ${lastDay}::date
    GROUP BY model_id
    HAVING sum(cost_usd) > 0
    ORDER BY sum(cost_usd) DESC, model_id
    LIMIT ${first}`;
  return rows.map((r) => ({ modelId: r.model_id, costUsd: r.cost, requests: Number(r.requests) }));
}
