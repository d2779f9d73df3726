import { enqueueDeliveries } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";

/**
 * Webhook deliveries recorded but never queued (Redis unreachable right after the commit that
 * raised the event) are queued again: at start and with every scheduled budget check. The job
 * id is per delivery, so a delivery already queued or waiting for its retry is not queued twice.
 */
export async function requeuePendingDeliveries(
  deps: Pick<WorkerDeps, "db" | "producer" | "logger">,
  olderThanMs = 60_000,
): Promise<number> {
  const pending = await deps.db.webhookDelivery.findMany({
    where: { status: "PENDING", createdAt: { lt: new Date(Date.now() - olderThanMs) } },
    select: { id: true },
    orderBy: { createdAt: "asc" },
    take: 1_000,
  });
  if (!pending.length) return 0;
  const { failed, error } = await enqueueDeliveries(
    deps.producer,
    pending.map((d) => d.id),
  );
  if (failed) deps.logger.warn({ failed, err: error }, "could not re-queue pending webhook deliveries");
  return pending.length - failed;
}
