import { TEST_EVENT, assertVisible, badInput, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import { enqueueDeliveries, recordTestEvent, writeAudit } from "@costgate/services";
import { actorNames } from "../../graphql/actor-names.ts";
import { newestFirst } from "../../graphql/pagination.ts";
import type { DeliveryWithLastAttempt } from "./recent-deliveries.ts";

/** A test asked for within this long of the webhook's last one answers that one instead of sending another. */
const TEST_INTERVAL_MS = 10_000;

/**
 * Delivers a webhook.test event to one webhook of the caller's team, whatever events it
 * subscribes to: a delivery like any other (signed, retried with backoff, a SLACK webhook gets
 * the words of core's describeEvent), listed with the webhook's deliveries, audited as
 * webhook.test. Once per TEST_INTERVAL_MS per webhook: a second click (or a second tab) within
 * it gets the delivery the first one made, and nothing is sent or audited again. A disabled
 * webhook is refused (its deliveries would fail at once).
 */
export async function sendTestWebhook(
  deps: { db: Db; producer: Producer; now: () => Date },
  principal: Principal,
  webhookId: string,
): Promise<DeliveryWithLastAttempt> {
  const { db } = deps;
  const webhook = await db.webhook.findUnique({ where: { id: webhookId } });
  assertVisible(principal, webhook, (w) => w.teamId, "Webhook", webhookId);
  if (!webhook.enabled)
    throw badInput("This webhook is disabled: enable it to send a test event", { field: "webhookId" });
  const [requestedBy = "someone"] = await actorNames(db, [principal.actor]);
  const now = deps.now();

  const { delivery, created } = await db.$transaction(async (tx) => {
    // One test at a time per webhook: a concurrent click waits here, then finds this one's delivery.
    await tx.$queryRaw`SELECT id FROM webhooks WHERE id = ${webhookId} FOR UPDATE`;
    const recent = await tx.webhookDelivery.findFirst({
      where: { webhookId, event: TEST_EVENT, createdAt: { gt: new Date(now.getTime() - TEST_INTERVAL_MS) } },
      orderBy: newestFirst,
      include: { attemptsLog: { orderBy: newestFirst, take: 1 } },
    });
    if (recent) {
      const { attemptsLog, ...rest } = recent;
      return { delivery: { ...rest, lastAttempt: attemptsLog[0] ?? null }, created: false };
    }
    const made = await recordTestEvent(tx, webhook, { webhookId, requestedBy }, now);
    await writeAudit(tx, {
      actor: principal.actor,
      action: "webhook.test",
      entityType: "Webhook",
      entityId: webhookId,
      teamId: webhook.teamId,
      after: { deliveryId: made.id, event: TEST_EVENT },
    });
    return { delivery: { ...made, lastAttempt: null }, created: true };
  });
  // After the commit, as for every event; if Redis is down the worker's sweep queues it later.
  if (created) await enqueueDeliveries(deps.producer, [delivery.id]);
  return delivery;
}
