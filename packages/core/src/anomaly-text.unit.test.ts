import { describe, expect, it } from "vitest";
import { describeAnomalyEffects, mainAnomalyCause } from "./anomaly-text.ts";

describe("anomaly text", () => {
  it("signs each effect and keeps tiny amounts readable", () => {
    expect(describeAnomalyEffects({ priceEffectUsd: "55.5", volumeEffectUsd: "-0.000114" })).toBe(
      "price +$55.50, volume -$0.000114",
    );
  });
  it("names the larger effect by its size, whatever its sign", () => {
    expect(mainAnomalyCause({ priceEffectUsd: "55.5", volumeEffectUsd: "4.5" })).toBe("price");
    expect(mainAnomalyCause({ priceEffectUsd: "1", volumeEffectUsd: "-20" })).toBe("volume");
  });
});
