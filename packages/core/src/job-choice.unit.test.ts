import { describe, expect, it } from "vitest";
import { checkGuardrail } from "./guardrail.ts";
import { describeExcess, paretoFrontier, pickBestEffort, type ChoiceRow } from "./job-choice.ts";

const SOURCE_ACCURACY = 0.95;
const row = (id: string, cost: string | null, accuracy: number | null, savesVsSource = true): ChoiceRow => ({
  id,
  costPerMillionUsd: cost,
  metric: accuracy,
  verdict:
    accuracy === null
      ? { ok: false, drop: NaN, reason: "not evaluated" }
      : checkGuardrail("accuracy", SOURCE_ACCURACY, accuracy, 0.01),
  savesVsSource,
});
const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

describe("paretoFrontier", () => {
  it("keeps the candidates no other beats on both cost and metric, cheapest first", () => {
    const rows = [
      row("a", "0.0030", 0.95),
      row("b", "0.0020", 0.94),
      row("c", "0.0025", 0.93), // costlier and worse than b
      row("d", "0.0010", 0.8),
      row("e", "0.0040", 0.94), // beaten by a
    ];
    expect(ids(paretoFrontier(rows, "accuracy"))).toEqual(["d", "b", "a"]);
  });

  it("on equal cost keeps only the better metric (a step that saved nothing counts with its input's cost)", () => {
    const rows = [row("pruned", "0.0020", 0.9), row("tuned", "0.0020", 0.94), row("quantized", "0.0020", 0.935)];
    expect(ids(paretoFrontier(rows, "accuracy"))).toEqual(["tuned"]);
  });

  it("keeps two candidates equal in both, and leaves out those with no cost or no metric", () => {
    const rows = [row("x", "0.002", 0.9), row("y", "0.002", 0.9), row("n", null, 0.99), row("m", "0.001", null)];
    expect(ids(paretoFrontier(rows, "accuracy"))).toEqual(["x", "y"]);
  });

  it("reads mse as lower is better", () => {
    const rows = [
      { ...row("low-mse", "0.003", null), metric: 0.01 },
      { ...row("high-mse", "0.002", null), metric: 0.02 },
      { ...row("worse", "0.004", null), metric: 0.03 },
    ];
    expect(ids(paretoFrontier(rows, "mse"))).toEqual(["high-mse", "low-mse"]);
  });

  it("is empty without candidates", () => {
    expect(paretoFrontier([], "accuracy")).toEqual([]);
  });
});

describe("pickBestEffort", () => {
  it("picks the measurably cheaper candidate that misses the guardrail by the least", () => {
    const rows = [
      row("far", "0.001", 0.8),
      row("near", "0.002", 0.93),
      row("nearer-but-no-saving", "0.003", 0.935, false),
    ];
    const pick = pickBestEffort(rows, 0.01)!;
    expect(pick.id).toBe("near");
    expect(pick.excess).toBeCloseTo(0.01, 9);
    expect(describeExcess("accuracy", pick.excess)).toBe("1.00 points");
  });

  it("breaks a tie on the excess by cost", () => {
    expect(pickBestEffort([row("dear", "0.003", 0.9), row("cheap", "0.002", 0.9)], 0.01)!.id).toBe("cheap");
  });

  it("proposes nothing when no candidate saves measurable cost, or when one met the guardrail", () => {
    expect(pickBestEffort([row("a", "0.001", 0.5, false)], 0.01)).toBeNull();
    expect(pickBestEffort([row("ok", "0.001", 0.95)], 0.01)).toBeNull();
    expect(pickBestEffort([row("unevaluated", "0.001", null)], 0.01)).toBeNull();
  });

  it("says an mse excess as a share of the source's mse", () => {
    expect(describeExcess("mse", 0.125)).toBe("12.5% of the source's mse");
  });
});
