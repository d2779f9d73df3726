import { assertVisible, notFound, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";

/**
 * Deletes a webhook of the caller's team with its deliveries and their attempts (the foreign
 * keys cascade). Deliveries already queued find nothing and are skipped. The audit event keeps
 * what the webhook was (without its secret) and how many deliveries went with it.
 */
export async function deleteWebhook(db: Db, principal: Principal, id: string): Promise<boolean> {
  const webhook = await db.webhook.findUnique({ where: { id } });
  assertVisible(principal, webhook, (r) => r.teamId, "Webhook", id);
  return db.$transaction(async (tx) => {
    const deliveries = await tx.webhookDelivery.count({ where: { webhookId: id } });
    const { count } = await tx.webhook.deleteMany({ where: { id } });
    if (count === 0) throw notFound("Webhook", id);
    await writeAudit(tx, {
      actor: principal.actor,
      action: "webhook.delete",
      entityType: "Webhook",
      entityId: id,
      teamId: webhook.teamId,
      before: { ...webhook, deliveries },
    });
    return true;
  });
}
