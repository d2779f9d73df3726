// Where to put labels along one line (an axis, a bar) so that none overlaps another: each as near
// its own mark as it can be, at least `gap` from its neighbours, all within [min, max].

/**
 * `wanted` are the labels' ideal centres (any order); answers their centres in the same order,
 * each at least `gap` from the next one and within [min, max] (when the labels fit at all: when
 * (n − 1) × gap > max − min they are spread evenly over the range, the best there is).
 */
export function spreadLabels(wanted: readonly number[], gap: number, min: number, max: number): number[] {
  const order = wanted.map((w, i) => ({ w, i })).sort((a, b) => a.w - b.w);
  const n = order.length;
  if (n === 0) return [];
  if ((n - 1) * gap > max - min) {
    const step = n === 1 ? 0 : (max - min) / (n - 1);
    const out = new Array<number>(n);
    order.forEach((o, k) => (out[o.i] = min + k * step));
    return out;
  }
  const pos = order.map((o) => Math.min(max, Math.max(min, o.w)));
  for (let k = 1; k < n; k++) pos[k] = Math.max(pos[k]!, pos[k - 1]! + gap);
  if (pos[n - 1]! > max) {
    pos[n - 1] = max;
    for (let k = n - 2; k >= 0; k--) pos[k] = Math.min(pos[k]!, pos[k + 1]! - gap);
  }
  const out = new Array<number>(n);
  order.forEach((o, k) => (out[o.i] = pos[k]!));
  return out;
}
