/**
 * What a SEARCH job records about its trials in the job's result (`result.search`): written by
 * the worker after every trial and at the end, read by the dashboard's job page.
 */
export interface SearchTrial {
  trial: number;
  /** Structured sparsity of the trial's prune (0: not pruned). */
  sparsity: number;
  recovery: string;
  /** Weight dtype of a quantization trial; null for float32. */
  dtype: string | null;
  /** The versions it made, in order (prune, then recovery; or the quantized one). */
  versionIds: string[];
  withinGuardrail: boolean;
  /** Its first step measurably cheaper than that step's input. */
  savesVsInput: boolean;
}

export interface SearchReport {
  trials: number;
  /** "running" while it runs; then why it stopped, in words. */
  stoppedBecause: string;
  timeBudgetMinutes?: number;
  maxTrials?: number | null;
  recovery?: string;
  dtypes?: string[];
  trialLimit?: number;
  elapsedSeconds?: number;
  trialList?: SearchTrial[];
  /** Sparsity levels whose prune removed nothing, so made no version. */
  skipped?: { sparsity: number; reason: string }[];
}
