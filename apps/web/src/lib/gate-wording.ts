// The cost gate's refusal in the words of the person promoting: numbers as people say them,
// stages and budget actions in plain English, no API argument names.
import { formatMoney, formatMoneyDelta, formatRequests } from "./format";

export interface GateNumbers {
  trafficRequests?: string | number | null;
  currentMonthlyUsd?: string | null;
  projectedMonthlyUsd?: string | null;
  deltaMonthlyUsd?: string | null;
  remainingUsd?: string | null;
  budgetName?: string | null;
}

/**
 * "At the model's traffic of the last 30 days (10 billion requests), serving it with v3 would
 * take monthly spend from $1,200.00 to $3,400.00 (+$2,200.00): more than the $900.00 left this
 * period in the budget “Fraud serving”, which blocks promotions to production."
 */
export function describeGateRefusal(n: GateNumbers, versionNumber: number): string {
  if (!n.projectedMonthlyUsd) {
    return `Version ${versionNumber} has no cost measurement yet, so its cost cannot be checked against the budget${
      n.budgetName ? ` “${n.budgetName}”` : ""
    }, which blocks promotions to production. Wait until it is measured.`;
  }
  const traffic =
    n.trafficRequests !== undefined && n.trafficRequests !== null
      ? ` (${formatRequests(n.trafficRequests)} requests)`
      : "";
  return (
    `At the model's traffic of the last 30 days${traffic}, serving it with v${versionNumber} would take monthly spend ` +
    `from ${formatMoney(n.currentMonthlyUsd)} to ${formatMoney(n.projectedMonthlyUsd)} (${formatMoneyDelta(n.deltaMonthlyUsd)}): ` +
    `more than the ${formatMoney(n.remainingUsd)} left this period in the budget${n.budgetName ? ` “${n.budgetName}”` : ""}, ` +
    `which blocks promotions to production.`
  );
}
