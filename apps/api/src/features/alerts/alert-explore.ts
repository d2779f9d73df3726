import { periodBounds, spendExplorerPath, type ExplorerFilters } from "@costgate/core";
import type { Alert, Budget, SpendAnomaly } from "@costgate/db";

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
/** Days before an anomaly the explorer shows, so the change stands out against its baseline. */
const ANOMALY_CONTEXT_DAYS = 14;

/**
 * Where the explorer opens for an alert. A threshold alert: its budget's scope (team or model,
 * and tag) over the alert's period, grouped by model (a team budget) or version (a model budget).
 * An ANOMALY alert: its model over the two weeks before the day and the day, by version.
 */
export function alertExplorerLink(alert: Alert, budget: Budget, anomaly: SpendAnomaly | null) {
  let filters: ExplorerFilters;
  if (anomaly) {
    filters = {
      teamId: anomaly.teamId,
      modelId: anomaly.modelId,
      from: isoDay(new Date(anomaly.day.getTime() - ANOMALY_CONTEXT_DAYS * DAY_MS)),
      to: isoDay(new Date(anomaly.day.getTime() + DAY_MS)),
      groupBy: "VERSION",
    };
  } else {
    const { start, end } = periodBounds(budget.period, alert.periodStart);
    filters = {
      teamId: budget.teamId,
      modelId: budget.modelId,
      from: isoDay(start),
      to: isoDay(end),
      groupBy: budget.modelId ? "VERSION" : "MODEL",
      tag: budget.tagKey !== null && budget.tagValue !== null ? { key: budget.tagKey, value: budget.tagValue } : null,
    };
  }
  return {
    teamId: filters.teamId!,
    modelId: filters.modelId ?? null,
    tag: filters.tag ?? null,
    from: new Date(`${filters.from}T00:00:00Z`),
    to: new Date(`${filters.to}T00:00:00Z`),
    groupBy: filters.groupBy,
    path: spendExplorerPath(filters),
  };
}
