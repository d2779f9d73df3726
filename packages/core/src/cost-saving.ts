/**
 * Savings from paired measurements. A step's saving is its throughput ratio to its parent,
 * measured interleaved in one session, with a 95% interval; it is "significant" only when the
 * interval excludes 1. Along a lineage (upload → step 1 → step 2 ...) the ratios multiply, and
 * as each comes from its own session their log half-widths add in quadrature (each side apart).
 */
export interface RatioInterval {
  /** candidate throughput / parent throughput */
  throughputRatio: number;
  low: number;
  high: number;
  significant: boolean;
}

export const NO_MEASURABLE_SAVING = "No measurable saving: the same throughput within the measurement's 95% interval";

export function composeRatios(steps: readonly RatioInterval[]): RatioInterval {
  // Intervals from paired rounds can be lopsided (one slow round stretches one side only):
  // the lower and the upper sides are combined separately.
  let log = 0;
  let below = 0;
  let above = 0;
  for (const s of steps) {
    const l = Math.log(s.throughputRatio);
    log += l;
    below += (l - Math.log(s.low)) ** 2;
    above += (Math.log(s.high) - l) ** 2;
  }
  const low = Math.exp(log - Math.sqrt(below));
  const high = Math.exp(log + Math.sqrt(above));
  return { throughputRatio: Math.exp(log), low, high, significant: steps.length > 0 && (low > 1 || high < 1) };
}

/** The cost change a ratio means: relative = 1 - 1/ratio (0.4 = 40% cheaper); saves only when significant and cheaper. */
export function savingOf(r: RatioInterval): { relative: number; saves: boolean; low: number; high: number } {
  return {
    relative: 1 - 1 / r.throughputRatio,
    saves: r.significant && r.low > 1,
    low: 1 - 1 / r.low,
    high: 1 - 1 / r.high,
  };
}

export interface LineageCost {
  id: string;
  parentId: string | null;
  /** Its own latest $/1M (a decimal string), null when not measured. */
  costPerMillionUsd: string | null;
  /** Its paired comparison with its parent, when it has one. */
  comparison: { significant: boolean } | null;
}

/**
 * The cost each version counts with when versions are compared (a job's best pick, the Pareto
 * frontier): its own $/1M, except that a version whose paired comparison with its parent shows
 * no significant change costs what its parent counts with — a saving that is only noise is
 * never a reason to prefer it. Parents outside the list count with their own $/1M.
 */
export function effectiveCosts(versions: readonly LineageCost[]): Map<string, string | null> {
  const byId = new Map(versions.map((v) => [v.id, v]));
  const memo = new Map<string, string | null>();
  const resolve = (v: LineageCost, depth: number): string | null => {
    const known = memo.get(v.id);
    if (known !== undefined) return known;
    const parent = v.parentId ? byId.get(v.parentId) : undefined;
    const cost =
      v.comparison && !v.comparison.significant && parent && depth < versions.length
        ? resolve(parent, depth + 1)
        : v.costPerMillionUsd;
    memo.set(v.id, cost);
    return cost;
  };
  for (const v of versions) resolve(v, 0);
  return memo;
}
