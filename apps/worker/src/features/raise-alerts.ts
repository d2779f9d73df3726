import type { BudgetStatusValue } from "@costgate/core";
import type { AlertKind, Budget } from "@costgate/db";
import { enqueueDeliveries, recordEvent, writeAudit } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";

/**
 * The alerts a status calls for, per threshold t: THRESHOLD_ACTUAL once spend has reached t;
 * THRESHOLD_FORECAST when the run rate will reach t although spend has not yet — the early
 * warning. Spend past t makes the forecast alert redundant (the forecast is never below
 * spend), so it is not raised then: a person gets one alert per crossing, not two.
 */
function alertsDue(
  thresholds: readonly number[],
  status: Pick<BudgetStatusValue, "utilization" | "forecastUtilization">,
): { kind: AlertKind; threshold: number }[] {
  const due: { kind: AlertKind; threshold: number }[] = [];
  for (const threshold of thresholds) {
    if (status.utilization >= threshold) due.push({ kind: "THRESHOLD_ACTUAL", threshold });
    else if (status.forecastUtilization >= threshold) due.push({ kind: "THRESHOLD_FORECAST", threshold });
  }
  return due;
}

/**
 * Raises the alerts due for a budget's current period. INSERT ... ON CONFLICT DO NOTHING on
 * (budget, period, kind, threshold) returns only the rows this call inserted, so however many
 * checks race, each alert is created once and announced once: its `alert.created` deliveries
 * and audit event are written in the same transaction, and enqueued after the commit.
 * Returns the ids of the alerts this call created.
 */
export async function raiseAlerts(
  deps: Pick<WorkerDeps, "db" | "producer" | "logger">,
  budget: Budget,
  status: BudgetStatusValue,
): Promise<string[]> {
  const due = alertsDue(budget.alertThresholds, status);
  if (!due.length) return [];
  const spentUsd = status.spentUsd.toFixed(6);
  const forecastUsd = status.forecastUsd.toFixed(6);
  const { alertIds, deliveryIds, events } = await deps.db.$transaction(async (tx) => {
    const created = await tx.alert.createManyAndReturn({
      data: due.map((d) => ({
        budgetId: budget.id,
        kind: d.kind,
        threshold: d.threshold,
        spentUsd,
        forecastUsd,
        periodStart: status.start,
      })),
      skipDuplicates: true,
    });
    const deliveryIds: string[] = [];
    const events: { eventKey: string; payload: object }[] = [];
    for (const alert of created) {
      await writeAudit(tx, {
        actor: "system",
        action: "alert.create",
        entityType: "Alert",
        entityId: alert.id,
        teamId: budget.teamId,
        after: alert,
      });
      const payload = {
        alertId: alert.id,
        kind: alert.kind,
        threshold: alert.threshold,
        spentUsd,
        forecastUsd,
        periodStart: status.start.toISOString(),
        periodEnd: status.end.toISOString(),
        budget: {
          id: budget.id,
          name: budget.name,
          teamId: budget.teamId,
          modelId: budget.modelId,
          amountUsd: budget.amountUsd.toFixed(6),
          period: budget.period,
          action: budget.action,
        },
        utilization: status.utilization,
        forecastUtilization: status.forecastUtilization,
        state: status.state,
        exhaustsAt: status.exhaustsAt?.toISOString() ?? null,
      };
      deliveryIds.push(
        ...(await recordEvent(tx, budget.teamId, "alert.created", payload, `alert.created:${alert.id}`)),
      );
      events.push({ eventKey: `alert.created:${alert.id}`, payload });
    }
    return { alertIds: created.map((a) => a.id), deliveryIds, events };
  });
  // E-mail to the team's FINANCE and ADMIN users (sent only when SMTP_URL is set), once per alert.
  for (const e of events)
    await deps.producer
      .emailEvent("alert.created", budget.teamId, e.eventKey, e.payload)
      .catch((err: unknown) =>
        deps.logger.warn({ budgetId: budget.id, err: (err as Error).message }, "alert e-mail not queued"),
      );
  const queued = await enqueueDeliveries(deps.producer, deliveryIds);
  if (queued.failed)
    deps.logger.warn(
      { budgetId: budget.id, failed: queued.failed, err: queued.error },
      "alert.created deliveries not queued; the sweep will queue them",
    );
  return alertIds;
}
