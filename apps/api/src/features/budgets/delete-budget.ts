import { assertVisible, notFound, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";

/** Deletes a budget of the caller's team, with its alerts; the audit event keeps what it was. */
export async function deleteBudget(db: Db, principal: Principal, id: string): Promise<boolean> {
  const budget = await db.budget.findUnique({ where: { id } });
  assertVisible(principal, budget, (r) => r.teamId, "Budget", id);
  return db.$transaction(async (tx) => {
    const { count } = await tx.budget.deleteMany({ where: { id } });
    if (count === 0) throw notFound("Budget", id);
    await writeAudit(tx, {
      actor: principal.actor,
      action: "budget.delete",
      entityType: "Budget",
      entityId: id,
      teamId: budget.teamId,
      before: budget,
    });
    return true;
  });
}
