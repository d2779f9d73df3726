import { describe, expect, it } from "vitest";
import { checkGuardrail, measuredSaving, pickBest } from "./guardrail.ts";

describe("accuracy guardrail", () => {
  it("allows a drop up to maxAccuracyDrop points and refuses more", () => {
    expect(checkGuardrail("accuracy", 0.95, 0.94, 0.01).ok).toBe(true);
    expect(checkGuardrail("accuracy", 0.95, 0.939, 0.01).ok).toBe(false);
    expect(checkGuardrail("accuracy", 0.95, 0.96, 0).ok).toBe(true);
    expect(checkGuardrail("accuracy", 0.95, 0.939, 0.01).reason).toMatch(
      /drop of 1\.10 points \(allowed 1\.00 points\)/,
    );
  });

  it("counts mse as a relative increase", () => {
    expect(checkGuardrail("mse", 2.0, 2.02, 0.01).ok).toBe(true);
    expect(checkGuardrail("mse", 2.0, 2.03, 0.01).ok).toBe(false);
    expect(checkGuardrail("mse", 2.0, 1.5, 0).ok).toBe(true);
    expect(checkGuardrail("mse", 0, 0.1, 0.5).ok).toBe(false);
  });
});

describe("pickBest", () => {
  const ok = { ok: true, drop: 0, reason: "" };
  const bad = { ok: false, drop: 1, reason: "" };
  it("takes the cheapest candidate within the guardrail, comparing Decimals exactly", () => {
    const best = pickBest([
      { id: "a", costPerMillionUsd: "0.100001", verdict: ok },
      { id: "b", costPerMillionUsd: "0.1", verdict: ok },
      { id: "c", costPerMillionUsd: "0.01", verdict: bad },
    ]);
    expect(best?.id).toBe("b");
  });
  it("is null when no candidate passes", () => {
    expect(pickBest([{ id: "c", costPerMillionUsd: "0.01", verdict: bad }])).toBeNull();
  });
});

describe("measuredSaving", () => {
  it("does not call a change inside the measurement noise a saving", () => {
    expect(measuredSaving({ costPerMillionUsd: "1.00" }, { costPerMillionUsd: "0.99" }).saves).toBe(false);
    expect(measuredSaving({ costPerMillionUsd: "1.00", spread: 0.1 }, { costPerMillionUsd: "0.92" }).saves).toBe(false);
    expect(measuredSaving({ costPerMillionUsd: "1.00" }, { costPerMillionUsd: "0.60" })).toMatchObject({
      saves: true,
      relative: 0.4,
    });
  });
});

describe("pickBest between candidates of equal cost", () => {
  const ok = { ok: true, drop: 0, reason: "" };
  it("takes the better metric: higher accuracy, lower mse", () => {
    expect(
      pickBest([
        { id: "a", costPerMillionUsd: "1", verdict: ok, metric: 0.9 },
        { id: "b", costPerMillionUsd: "1", verdict: ok, metric: 0.95 },
      ])?.id,
    ).toBe("b");
    expect(
      pickBest(
        [
          { id: "a", costPerMillionUsd: "1", verdict: ok, metric: 0.2 },
          { id: "b", costPerMillionUsd: "1", verdict: ok, metric: 0.3 },
        ],
        "mse",
      )?.id,
    ).toBe("a");
  });
});

describe("the guardrail on agreement with the source", () => {
  it("counts 1 - agreement as the drop in points and says which metric it used", () => {
    const within = checkGuardrail("agreement", 1, 0.995, 0.01);
    expect(within.ok).toBe(true);
    expect(within.drop).toBeCloseTo(0.005, 9);
    expect(within.reason).toMatch(/^agreement with the source version 99\.50% on its UNLABELED dataset/);
    expect(within.reason).toContain("0.50 points of disagreement (allowed 1.00 points)");
    expect(checkGuardrail("agreement", 1, 0.98, 0.01).ok).toBe(false);
  });

  it("pickBest prefers the higher agreement between candidates of equal cost", () => {
    const ok = { ok: true, drop: 0, reason: "" };
    const picked = pickBest(
      [
        { id: "a", costPerMillionUsd: "1", verdict: ok, metric: 0.97 },
        { id: "b", costPerMillionUsd: "1", verdict: ok, metric: 0.99 },
      ],
      "agreement",
    );
    expect(picked?.id).toBe("b");
  });
});
