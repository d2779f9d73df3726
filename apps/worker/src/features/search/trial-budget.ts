/**
 * The SEARCH's time budget as pure decisions: how long the next trial will take, judged from
 * the trials so far, and whether it still fits. A trial is never cut short (it would leave half a
 * trial), so one is started only when its estimate fits in what is left of the budget.
 */
export type TrialPhase = "sparsity" | "dtype";

export interface TrialTime {
  phase: TrialPhase;
  ms: number;
  /** Versions it made (each one evaluated and measured: most of a trial's time). */
  versions: number;
}

/**
 * The next trial's expected duration: the longest trial of its phase this run; without one, the
 * slowest per-version time of any trial times its versions; without any (the first trial, or a
 * resumed job), the time spent so far per stored version; null when nothing was done yet.
 */
export function estimateTrialMs(
  done: readonly TrialTime[],
  next: { phase: TrialPhase; versions: number },
  soFar: { elapsedMs: number; versionsMade: number },
): number | null {
  const samePhase = done.filter((t) => t.phase === next.phase);
  if (samePhase.length) return Math.max(...samePhase.map((t) => t.ms));
  const perVersion = slowestVersionMs(done);
  if (perVersion !== null) return perVersion * next.versions;
  if (soFar.versionsMade > 0) return (soFar.elapsedMs / soFar.versionsMade) * next.versions;
  return null;
}

/** The longest time one version of the trials so far took (made, evaluated, measured); null before any. */
export function slowestVersionMs(done: readonly TrialTime[]): number | null {
  return done.length ? Math.max(...done.map((t) => t.ms / Math.max(1, t.versions))) : null;
}

export type BudgetDecision = { start: true } | { start: false; why: string };

const seconds = (ms: number) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${Math.round(ms / 1000)} s`);

export function fitsBudget(args: {
  budgetMs: number;
  elapsedMs: number;
  estimateMs: number | null;
  /** What would start, as the reason names it. Default "the next trial". */
  what?: string;
}): BudgetDecision {
  const left = args.budgetMs - args.elapsedMs;
  if (left <= 0) return { start: false, why: `the time budget (${seconds(args.budgetMs)}) is used up` };
  if (args.estimateMs !== null && args.estimateMs > left)
    return {
      start: false,
      why: `${args.what ?? "the next trial"} would take about ${seconds(args.estimateMs)} and ${seconds(left)} of the time budget (${seconds(args.budgetMs)}) are left`,
    };
  return { start: true };
}

/** Whether the budget is used up (a trial's next phase must not start): why, or null. */
export function budgetUsedUp(args: { budgetMs: number; elapsedMs: number }): string | null {
  return args.elapsedMs >= args.budgetMs ? `the time budget (${seconds(args.budgetMs)}) ran out` : null;
}

/** The job's progress: the share of the time budget used (1 only once the job ends). */
export const budgetFraction = (elapsedMs: number, budgetMs: number): number =>
  Math.min(0.99, Math.max(0, elapsedMs / budgetMs));
