import type { TEST_EVENT, WebhookEvent } from "@costgate/core";
import type { Prisma } from "@costgate/db";

/** What a receiver gets as the JSON body of a delivery (with its deliveryId first: webhookBody). */
interface EventEnvelope {
  event: WebhookEvent | typeof TEST_EVENT;
  /** Unique per occurrence: the same event is never delivered twice to one webhook. */
  eventKey: string;
  teamId: string;
  occurredAt: string;
  data: Prisma.InputJsonValue;
}

/** The envelope of an event as it is stored on each delivery: its data as JSON, the time it happened. */
export function eventEnvelope(
  event: EventEnvelope["event"],
  eventKey: string,
  teamId: string,
  data: unknown,
  occurredAt = new Date(),
): Prisma.InputJsonValue {
  const envelope: EventEnvelope = {
    event,
    eventKey,
    teamId,
    occurredAt: occurredAt.toISOString(),
    data: JSON.parse(JSON.stringify(data ?? null)) as Prisma.InputJsonValue,
  };
  return envelope as unknown as Prisma.InputJsonValue;
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
  const envelope = eventEnvelope(event, eventKey, teamId, data);
  const created = await tx.webhookDelivery.createManyAndReturn({
    data: hooks.map((h) => ({
      webhookId: h.id,
      event,
      eventKey,
      payload: envelope,
    })),
    skipDuplicates: true,
    select: { id: true },
  });
  return created.map((d) => d.id);
}
