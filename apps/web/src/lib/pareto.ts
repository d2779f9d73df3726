// The Pareto frontier of versions on cost (lower is better) against quality (accuracy: higher is
// better; mse: lower is better): the versions no other version beats on both at once.

export interface ParetoPoint {
  id: string;
  cost: number;
  metric: number;
}

/** True when a is at least as good as b on both axes and strictly better on one. */
function dominates(a: ParetoPoint, b: ParetoPoint, higherIsBetter: boolean): boolean {
  const better = higherIsBetter ? a.metric >= b.metric : a.metric <= b.metric;
  const strictlyBetter = higherIsBetter ? a.metric > b.metric : a.metric < b.metric;
  return a.cost <= b.cost && better && (a.cost < b.cost || strictlyBetter);
}

/** The non-dominated points, cheapest first. Points with a non-finite cost or metric are left out. */
export function paretoFrontier<T extends ParetoPoint>(points: readonly T[], higherIsBetter = true): T[] {
  const valid = points.filter((p) => Number.isFinite(p.cost) && Number.isFinite(p.metric));
  return valid
    .filter((p) => !valid.some((q) => q !== p && dominates(q, p, higherIsBetter)))
    .sort((a, b) => a.cost - b.cost || (higherIsBetter ? b.metric - a.metric : a.metric - b.metric));
}

/** Whether a higher value of this metric is better (accuracy) or worse (mse, loss). */
export function higherIsBetter(metric: string | null | undefined): boolean {
  return metric !== "mse" && metric !== "loss";
}
