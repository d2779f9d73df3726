import type { WebhookEvent } from "@costgate/core";
import type { Prisma } from "@costgate/db";

/** What a receiver gets as the JSON body of a delivery. */
interface EventEnvelope {
  event: WebhookEvent;
  /** Unique per occurrence: the same event is never delivered twice to one webhook. */
  eventKey: string;
  teamId: string;
  occurredAt: string;
  data: Prisma.InputJsonValue;
}

/**
 * Records an event for the team's enabled webhooks subscribed to it: one PENDING
 * WebhookDelivery per webhook, unique on (webhookId, eventKey), so recording the same event
 * again (a retried job, racing checks) adds nothing. Runs inside the caller's transaction, so
 * the event exists exactly when the change it reports committed. Returns the new delivery ids,
 * to be enqueued after the commit (enqueueDeliveries).
 */
export async function recordEvent(
  tx: Prisma.TransactionClient,
  teamId: string,
  event: WebhookEvent,
  data: unknown,
  eventKey: string,
): Promise<string[]> {
  const hooks = await tx.webhook.findMany({
    where: { teamId, enabled: true, events: { has: event } },
    select: { id: true },
  });
  if (!hooks.length) return [];
  const envelope: EventEnvelope = {
    event,
    eventKey,
    teamId,
    occurredAt: new Date().toISOString(),
    data: JSON.parse(JSON.stringify(data ?? null)) as Prisma.InputJsonValue,
  };
  const created = await tx.webhookDelivery.createManyAndReturn({
    data: hooks.map((h) => ({
      webhookId: h.id,
      event,
      eventKey,
      payload: envelope as unknown as Prisma.InputJsonValue,
    })),
    skipDuplicates: true,
    select: { id: true },
  });
  return created.map((d) => d.id);
}
