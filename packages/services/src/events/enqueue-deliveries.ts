import type { Producer } from "@costgate/queue";

/**
 * Enqueues one `webhooks` job per delivery (job id per delivery, so twice is once). A failure
 * (Redis down) is returned, not thrown: the deliveries stay PENDING in the database and the
 * worker's sweep (requeuePendingDeliveries) enqueues them later, so the change that raised the
 * event never fails for it.
 */
export async function enqueueDeliveries(
  producer: Producer,
  deliveryIds: string[],
): Promise<{ failed: number; error?: string }> {
  const results = await Promise.allSettled(deliveryIds.map((id) => producer.webhookDelivery(id)));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  return failures.length
    ? { failed: failures.length, error: String((failures[0]!.reason as Error)?.message ?? failures[0]!.reason) }
    : { failed: 0 };
}
