// The ticks of a dollar axis from 0: a round step (1, 2, 2.5 or 5 × a power of ten) giving about
// `count` ticks, the last one at or above `max`, so the axis always starts at $0 and ends on a tick.

export interface MoneyAxis {
  ticks: number[];
  step: number;
  top: number;
}

export function moneyAxis(max: number, count = 5): MoneyAxis {
  const m = Number.isFinite(max) && max > 0 ? max : 1;
  const rough = m / Math.max(1, count - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= rough * (1 - 1e-9))!;
  const n = Math.ceil(m / step - 1e-9);
  const ticks = Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  return { ticks, step, top: ticks[ticks.length - 1]! };
}
