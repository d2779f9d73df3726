// Alert thresholds as people type them: "50, 80, 100", "50%, 80%, 100%" or "0.5, 0.8, 1".
// Each value is a percentage when it ends with "%" or is greater than 1, else a fraction of the
// budget. The parsed list must then pass core's rule, the one the API applies
// (thresholdProblem: fractions, strictly ascending, at most MAX_ALERT_THRESHOLDS of them).
import { MAX_ALERT_THRESHOLDS, thresholdProblem } from "@costgate/core";

export type ThresholdParse = { ok: true; values: number[] } | { ok: false; error: string };

export function parseThresholds(input: string): ThresholdParse {
  const parts = input
    .split(/[,;\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return { ok: true, values: [] };
  const values: number[] = [];
  for (const part of parts) {
    const isPercent = part.endsWith("%");
    const raw = isPercent ? part.slice(0, -1).trim() : part;
    if (!/^\d+(\.\d+)?$|^\.\d+$/.test(raw)) return { ok: false, error: `"${part}" is not a number` };
    const n = Number(raw);
    const fraction = isPercent || n > 1 ? n / 100 : n;
    if (!(fraction > 0)) return { ok: false, error: `"${part}" must be more than 0` };
    values.push(Number(fraction.toFixed(6)));
  }
  values.sort((a, b) => a - b);
  for (let i = 1; i < values.length; i++) {
    if (values[i] === values[i - 1]) return { ok: false, error: `${formatThreshold(values[i]!)} is listed twice` };
  }
  if (values.length > MAX_ALERT_THRESHOLDS) return { ok: false, error: `at most ${MAX_ALERT_THRESHOLDS} thresholds` };
  const problem = thresholdProblem(values);
  if (problem) return { ok: false, error: problem };
  return { ok: true, values };
}

/** 0.8 → "80%". */
function formatThreshold(fraction: number): string {
  return `${Number((fraction * 100).toFixed(4))}%`;
}

/** For an edit form: [0.5, 0.8, 1] → "50%, 80%, 100%". */
export function thresholdsToInput(values: readonly number[]): string {
  return values.map(formatThreshold).join(", ");
}
