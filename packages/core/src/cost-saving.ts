/**
 * Savings from paired measurements. A step's saving is its throughput ratio to its parent,
 * measured interleaved in one session, with a 95% interval; it is "significant" only when the
 * interval excludes 1. Along a lineage (upload → step 1 → step 2 ...) the ratios multiply, and
 * as each comes from its own session their log half-widths add in quadrature.
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
  let log = 0;
  let variance = 0;
  for (const s of steps) {
    const l = Math.log(s.throughputRatio);
    const half = Math.max(Math.log(s.high) - l, l - Math.log(s.low));
    log += l;
    variance += half * half;
  }
  const half = Math.sqrt(variance);
  const low = Math.exp(log - half);
  const high = Math.exp(log + half);
  return { throughputRatio: Math.exp(log), low, high, significant: steps.length > 0 && (low > 1 || high < 1) };
}

/** The cost change a ratio means: relative = 1 - 1/ratio (0.4 = 40% cheaper); saves only when significant and cheaper. */
export function savingOf(r: RatioInterval): { relative: number; saves: boolean; low: number; high: number } {
  return { relative: 1 - 1 / r.throughputRatio, saves: r.significant && r.low > 1, low: 1 - 1 / r.low, high: 1 - 1 / r.high };
}
