import type { Producer } from "@costgate/queue";

/** Where a failed enqueue is reported; the API's pino logger fits. */
type WarnLogger = { warn(obj: object, msg: string): void };

/**
 * Called by recordUsage after its transaction committed: asks the worker for a budget check
 * of every team whose spend changed, debounced per team (Producer.budgetCheck), so a burst of
 * ingestions makes one check a couple of seconds later rather than one per call.
 *
 * A team's check covers all its budgets, the per-model ones included, so `modelIds` needs no
 * job of its own. Enqueueing never fails the ingestion, which is already recorded: an error is
 * logged and the every-minute scheduled check catches up.
 */
export async function afterUsageRecorded(
  deps: { producer: Producer; logger?: WarnLogger },
  touched: { teamIds: string[]; modelIds: string[] },
): Promise<void> {
  const teamIds = [...new Set(touched.teamIds)];
  const results = await Promise.allSettled(teamIds.map((teamId) => deps.producer.budgetCheck(teamId)));
  results.forEach((r, i) => {
    if (r.status === "rejected") {
      const err = r.reason instanceof Error ? r.reason.message : String(r.reason);
      (deps.logger ?? consoleWarn).warn(
        { teamId: teamIds[i], err },
        "could not enqueue the budget check after recording usage; the every-minute check will catch up",
      );
    }
  });
}

const consoleWarn: WarnLogger = { warn: (obj, msg) => console.warn(msg, obj) };
