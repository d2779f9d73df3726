import { teamScope, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { newestFirst } from "../../graphql/pagination.ts";

/**
 * The webhooks of the caller's team, newest first (an admin: every team's, or the one asked
 * for). A non-admin asking for another team is FORBIDDEN, as for every team-scoped list.
 * Who may read webhooks at all is the permission table's QUERY_PERMISSIONS, checked by the resolver.
 */
export function listWebhooks(db: Db, principal: Principal, teamId?: string | null) {
  const scope = teamScope(principal, teamId);
  return db.webhook.findMany({ where: scope ? { teamId: scope } : {}, orderBy: newestFirst });
}
