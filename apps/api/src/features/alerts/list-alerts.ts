import { teamScope, type Principal } from "@costgate/core";
import type { Db, Prisma } from "@costgate/db";
import { newestFirst, paginate } from "../../graphql/pagination.ts";

export interface AlertsArgs {
  budgetId?: string | null;
  acknowledged?: boolean | null;
  first?: number | null;
  after?: string | null;
}

/**
 * Alerts newest first, of the caller's team (an admin: every team), optionally of one budget
 * and acknowledged or not. An unknown budget, or another team's to a non-admin, has no alerts
 * (the team filter leaves them out), so other teams' ids do not leak.
 */
export async function listAlerts(db: Db, principal: Principal, args: AlertsArgs) {
  const scope = teamScope(principal);
  const where: Prisma.AlertWhereInput = {
    ...(scope ? { budget: { teamId: scope } } : {}),
    ...(args.budgetId ? { budgetId: args.budgetId } : {}),
    ...(args.acknowledged == null ? {} : { acknowledgedAt: args.acknowledged ? { not: null } : null }),
  };
  return paginate(
    args,
    (page) => db.alert.findMany({ where, orderBy: newestFirst, ...page }),
    () => db.alert.count({ where }),
  );
}
