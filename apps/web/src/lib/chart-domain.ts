// Axis ranges for small scatter charts: the data's range with some room on each side, never past
// what the quantity can be ($ never below 0, a share never outside 0–100%), and nice tick values.

/**
 * [low, high] around the values, padded by `pad` of their span on each side (a single value, or
 * equal ones, get room of `pad` of their size), clamped to [floor, ceil].
 */
export function paddedDomain(
  values: readonly number[],
  { floor = -Infinity, ceil = Infinity, pad = 0.12 }: { floor?: number; ceil?: number; pad?: number } = {},
): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [Math.max(floor, 0), Math.min(ceil, 1)];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const room = (max - min || Math.abs(max) || 1) * pad;
  const low = Math.max(floor, min - room);
  const high = Math.min(ceil, max + room);
  return high > low ? [low, high] : [low, low + room];
}

/** About `count` evenly spaced ticks on round values inside [low, high]. */
export function ticks([low, high]: [number, number], count = 4): number[] {
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(low / step - 1e-9) * step; t <= high + step * 1e-9; t += step)
    out.push(Number(t.toPrecision(12)));
  return out;
}
