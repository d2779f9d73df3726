import { assertVisible, type Principal } from "@costgate/core";
import type { Alert, Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";

/**
 * Records who acknowledged an alert and when (for an API key, the user who created the key;
 * the audit event names the key itself). Idempotent: the first acknowledgement is kept, and
 * acknowledging again returns the alert unchanged with no new audit event, so a retried
 * request or two people clicking at once never fail nor overwrite each other.
 */
export async function acknowledgeAlert(
  deps: { db: Db; now: () => Date },
  principal: Principal,
  id: string,
): Promise<Alert> {
  const { db } = deps;
  const alert = await db.alert.findUnique({ where: { id }, include: { budget: { select: { teamId: true } } } });
  assertVisible(principal, alert, (r) => r.budget.teamId, "Alert", id);
  if (alert.acknowledgedAt) return stripBudget(alert);

  const userId =
    principal.kind === "user"
      ? principal.id
      : ((await db.apiKey.findUnique({ where: { id: principal.id }, select: { createdById: true } }))?.createdById ??
        null);
  return db.$transaction(async (tx) => {
    const { count } = await tx.alert.updateMany({
      where: { id, acknowledgedAt: null },
      data: { acknowledgedAt: deps.now(), acknowledgedById: userId },
    });
    const after = await tx.alert.findUniqueOrThrow({ where: { id } });
    if (count === 1) {
      await writeAudit(tx, {
        actor: principal.actor,
        action: "alert.acknowledge",
        entityType: "Alert",
        entityId: id,
        teamId: alert.budget.teamId,
        before: { acknowledgedAt: null },
        after: { acknowledgedAt: after.acknowledgedAt, acknowledgedById: userId },
      });
    }
    return after;
  });
}

const stripBudget = ({ budget: _budget, ...alert }: Alert & { budget: unknown }): Alert => alert;
