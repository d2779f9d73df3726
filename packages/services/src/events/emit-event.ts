import type { WebhookEvent } from "@costgate/core";
import type { Db } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import { enqueueDeliveries } from "./enqueue-deliveries.ts";
import { recordEvent } from "./record-event.ts";

/**
 * The one way an event reaches webhooks: records a delivery per subscribed webhook (once per
 * eventKey) and enqueues them. For a change already committed (a finished job). A change that
 * has its own transaction records the event inside it with recordEvent and calls
 * enqueueDeliveries after the commit, which is all this does. Returns the delivery ids.
 */
export async function emitEvent(
  deps: { db: Db; producer: Producer },
  teamId: string,
  event: WebhookEvent,
  payload: unknown,
  eventKey: string,
): Promise<string[]> {
  const ids = await deps.db.$transaction((tx) => recordEvent(tx, teamId, event, payload, eventKey));
  await enqueueDeliveries(deps.producer, ids);
  return ids;
}
