import { describe, expect, it } from "vitest";
import { requestsCost } from "./decimal.ts";
import { costOfRequests, latestMeasurement, latestMeasurementByPair, pricePairKey } from "./prices.ts";

const at = (iso: string) => new Date(iso);

describe("costOfRequests", () => {
  it("is requests × $/1M ÷ 1e6, half-even to 6 decimals, as recordUsage's fast path computes it", () => {
    expect(costOfRequests(1_000_000, "3").toFixed(6)).toBe("3.000000");
    expect(costOfRequests(333n, "1.5").toFixed(6)).toBe("0.000500");
    expect(costOfRequests("1", "0.5").toFixed(6)).toBe("0.000000");
    for (const [requests, price] of [
      [7, "0.123457"],
      [123_456_789, "12.345678"],
      [1, "0.000001"],
    ] as const) {
      expect(requestsCost(requests, price)).toBe(costOfRequests(requests, price).toFixed(6));
    }
  });

  it("prices a difference of prices (a saving can be negative)", () => {
    expect(costOfRequests(2_000_000, "-0.25").toFixed(6)).toBe("-0.500000");
  });
});

describe("the current price of a version", () => {
  const rows = [
    { id: "old", versionId: "v1", hardwareProfileId: "cpu", measuredAt: at("2026-01-01T00:00:00Z") },
    { id: "new", versionId: "v1", hardwareProfileId: "cpu", measuredAt: at("2026-03-01T00:00:00Z") },
    { id: "mid", versionId: "v1", hardwareProfileId: "cpu", measuredAt: at("2026-02-01T00:00:00Z") },
    { id: "gpu", versionId: "v1", hardwareProfileId: "gpu", measuredAt: at("2026-01-15T00:00:00Z") },
  ];

  it("is the latest measurement by measuredAt, whatever the order of the rows", () => {
    expect(latestMeasurement(rows.filter((r) => r.hardwareProfileId === "cpu"))?.id).toBe("new");
    expect(latestMeasurement([])).toBeUndefined();
  });

  it("is kept per (version, hardware profile)", () => {
    const latest = latestMeasurementByPair(rows);
    expect(latest.get(pricePairKey("v1", "cpu"))?.id).toBe("new");
    expect(latest.get(pricePairKey("v1", "gpu"))?.id).toBe("gpu");
    expect(latest.size).toBe(2);
  });
});
