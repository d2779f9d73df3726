// How a spend anomaly reads (the weekly digest, the dashboard): which part of the day's change the
// price per inference made and which part the traffic (anomaly.ts splits it).
import { MoneyDecimal } from "./decimal.ts";
import { formatUsd } from "./money-display.ts";

export interface AnomalyEffects {
  priceEffectUsd: string;
  volumeEffectUsd: string;
}

const signed = (x: string) => {
  const d = new MoneyDecimal(x);
  return `${d.isNegative() ? "-" : "+"}${formatUsd(d.abs().toString())}`;
};

/** "price +$55.50, volume +$4.50". */
export function describeAnomalyEffects(a: AnomalyEffects): string {
  return `price ${signed(a.priceEffectUsd)}, volume ${signed(a.volumeEffectUsd)}`;
}

/** The larger of the two effects: "price" (the $ per inference changed, e.g. a promotion) or "volume" (traffic). */
export function mainAnomalyCause(a: AnomalyEffects): "price" | "volume" {
  return new MoneyDecimal(a.priceEffectUsd).abs().greaterThan(new MoneyDecimal(a.volumeEffectUsd).abs())
    ? "price"
    : "volume";
}
