import { TEST_EVENT } from "@costgate/core";
import type { Prisma, Webhook, WebhookDelivery } from "@costgate/db";
import { eventEnvelope } from "./record-event.ts";

/** What a webhook.test event carries: the webhook it checks and who asked (a name people read). */
export interface TestEventData {
  webhookId: string;
  requestedBy: string;
}

/**
 * Records a webhook.test delivery to one webhook, whatever events it subscribes to
 * (sendTestWebhook), in the caller's transaction; enqueued after the commit like any delivery
 * (enqueueDeliveries). Its envelope is an event's, so it is signed, retried and written for
 * people (a SLACK webhook: core's describeEvent) exactly like one.
 */
export function recordTestEvent(
  tx: Prisma.TransactionClient,
  webhook: Pick<Webhook, "id" | "teamId">,
  data: TestEventData,
  at: Date,
): Promise<WebhookDelivery> {
  const eventKey = `${TEST_EVENT}:${at.getTime()}`;
  return tx.webhookDelivery.create({
    data: {
      webhookId: webhook.id,
      event: TEST_EVENT,
      eventKey,
      payload: eventEnvelope(TEST_EVENT, eventKey, webhook.teamId, data, at),
      createdAt: at,
    },
  });
}
